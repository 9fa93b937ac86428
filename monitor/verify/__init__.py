"""Judging certification claims: rules (wording, completeness, validity, editions, bodies) and registries.

``verify(claims, today=...)`` is the whole public surface most callers need.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from monitor.config import ConfigError, VerifyConfig
from monitor.severity import Severity
from monitor.verify.bodies_data import BodyListError, load_certification_bodies
from monitor.verify.findings import (
    RULES,
    Finding,
    Hit,
    Registry,
    RegistryLookup,
    Rule,
    VerifyContext,
    VerifySettings,
    extend_rule,
    findings_json,
    rule,
    run_rules,
)
from scrapers.claims import ClaimsDocument
from scrapers.documents.attach import apply_readings

__all__ = [
    "RULES",
    "Finding",
    "Hit",
    "Registry",
    "RegistryLookup",
    "Rule",
    "Severity",
    "VerifyContext",
    "VerifySettings",
    "all_rules",
    "extend_rule",
    "findings_json",
    "rule",
    "settings_from",
    "verify",
]


def settings_from(config: VerifyConfig) -> VerifySettings:
    """The rules' settings from [verify]; an unreadable body list is a ConfigError naming the key."""
    bodies = ()
    if config.certification_bodies is not None:
        try:
            bodies = load_certification_bodies(config.certification_bodies)
        except BodyListError as exc:
            raise ConfigError(f"verify.certification_bodies: {exc}") from None
    return VerifySettings(
        expiring_soon_days=config.expiring_soon_days,
        iso9001_2015_transition_end=config.iso9001_2015_transition_end,
        certification_bodies=bodies,
    )


def all_rules() -> dict[str, Rule]:
    """Every registered rule by code (importing the rule modules registers them)."""
    from monitor.verify import rules  # noqa: F401

    return dict(RULES)


def verify(
    claims: ClaimsDocument,
    *,
    today: date,
    settings: VerifySettings | None = None,
    registries: Sequence[Registry] = (),
    affiliates: Sequence[str] = (),
) -> list[Finding]:
    """Findings for one claims document, worst first. Registries are asked once per certification.

    The certifications are judged as their read certificate documents fill them (``apply_readings``, idempotent:
    callers that filled them already lose nothing), so the registries are asked with a number read from the
    document. ``affiliates`` are the supplier's known group companies (a certificate in their name is info).
    """
    all_rules()
    if any(document.reading is not None for document in claims.documents):
        claims = apply_readings(claims)
    lookups = (
        {
            index: [registry.lookup(cert, claims.supplier.name) for registry in registries]
            for index, cert in enumerate(claims.certifications)
        }
        if registries
        else {}
    )
    context = VerifyContext(
        claims=claims,
        today=today,
        settings=settings or VerifySettings(),
        registry=lookups,
        affiliates=tuple(name for name in affiliates if name and name.strip()),
    )
    return run_rules(context)
