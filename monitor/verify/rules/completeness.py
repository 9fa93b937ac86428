"""Completeness rules: what a certificate must show before anyone can check it (ISO/IEC 17021-1 §8.2.2).

They judge structured certificates only (a sentence is not a certificate). Management-system and audit
certificates must carry a number, an issuer and validity dates. Product marks are judged more gently: a number
is asked for at LOW severity, and CE, which is the manufacturer's own declaration, is not asked for a number or
issuer at all (demanding a "CE certificate" from a third party would push buyers toward the 'voluntary
certificates' that mean nothing). Honours and government awards ("other") are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from monitor.severity import Severity
from monitor.verify.bodies_data import is_placeholder, name_tokens
from monitor.verify.findings import Hit, VerifyContext, rule
from monitor.verify.rules._sources import S5, S16, S20, S26, S29, S32, cite
from monitor.verify.rules._text import NO_EDITION_EXPECTED, cert_kind, cert_standard, describe, excerpt, prepare
from scrapers.claims import Certification

_SELF_DECLARED = frozenset({"CE", "UKCA", "RoHS", "REACH", "WEEE", "ErP", "MSDS"})
_BODY_NAMES_THAT_ARE_NOT_ISSUERS = frozenset({("iso",), ("iaf",)})
_USI = re.compile(r"\bUSI\b|IATF\s*(?:#|No\.?|number)?\s*0\d{6,7}\b", re.I | re.A)
_FSC_LICENCE = re.compile(r"FSC[\s\-]*C\d{6}", re.I | re.A)
_FSC_CERT = re.compile(r"\b[A-Z]{2,}-(?:COC|FM/COC|CW)-\d+", re.I | re.A)
_UL_FILE = re.compile(r"(?<![A-Za-z0-9])E\s?\d{5,6}(?!\d)")
_UL_WORDS = re.compile(
    r"(?<![A-Za-z])c?UL(?:us)?(?![A-Za-z])\s*(?:listed|certified|approved|recogni[sz]ed|认证)", re.I | re.A
)
_FSC_WORDS = re.compile(r"(?<![A-Za-z])FSC(?![A-Za-z])", re.I | re.A)


def _structured(context: VerifyContext) -> Iterator[tuple[int, Certification, str]]:
    for index, cert in context.certifications():
        if cert.listed:
            yield index, cert, cert_kind(cert)


def _blank(value: str | None) -> bool:
    return value is None or not value.strip() or value.strip() in {"-", "--", "/", "N/A", "n/a", "无", "0"}


@rule(
    "MISSING_CERT_NUMBER",
    Severity.HIGH,
    title="Certificate without a number",
    explanation=(
        "Every certificate carries a unique number; without it nobody can look the certificate up with the issuer "
        "or in IAF CertSearch. Ask for the certificate number (and a copy of the certificate)."
    ),
    source=cite(S5, "cert_rules CF-01", "CE exempt: " + S20),
)
def missing_cert_number(context: VerifyContext) -> Iterator[Hit]:
    """Management-system and audit certificates need a number (HIGH); product certificates LOW; CE none."""
    for index, cert, kind in _structured(context):
        if not _blank(cert.number):
            continue
        standard, _ = cert_standard(cert)
        if kind in ("management_system", "audit"):
            yield Hit(
                "The certificate shows no number, so it cannot be looked up. Ask for the certificate number.",
                describe(cert),
                certification=index,
            )
        elif kind == "product" and standard not in _SELF_DECLARED:
            yield Hit(
                "The product certificate shows no number. Ask for the certificate or test-report number so it can "
                "be checked with the issuing lab.",
                describe(cert),
                certification=index,
                severity=Severity.LOW,
            )


@rule(
    "MISSING_ISSUER",
    Severity.HIGH,
    title="Certificate without a real issuer",
    explanation=(
        "A certificate is only as good as the certification body that issued it. When the issuer is missing, "
        "'Other', or given as ISO or IAF (which issue no certificates), the claim cannot be checked. Ask which "
        "certification body issued it and for a copy showing its name."
    ),
    source=cite(S5, "cert_rules CF-02", "CE exempt: " + S20),
)
def missing_issuer(context: VerifyContext) -> Iterator[Hit]:
    """Issuer empty, a form filler ("Other"), or ISO / IAF. Product marks LOW; CE (self-declared) exempt."""
    for index, cert, kind in _structured(context):
        named_body = bool(cert.issuer) and name_tokens(cert.issuer or "") in _BODY_NAMES_THAT_ARE_NOT_ISSUERS
        if not (is_placeholder(cert.issuer) or _blank(cert.issuer) or named_body):
            continue
        standard, _ = cert_standard(cert)
        what = f"gives '{cert.issuer}' as issuer" if cert.issuer and cert.issuer.strip() else "names no issuer"
        if kind in ("management_system", "audit"):
            yield Hit(
                f"The certificate {what}. Ask which certification body issued it and for a copy showing its name.",
                describe(cert),
                certification=index,
            )
        elif kind == "product" and standard not in _SELF_DECLARED:
            yield Hit(
                f"The product certificate {what}. Ask which lab or certification body issued it.",
                describe(cert),
                certification=index,
                severity=Severity.LOW,
            )


@rule(
    "MISSING_VALIDITY",
    Severity.MEDIUM,
    title="Certificate without validity dates",
    explanation=(
        "A management-system certificate states when it was granted and when it expires (a cycle is three "
        "years). Without the dates the buyer cannot tell whether it is still current. Ask for a copy showing both "
        "dates, or for the latest surveillance audit confirmation."
    ),
    source=cite(S5, "cert_rules CF-05"),
)
def missing_validity(context: VerifyContext) -> Iterator[Hit]:
    """Management-system and audit certificates missing (or with unreadable) issue or expiry dates."""
    for index, cert, kind in _structured(context):
        if kind not in ("management_system", "audit"):
            continue
        missing = [n for n, v in (("issue date", cert.valid_from), ("expiry date", cert.valid_until)) if v is None]
        if missing:
            yield Hit(
                f"The certificate shows no readable {' or '.join(missing)}. Ask for a copy showing when it was "
                "issued and when it expires.",
                describe(cert),
                certification=index,
            )


@rule(
    "NO_EDITION",
    Severity.LOW,
    title="Standard named without its edition",
    explanation=(
        "A certificate names the standard with its edition (ISO 9001:2015, not just ISO 9001); editions are "
        "withdrawn after a transition period, so the edition tells whether the certificate can still be current. "
        "Ask for the edition shown on the certificate."
    ),
    source=cite(S5, "cert_rules CW-03 / CF-06"),
)
def no_edition(context: VerifyContext) -> Iterator[Hit]:
    """Management-system standards without an edition, once per standard (certificates first, then sentences)."""
    covered: set[str] = set()
    for index, cert, kind in _structured(context):
        standard, edition = cert_standard(cert)
        if standard and kind == "management_system":
            covered.add(standard)
            if not edition and standard not in NO_EDITION_EXPECTED:
                yield Hit(
                    f"The certificate names {standard} without its edition. Ask which edition (e.g. {standard}:2015) "
                    "is on the certificate.",
                    describe(cert),
                    certification=index,
                )
    for index, statement in context.statements():
        prepared = prepare(statement.text)
        for m in prepared.mentions:
            if m.kind != "management_system" or m.edition or m.standard in covered:
                continue
            covered.add(m.standard)
            if m.standard not in NO_EDITION_EXPECTED:
                yield Hit(
                    f"The supplier names {m.standard} without its edition. Ask which edition the certificate shows.",
                    excerpt(prepared.text, m.start, m.end),
                    statement=index,
                )


@rule(
    "MISSING_ACCREDITATION",
    Severity.LOW,
    title="No accreditation shown",
    explanation=(
        "Certificates issued under accreditation carry the mark or name of the accreditation body (e.g. UKAS, "
        "CNAS, DAkkS). The marketplace form often has no field for it, so this is a question, not an accusation: "
        "ask for a copy of the certificate showing the accreditation mark. Accreditation is not compulsory, but "
        "an unaccredited certificate is much harder to rely on."
    ),
    source=cite(S32, "ISO: non-accreditation does not by itself mean a body is not reputable", "cert_rules CF-07"),
)
def missing_accreditation(context: VerifyContext) -> Iterator[Hit]:
    """Management-system certificates with no accreditation body: ask for the accreditation mark."""
    for index, cert, kind in _structured(context):
        if kind == "management_system" and is_placeholder(cert.accreditation_body):
            yield Hit(
                "The listing does not say which accreditation body stands behind this certificate. Ask for a copy "
                "that shows the accreditation mark (e.g. UKAS, CNAS) to confirm it is accredited.",
                describe(cert),
                certification=index,
            )


@dataclass(frozen=True)
class SchemeIdentifier:
    """A scheme whose claims are only checkable with an identifier: one table row per scheme."""

    code: str
    standard: str
    identifier: re.Pattern[str]
    title: str
    explanation: str
    source: str
    certificate_message: str
    #: Sentences naming the scheme (None: only structured certificates are judged).
    words: re.Pattern[str] | None = None
    statement_message: str = ""


SCHEME_IDENTIFIERS: tuple[SchemeIdentifier, ...] = (
    SchemeIdentifier(
        code="IATF_WITHOUT_USI",
        standard="IATF 16949",
        identifier=_USI,
        title="IATF 16949 certificate without its IATF number",
        explanation=(
            "IATF 16949 certificates are registered by IATF with a unique identifier that automotive customers "
            "can check on the IATF customer portal. Ask for the IATF certificate number / USI."
        ),
        source=cite(S16, "cert_rules CF-08 / OC-IATF-1"),
        certificate_message=(
            "The IATF 16949 certificate shows no IATF identifier (USI). Ask for it to check the certificate "
            "on the IATF customer portal."
        ),
    ),
    SchemeIdentifier(
        code="FSC_WITHOUT_CODES",
        standard="FSC",
        identifier=re.compile(f"{_FSC_LICENCE.pattern}|{_FSC_CERT.pattern}", re.I | re.A),
        title="FSC claim without licence and certificate codes",
        explanation=(
            "A genuine FSC claim carries a licence code (FSC-C followed by six digits) and a certificate code "
            "(e.g. XX-COC-123456), both searchable on search.fsc.org. Ask for both codes."
        ),
        source=cite(S26, "cert_rules OC-FSC-1"),
        certificate_message=(
            "The FSC certificate shows no FSC licence code (FSC-C######) or certificate code. Ask for both "
            "and check them on search.fsc.org."
        ),
        words=_FSC_WORDS,
        statement_message=(
            "The supplier claims FSC without a licence code. Ask for the FSC-C licence code and certificate code."
        ),
    ),
    SchemeIdentifier(
        code="UL_WITHOUT_FILE_NUMBER",
        standard="UL",
        identifier=_UL_FILE,
        title="UL claim without a UL file number",
        explanation=(
            "UL listings are found by the UL file number (E followed by six digits) in UL Product iQ. Without "
            "it the claim cannot be checked. Ask for the file number of the listed product."
        ),
        source=cite(S29, "cert_rules OC-UL-1"),
        certificate_message=(
            "The UL certificate shows no UL file number (E######). Ask for it and check it in UL Product iQ."
        ),
        words=_UL_WORDS,
        statement_message="The supplier claims a UL listing without a UL file number. Ask for the E-number.",
    ),
)


def _scheme_identifier_rule(row: SchemeIdentifier) -> Callable[[VerifyContext], Iterator[Hit]]:
    def check(context: VerifyContext) -> Iterator[Hit]:
        for index, cert, _kind in _structured(context):
            if cert_standard(cert)[0] == row.standard:
                text = " ".join(v for v in (cert.number, cert.name, cert.scope) if v)
                if not row.identifier.search(text):
                    yield Hit(row.certificate_message, describe(cert), certification=index)
        if row.words is None:
            return
        for index, statement in context.statements():
            text = prepare(statement.text).text
            match = row.words.search(text)
            if match and not row.identifier.search(text):
                yield Hit(row.statement_message, excerpt(text, match.start(), match.end()), statement=index)

    check.__doc__ = f"{row.standard} claims without the identifier that makes them checkable."
    return check


for _row in SCHEME_IDENTIFIERS:
    rule(_row.code, Severity.MEDIUM, title=_row.title, explanation=_row.explanation, source=_row.source)(
        _scheme_identifier_rule(_row)
    )
