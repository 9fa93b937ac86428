"""Family 4: the legacy server-rendered company profile (``<sub>.en.alibaba.com/company_profile.html``).

Facts sit in ``table.content-table tr[data-role=...]`` rows, certificates in the certification widgets'
tables, and the header's shopSign JSON in ``<script id="bp-shopsign-data">``. Table columns are located by
header text (English or Chinese), never by position, because suppliers' pages differ in column sets.
"""

from __future__ import annotations

import json
import re
from typing import Any

from scrapers.normalize import clean_text, parse_date, parse_int, parse_validity_period
from scrapers.platforms.alibaba._common import DocumentBuilder, LazySoup
from scrapers.platforms.alibaba.module_data import read_shop_sign
from scrapers.platforms.builder import make_certification
from scrapers.platforms.values import as_dict

PAGE_TYPE = "company_profile_legacy"

_MARKER = re.compile(
    r"class=[\"'][^\"']*\bcontent-table\b|id=[\"']bp-shopsign-data[\"']|widget-supplier-(?:production-)?certification"
)
_SHOP_SIGN = re.compile(r"<script\b[^>]*\bid=[\"']bp-shopsign-data[\"'][^>]*>(.*?)</script\s*>", re.S | re.I)

_ROLES = {
    "companybusinesstype": "business_type",
    "companylocation": "location",
    "suppliermainproducts": "main_products",
    "companynumberofemployees": "employees",
    "suppliertotalannualsalesvolume": "annual_revenue",
    "companytotalrevenue": "annual_revenue",
    "companyestablishedyear": "year_established",
    "companymainmarket": "main_markets",
    "companyregistercountry": "country",
    "companyname": "name",
}
# Fact-row labels (th/td.col-title text) -> supplier field, for rows without a known data-role.
_LABELS = tuple(
    (re.compile(pattern, re.I), field)
    for pattern, field in (
        (r"business\s+type|company\s+type|经营模式|业务类型|企业类型|公司类型", "business_type"),
        (r"^company\s+name|^公司名称", "name"),
        (r"^country(?:\s*/\s*region)?\b|^国家", "country"),
        (r"^location|所在地|地址", "location"),
        (r"main\s+products|主营产品|主要产品", "main_products"),
        (r"^(?:total\s+|number\s+of\s+|no\.?\s*of\s+)?employees\s*[:：]?$|员工人数|员工总数", "employees"),
        (r"annual\s+(?:revenue|sales|turnover)|年营业额|年销售额", "annual_revenue"),
        (r"^(?:year\s+)?(?:established|founded)|成立年份|成立时间|注册年份", "year_established"),
        (r"main\s+markets?|top\s+\d+\s+markets|主要市场|主要销售市场", "main_markets"),
    )
)
# Certificate-table header text -> column; the first matching row wins and each column is taken once. The period
# comes first ("Available Date --- Expired Date" names both ends), then separate date columns, then the issuer
# before the name ("Name of certification body" is an issuer).
_COLUMNS = tuple(
    (re.compile(pattern, re.I), field)
    for pattern, field in (
        (r"(?=.*(?:available|issue|start|from|valid))(?=.*(?:expir|end|until|\bto\b))", "period"),
        (r"period|validity|有效期|起止|^dates?$|^valid$", "period"),
        (r"available|issued?\s+date|date\s+of\s+issue|start|valid\s+from|effective", "from"),
        (r"发证日期|颁发日期|生效|签发", "from"),
        (r"expir|end\s+date|valid\s+(?:until|to|till)|到期|失效|截止|终止", "until"),
        (r"certified\s+by|issu(?:ed|ing|er)|authority|certification\s+body", "issuer"),
        (r"发证机构|颁发机构|认证机构|发证单位|发证机关", "issuer"),
        (r"certificat\w*\s+name|name\s+of|^(?:certificate|certification|name)$|证书名称|认证名称|^名称$", "name"),
        (r"scope|范围", "scope"),
        (r"verif|已验证|验证|核实", "verified"),
        (r"(?:certificat\w*|cert\.?)\s*(?:no|number|#)|^no\.?$|^number$|编号|证书号", "number"),
    )
)
_UNVERIFIED = re.compile(r"unverified|not\s+verified|未验证|未核实|未通过", re.I)
_VERIFIED = re.compile(r"verified|已验证|已核实|已通过", re.I)
_VERIFIED_CLASS = re.compile(r"(?<!un)verified")
MAX_HEADER_ROWS = 3


