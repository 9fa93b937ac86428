"""Body rules: who issued a management-system certificate and who accredits that issuer.

The project's body lists are short and sourced (monitor/verify/data), so "not on our list" is reported as a
question to check, never as proof of a fake. Only an accreditation body positively known not to be an IAF MLA
signatory gives UNACCREDITED_BODY; a body whose status the sources could not confirm gives a LOW/INFO note.
"""

from __future__ import annotations

from collections.abc import Iterator

from monitor.severity import Severity
from monitor.verify.bodies_data import (
    is_placeholder,
    name_tokens,
    resolve_accreditation_body,
)
from monitor.verify.findings import Hit, VerifyContext, rule
from monitor.verify.rules._sources import DATA_AB, DATA_CB, S1, S32, S33, cite
from monitor.verify.rules._text import describe, is_management_system

_NOT_BODIES = frozenset({("iso",), ("iaf",), ("international", "accreditation", "forum")})


def _real_name(value: str | None) -> bool:
    """A name worth resolving: not empty, not a filler, not ISO/IAF (other rules report those)."""
    return not is_placeholder(value) and name_tokens(value or "") not in _NOT_BODIES


@rule(
    "UNKNOWN_CERTIFICATION_BODY",
    Severity.MEDIUM,
    title="Certification body not recognised",
    explanation=(
        "The issuer is not on the project's list of recognised certification bodies. The list is short, so many "
        "genuine local bodies are missing from it; but certificate mills also hide behind unfamiliar names. Ask "
        "for a copy of the certificate showing the accreditation mark, and look the certificate up with the issuer "
        "or in IAF CertSearch."
    ),
    source=cite(DATA_CB, S32, "cert_rules AC-02 / FR-03"),
)
def unknown_certification_body(context: VerifyContext) -> Iterator[Hit]:
    """Management-system certificate issuers that resolve to no known body (alias, case and accent tolerant)."""
    for index, cert in context.certifications():
        if not is_management_system(cert) or not _real_name(cert.issuer):
            continue
        issuer = cert.issuer or ""
        if context.certification_body(issuer) is not None:
            continue
        ab = resolve_accreditation_body(issuer)
        if ab is not None:
            message = (
                f"The issuer given, {issuer}, is an accreditation body ({ab.acronym}): it accredits certification "
                "bodies and does not certify companies. Ask which certification body issued the certificate."
            )
        else:
            message = (
                f"The issuer {issuer} is not on our list of recognised certification bodies. Ask for the "
                "certificate showing the accreditation mark and check it with the issuer or in IAF CertSearch."
            )
        yield Hit(message, describe(cert), certification=index)


@rule(
    "UNACCREDITED_BODY",
    Severity.HIGH,
    title="Accreditation body outside the IAF MLA",
    explanation=(
        "Accreditation only makes a certificate internationally recognised when the accreditation body signed "
        "the IAF Multilateral Recognition Arrangement. The accreditation body named here is known not to be a "
        "signatory, so the certificate is not recognised. Ask for a certificate accredited by an IAF MLA "
        "signatory (e.g. UKAS, DAkkS, CNAS, ANAB)."
    ),
    source=cite(S33, DATA_AB, "cert_rules AC-01"),
)
def unaccredited_body(context: VerifyContext) -> Iterator[Hit]:
    """A named accreditation body whose IAF MLA status is sourced as "no"."""
    for index, cert in context.certifications():
        if not _real_name(cert.accreditation_body):
            continue
        ab = resolve_accreditation_body(cert.accreditation_body or "")
        if ab is not None and ab.iaf_mla_status == "no":
            yield Hit(
                f"The accreditation body {ab.acronym} ({ab.name}) is not an IAF MLA signatory, so this certificate "
                "is not internationally recognised. Ask for a certificate accredited by an IAF MLA signatory.",
                describe(cert),
                certification=index,
            )


@rule(
    "ACCREDITATION_NOT_CONFIRMED",
    Severity.LOW,
    title="Accreditation body could not be confirmed",
    explanation=(
        "The accreditation body named on the certificate is either not on the project's list or its IAF MLA "
        "status could not be confirmed from the sources. That is not proof of a problem (the list is incomplete) "
        "but worth a check: look the body up on iaf.nu and the certificate in IAF CertSearch."
    ),
    source=cite(DATA_AB, S33, S1, "cert_rules AC-01 / AC-02"),
)
def accreditation_not_confirmed(context: VerifyContext) -> Iterator[Hit]:
    """Unknown accreditation body (LOW) or known one with unconfirmed MLA status (INFO)."""
    for index, cert in context.certifications():
        if not _real_name(cert.accreditation_body):
            continue
        name = cert.accreditation_body or ""
        ab = resolve_accreditation_body(name)
        if ab is None:
            yield Hit(
                f"The accreditation body {name} is not on our list. Check on iaf.nu that it is an IAF MLA signatory.",
                describe(cert),
                certification=index,
            )
        elif ab.iaf_mla_status == "unverified":
            yield Hit(
                f"{ab.acronym} ({ab.name}) is on our list but its IAF MLA status is not confirmed by our sources. "
                "Check it on iaf.nu.",
                describe(cert),
                certification=index,
                severity=Severity.INFO,
            )
