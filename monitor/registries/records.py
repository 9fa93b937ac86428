"""The record registries hand to rules: one certificate as an authoritative source knows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class CertificateRecord:
    """Satisfies monitor.verify.findings.RegistryRecord; the extra fields tell rules HOW it was matched.

    ``matched_by`` is "number" (the claimed certificate number was found) or "holder" (a certificate of the
    supplier for the claimed standard, whose number may differ from the claim — rules should compare).
    ``match_status`` is the remote registry's company match (IAF: exactly_matched / loosely_matched).
    """

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
    matched_by: str = "number"
    match_status: str | None = None
    country: str | None = None
    registry_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


__all__ = ["CertificateRecord"]
