"""Supplier facts from 1688's label rows and shop header, the certification names of "认证：" rows, the
country an address names, and certification statements in the company introduction and offer description.
"""

from __future__ import annotations

import re

from lxml import html

from scrapers.normalize import clean_text, normalize_country
from scrapers.platforms.builder import ClaimsBuilder, make_certification
from scrapers.platforms.china_1688._badges import add_trustpass, assign_inspector, bare_years
from scrapers.platforms.china_1688._dom import DESCRIPTION, INTRO, PROFILE, Page, ancestors
from scrapers.platforms.china_1688._labels import Pair, label_field

__all__ = ["apply_pairs", "country_of", "read_country", "read_header_name", "read_statements"]

MAX_NAME_CHARS = 200
MAX_SCALAR_CHARS = 500
MAX_LIST_ENTRIES = 50
MAX_CERT_NAME_CHARS = 100

_SCALAR_FIELDS = ("name", "business_type", "year_established", "employees", "annual_revenue", "location")
_LIST_SPLIT = re.compile(r"[,;，；、\n|]")
#: Not a certificate's name: "暂无", "3张", "查看详情" and similar placeholders of an empty or linked list.
_NOT_A_NAME = re.compile(
    r"暂无|暫無|无|無|-+|/|其他|其它|更多|查看(?:详情|詳情|全部|更多)?|点击查看|點擊查看|详情|詳情|"
    r"\d+\s*[张張个個项項份本]|none|n/?a|\.{2,}|…+",
    re.I,
)
#: What an unfilled field shows: "-", "暂无", "未填写", "保密".
_EMPTY = re.compile(r"[-—/\s]+|暂无|暫無|无|無|未填写|未填寫|未知|保密|null|none|n/?a", re.I)
_KIND_HINTS = (
    (re.compile(r"管理体系|管理體系|体系|體系"), "management_system"),
    (re.compile(r"产品|產品"), "product"),
)
#: class words of the shop header's company name (any hash suffix): "company-name", "companyName--x1".
_NAME_CLASS = re.compile(r"(?:^|\s)(?:company|comp|corp)[-_]?(?:name|title)\b", re.I)
#: "中国 浙江 金华" / "中華人民共和國..." / "..., China": the page names the country.
_CHINA_FIRST = re.compile(r"^\s*(?:中国|中國|中华人民共和国|中華人民共和國)(?![香澳台])")
_REGIONS = ((re.compile(r"香港"), "HK"), (re.compile(r"澳门|澳門"), "MO"), (re.compile(r"台湾|臺灣|台灣"), "TW"))


def _entries(value: str) -> list[str]:
    out: list[str] = []
    for part in _LIST_SPLIT.split(value):
        entry = clean_text(part)[:MAX_CERT_NAME_CHARS]
        if entry and entry not in out and not _NOT_A_NAME.fullmatch(entry):
            out.append(entry)
            if len(out) >= MAX_LIST_ENTRIES:
                break
    return out


def _kind_hint(pair: Pair) -> str | None:
    label = pair.label.text
    return next((kind for pattern, kind in _KIND_HINTS if pattern.search(label)), None)


def apply_pairs(pairs: list[Pair], taken: set[int], builder: ClaimsBuilder) -> None:
    """Supplier fields, 诚信通 years, "认证：" names and the company introduction from the label pairs not
    already used by a certificate record; an "认证机构" outside any record names the inspection body."""
    for index, pair in enumerate(pairs):
        if index in taken:
            continue
        value = clean_text(pair.value)
        if not value or _EMPTY.fullmatch(value):
            continue
        if pair.field in _SCALAR_FIELDS:
            if len(value) <= MAX_SCALAR_CHARS and label_field(value) is None:
                builder.set(pair.field, value, "label")
        elif pair.field in ("main_products", "main_markets"):
            builder.set(pair.field, _entries(pair.value), "label")
        elif pair.field == "country":
            builder.set("country", normalize_country(_traditional_china(value)), "label")
        elif pair.field == "tp_years":
            add_trustpass(builder, bare_years(value), "label")
        elif pair.field == "intro":
            builder.text(pair.value, INTRO)
        elif pair.field == "certification":
            hint = _kind_hint(pair)
            for name in _entries(pair.value):
                builder.certification(make_certification(name, kind_hint=hint, source="label"), "label_row")
        elif pair.field == "inspector":
            assign_inspector(builder, value, None, None)


def _traditional_china(text: str) -> str:
    return "中国" if text in ("中國", "中華人民共和國", "中华人民共和国") else text


def country_of(address: str | None) -> str | None:
    """ISO code of the country an address names: 香港/澳门/台湾 by name, mainland China only when the
    address says 中国/China. Never guessed from a province or from the platform."""
    if not address:
        return None
    for pattern, code in _REGIONS:
        if pattern.search(address):
            return code
    if _CHINA_FIRST.match(address):
        return "CN"
    last = re.split(r"[,，]", address)[-1]
    code = normalize_country(re.sub(r"^\s*(?:P\.?\s?R\.?\s?|the\s+)", "", clean_text(last), flags=re.I))
    return code if code and len(code) == 2 and code.isupper() else None


def read_country(builder: ClaimsBuilder) -> None:
    """The country the location names, with the location's provenance."""
    location = builder.supplier.get("location")
    if builder.supplier.get("country") or not isinstance(location, str):
        return
    code = country_of(location)
    if code:
        builder.set("country", code, builder.provenance.get("location", "label"))


def read_header_name(page: Page, builder: ClaimsBuilder) -> None:
    """The company name from the shop header or the offer page's seller block: the element whose class
    names a company name; its ``title`` keeps an untruncated name, its first text otherwise."""
    if builder.supplier.get("name"):
        return
    for line in page.lines:
        if line.region != PROFILE:
            continue
        for cell in line.cells:
            holder = _name_holder(cell.element)
            if holder is None:
                continue
            title = clean_text(cell.element.get("title") or holder.get("title"))
            text = title if title and len(title) <= MAX_NAME_CHARS else clean_text(cell.text)
            if text and len(text) <= MAX_NAME_CHARS and label_field(text) is None and ":" not in text[:20]:
                builder.set("name", text, "structured")
                return


def _name_holder(element: html.HtmlElement) -> html.HtmlElement | None:
    """The element itself or its parent when its class names the company name."""
    for node in ancestors(element, 1):
        if _NAME_CLASS.search(f"{node.get('class') or ''}"[:300]):
            return node
    return None


def read_statements(page: Page, builder: ClaimsBuilder) -> None:
    """Certification claims in the company introduction and the offer description (prose only)."""
    for region in (INTRO, DESCRIPTION):
        for text in page.prose(region):
            builder.text(text[:100_000], region)
