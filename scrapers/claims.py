"""The claims document ("supplier-claims/1"): one JSON shape for every platform and page type.

Parsers produce it, storage keeps it per snapshot, verification and diffing read it. Field names are a
public contract (see docs/claims-schema.md); add fields, never rename them.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA = "supplier-claims/1"


class PageStatus(StrEnum):
    """What a fetched page turned out to be. Only ``ok`` pages carry claims worth comparing."""

    OK = "ok"
    BLOCKED = "blocked"
    LOGIN_REQUIRED = "login_required"
    NOT_FOUND = "not_found"
    UNPARSEABLE = "unparseable"


CertificationKind = Literal["management_system", "product", "audit", "other"]
CertificationSource = Literal["structured", "text"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Source(_Model):
    url: str
    platform: str
    page_type: str
    fetched_at: datetime | None = None


class Supplier(_Model):
    name: str | None = None
    business_type: str | None = None
    country: str | None = None
    location: str | None = None
    year_established: int | None = None
    years_on_platform: int | None = None
    employees: str | None = None
    annual_revenue: str | None = None
    main_products: list[str] = Field(default_factory=list)
    main_markets: list[str] = Field(default_factory=list)


class Badge(_Model):
    """A marketplace's own check (Verified, Onsite Check, assessed by SGS...): not a certification."""

    name: str
    issuer: str | None = None
    detail: str | None = None


class Certification(_Model):
    name: str
    standard: str | None = None
    edition: str | None = None
    number: str | None = None
    issuer: str | None = None
    accreditation_body: str | None = None
    scope: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    platform_verified: bool | None = None
    kind: CertificationKind = "other"
    source: CertificationSource = "structured"


class Statement(_Model):
    """A sentence that claims a certification in free text, kept verbatim for wording rules."""

    text: str
    location: str


class ClaimsDocument(_Model):
    schema_: str = Field(default=SCHEMA, alias="schema")
    source: Source
    status: PageStatus = PageStatus.OK
    supplier: Supplier = Field(default_factory=Supplier)
    badges: list[Badge] = Field(default_factory=list)
    certifications: list[Certification] = Field(default_factory=list)
    statements: list[Statement] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True)

    def to_json_dict(self) -> dict:
        """The document as the JSON-ready dict the schema documents (``schema`` key, ISO dates)."""
        return self.model_dump(mode="json", by_alias=True)

    def has_claims(self) -> bool:
        """True when the page said anything about the supplier at all."""
        return bool(self.supplier.name or self.badges or self.certifications or self.statements)

    def claims_fingerprint_dict(self) -> dict:
        """The claims without fetch metadata: two checks with equal fingerprints saw the same claims."""
        data = self.to_json_dict()
        data["source"] = {k: v for k, v in data["source"].items() if k != "fetched_at"}
        return data
