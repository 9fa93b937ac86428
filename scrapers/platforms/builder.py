"""Merging what several places of one page say into one claims document, for every platform parser.

A page tells the same thing in several places (a JSON object, a DOM section, a certificate table): the
builder keeps the first value of each supplier field, merges a certificate seen twice, and drops absurd
numbers and dates, so each parser only says where it read what.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from scrapers.claims import (
    Badge,
    CertificateDocument,
    Certification,
    ClaimsDocument,
    DocumentKind,
    Provenance,
    Source,
    Statement,
    Supplier,
)
from scrapers.normalize import clean_text, normalize_certification, normalize_country, parse_int, plausible_validity
from scrapers.platforms.values import as_text, market_names, text_list
from scrapers.statements import find_certification_statements

__all__ = ["ClaimsBuilder", "guarded", "make_certification", "same_certificate"]

log = logging.getLogger(__name__)
T = TypeVar("T")


def guarded(url: str, step: Callable[[], T]) -> T | None:
    """Run one reading step of a parser; a bug in it costs that step's claims, never the whole page."""
    try:
        return step()
    except Exception:
        log.exception("reading step failed on %s", url)
        return None


def make_certification(
    name: str | None,
    *,
    number: str | None = None,
    issuer: str | None = None,
    scope: str | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
    verified: bool | None = None,
    kind_hint: str | None = None,
    source: Provenance = "structured",
) -> Certification | None:
    """A structured certification with normalised standard/edition/kind; ``None`` without a name."""
    name = clean_text(name)[:300]
    if not name:
        return None
    standard, edition, kind = normalize_certification(name)
    if kind == "other" and kind_hint in ("product", "management_system", "audit"):
        kind = kind_hint
    valid_from, valid_until = plausible_validity(valid_from, valid_until)
    return Certification(
        name=name,
        standard=standard,
        edition=edition,
        number=clean_text(number)[:200] or None,
        issuer=clean_text(issuer)[:300] or None,
        scope=clean_text(scope)[:2000] or None,
        valid_from=valid_from,
        valid_until=valid_until,
        platform_verified=verified,
        kind=kind,  # type: ignore[arg-type]
        source=source,
    )


def _key(text: str | None) -> str:
    return re.sub(r"[\W_]+", "", (text or "").casefold())


def same_certificate(a: Certification, b: Certification, *, loose: bool = False) -> bool:
    """The same certificate seen twice. ``loose``: the same standard or name is enough (a name in a label row
    beside a full certificate entry); otherwise numbers, dates or issuers must agree where both have them."""
    if (a.standard or _key(a.name)) != (b.standard or _key(b.name)) and _key(a.name) != _key(b.name):
        return False
    if loose:
        return True
    if a.number and b.number:
        return _key(a.number) == _key(b.number)
    for left, right in ((a.valid_from, b.valid_from), (a.valid_until, b.valid_until)):
        if left and right and left != right:
            return False
    if a.issuer and b.issuer:
        return _key(a.issuer) == _key(b.issuer)
    return False


#: A page links a handful of certificates; a hostile one could link thousands.
MAX_DOCUMENTS = 100

#: The year the oldest B2B marketplaces opened: nobody has been on a platform longer than since then.
EARLIEST_PLATFORM_YEAR = 1995
_YEAR_FIELDS = frozenset({"year_established", "years_on_platform"})


_FOUR_DIGIT_YEAR = re.compile(r"(?<!\d)(1[89]\d{2}|20\d{2})(?!\d)")


def _whole_number(field_name: str, text: str | None) -> int | None:
    """The number a field means: the 4-digit year of "05/1998" / "Since 1998" for a founding year."""
    if text and field_name == "year_established":
        year = _FOUR_DIGIT_YEAR.search(text)
        if year:
            return int(year.group(1))
    return parse_int(text)


