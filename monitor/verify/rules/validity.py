"""Validity rules: dates and editions. Only parsed dates are judged: an unreadable date is ``None`` and leads to
MISSING_VALIDITY, never to a guessed EXPIRED."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from monitor.severity import Severity
from monitor.verify.bodies_data import WithdrawnEdition, withdrawn_editions
from monitor.verify.findings import Hit, VerifyContext, VerifySettings, rule
from monitor.verify.rules._sources import DATA_WITHDRAWN, S5, S6, S12, S13_NOTE, S15, S16, S17, S18, S19, cite
from monitor.verify.rules._text import cert_kind, cert_standard, describe, excerpt, prepare

_EDITION_YEAR_FLOOR = 1900


@dataclass(frozen=True)
class Withdrawal:
    entry: WithdrawnEdition
    exact: bool  # False: the edition is older than the listed one, so withdrawn at the latest on that date


def withdrawal(standard: str | None, edition: str | None, settings: VerifySettings) -> Withdrawal | None:
    """The dated withdrawal that applies to ``standard:edition``, whether or not it is past yet."""
    if not standard:
        return None
    if standard == "ISO 9001" and edition == "2015" and settings.iso9001_2015_transition_end:
        entry = WithdrawnEdition(
            "ISO 9001", "2015", settings.iso9001_2015_transition_end, "ISO 9001:2026", "settings: " + S13_NOTE
        )
        return Withdrawal(entry, True)
    rows = withdrawn_editions().get(standard, ())
    for row in rows:
        if row.edition == "*" or row.edition == edition:
            return Withdrawal(row, True)
    if edition and edition.isdigit() and int(edition) > _EDITION_YEAR_FLOOR:
        older = [r for r in rows if r.edition.isdigit() and int(edition) < int(r.edition)]
        if older:
            return Withdrawal(min(older, key=lambda r: r.invalid_after), False)
    return None


def _label(standard: str, edition: str | None) -> str:
    return f"{standard}:{edition}" if edition else standard


@rule(
    "EXPIRED",
    Severity.HIGH,
    title="Expired certificate still displayed",
    explanation=(
        "The certificate's expiry date has passed, yet the supplier still shows it. It may have been renewed "
        "(ask for the current certificate) or lapsed or withdrawn (then the claim is false). Ask for the current "
        "certificate with its new dates."
    ),
    source=cite(S5, "cert_rules CV-01 / FR-04"),
)
def expired(context: VerifyContext) -> Iterator[Hit]:
    """valid_until before today. Honours and awards ("other" kind) are reported at LOW: buyers rely on them less."""
    for index, cert in context.certifications():
        if cert.valid_until is not None and cert.valid_until < context.today:
            yield Hit(
                f"This certificate expired on {cert.valid_until.isoformat()} but is still shown. Ask for the current "
                "certificate.",
                describe(cert),
                certification=index,
                severity=None if cert_kind(cert) != "other" else Severity.LOW,
            )


@rule(
    "EXPIRING_SOON",
    Severity.LOW,
    title="Certificate about to expire",
    explanation=(
        "The certificate expires soon. Before ordering, ask whether the recertification audit has taken place "
        "and for the renewed certificate."
    ),
    source=cite(S5, S6),
)
def expiring_soon(context: VerifyContext) -> Iterator[Hit]:
    """valid_until within settings.expiring_soon_days from today."""
    horizon = context.today + timedelta(days=context.settings.expiring_soon_days)
    for index, cert in context.certifications():
        if cert.valid_until is not None and context.today <= cert.valid_until <= horizon:
            days = (cert.valid_until - context.today).days
            yield Hit(
                f"This certificate expires on {cert.valid_until.isoformat()} (in {days} days). Ask whether it is "
                "being renewed.",
                describe(cert),
                certification=index,
            )


@rule(
    "IMPLAUSIBLE_VALIDITY",
    Severity.MEDIUM,
    title="Impossible certificate dates",
    explanation=(
        "The dates cannot be right: issued after it expires, issued in the future, or valid for longer than the "
        "three-year certification cycle of a management-system certificate. Typing mistakes happen, but altered "
        "certificates look like this too. Ask for a copy of the certificate and compare the dates."
    ),
    source=cite(S5, S6, "3-year cycle + 30 days tolerance (project heuristic)", "cert_rules CV-02 / CV-03"),
)
def implausible_validity(context: VerifyContext) -> Iterator[Hit]:
    """Issue after expiry, issue in the future, or a management-system span over settings.max_cycle_days."""
    for index, cert in context.certifications():
        start, end = cert.valid_from, cert.valid_until
        problem = None
        if start and end and start > end:
            problem = f"it was issued ({start.isoformat()}) after it expires ({end.isoformat()})"
        elif start and start > context.today:
            problem = f"its issue date {start.isoformat()} is in the future"
        elif (
            start
            and end
            and cert_kind(cert) == "management_system"
            and (end - start).days > context.settings.max_cycle_days
        ):
            problem = (
                f"it is valid for {(end - start).days} days, longer than a three-year certification cycle "
                f"({start.isoformat()} to {end.isoformat()})"
            )
        if problem:
            yield Hit(
                f"The certificate dates are implausible: {problem}. Ask for a copy of the certificate.",
                describe(cert),
                certification=index,
            )


def _withdrawn_message(label: str, w: Withdrawal) -> str:
    when = w.entry.invalid_after.isoformat()
    timing = f"certificates to it were no longer valid after {when}" if w.exact else f"it was withdrawn by {when}"
    return f"{label} is a withdrawn edition: {timing}. Ask for a certificate to {w.entry.replaced_by}."


@rule(
    "WITHDRAWN_EDITION",
    Severity.HIGH,
    title="Certificate to a withdrawn edition",
    explanation=(
        "Standards are revised, and certificates to the old edition stop being valid when the transition period "
        "ends (for example ISO 9001:2008 certificates after 15 September 2018, OHSAS 18001 after ISO 45001 "
        "replaced it). A certificate to a withdrawn edition cannot be current. Ask for the certificate to the "
        "current edition."
    ),
    source=cite(S12, S15, S16, S17, S18, S19, DATA_WITHDRAWN, "cert_rules CV-04"),
)
def withdrawn_edition(context: VerifyContext) -> Iterator[Hit]:
    """Edition past its transition end (dated table; ISO 9001:2015 only via settings), certificates and sentences.

    A certificate that expired before the edition was withdrawn is left to EXPIRED."""
    fired: set[tuple[str, str | None]] = set()
    for index, cert in context.certifications():
        standard, edition = cert_standard(cert)
        w = withdrawal(standard, edition, context.settings)
        if standard is None or w is None or w.entry.invalid_after >= context.today:
            continue
        fired.add((standard, edition))
        if cert.valid_until is not None and cert.valid_until <= w.entry.invalid_after:
            continue
        yield Hit(_withdrawn_message(_label(standard, edition), w), describe(cert), certification=index)
    for index, statement in context.statements():
        prepared = prepare(statement.text)
        for m in prepared.mentions:
            w = withdrawal(m.standard, m.edition, context.settings)
            if w is None or w.entry.invalid_after >= context.today or (m.standard, m.edition) in fired:
                continue
            fired.add((m.standard, m.edition))
            yield Hit(
                _withdrawn_message(_label(m.standard, m.edition), w),
                excerpt(prepared.text, m.start, m.end),
                statement=index,
            )


@rule(
    "EXPIRY_AFTER_TRANSITION",
    Severity.MEDIUM,
    title="Old-edition certificate valid beyond its transition end",
    explanation=(
        "Certificates to an edition being replaced must expire when the transition period ends. An old-edition "
        "certificate dated to run beyond that date was not issued under the accreditation rules, or its dates were "
        "altered. Ask for a copy and check it with the certification body."
    ),
    source=cite(S12, DATA_WITHDRAWN, "cert_rules CV-07"),
)
def expiry_after_transition(context: VerifyContext) -> Iterator[Hit]:
    """An old-edition certificate whose expiry is later than the end of its edition's transition."""
    for index, cert in context.certifications():
        standard, edition = cert_standard(cert)
        w = withdrawal(standard, edition, context.settings)
        if standard is None or w is None or cert.valid_until is None:
            continue
        limit: date = w.entry.invalid_after
        if cert.valid_until > limit + timedelta(days=1):
            yield Hit(
                f"This {_label(standard, edition)} certificate runs to {cert.valid_until.isoformat()}, after that "
                f"edition's transition ended ({limit.isoformat()}). Ask for a copy and confirm it with the issuer.",
                describe(cert),
                certification=index,
            )