def _column_map(headers: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        for pattern, field in _COLUMNS:
            if field not in columns and pattern.search(header):
                columns[field] = index
                break
    return columns


def _is_verified(cell: Any) -> bool:
    text = cell.get_text(" ")
    if _UNVERIFIED.search(text):
        return False
    if _VERIFIED.search(text):
        return True
    return cell.find(class_=_VERIFIED_CLASS) is not None


def _header(rows: list[Any]) -> tuple[Any, dict[str, int]] | None:
    """The header row (th or td cells) among the first rows and its column map: it must name the name column."""
    for row in rows[:MAX_HEADER_ROWS]:
        columns = _column_map([clean_text(c.get_text(" ")) for c in row.find_all(["th", "td"])])
        if "name" in columns and (row.find("th") is not None or len(columns) >= 2):
            return row, columns
    return None


def _read_cert_table(table: Any, builder: DocumentBuilder, place: str) -> None:
    rows = table.find_all("tr", limit=500)
    header = _header(rows)
    if header is None:
        return
    header_row, columns = header
    for row in rows:
        if row is header_row:
            continue
        cells = row.find_all(["td", "th"], recursive=False)
        if len(cells) <= columns["name"]:
            continue

        def cell(field: str, cells: list[Any] = cells) -> Any:
            index = columns.get(field)
            return cells[index] if index is not None and index < len(cells) else None

        def text(field: str) -> str | None:
            found = cell(field)
            return clean_text(found.get_text(" ")) if found is not None else None

        valid_from, valid_until = parse_validity_period(text("period"))
        valid_from = parse_date(text("from")) or valid_from
        valid_until = parse_date(text("until")) or valid_until
        verified_cell = cell("verified")
        builder.certification(
            make_certification(
                text("name"),
                number=text("number"),
                issuer=text("issuer"),
                scope=text("scope"),
                valid_from=valid_from,
                valid_until=valid_until,
                verified=_is_verified(verified_cell) if verified_cell is not None else None,
            ),
            place,
        )


def _read_facts(soup: Any, builder: DocumentBuilder) -> None:
    rows = [row for table in soup.find_all("table", class_="content-table") for row in table.find_all("tr")]
    for row in rows:
        title, value = _label_and_value(row)
        if value is None:
            continue
        role = (row.get("data-role") or "").lower()
        field = _ROLES.get(role)
        label = clean_text(title.get_text(" ")) if title is not None else ""
        if field is None and label and "summary" not in role:
            field = next((f for pattern, f in _LABELS if pattern.search(label)), None)
        if field is None:
            continue
        if field == "main_markets":
            items = [
                clean_text(i.find("span").get_text(" ")) for i in value.find_all(class_="market-item") if i.find("span")
            ]
            builder.set(field, items or _list_cell(value))
        elif field == "main_products":
            builder.set(field, _list_cell(value))
        else:
            builder.set(field, clean_text(value.get_text(" ")))


def _list_cell(cell: Any) -> str:
    """A list cell's text with its items comma-separated: "<a>A</a><a>B</a>" is two items, not "A B"."""
    leaves = [
        text
        for node in cell.find_all(["a", "span", "li"], limit=200)
        if node.find(["a", "span", "li"]) is None and (text := clean_text(node.get_text(" ")))
    ]
    return ", ".join(leaves) if len(leaves) >= 2 else clean_text(cell.get_text(" "))


def _label_and_value(row: Any) -> tuple[Any, Any]:
    """(label cell, value cell) of a fact row: th or td.col-title, then td.col-value or the next td."""
    title = row.find("th") or row.find("td", class_="col-title")
    value = row.find("td", class_="col-value")
    if value is None and title is not None:
        value = title.find_next_sibling("td")
    if title is None and value is None:
        cells = row.find_all("td", recursive=False)
        if len(cells) >= 2:
            title, value = cells[0], cells[1]
    return title, value


# Header badge markup. The page also carries the words "Gold Supplier" and "Trade Assurance" in i18n JSON and in
# the site-wide header menu, so only the supplier's own header elements count.
_GOLD_CLASS = re.compile(r"(?:^|-)gs-year(?:$|-)|^join-year$")
_TA_CLASS = re.compile(r"^ta-(?:value|title|ammount|amount)$")
_SITE_HEADER_CLASS = re.compile(r"^sc-hd")
_INVISIBLE_PARENTS = frozenset({"script", "style", "noscript", "template"})
_ASSESSED = re.compile(r"assessed by\s+\S", re.I)


def _visible_strings(soup: Any, pattern: re.Pattern[str], limit: int = 20) -> list[Any]:
    """Text nodes matching ``pattern`` that a visitor sees: not in scripts, not in the site-wide header."""
    found = []
    for node in soup.find_all(string=pattern, limit=limit * 5):
        parent = node.parent
        if parent is None or parent.name in _INVISIBLE_PARENTS:
            continue
        if parent.find_parent(class_=_SITE_HEADER_CLASS) is not None:
            continue
        found.append(node)
        if len(found) >= limit:
            break
    return found


def _read_header(html: str, soup: Any, builder: DocumentBuilder) -> None:
    join_year = soup.find(class_="join-year")
    years = (join_year.find(class_="value") or join_year) if join_year is not None else None
    gold_text = "Gold Supplier" in html and _visible_strings(soup, re.compile(r"^\s*Gold Supplier\s*$"), 1)
    if years is not None or soup.find(class_=_GOLD_CLASS) is not None or gold_text:
        count = parse_int(years.get_text(" ")) if years is not None else None
        builder.badge("Gold Supplier", None, f"{count} years" if count is not None else None)
    amount = soup.find(class_="ta-value")
    if amount is not None or soup.find(class_=_TA_CLASS) is not None:
        limit = clean_text(amount.get_text(" ")) if amount is not None else None
        builder.badge("Trade Assurance", None, f"limit {limit}" if limit else None)
    for link in soup.find_all("a", href=re.compile(r"certification_type=")):
        kind = re.search(r"certification_type=(intl_\w+)", link.get("href", ""))
        name = {"intl_onsite": "Onsite Check", "intl_av": "A&V Check", "intl_assessment": "Verified Supplier"}
        if kind and kind.group(1) in name and link.find_parent(class_=re.compile(r"assement|assessment|verify")):
            builder.badge(name[kind.group(1)])
    if not re.search(r"assessed by", html, re.I):
        return
    for node in _visible_strings(soup, _ASSESSED):
        match = re.search(r"assessed by\s+([A-Z][\w&.\- ]{1,40}?)(?:[.,;)]|$)", clean_text(node), re.I)
        if match:
            builder.badge("Verified Supplier", match.group(1), f"assessed by {match.group(1)}")


_SCRIPT_WRAPPER = re.compile(r"^\s*(?:<!--|<!\[CDATA\[|//\s*<!\[CDATA\[)|(?:-->|\]\]>|//\s*\]\]>)\s*$")


def _shop_sign_json(text: str) -> Any:
    """The JSON of the shopSign script, also inside <!-- --> or CDATA wrappers or followed by a stray ``;``."""
    text = _SCRIPT_WRAPPER.sub("", text.strip()).strip()
    start = text.find("{")
    if start == -1:
        return None
    try:
        return json.JSONDecoder().raw_decode(text, start)[0]
    except (ValueError, RecursionError):
        return None


#: Literals of which every match of :data:`_MARKER` contains one: ``in`` skips the slow alternation scan.
_MARKER_LITERALS = ("content-table", "bp-shopsign-data", "widget-supplier-")


def looks_legacy(html: str) -> bool:
    return any(literal in html for literal in _MARKER_LITERALS) and bool(_MARKER.search(html))


def parse_legacy(html: str, builder: DocumentBuilder, soup: LazySoup) -> bool:
    """Read the legacy profile's shopSign JSON, facts table, certificate tables and header badges."""
    if not looks_legacy(html):
        return False
    builder.found(PAGE_TYPE)
    shop_sign = _SHOP_SIGN.search(html)
    if shop_sign:
        payload = _shop_sign_json(shop_sign.group(1))
        data = as_dict(as_dict(payload).get("data")) or as_dict(payload)
        if data:
            read_shop_sign(data, builder, "bp-shopsign-data")
    page = soup.get()
    _read_facts(page, builder)
    for widget_class in ("widget-supplier-certification", "widget-supplier-production-certification"):
        for widget in page.find_all(class_=widget_class):
            for table in widget.find_all("table", limit=5):
                _read_cert_table(table, builder, widget_class)
    _read_header(html, page, builder)
    descriptions = page.find_all(class_="company-description-full") or page.find_all(class_="company-description")
    for description in descriptions:
        builder.text(description.get_text("\n"), "company_overview")
    return True
