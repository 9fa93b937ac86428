"""Findings and the rule registry: every rule is a small function registered under its code.

A rule reads one claims document (plus the evaluation date, settings and optional registry lookups) and
yields hits; the registry turns hits into findings carrying the rule's severity and source, so that a
sourcing manager always sees why a claim was flagged and where the rule comes from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from monitor.severity import Severity
from monitor.verify.bodies_data import CertificationBody, body_index, resolve_certification_body
from scrapers.claims import Certification, ClaimsDocument, Statement


class Finding(BaseModel):
    """One reason to doubt a claim. ``certification`` / ``statement`` index into the claims document."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    severity: Severity
    certification: int | None = None
    statement: int | None = None
    #: The certificate document (index into ``documents``) the finding is about, when it is about one.
    document: int | None = None
    message: str
    evidence: str
    rule_source: str

    def identity(self, claims: ClaimsDocument) -> str:
        """A key that stays the same across checks while the same claim triggers the same rule.

        Indices move when a page reorders its certificates, and evidence quotes values that may change
        (a certificate's dates), so the key uses what identifies the claim: the certificate's standard,
        edition, number and issuer, or the statement's text. Findings about the document as a whole fall
        back to their evidence.
        """
        if self.certification is not None and self.certification < len(claims.certifications):
            c = claims.certifications[self.certification]
            subject = "cert|" + "|".join(str(v or "") for v in (c.standard or c.name, c.edition, c.number, c.issuer))
        elif self.statement is not None and self.statement < len(claims.statements):
            subject = "statement|" + claims.statements[self.statement].text
        elif self.document is not None and self.document < len(claims.documents):
            # A document tied to no certification: its URL, not the evidence (which quotes read confidences).
            subject = "file|" + claims.documents[self.document].url
        else:
            subject = "document|" + self.evidence
        digest = hashlib.sha256(f"{self.code}\n{subject}".encode()).hexdigest()
        return f"{self.code}:{digest[:16]}"


@dataclass(frozen=True)
class VerifySettings:
    """Operator-tunable parts of the rules (config.toml [verify])."""

    expiring_soon_days: int = 60
    #: End of the ISO 9001:2015 -> 2026 transition once IAF decides it; None = not withdrawn yet.
    iso9001_2015_transition_end: date | None = None
    #: A management-system certificate cycle is 3 years; tolerance before IMPLAUSIBLE_VALIDITY fires.
    max_cycle_days: int = 3 * 366 + 30
    #: The operator's own certification bodies ([verify] certification_bodies), recognised beside the bundled list.
    certification_bodies: tuple[CertificationBody, ...] = ()


class RegistryRecord(Protocol):
    """What a registry knows about one certificate (local CSV registry or IAF CertSearch)."""

    number: str | None
    holder: str | None
    standard: str | None
    edition: str | None
    certification_body: str | None
    accreditation_body: str | None
    status: str | None
    valid_from: date | None
    valid_until: date | None
    scope: str | None
    source: str


class Registry(Protocol):
    name: str

    def lookup(self, certification: Certification, supplier_name: str | None) -> RegistryLookup: ...


@dataclass(frozen=True)
class RegistryLookup:
    """A registry's answer: ``record`` None means not found; ``error`` means the registry could not answer."""

    registry: str
    record: RegistryRecord | None = None
    error: str | None = None


@dataclass(frozen=True)
class VerifyContext:
    claims: ClaimsDocument
    today: date
    settings: VerifySettings = field(default_factory=VerifySettings)
    #: Registry answers per certification index, filled before the rules run (rules stay pure).
    registry: dict[int, list[RegistryLookup]] = field(default_factory=dict)
    #: The operator's known group companies of this supplier: a certificate held by one of them is not borrowed.
    affiliates: tuple[str, ...] = ()

    def certifications(self) -> Iterator[tuple[int, Certification]]:
        return iter(enumerate(self.claims.certifications))

    def statements(self) -> Iterator[tuple[int, Statement]]:
        return iter(enumerate(self.claims.statements))

    def certification_body(self, name: str) -> CertificationBody | None:
        """The body an issuer string names: the operator's list first, then the bundled one."""
        if self.settings.certification_bodies:
            found = body_index(self.settings.certification_bodies).resolve(name)
            if found is not None:
                return found
        return resolve_certification_body(name)


@dataclass(frozen=True)
class Hit:
    """What a rule function yields; the registry adds code, severity and source."""

    message: str
    evidence: str
    certification: int | None = None
    statement: int | None = None
    document: int | None = None
    severity: Severity | None = None  # only when a rule's severity depends on the case


RuleFunction = Callable[[VerifyContext], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    title: str
    explanation: str  # plain words for a buyer: why this matters and what to ask the supplier for
    source: str
    check: RuleFunction


RULES: dict[str, Rule] = {}


def rule(
    code: str, severity: Severity, *, title: str, explanation: str, source: str
) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function under ``code``; codes are unique and stable (stored with findings)."""

    def register(function: RuleFunction) -> RuleFunction:
        if code in RULES:
            raise ValueError(f"rule {code} is registered twice")
        RULES[code] = Rule(code, severity, title, explanation, source, function)
        return function

    return register


def extend_rule(code: str) -> Callable[[RuleFunction], RuleFunction]:
    """Add a further check to the rule registered under ``code``: its hits are findings of that rule.

    One fact keeps one code wherever it is read: ISO named as the issuer is ISO_AS_CERTIFIER whether the listing
    or the certificate document says so. The rule's severity, title and source stay those registered.
    """

    def register(function: RuleFunction) -> RuleFunction:
        base = RULES[code]
        checks = (base.check, function)

        def combined(context: VerifyContext) -> Iterator[Hit]:
            for check in checks:
                yield from check(context)

        combined.__doc__ = "\n".join(c.__doc__ or "" for c in checks).strip()
        RULES[code] = Rule(base.code, base.severity, base.title, base.explanation, base.source, combined)
        return function

    return register


def run_rules(context: VerifyContext, rules: Iterable[Rule] | None = None) -> list[Finding]:
    findings: list[Finding] = []
    for r in rules if rules is not None else RULES.values():
        for hit in r.check(context):
            findings.append(
                Finding(
                    code=r.code,
                    severity=hit.severity or r.severity,
                    certification=hit.certification,
                    statement=hit.statement,
                    document=hit.document,
                    message=hit.message,
                    evidence=hit.evidence[:1000],
                    rule_source=r.source,
                )
            )
    findings.sort(key=lambda f: (-f.severity.rank, f.code, _index(f.certification), _index(f.statement)))
    return findings


def _index(value: int | None) -> int:
    return -1 if value is None else value


def identities(findings: Iterable[Finding], claims: ClaimsDocument) -> list[str]:
    """Each finding's identity, numbered when one rule fires more than once on the same claim."""
    seen: dict[str, int] = {}
    keys = []
    for finding in findings:
        key = finding.identity(claims)
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return keys


def findings_json(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    return [f.model_dump(mode="json") for f in findings]
