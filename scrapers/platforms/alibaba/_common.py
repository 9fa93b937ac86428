"""Shared plumbing for the Alibaba families: script-object extraction (now in
:mod:`scrapers.platforms.scripts`, re-exported here), certificate records in every family's
key spellings, and the alibaba.com flavour of the claims builder.

Alibaba ships most claims as JSON (in scripts or attributes) whose types drift between page versions; the
accessors of :mod:`scrapers.platforms.values` keep a wrong type from costing more than its field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urljoin

from scrapers.claims import Certification
from scrapers.normalize import parse_date, parse_validity_period
from scrapers.platforms.builder import ClaimsBuilder, make_certification
from scrapers.platforms.scripts import extract_js_object as extract_js_object  # re-exported for the families
from scrapers.platforms.values import MAX_LIST_ITEMS, as_bool, as_list, as_text, first_text


class LazySoup:
    """Parses the page with BeautifulSoup/lxml at most once, and only if a DOM family needs it."""

    def __init__(self, html: str, factory: Callable[[str], Any]) -> None:
        self._html = html
        self._factory = factory
        self._soup: Any = None

    def get(self) -> Any:
        if self._soup is None:
            self._soup = self._factory(self._html)
        return self._soup


# --------------------------------------------------------------------------------------------------
# certification records (every family's key variants)
# --------------------------------------------------------------------------------------------------

_NAME_KEYS = ("certificateName", "certName", "name", "certificationName", "title", "certificate")
_NUMBER_KEYS = (
    "certificatNo",
    "certificateNo",
    "certNo",
    "certificateNumber",
    "certNumber",
    "certificateCode",
    "number",
)
_ISSUER_KEYS = (
    "certificateIssuedBy",
    "issuingAuthority",
    "issuedBy",
    "issuer",
    "certifiedBy",
    "certAuthority",
    "certificationBody",
    "issueOrganization",
)
_SCOPE_KEYS = ("description", "scope", "businessScope", "certScope", "certificateScope")
_PERIOD_KEYS = ("certificateValidityPeriod", "certValidPeriod", "validityPeriod", "validPeriod", "validDate")
_FROM_KEYS = (
    "certificateStartDate",
    "startDate",
    "validFrom",
    "issueDate",
    "certStartDate",
    "gmtStart",
    "beginDate",
    "effectiveDate",
)
_UNTIL_KEYS = (
    "certificateEndDate",
    "endDate",
    "validTo",
    "validUntil",
    "expireDate",
    "expiryDate",
    "gmtEnd",
    "certEndDate",
    "expirationDate",
)
_VERIFIED_KEYS = ("hasPassed", "verified", "isVerified", "passed", "hasVerified")
# certType / category of a certificate record -> the kind to use when the name alone says nothing. First match
# wins: "FACTORY_AUDIT", "Product Certification", "MANAGEMENT_SYSTEM", "体系认证"...
_CATEGORY_KIND: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), kind)
    for pattern, kind in (
        (r"audit|审核|验厂", "audit"),
        (r"product|产品", "product"),
        (r"system|company|quality|management|体系|管理", "management_system"),
    )
)


def _category_kind(record: dict[str, Any]) -> str | None:
    category = as_text(record.get("category")) or as_text(record.get("certType")) or ""
    return next((kind for pattern, kind in _CATEGORY_KIND if pattern.search(category)), None)


def _dates(record: dict[str, Any]) -> tuple[date | None, date | None]:
    for key in _PERIOD_KEYS:
        raw = record.get(key)
        if raw not in (None, "", False):
            start, end = parse_validity_period(raw)
            if start or end:
                return start, end
    start = next((d for d in (parse_date(record.get(k)) for k in _FROM_KEYS) if d), None)
    end = next((d for d in (parse_date(record.get(k)) for k in _UNTIL_KEYS) if d), None)
    return start, end


def _cert_id(value: Any) -> str | None:
    """shopBizData's ``certId``: a string id is taken as the certificate number, an int is an internal key."""
    return as_text(value) if isinstance(value, str) else None


def certification_from_record(record: Any, kind_hint: str | None = None) -> Certification | None:
    """Read one certificate dict in any of the families' key spellings (certificatNo sic, certNo...)."""
    if not isinstance(record, dict):
        return None
    hint = _category_kind(record) or kind_hint
    valid_from, valid_until = _dates(record)
    verified = next((flag for flag in (as_bool(record.get(k)) for k in _VERIFIED_KEYS) if flag is not None), None)
    return make_certification(
        first_text(record, *_NAME_KEYS),
        number=first_text(record, *_NUMBER_KEYS) or _cert_id(record.get("certId")),
        issuer=first_text(record, *_ISSUER_KEYS),
        scope=first_text(record, *_SCOPE_KEYS),
        valid_from=valid_from,
        valid_until=valid_until,
        verified=verified,
        kind_hint=hint,
    )


