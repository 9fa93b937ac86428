"""Label/value pairs wherever a page shows them: "Year Established: 2005", a th/td row, a dt/dd pair, a label
div beside its value div, in English or Chinese.

The pairs come from the lines of :mod:`scrapers.generic.page` (cells split at element boundaries), so one
reader serves every layout. A label must be the whole cell (a sentence that happens to start with "Location"
is no label), and one label table row per field keeps the mapping reviewable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from scrapers.generic.page import Line

__all__ = ["CERTIFICATION_FIELD", "LABELS", "Pair", "read_pairs"]

#: Not a supplier field: the value is a list of certification names.
CERTIFICATION_FIELD = "certifications"

#: (label pattern, field). Patterns are matched against the whole label, case-insensitively, after a trailing
#: colon and whitespace are removed. Registered capital, contact people and phone numbers are not claims.
LABELS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), field)
    for pattern, field in (
        (r"(?:company|supplier|seller|manufacturer|business|legal|registered\s+company)\s+name|"
         r"name\s+of\s+(?:the\s+)?company|公司名称|企业名称|供应商名称|公司名|厂家名称", "name"),
        (r"business\s+type|type\s+of\s+business|nature\s+of\s+business|company\s+type|business\s+model|"
         r"经营模式|企业类型|公司类型|业务类型|商家类型", "business_type"),
        (r"(?:year\s+(?:of\s+)?)?(?:established|establishment|founded|foundation)(?:\s+(?:in|year|date))?|"
         r"year\s+(?:of\s+)?(?:establishment|foundation)|founding\s+(?:year|date)|date\s+of\s+establishment|"
         r"成立时间|成立年份|成立日期|创立时间|注册时间|注册日期", "year_established"),
        (r"country(?:\s*/\s*region)?|country\s+of\s+origin\s+of\s+(?:the\s+)?company|国家(?:\s*/\s*地区)?|国家或地区",
         "country"),
        (r"location|(?:company|business|office|operational|registered|factory|head\s*office)\s+address|address|"
         r"city|province\s*/\s*state|所在地区?|所在城市|公司地址|企业地址|地址|经营地址|工厂地址", "location"),
        (r"(?:total\s+|number\s+of\s+|no\.?\s*of\s+)?(?:employees|staff|workers)|total\s+number\s+of\s+employees|"
         r"staff\s+(?:size|number)|company\s+size|员工人数|员工总数|企业人数|公司规模|人员规模", "employees"),
        (r"(?:total\s+)?annual\s+(?:revenue|sales(?:\s+volume)?|turnover|output(?:\s+value)?)|"
         r"annual\s+export\s+(?:revenue|value)|年营业额|年销售额|年交易额|年产值|年出口额|营业额", "annual_revenue"),
        (r"main\s+products?|major\s+products?|products?\s*/\s*services?|main\s+business|主营产品|主要产品|主营业务|"
         r"主营", "main_products"),
        (r"(?:main|major|top\s*\d*|export)\s+markets?|main\s+export\s+markets?|markets?\s+served|"
         r"主要市场|主要销售市场|主要销售区域|出口市场|销售区域", "main_markets"),
        (r"certifications?|certificates?|certificates?\s*(?:&|and)\s*licen[cs]es?|"
         r"(?:management\s+system|product|quality)\s+certifications?|"
         r"认证|认证信息|资质证书|资质认证|管理体系认证|产品认证|证书", CERTIFICATION_FIELD),
    )
)  # fmt: skip

#: A label cell is short; a value cell longer than this is prose, not a form field.
MAX_LABEL_CHARS = 60
MAX_VALUE_CHARS = 500
_TRAILING = re.compile(r"[\s:：*]+$")
_INLINE = re.compile(r"^(?P<label>[^:：]{2,60}?)\s*[:：]\s*(?P<value>\S.*)$", re.S)


@dataclass(frozen=True)
class Pair:
    field: str
    label: str
    value: str
    location: str
    #: True when the label stood alone and the next line was taken as its value: weaker evidence.
    stacked: bool = False
    #: True when label and value were separate cells (a table row, label span beside value span).
    cells: bool = False


def field_of(label: str) -> str | None:
    """The field a label names, or ``None``; "Main Products:" and "主营产品：" both name main_products."""
    label = _TRAILING.sub("", label)
    if not label or len(label) > MAX_LABEL_CHARS:
        return None
    for pattern, field in LABELS:
        if pattern.fullmatch(label):
            return field
    return None


#: What forms show for "not given": never a value.
_PLACEHOLDER = re.compile(
    r"[-–—/\\.*·]*|n\s*/?\s*a|none|nil|null|unknown|not\s+provided|暂无|无|未填写|不详|保密", re.I
)


def _value(cells: tuple[str, ...], field: str) -> str:
    joiner = ", " if field in ("main_products", "main_markets", CERTIFICATION_FIELD) else " "
    value = joiner.join(cell.strip(" :：") for cell in cells if cell.strip(" :："))[:MAX_VALUE_CHARS]
    return "" if _PLACEHOLDER.fullmatch(value.strip()) else value


def _inline_pair(cell: str) -> tuple[str, str, str] | None:
    """(field, label, value) of a "Label: value" cell."""
    match = _INLINE.match(cell)
    if match is None:
        return None
    field = field_of(match.group("label"))
    return (field, match.group("label"), match.group("value")[:MAX_VALUE_CHARS]) if field else None


def _from_line(line: Line) -> Iterator[Pair]:
    """Pairs of one line: "Label: value" in one cell, a label cell followed by value cells, or alternating
    label/value cells (a table row with two pairs: "Business Type | Manufacturer | Location | Ningbo")."""
    cells = line.cells
    if len(cells) == 1:
        inline = _inline_pair(cells[0])
        if inline and not _PLACEHOLDER.fullmatch(inline[2].strip()):
            yield Pair(*inline, line.location)
        return
    labelled = [(index, field_of(cell)) for index, cell in enumerate(cells)]
    starts = [(index, field) for index, field in labelled if field]
    if not starts or starts[0][0] != 0:
        return
    for position, (index, field) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(cells)
        value = _value(cells[index + 1 : end], field)
        if value:
            yield Pair(field, cells[index], value, line.location, cells=True)


def read_pairs(lines: list[Line]) -> list[Pair]:
    """Every label/value pair of the page, in page order; a label alone on its line takes the next line as
    its value (dt/dd, label div above value div) when that line is short and not a label itself."""
    pairs: list[Pair] = []
    for index, line in enumerate(lines):
        found = list(_from_line(line))
        if found:
            pairs.extend(found)
            continue
        if len(line.cells) != 1 or line.row or index + 1 >= len(lines):
            continue
        field = field_of(line.cells[0])
        following = lines[index + 1]
        if field is None or len(following.text) > MAX_VALUE_CHARS:
            continue
        if field_of(following.cells[0]) or _inline_pair(following.cells[0]):
            continue
        pairs.append(Pair(field, line.cells[0], _value(following.cells, field), line.location, stacked=True))
    return pairs