@dataclass
class ClaimsBuilder:
    """Collects claims from several places of one page; supplier fields keep the first value found."""

    url: str
    platform: str
    #: The year the marketplace opened (no supplier has been on it for longer); None: the earliest plausible.
    opened: int | None = None
    supplier: dict[str, Any] = field(default_factory=dict)
    provenance: dict[str, Provenance] = field(default_factory=dict)
    badges: list[Badge] = field(default_factory=list)
    certifications: list[tuple[Certification, str]] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    documents: list[CertificateDocument] = field(default_factory=list)
    page_types: list[str] = field(default_factory=list)

    def _plausible_range(self, field_name: str) -> tuple[int, int]:
        """No company founded before 1800 or in the future; none on the platform for longer than it exists."""
        this_year = date.today().year
        if field_name == "year_established":
            return 1800, this_year
        return 0, this_year - (self.opened or EARLIEST_PLATFORM_YEAR) + 1

    def found(self, page_type: str) -> None:
        if page_type not in self.page_types:
            self.page_types.append(page_type)

    def set(self, field_name: str, value: Any, source: Provenance = "structured") -> None:
        """Keep ``value`` for a supplier field unless one was found earlier; absurd numbers are dropped.

        ``source`` says where it was read (the platform's data by default; ``label`` for a label/value row).
        """
        if self.supplier.get(field_name) not in (None, "", []):
            return
        if field_name == "main_products":
            value = text_list(value)
        elif field_name == "main_markets":
            value = market_names(value)
        elif field_name in _YEAR_FIELDS:
            number = value if isinstance(value, int) else _whole_number(field_name, as_text(value))
            low, high = self._plausible_range(field_name)
            value = number if number is not None and low <= number <= high else None
        elif field_name == "country":
            value = normalize_country(as_text(value))
        else:
            value = as_text(value)
        if value not in (None, "", []):
            self.supplier[field_name] = value
            self.provenance[field_name] = source

    def badge(
        self, name: str, issuer: str | None = None, detail: str | None = None, source: Provenance = "structured"
    ) -> None:
        issuer = clean_text(issuer) or None
        detail = clean_text(detail) or None
        for index, existing in enumerate(self.badges):
            if _key(existing.name) == _key(name):
                self.badges[index] = Badge(
                    name=existing.name,
                    issuer=existing.issuer or issuer,
                    detail=existing.detail or detail,
                    source=existing.source or source,
                )
                return
        self.badges.append(Badge(name=name, issuer=issuer, detail=detail, source=source))

    def certification(self, cert: Certification | None, place: str) -> None:
        """Add ``cert`` seen at ``place``; a match from another place of the page is merged into it."""
        if cert is None:
            return
        for index, (existing, existing_place) in enumerate(self.certifications):
            if existing_place != place and same_certificate(existing, cert):
                merged = {k: v if v is not None else getattr(cert, k) for k, v in existing.model_dump().items()}
                if existing.platform_verified is None or cert.platform_verified is True:
                    merged["platform_verified"] = cert.platform_verified if existing.platform_verified is None else True
                if existing.kind == "other":
                    merged["kind"] = cert.kind
                self.certifications[index] = (Certification(**merged), place)
                return
        self.certifications.append((cert, place))

    def text(self, value: Any, location: str) -> None:
        """Run free text through the statement finder and keep new sentences."""
        if isinstance(value, dict) and "value" in value:
            value = value["value"]
        if not isinstance(value, str) or not value.strip():
            return
        known = {s.text for s in self.statements}
        for statement in find_certification_statements(value, location):
            if statement.text not in known:  # the same sentence in a second place is the same claim
                known.add(statement.text)
                self.statements.append(statement)

    def document(
        self,
        url: str | None,
        kind: DocumentKind,
        *,
        certification: str | None = None,
        label: str | None = None,
        source: Provenance = "structured",
    ) -> None:
        """Record a certificate's PDF or image (absolute http(s) URL); the first record of a URL wins."""
        url = clean_text(url)[:2000]
        if not url.lower().startswith(("http://", "https://")):
            return
        if any(existing.url == url for existing in self.documents) or len(self.documents) >= MAX_DOCUMENTS:
            return
        self.documents.append(
            CertificateDocument(
                url=url,
                kind=kind,
                certification=clean_text(certification)[:300] or None,
                label=clean_text(label)[:300] or None,
                source=source,
            )
        )

    def build_or_empty(self, page_type: str) -> ClaimsDocument:
        """:meth:`build`, or an empty document of this page when the claims do not validate (a parser bug)."""
        try:
            return self.build(page_type)
        except Exception:
            log.exception("claims document invalid for %s", self.url)
            return ClaimsDocument(source=Source(url=self.url, platform=self.platform, page_type=page_type))

    def build(self, page_type: str | None = None) -> ClaimsDocument:
        """The document; its page type is ``page_type`` or the first one :meth:`found`."""
        page_type = page_type or (self.page_types[0] if self.page_types else "unknown")
        return ClaimsDocument(
            source=Source(url=self.url, platform=self.platform, page_type=page_type),
            supplier=Supplier(**self.supplier),
            badges=self.badges,
            certifications=[cert for cert, _ in self.certifications],
            statements=self.statements,
            documents=self.documents,
            provenance={f"supplier.{name}": source for name, source in self.provenance.items()},
        )