#: Where a certificate record keeps its pictures (thumbnails and large versions) in the families' JSON.
_PHOTO_KEYS = ("certificatePhotos", "certPhotos", "imageList", "images", "photos", "photo", "certPhoto", "imageUrl")
_PHOTO_URL_KEYS = ("originalUrl", "bigUrl", "largeUrl", "url", "imageUrl", "imgUrl", "src", "fileUrl")
MAX_PHOTOS_PER_CERTIFICATE = 10


def certificate_photo_urls(record: Any, base_url: str | None = None) -> list[str]:
    """Absolute http(s) URLs of a certificate record's pictures or PDFs (protocol-relative ones as https, paths
    resolved against the page's ``base_url``)."""
    if not isinstance(record, dict):
        return []
    urls: list[str] = []
    for key in _PHOTO_KEYS:
        value = record.get(key)
        for item in as_list(value) if isinstance(value, list) else [value]:
            raw = first_text(item, *_PHOTO_URL_KEYS) if isinstance(item, dict) else as_text(item)
            if not raw:
                continue
            url = "https:" + raw if raw.startswith("//") else raw
            if base_url and url.startswith("/"):
                url = urljoin(base_url, url)
            if url.lower().startswith(("http://", "https://")) and url not in urls:
                urls.append(url)
            if len(urls) >= MAX_PHOTOS_PER_CERTIFICATE:
                return urls
    return urls


_CERT_NAME_KEYS = ("certName", "certificateName", "certificationName")
# With a plain "name", one of these says the dict is a certificate and not a product, market or photo.
_CERT_HINT_KEYS = (
    *_NUMBER_KEYS[:-1],
    *_PERIOD_KEYS,
    "certId",
    "certType",
    "category",
    "certificateIssuedBy",
    "issuingAuthority",
    "hasPassed",
)
MAX_WALK_NODES = 20_000


def _is_certificate_dict(item: dict[str, Any]) -> bool:
    if any(key in item for key in _CERT_NAME_KEYS):
        return True
    return "name" in item and any(key in item for key in _CERT_HINT_KEYS)


def certificate_lists(value: Any, max_nodes: int = MAX_WALK_NODES) -> list[list[dict[str, Any]]]:
    """Lists of certificate-like dicts anywhere below ``value``, in document order, visiting at most
    ``max_nodes`` nodes: for modules whose layout changes between releases (tabs, groups, nested data)."""
    found: list[list[dict[str, Any]]] = []
    stack = [value]
    visited = 0
    while stack and visited < max_nodes:
        node = stack.pop()
        visited += 1
        if isinstance(node, dict):
            stack.extend(reversed(list(node.values())[:MAX_LIST_ITEMS]))
        elif isinstance(node, list):
            dicts = [item for item in node[:MAX_LIST_ITEMS] if isinstance(item, dict)]
            if dicts and any(_is_certificate_dict(d) for d in dicts):
                found.append(dicts)
            else:
                stack.extend(reversed(node[:MAX_LIST_ITEMS]))
    return found


def certification_records(value: Any) -> Iterator[dict[str, Any]]:
    """Certificate dicts from a list, or from ``{"value": [...]}`` / ``{"items": [...]}`` wrappers."""
    if isinstance(value, dict):
        for key in (
            "value",
            "items",
            "list",
            "data",
            "certifications",
            "certificates",
            "certList",
            "certificationList",
        ):
            if isinstance(value.get(key), list):
                value = value[key]
                break
    for item in as_list(value):
        if isinstance(item, dict):
            yield item


# --------------------------------------------------------------------------------------------------
# the merged document
# --------------------------------------------------------------------------------------------------


@dataclass
class DocumentBuilder(ClaimsBuilder):
    """The shared builder, for alibaba.com (opened 1999), reading certificate records in every family's keys."""

    platform: str = "alibaba"
    opened: int | None = 1999

    def certifications_from(self, records: Iterable[Any], place: str, kind_hint: str | None = None) -> None:
        for record in records:
            cert = certification_from_record(record, kind_hint)
            self.certification(cert, place)
            if cert is not None:
                for url in certificate_photo_urls(record, self.url):
                    kind = "pdf" if url.lower().split("?", 1)[0].endswith(".pdf") else "image"
                    self.document(url, kind, certification=cert.name, label=cert.name, source="structured")
