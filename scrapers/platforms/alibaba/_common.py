"""Shared plumbing for the Alibaba families: script-object extraction, defensive JSON access, and the
builder that merges what every family finds into one claims document.

Alibaba ships most claims as JSON (in scripts or attributes) whose types drift between page versions, so
every accessor here tolerates wrong types and returns ``None``/empty instead of raising.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from scrapers.claims import Badge, Certification, ClaimsDocument, Source, Statement, Supplier
from scrapers.normalize import (
    clean_text,
    normalize_certification,
    normalize_country,
    parse_date,
    parse_int,
    parse_validity_period,
    plausible_validity,
)
from scrapers.statements import find_certification_statements

MAX_ASSIGNMENTS_TRIED = 4
MAX_OBJECT_CHARS = 20_000_000
MAX_LIST_ITEMS = 500

# A JS string (double or single quoted, unrolled loop: linear time) or a brace.
_JS_STRING = r'"[^"\\\n]*(?:\\[\s\S][^"\\\n]*)*"|\'[^\'\\\n]*(?:\\[\s\S][^\'\\\n]*)*\''
_JS_TOKEN = re.compile(_JS_STRING + r"|[{}]")
_JS_STRING_AT = re.compile(_JS_STRING)
_JS_ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|([\s\S]))")
_JS_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0", "\n": ""}


def extract_js_object(html: str, name: str, accept: Callable[[Any], bool] | None = None) -> Any:
    """The JSON value assigned to ``window.<name>`` (or ``<name> =``) in a script, or ``None``.

    Finds the opening brace with a regex, scans balanced braces while skipping strings, then ``json.loads``;
    a trailing ``;`` or other code after the object does not matter. ``= JSON.parse("...")`` (the object
    shipped as a JS string literal) is read too. ``accept`` skips values that are not the data (a
    ``window.<name> = {}`` placeholder before the real assignment).
    """
    pattern = re.compile(
        r"(?:window\s*\.\s*|window\s*\[\s*[\"']|\b(?:var|let|const)\s+|[;\s{(,])"
        + re.escape(name)
        + r"(?:[\"']\s*\])?\s*=\s*(?:(?=\{)|(?P<parse>JSON\s*\.\s*parse\s*\(\s*)(?=[\"']))"
    )
    # A real page assigns the object once or twice; capping the candidates keeps a hostile page that
    # repeats the assignment thousands of times from costing one full scan per repetition.
    for attempt, match in enumerate(pattern.finditer(html)):
        if attempt >= MAX_ASSIGNMENTS_TRIED:
            break
        decode = _decode_string_at if match.group("parse") else _decode_object_at
        value = decode(html, match.end())
        if value is not None and (accept is None or accept(value)):
            return value
    return None


def _js_string_value(literal: str) -> str:
    """The value of a JS string literal (quotes included): \\xHH, \\uHHHH, \\u{...}, \\' and friends."""

    def unescape(m: re.Match[str]) -> str:
        if m.group(1) or m.group(3):
            return chr(int(m.group(1) or m.group(3), 16))
        if m.group(2):
            code = int(m.group(2), 16)
            return chr(code) if code <= 0x10FFFF else ""
        return _JS_SIMPLE_ESCAPES.get(m.group(4), m.group(4))

    text = _JS_ESCAPE.sub(unescape, literal[1:-1])
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")  # join escaped surrogate pairs


def _decode_string_at(text: str, start: int) -> Any:
    literal = _JS_STRING_AT.match(text, start, min(len(text), start + MAX_OBJECT_CHARS))
    if literal is None:
        return None
    try:
        return json.loads(_js_string_value(literal.group(0)))
    except (ValueError, RecursionError):
        return None


def _decode_object_at(text: str, start: int) -> Any:
    end = _balanced_end(text, start)
    if end is None:
        return None
    try:
        return json.loads(text[start:end])
    except (ValueError, RecursionError):
        try:  # the object may still be valid JSON up to an earlier point
            return json.JSONDecoder().raw_decode(text, start)[0]
        except (ValueError, RecursionError):
            return None


def _balanced_end(text: str, start: int) -> int | None:
    depth = 0
    limit = min(len(text), start + MAX_OBJECT_CHARS)
    for token in _JS_TOKEN.finditer(text, start, limit):
        char = token.group(0)
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return token.end()
    return None


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
# defensive access
# --------------------------------------------------------------------------------------------------


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value[:MAX_LIST_ITEMS]
    return []


def dig(value: Any, *keys: str | int) -> Any:
    """``value[k1][k2]...`` with ``None`` for any missing key or wrong type on the way."""
    for key in keys:
        if isinstance(key, int):
            value = value[key] if isinstance(value, list) and -len(value) <= key < len(value) else None
        else:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            return None
    return value


def as_text(value: Any) -> str | None:
    """A cleaned non-empty string from a str/number, else ``None`` (dicts with a ``value`` are unwrapped)."""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | str):
        text = clean_text(value)[:2000]
        return text or None
    return None


# Flag spellings seen in the families' JSON (English and Chinese); anything else is "the page does not say".
_TRUE_WORDS = frozenset(
    {"true", "yes", "y", "1", "verified", "passed", "pass", "是", "已验证", "已通过", "通过", "已认证"}
)
_FALSE_WORDS = frozenset(
    {"false", "no", "n", "0", "", "unverified", "not verified", "failed", "否", "未验证", "未通过"}
)


def as_bool(value: Any) -> bool | None:
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value) if value == value else None
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE_WORDS:
            return True
        if lowered in _FALSE_WORDS:
            return False
    return None


