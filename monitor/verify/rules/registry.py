"""Registry rules: what certificate registries (IAF CertSearch, a CB directory, a local CSV) said about each
certificate. Pure: lookups are made before the rules run and arrive in ``context.registry``."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

from monitor.severity import Severity
from monitor.verify.bodies_data import CertificationBody, name_tokens, resolve_certification_body
from monitor.verify.findings import Hit, RegistryLookup, RegistryRecord, VerifyContext, rule
from monitor.verify.rules._sources import S8, S11, cite
from monitor.verify.rules._text import cert_standard, describe, normalized_certification
from scrapers.claims import Certification

_INACTIVE = re.compile(r"suspend|withdraw|cancel|expire|inactive|revok|terminat|lapse|invalid|暂停|撤销|注销|过期|失效")
_ACTIVE = re.compile(r"\b(?:active|valid|current|certified)\b|有效")
_LEGAL_TOKENS = frozenset(
    {"co", "company", "ltd", "limited", "inc", "incorporated", "corp", "corporation", "llc", "plc", "gmbh", "ag",
     "sa", "srl", "bv", "the", "pte", "pvt", "private", "group"}
)  # fmt: skip
_CJK_LEGAL = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|公司)$")
_NON_ALNUM = re.compile(r"[\W_]+")
_EQUIVALENT = {"GB/T 19001": "ISO 9001", "GB/T 24001": "ISO 14001", "GB/T 45001": "ISO 45001"}


def company_key(name: str) -> str:
    """A company name without case, punctuation, accents and legal form: 'Foo Co., Ltd.' == 'FOO Company Limited'."""
    tokens = [t for t in name_tokens(name) if t not in _LEGAL_TOKENS]
    return _CJK_LEGAL.sub("", "".join(tokens))


def _number_key(value: str) -> str:
    return _NON_ALNUM.sub("", value).casefold()


def _standard_key(value: str) -> tuple[str | None, str | None]:
    standard, edition, _ = normalized_certification(value)
    return (_EQUIVALENT.get(standard, standard) if standard else None), edition


def _lookups(context: VerifyContext) -> Iterator[tuple[int, Certification, RegistryLookup]]:
    for index, lookups in sorted(context.registry.items()):
        if 0 <= index < len(context.claims.certifications):
            for lookup in lookups:
                yield index, context.claims.certifications[index], lookup


def _record_evidence(lookup: RegistryLookup, record: RegistryRecord) -> str:
    fields = ("number", "holder", "standard", "edition", "certification_body", "status", "valid_until")
    shown = "; ".join(f"{f} {getattr(record, f, None)}" for f in fields if getattr(record, f, None))
    return f"{lookup.registry}: {shown} (source {record.source})"


def differences(
    cert: Certification,
    record: RegistryRecord,
    supplier_name: str | None,
    resolve_body: Callable[[str], CertificationBody | None] = resolve_certification_body,
) -> list[str]:
    """What the registry record contradicts in the claim (fields missing on either side are not compared)."""
    found: list[str] = []
    if record.holder and supplier_name and company_key(record.holder) != company_key(supplier_name):
        found.append(f"holder '{record.holder}' is not the supplier '{supplier_name}'")
    if record.number and cert.number and _number_key(record.number) != _number_key(cert.number):
        found.append(f"number '{record.number}' differs from the claimed '{cert.number}'")
    claimed_standard, claimed_edition = cert_standard(cert)
    if record.standard and claimed_standard:
        registry_standard, registry_edition = _standard_key(record.standard)
        edition = record.edition or registry_edition
        if registry_standard and registry_standard != _EQUIVALENT.get(claimed_standard, claimed_standard):
            found.append(f"standard '{record.standard}' differs from the claimed '{claimed_standard}'")
        elif edition and claimed_edition and edition != claimed_edition:
            found.append(f"edition {edition} differs from the claimed {claimed_edition}")
    if record.certification_body and cert.issuer:
        ours, theirs = resolve_body(cert.issuer), resolve_body(record.certification_body)
        if ours and theirs and ours != theirs:
            found.append(f"issuer '{record.certification_body}' differs from the claimed '{cert.issuer}'")
    return found


def inactive_reason(record: RegistryRecord, today: date) -> str | None:
    """Why the registry says the certificate is not in force, or None."""
    status = (record.status or "").strip().casefold()
    if status and _INACTIVE.search(status):
        return f"status '{record.status}'"
    if not (status and _ACTIVE.search(status)) and record.valid_until is not None and record.valid_until < today:
        return f"expired on {record.valid_until.isoformat()}"
    return None


@rule(
    "REGISTRY_NOT_FOUND",
    Severity.INFO,
    title="Not found in the certificate registry",
    explanation=(
        "The registry did not find this certificate. That does not make it fake: IAF CertSearch, for example, "
        "holds only part of the accredited certificates. Check it with the issuing certification body."
    ),
    source=cite(S8, "cert_rules CS-01"),
)
def registry_not_found(context: VerifyContext) -> Iterator[Hit]:
    """A registry answered and had no record: unverified, not fake."""
    for index, cert, lookup in _lookups(context):
        if lookup.error is None and lookup.record is None:
            yield Hit(
                f"{lookup.registry} has no record of this certificate. That alone does not mean it is fake; check it "
                "with the issuing body.",
                f"{lookup.registry}: not found for {describe(cert)}",
                certification=index,
            )


@rule(
    "REGISTRY_UNAVAILABLE",
    Severity.INFO,
    title="Registry could not be asked",
    explanation="The certificate registry did not answer (error or rate limit); the check will be repeated later.",
    source=cite(S8),
)
def registry_unavailable(context: VerifyContext) -> Iterator[Hit]:
    """A lookup that failed: say so, judge nothing."""
    for index, _cert, lookup in _lookups(context):
        if lookup.error is not None:
            yield Hit(
                f"{lookup.registry} could not be asked about this certificate.",
                f"{lookup.registry}: {lookup.error}",
                certification=index,
            )


@rule(
    "REGISTRY_MISMATCH",
    Severity.HIGH,
    title="Registry record contradicts the claim",
    explanation=(
        "The registry holds this certificate, but for another company, another number, another standard or "
        "another issuer. Certificates of a sister company or a different site are a common way to borrow "
        "credibility. Ask the supplier to explain, and rely only on a certificate in its own name."
    ),
    source=cite(S8, S11, "cert_rules CS-03 / CS-04 / FR-01"),
)
def registry_mismatch(context: VerifyContext) -> Iterator[Hit]:
    """Holder (tolerant of case, punctuation and legal form), number, standard/edition or issuer differ."""
    supplier = context.claims.supplier.name
    for index, cert, lookup in _lookups(context):
        if lookup.error is not None or lookup.record is None:
            continue
        found = differences(cert, lookup.record, supplier, context.certification_body)
        if found:
            yield Hit(
                f"{lookup.registry} has this certificate, but its {'; '.join(found)}. Ask the supplier to explain.",
                _record_evidence(lookup, lookup.record),
                certification=index,
            )


@rule(
    "REGISTRY_INACTIVE",
    Severity.CRITICAL,
    title="Registry says the certificate is not in force",
    explanation=(
        "The registry lists this certificate as suspended, withdrawn, cancelled or expired, yet the supplier "
        "still shows it. Do not rely on it; ask for a current certificate."
    ),
    source=cite(S11, S8, "cert_rules CV-06 / CS-02"),
)
def registry_inactive(context: VerifyContext) -> Iterator[Hit]:
    """Suspended / withdrawn / cancelled / expired according to the registry."""
    for index, _cert, lookup in _lookups(context):
        if lookup.error is not None or lookup.record is None:
            continue
        reason = inactive_reason(lookup.record, context.today)
        if reason:
            yield Hit(
                f"{lookup.registry} lists this certificate as not in force ({reason}). Do not rely on it.",
                _record_evidence(lookup, lookup.record),
                certification=index,
            )
