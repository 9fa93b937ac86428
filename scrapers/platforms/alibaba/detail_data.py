"""Family 2: product detail pages, from ``window.detailData = {...}`` or, when only the rendered DOM was
captured, from the ``div[data-module-name]`` sections.

The DOM's class names are hashed and change often, so the DOM reader anchors on ``data-module-name`` and
label text ("N yrs on Alibaba.com", "Located in CN") plus the few stable classes of module_company.
"""

from __future__ import annotations

import re
from typing import Any

from scrapers.normalize import clean_text, parse_int
from scrapers.platforms.alibaba._common import (
    DocumentBuilder,
    LazySoup,
    as_dict,
    as_list,
    as_text,
    certification_records,
    extract_js_object,
    first_text,
)
from scrapers.platforms.alibaba.module_data import read_badges

PAGE_TYPE = "product_detail"

_DOM_MARKER = re.compile(r"data-module-name=[\"']module_(?:unifed_company_card|unified_company_card|company)\b")
_YEARS = re.compile(r"^(\d{1,3})\s*(?:yrs?|years?)\b", re.I)
_LOCATED = re.compile(r"^Located in\s+(.+)$", re.I)
_BUTTON_TEXT = re.compile(
    r"^(?:company profile|more products|contact (?:supplier|now)|chat now|visit store|view more|"
    r"know your supplier|company overview)$",
    re.I,
)
_MAX_WALK = 20_000
_CARD_MODULES = ("module_unifed_company_card", "module_unified_company_card")
#: The only sections the DOM reader looks at: a soup restricted to them parses twice as fast.
DOM_MODULES = frozenset({*_CARD_MODULES, "module_company", "module_description", "module_title"})


def _cert_lists(value: Any, budget: list[int]) -> list[list[Any]]:
    """Lists of certificate-like dicts anywhere below ``value`` (nodeMap modules vary by release)."""
    found: list[list[Any]] = []
    stack = [value]
    while stack and budget[0] > 0:
        node = stack.pop()
        budget[0] -= 1
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            dicts = [item for item in node[:200] if isinstance(item, dict)]
            if dicts and any(("certName" in d or "certificateName" in d) for d in dicts):
                found.append(dicts)
            else:
                stack.extend(node[:200])
    return found


def _read_detail_data(data: dict[str, Any], builder: DocumentBuilder) -> None:
    global_data = as_dict(data.get("globalData"))
    seller = as_dict(global_data.get("seller"))
    builder.set("name", seller.get("companyName"))
    builder.set("business_type", seller.get("companyBusinessType"))
    builder.set("country", seller.get("companyRegisterCountry") or seller.get("companyRegisterFullCountry"))
    builder.set("location", seller.get("companyLocation") or seller.get("companyAddress"))
    builder.set("years_on_platform", seller.get("companyJoinYears") or seller.get("localCompanyJoinYears"))
    builder.set("year_established", seller.get("companyEstablishedYear") or seller.get("establishedYear"))
    builder.set("employees", seller.get("employeesCount") or seller.get("companyNumberOfEmployees"))
    builder.set("annual_revenue", seller.get("annualRevenue") or seller.get("supplierTotalAnnualSalesVolume"))
    builder.set("main_products", seller.get("mainProducts") or seller.get("supplierMainProducts"))
    builder.set("main_markets", seller.get("mainMarkets"))
    read_badges(seller, builder, as_text(seller.get("assessmentCompany")))
    if as_bool_text(seller.get("isVerifiedSupplier")) or as_bool_text(seller.get("verifiedSupplier")):
        builder.badge("Verified Supplier")
    records = list(certification_records(global_data.get("certification")))
    builder.certifications_from(records, "detailData.certification")
    for record in records:
        builder.text(first_text(record, "introduction"), "certification_introduction")
    budget = [_MAX_WALK]
    for index, found in enumerate(_cert_lists(data.get("nodeMap"), budget)):
        builder.certifications_from(found, f"detailData.nodeMap.{index}")
    product = as_dict(global_data.get("product"))
    builder.text(product.get("subject"), "product_title")
    builder.text(product.get("description"), "product_description")
    for attribute in as_list(product.get("productBasicProperties")) + as_list(
        product.get("productKeyIndustryProperties")
    ):
        attribute = as_dict(attribute)
        if re.search(r"certif", as_text(attribute.get("attrName")) or "", re.I):
            builder.text(
                f"{as_text(attribute.get('attrName'))}: {as_text(attribute.get('attrValue'))}", "product_attributes"
            )


def as_bool_text(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _read_company_card(card: Any, builder: DocumentBuilder) -> None:
    texts: list[str] = []
    for node in card.find_all(["a", "span", "div", "h3", "h4"], limit=400):
        if node.find(["a", "span", "div"]) is None:
            text = clean_text(node.get_text(" "))
            if text:
                texts.append(text)
    name_index = None
    for index, text in enumerate(texts):
        years = _YEARS.match(text)
        located = _LOCATED.match(text)
        if years:
            builder.set("years_on_platform", int(years.group(1)))
            if name_index is not None and index - name_index == 2:
                builder.set("business_type", texts[index - 1])
        elif located:
            builder.set("country", located.group(1))
        elif name_index is None and not _BUTTON_TEXT.match(text) and len(text) > 3:
            link = card.find("a", string=lambda s, t=text: clean_text(s) == t)
            if link is not None:
                builder.set("name", text)
                name_index = index
    if re.search(r"\bVerified\b(?!\s+purchase)", " ".join(texts)):
        builder.badge("Verified Supplier")


def _read_dom(soup: Any, builder: DocumentBuilder) -> None:
    for card in soup.find_all(attrs={"data-module-name": _CARD_MODULES}):
        _read_company_card(card, builder)
    for company in soup.find_all(attrs={"data-module-name": "module_company"}):
        name = company.find(class_="company-name")
        link = (name.find("a") or name) if name is not None else None
        if link is not None:
            builder.set("name", link.get("title") or link.get_text(" "))
        life = company.find(class_="company-life")
        if life is not None:
            builder.set("years_on_platform", parse_int(life.get_text(" ")))
        country = company.find(class_="register-country")
        if country is not None:
            builder.set("country", country.get_text(" "))
    for section in soup.find_all(attrs={"data-module-name": ("module_description", "module_title")}):
        location = "product_title" if section.get("data-module-name") == "module_title" else "product_description"
        builder.text(section.get_text("\n")[:200_000], location)


def has_dom_sections(html: str) -> bool:
    return bool(_DOM_MARKER.search(html))


def parse_detail_data(html: str, builder: DocumentBuilder, soup: LazySoup) -> bool:
    """Read ``window.detailData``, else the product page's company sections; True when found."""
    data = as_dict(extract_js_object(html, "detailData")) if "detailData" in html else {}
    if isinstance(data.get("globalData"), dict) or isinstance(data.get("nodeMap"), dict):
        builder.found(PAGE_TYPE)
        _read_detail_data(data, builder)
        return True
    if has_dom_sections(html):
        builder.found(PAGE_TYPE)
        _read_dom(soup.get(), builder)
        return True
    return False
