"""Family 4: the legacy server-rendered company profile (``<sub>.en.alibaba.com/company_profile.html``).

Facts sit in ``table.content-table tr[data-role=...]`` rows, certificates in the certification widgets'
tables, and the header's shopSign JSON in ``<script id="bp-shopsign-data">``. Table columns are located by
header text (English or Chinese), never by position, because suppliers' pages differ in column sets.
"""

from __future__ import annotations

import json
import re
from typing import Any

from scrapers.normalize import clean_text, parse_int, parse_validity_period
from scrapers.platforms.alibaba._common import DocumentBuilder, LazySoup, as_dict, make_certification
from scrapers.platforms.alibaba.module_data import read_shop_sign

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
_LABELS = (
    (re.compile(r"business type|经营模式|业务类型|企业类型", re.I), "business_type"),
    (re.compile(r"^location|所在地|地址|所在地区", re.I), "location"),
    (re.compile(r"main products|主营产品|主要产品", re.I), "main_products"),
    (re.compile(r"total employees|number of employees|员工人数|员工总数", re.I), "employees"),
    (re.compile(r"annual (?:revenue|sales)|年营业额|年销售额", re.I), "annual_revenue"),
    (re.compile(r"year established|成立年份|成立时间|注册年份", re.I), "year_established"),
    (re.compile(r"main markets|top \d+ markets|主要市场", re.I), "main_markets"),
)
_COLUMNS = (
    (re.compile(r"certificat\w* name|^name$|证书名称|认证名称|名称", re.I), "name"),
    (re.compile(r"certified by|issued by|issuer|发证机构|颁发机构|认证机构|发证单位", re.I), "issuer"),
    (re.compile(r"scope|经营范围|认证范围|范围", re.I), "scope"),
    (re.compile(r"date|valid|有效期|日期", re.I), "period"),
    (re.compile(r"verified|已验证|验证|核实", re.I), "verified"),
    (re.compile(r"certificat\w* (?:no|number)|^no\.?$|证书编号|编号", re.I), "number"),
)


def _column_map(headers: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, header in enumerate(headers):
        for pattern, field in _COLUMNS:
            if field not in columns and pattern.search(header):
                columns[field] = index
                break
    return columns


def _is_verified(cell: Any) -> bool:
    if re.search(r"verified|已验证|已核实", cell.get_text(" "), re.I):
        return True
    return cell.find(class_=re.compile(r"verified")) is not None


def _read_cert_table(table: Any, builder: DocumentBuilder, place: str) -> None:
    rows = table.find_all("tr", limit=500)
    header_row = next((r for r in rows if r.find("th")), None)
    if header_row is None:
        return
    columns = _column_map([clean_text(c.get_text(" ")) for c in header_row.find_all(["th", "td"])])
    if "name" not in columns:
        return
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
        title = row.find("th")
        value = row.find("td", class_="col-value") or (row.find("td") if title is not None else None)
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
            markets = items or [re.sub(r"\s*[\d.]+%$", "", p) for p in clean_text(value.get_text(" ")).split(",")]
            builder.set(field, markets)
        elif field == "year_established":
            builder.set(field, parse_int(value.get_text(" ")))
        else:
            builder.set(field, clean_text(value.get_text(" ")))


def _read_header(html: str, soup: Any, builder: DocumentBuilder) -> None:
    join_year = soup.find(class_="join-year")
    years = (join_year.find(class_="value") or join_year) if join_year is not None else None
    if years is not None or "Gold Supplier" in html:
        count = parse_int(years.get_text(" ")) if years is not None else None
        builder.badge("Gold Supplier", None, f"{count} years" if count is not None else None)
    amount = soup.find(class_="ta-value")
    if amount is not None or re.search(r">\s*Trade Assurance\s*<", html):
        limit = clean_text(amount.get_text(" ")) if amount is not None else None
        builder.badge("Trade Assurance", None, f"limit {limit}" if limit else None)
    for link in soup.find_all("a", href=re.compile(r"certification_type=")):
        kind = re.search(r"certification_type=(intl_\w+)", link.get("href", ""))
        name = {"intl_onsite": "Onsite Check", "intl_av": "A&V Check", "intl_assessment": "Verified Supplier"}
        if kind and kind.group(1) in name and link.find_parent(class_=re.compile(r"assement|assessment|verify")):
            builder.badge(name[kind.group(1)])
    if not re.search(r"assessed by", html, re.I):
        return
    for node in soup.find_all(string=re.compile(r"assessed by\s+\S", re.I), limit=20):
        match = re.search(r"assessed by\s+([A-Z][\w&.\- ]{1,40}?)(?:[.,;)]|$)", clean_text(node), re.I)
        if match:
            builder.badge("Verified Supplier", match.group(1), f"assessed by {match.group(1)}")


def looks_legacy(html: str) -> bool:
    return bool(_MARKER.search(html))


def parse_legacy(html: str, builder: DocumentBuilder, soup: LazySoup) -> bool:
    """Read the legacy profile's shopSign JSON, facts table, certificate tables and header badges."""
    if not looks_legacy(html):
        return False
    builder.found(PAGE_TYPE)
    shop_sign = _SHOP_SIGN.search(html)
    if shop_sign:
        try:
            payload = json.loads(shop_sign.group(1))
        except (ValueError, RecursionError):
            payload = None
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