def first_text(record: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        text = as_text(record.get(key))
        if text:
            return text
    return None


def text_list(value: Any) -> list[str]:
    """Names from a list of strings / dicts with name/title/value, or a comma-separated string."""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    items: list[str] = []
    if isinstance(value, str):
        items = [clean_text(part) for part in re.split(r"[,;，；、\n]", value)]
    else:
        for item in as_list(value):
            if isinstance(item, dict):
                items.append(first_text(item, "name", "title", "categoryName", "value", "label") or "")
            else:
                items.append(as_text(item) or "")
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item[:200])
    return out


_SHARE = re.compile(r"\s*[(（]?\s*\d+(?:\.\d+)?\s*%\s*[)）]?\s*$")


def market_names(value: Any) -> list[str]:
    """Market names from names / ``{"name": ...}`` dicts / "North America 40%, Oceania(5%)" text, shares dropped."""
    out: list[str] = []
    for item in text_list(value):
        name = _SHARE.sub("", item).strip()
        if name and name not in out:
            out.append(name)
    return out


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
        source="structured",
    )


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


def _key(text: str | None) -> str:
    return re.sub(r"[\W_]+", "", (text or "").casefold())


def _same_certificate(a: Certification, b: Certification) -> bool:
    if (a.standard or _key(a.name)) != (b.standard or _key(b.name)) and _key(a.name) != _key(b.name):
        return False
    if a.number and b.number:
        return _key(a.number) == _key(b.number)
    for left, right in ((a.valid_from, b.valid_from), (a.valid_until, b.valid_until)):
        if left and right and left != right:
            return False
    if a.issuer and b.issuer:
        return _key(a.issuer) == _key(b.issuer)
    return False


# Plausible ranges of the integer supplier fields: no company founded before 1800 or in the future, and no one
# on Alibaba.com (opened 1999) for longer than the site exists.
_YEAR_RANGES: dict[str, Callable[[], tuple[int, int]]] = {
    "year_established": lambda: (1800, date.today().year),
    "years_on_platform": lambda: (0, date.today().year - 1998),
}


_FOUR_DIGIT_YEAR = re.compile(r"(?<!\d)(1[89]\d{2}|20\d{2})(?!\d)")


def _whole_number(field_name: str, text: str | None) -> int | None:
    """The number a field means: the 4-digit year of "05/1998" / "Since 1998" for a founding year."""
    if text and field_name == "year_established":
        year = _FOUR_DIGIT_YEAR.search(text)
        if year:
            return int(year.group(1))
    return parse_int(text)


@dataclass
class DocumentBuilder:
    """Collects claims from several places of one page; supplier fields keep the first value found."""

    url: str
    supplier: dict[str, Any] = field(default_factory=dict)
    badges: list[Badge] = field(default_factory=list)
    certifications: list[tuple[Certification, str]] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    page_types: list[str] = field(default_factory=list)

    def found(self, page_type: str) -> None:
        if page_type not in self.page_types:
            self.page_types.append(page_type)

    def set(self, field_name: str, value: Any) -> None:
        """Keep ``value`` for a supplier field unless one was found earlier; absurd numbers are dropped."""
        if self.supplier.get(field_name) not in (None, "", []):
            return
        if field_name == "main_products":
            value = text_list(value)
        elif field_name == "main_markets":
            value = market_names(value)
        elif field_name in _YEAR_RANGES:
            number = value if isinstance(value, int) else _whole_number(field_name, as_text(value))
            low, high = _YEAR_RANGES[field_name]()
            value = number if number is not None and low <= number <= high else None
        elif field_name == "country":
            value = normalize_country(as_text(value))
        else:
            value = as_text(value)
        if value not in (None, "", []):
            self.supplier[field_name] = value

    def badge(self, name: str, issuer: str | None = None, detail: str | None = None) -> None:
        issuer = clean_text(issuer) or None
        detail = clean_text(detail) or None
        for index, existing in enumerate(self.badges):
            if _key(existing.name) == _key(name):
                self.badges[index] = Badge(
                    name=existing.name, issuer=existing.issuer or issuer, detail=existing.detail or detail
                )
                return
        self.badges.append(Badge(name=name, issuer=issuer, detail=detail))

    def certification(self, cert: Certification | None, place: str) -> None:
        """Add ``cert`` seen at ``place``; a match from another place of the page is merged into it."""
        if cert is None:
            return
        for index, (existing, existing_place) in enumerate(self.certifications):
            if existing_place != place and _same_certificate(existing, cert):
                merged = {k: v if v is not None else getattr(cert, k) for k, v in existing.model_dump().items()}
                if existing.platform_verified is None or cert.platform_verified is True:
                    merged["platform_verified"] = cert.platform_verified if existing.platform_verified is None else True
                if existing.kind == "other":
                    merged["kind"] = cert.kind
                self.certifications[index] = (Certification(**merged), place)
                return
        self.certifications.append((cert, place))

    def certifications_from(self, records: Iterable[Any], place: str, kind_hint: str | None = None) -> None:
        for record in records:
            self.certification(certification_from_record(record, kind_hint), place)

    def text(self, value: Any, location: str) -> None:
        """Run free text through the statement finder and keep new sentences."""
        if isinstance(value, dict) and "value" in value:
            value = value["value"]
        if not isinstance(value, str) or not value.strip():
            return
        known = {(s.text, s.location) for s in self.statements}
        for statement in find_certification_statements(value, location):
            if (statement.text, statement.location) not in known:
                self.statements.append(statement)

    def build(self) -> ClaimsDocument:
        page_type = self.page_types[0] if self.page_types else "unknown"
        return ClaimsDocument(
            source=Source(url=self.url, platform="alibaba", page_type=page_type),
            supplier=Supplier(**self.supplier),
            badges=self.badges,
            certifications=[cert for cert, _ in self.certifications],
            statements=self.statements,
        )
