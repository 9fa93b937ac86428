"""Label rows of a Made-in-China page: which label names which field, and the value each label has.

Labels are matched on their English (and common Chinese) text, case, whitespace and colon tolerant, in
whatever markup carries them (``.info-label``/``.info-fields``, ``th``/``td``, ``dt``/``dd``,
``.item-l : .item-v``, ``<b>Label:</b> value``, "Label: value" in one string). One label per table row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4.element import PageElement, Tag

from scrapers.normalize import clean_text
from scrapers.platforms.made_in_china._dom import MAX_SHORT_TEXT, Page, bare, inline_tail, value_after

MAX_ROWS = 500
MAX_LABEL_CHARS = 60


_LABEL_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"company name|supplier name|公司名称|企业名称", "name"),
    (r"business type|business model|经营模式|企业类型|公司类型", "business_type"),
    (r"(?:company |registered |office |factory )?address|location|(?:公司)?地址|所在地区?", "location"),
    (r"city\s*/\s*province|province\s*(?:&|and|/)\s*city", "location"),
    (r"country(?:\s*/\s*region)?|国家(?:/地区|或地区)?", "country"),
    (r"year of establishment|(?:year )?established(?: in| year)?|establishment (?:year|date)", "year_established"),
    (r"date of establishment|founded(?: in)?|成立(?:时间|年份|日期)", "year_established"),
    (r"(?:total |number of )?employees|number of staff|staff|员工(?:人数|总数)", "employees"),
    (
        r"(?:total )?annual (?:output value|sales(?: volume)?|revenue|turnover)|年(?:营业额|销售额|产值)",
        "annual_revenue",
    ),
    (r"main products?|主营产品|主要产品", "main_products"),
    (r"main (?:export )?markets?|export markets?|主要(?:销售)?市场", "main_markets"),
    (r"management system certifi(?:cations?|cates?)|管理体系认证", "ms_certification"),
    (r"(?:product )?certifi(?:cations?|cates?)|产品认证|认证", "certification"),
    (r"(?:audited|inspected) by|(?:audit(?:ing)?|inspection) (?:company|agency|institution|body)", "auditor"),
    (r"third[- ]party (?:audit|inspection)(?: agency| company)?|审核机构|验厂机构", "auditor"),
)
_LABELS = tuple((re.compile(pattern, re.I), field) for pattern, field in _LABEL_PATTERNS)
_INLINE_LABELS = tuple(
    (re.compile(rf"(?:{pattern})\s*[:：]\s*(?P<rest>.*)", re.I | re.S), field) for pattern, field in _LABEL_PATTERNS
)
_LEADING_COLON = re.compile(r"^[\s:：]+")
_PRODUCT_ATTRIBUTE_TOKEN = re.compile(r"^(?:th-label|bac-item-label|bac-item-value|bsc-item|basic-info-list)$")
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def label_field(text: str) -> str | None:
    """The field a label names ("Business Type :" -> business_type), or ``None``."""
    text = bare(text)
    if not text or len(text) > MAX_LABEL_CHARS:
        return None
    return next((field for pattern, field in _LABELS if pattern.fullmatch(text)), None)


def _inline_label(text: str) -> tuple[str, str] | None:
    """("business_type", "Manufacturer") from "Business Type: Manufacturer" in one string."""
    for pattern, field in _INLINE_LABELS:
        match = pattern.match(text)
        if match:
            return field, match.group("rest")
    return None


def _is_label(text: str) -> bool:
    return label_field(text) is not None or (len(text) <= MAX_SHORT_TEXT and _inline_label(text) is not None)


def _in_heading(string: PageElement) -> bool:
    parent = string.parent
    for _ in range(3):
        if not isinstance(parent, Tag):
            return False
        if parent.name in HEADINGS:
            return True
        parent = parent.parent
    return False


def _in_product_attributes(string: PageElement) -> bool:
    """On a product's attribute rows ("Material", "Certification"); the supplier block sits elsewhere (its
    ``.info-label`` rows are nested inside the product's main-info block, so only near ancestors count)."""
    parent = string.parent
    for _ in range(4):
        if not isinstance(parent, Tag):
            return False
        if any(_PRODUCT_ATTRIBUTE_TOKEN.match(token) for token in parent.get("class") or []):
            return True
        parent = parent.parent
    return False


@dataclass(frozen=True)
class Row:
    field: str
    value: str  # raw text, list entries separated by newlines
    #: A product attribute describes the product: only its certification claims concern the supplier.
    product_attribute: bool = False


def read_rows(page: Page) -> list[Row]:
    """Every label/value pair outside chrome and descriptions, in page order. Headings are section titles,
    not labels ("Certificates" above a gallery)."""
    rows: list[Row] = []
    for string in page.strings():
        text = clean_text(string)
        field = label_field(text)
        if field is not None:
            if _in_heading(string):
                continue
            value = value_after(string, bare(text), "\n", _is_label)
        else:
            inline = _inline_label(text) if ":" in text or "：" in text else None
            if inline is None:
                continue
            field, rest = inline
            value = rest + "\n" + inline_tail(string, "\n", _is_label)
        value = _LEADING_COLON.sub("", value)  # "<b>Label</b>: value"
        if clean_text(value):
            rows.append(Row(field, value, _in_product_attributes(string)))
            if len(rows) >= MAX_ROWS:
                break
    return rows
