"""The claims document ("supplier-claims/1"): one JSON shape for every platform and page type.

Parsers produce it, storage keeps it per snapshot, verification and diffing read it. Field names are a
public contract (see docs/claims-schema.md); add fields, never rename them.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA = "supplier-claims/1"


class PageStatus(StrEnum):
    """What a fetched page turned out to be. Only ``ok`` pages carry claims worth comparing."""

    OK = "ok"
    BLOCKED = "blocked"
    LOGIN_REQUIRED = "login_required"
    NOT_FOUND = "not_found"
    UNPARSEABLE = "unparseable"
    #: The server answered with an HTTP error (4xx/5xx) that is no wall and no "not found": whatever the body
    #: shows (an error page may still carry the supplier's header), it is not the supplier's page.
    HTTP_ERROR = "http_error"


CertificationKind = Literal["management_system", "product", "audit", "other"]
#: Where a value was read. ``structured``: the platform's own data (embedded JSON, its known widgets);
#: ``jsonld`` / ``microdata`` / ``rdfa`` / ``opengraph``: schema.org or OpenGraph markup; ``label``: a label/value
#: pair the page shows ("Year Established: 2005"); ``text``: a sentence of free text.
Provenance = Literal["structured", "jsonld", "microdata", "rdfa", "opengraph", "label", "text"]
#: Kept as the name the schema has always used for a certification's provenance.
CertificationSource = Provenance
DocumentKind = Literal["pdf", "image"]


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """``text`` with lone surrogates (JSON's "\\ud83d" of a string cut through an emoji) replaced by U+FFFD,
    so that every document can be encoded as UTF-8, stored and hashed."""
    if _LONE_SURROGATE.search(text) is None:
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    @field_validator("*", mode="after")
    @classmethod
    def _encodable(cls, value: object) -> object:
        """Every parser's strings pass here: one place keeps a scraped half-emoji from breaking storage."""
        if isinstance(value, str):
            return valid_unicode(value)
        if isinstance(value, list) and value and isinstance(value[0], str):
            return [valid_unicode(item) if isinstance(item, str) else item for item in value]
        return value


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

    def filled_fields(self) -> list[str]:
        """The fields that hold a value."""
        return [name for name in type(self).model_fields if getattr(self, name) not in (None, "", [])]


class Badge(_Model):
    """A marketplace's own check (Verified, Onsite Check, assessed by SGS...): not a certification."""

    name: str
    issuer: str | None = None
    detail: str | None = None
    source: Provenance | None = None


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
    #: Fields the listing left empty and the certificate document answered, with the reader's confidence
    #: (0..1): ``{"number": 0.93, "valid_until": 0.88}``. Listed values are never overwritten.
    from_document: dict[str, float] = Field(default_factory=dict)

    @property
    def listed(self) -> bool:
        """Shown as a certificate entry or a label's value, not only mentioned in a sentence."""
        return self.source != "text"


class Statement(_Model):
    """A sentence that claims a certification in free text, kept verbatim for wording rules."""

    text: str
    location: str


ReadMethod = Literal["text_layer", "ocr", "none"]


class ReadValue(_Model):
    """One field read from a certificate document, with how sure the reader is of it (0..1)."""

    value: str
    confidence: float = Field(ge=0, le=1)


class ReadDate(_Model):
    """A date read from a certificate document (its printed form kept as ``text``)."""

    value: date
    confidence: float = Field(ge=0, le=1)
    text: str | None = None


#: At most this much of a document's raw text is kept on the claims document (the stored reading keeps it all).
MAX_READING_TEXT = 20_000


class ReadFields(_Model):
    """The fields a certificate document prints, each with the reader's confidence; None where none was found."""

    #: The holder (the certified organisation) as the certificate names it first.
    holder: ReadValue | None = None
    #: Other names of the holder on the same document: the Chinese name beside the English one, and so on.
    holder_other_names: list[ReadValue] = Field(default_factory=list)
    address: ReadValue | None = None
    #: The standard as written ("ISO 9001", "GB/T 19001", "EN 71-1"), without its edition.
    standard: ReadValue | None = None
    edition: ReadValue | None = None
    number: ReadValue | None = None
    scope: ReadValue | None = None
    #: The certification body that issued it.
    issuer: ReadValue | None = None
    #: Accreditation marks and their bodies: "CNAS", "UKAS", "DAkkS", "ANAB", "IAF" ...
    accreditation: list[ReadValue] = Field(default_factory=list)
    first_issued: ReadDate | None = None
    issued: ReadDate | None = None
    valid_until: ReadDate | None = None


class DocumentReading(ReadFields):
    """What the certificate reader found in one document: each field with its confidence, and the raw text.

    A field the reader could not find is None (or an empty list); ``method`` "none" means no text at all
    (a photo of a product, a blank scan): the document is unreadable, which says nothing against the supplier.
    """

    sha256: str
    media_type: str
    method: ReadMethod
    #: What read it: "pypdf 5.1.0", "rapidocr-onnxruntime 1.4.4".
    engine: str | None = None
    pages: int = 1
    #: Mean confidence of the text itself (1.0 for a PDF's text layer).
    text_confidence: float = Field(default=0.0, ge=0, le=1)
    text: str = ""

    @property
    def readable(self) -> bool:
        """Anything certificate-like was read: a field, not only noise."""
        return any(
            getattr(self, name) is not None
            for name in ("holder", "standard", "number", "issuer", "valid_until", "issued")
        )


class CertificateDocument(_Model):
    """A certificate's PDF or image that the page links, for the certificate reader to fetch and read."""

    url: str
    kind: DocumentKind
    #: The certification it belongs to (its ``name`` as listed), when the page ties them together.
    certification: str | None = None
    #: The words that named it a certificate: link text, ``alt``/``title``, or the file name.
    label: str | None = None
    source: Provenance = "structured"
    #: What the certificate reader found (filled only when documents are read: checks, ``--documents``).
    reading: DocumentReading | None = None
    #: Why the document could not be read when it was tried: "not_a_document: text/html", "too_large: ...",
    #: "http_error: HTTP 404", "unreadable: ...". None when it was read or not tried.
    error: str | None = None


class ClaimsDocument(_Model):
    schema_: str = Field(default=SCHEMA, alias="schema")
    source: Source
    status: PageStatus = PageStatus.OK
    supplier: Supplier = Field(default_factory=Supplier)
    badges: list[Badge] = Field(default_factory=list)
    certifications: list[Certification] = Field(default_factory=list)
    statements: list[Statement] = Field(default_factory=list)
    documents: list[CertificateDocument] = Field(default_factory=list)
    #: Where each supplier field was read, keyed ``supplier.<field>``; unfilled fields have no entry.
    #: (Badges, certifications and documents carry their own ``source``.)
    provenance: dict[str, Provenance] = Field(default_factory=dict)

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True)

    def to_json_dict(self) -> dict:
        """The document as the JSON-ready dict the schema documents (``schema`` key, ISO dates)."""
        return self.model_dump(mode="json", by_alias=True)

    def has_claims(self) -> bool:
        """True when the page said anything about the supplier at all: any supplier field or claim.

        A profile fragment with the employees and markets but no company name is still the supplier's data.
        """
        return bool(self.supplier.filled_fields() or self.badges or self.certifications or self.statements)

    def claims_fingerprint_dict(self) -> dict:
        """The claims without fetch metadata: two checks with equal fingerprints saw the same claims."""
        data = self.to_json_dict()
        data["source"] = {k: v for k, v in data["source"].items() if k != "fetched_at"}
        return data
