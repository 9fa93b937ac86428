"""Family 2: product detail pages, from ``window.detailData = {...}`` or, when only the rendered DOM was
captured, from the ``div[data-module-name]`` sections.

The DOM's class names are hashed and change often, so the DOM reader anchors on ``data-module-name`` and
label text ("N yrs on Alibaba.com", "Located in CN") plus the few stable classes of module_company.
"""

from __future__ import annotations

import re
from typing import Any

from scrapers.normalize import clean_text, normalize_country, parse_int
from scrapers.platforms.alibaba._common import (
    DocumentBuilder,
    LazySoup,
    certificate_lists,
    certification_records,
    extract_js_object,
)
from scrapers.platforms.alibaba.module_data import main_markets, read_badges
from scrapers.platforms.values import as_dict, as_list, as_text, first_text

PAGE_TYPE = "product_detail"

_DOM_MARKER = re.compile(r"data-module-name=[\"']module_(?:unifed_company_card|unified_company_card|company)\b")
# "8 yrs on Alibaba.com", "8 YRS", "11 years", "入驻 5 年"
_YEARS = re.compile(r"^(?:入驻\s*)?(\d{1,3})\s*\+?\s*(?:yrs?|years?|年)(?![A-Za-z])", re.I)
# "Located in CN", "Location: China", "所在地: 中国"
_LOCATED = re.compile(r"^(?:located\s+in|location\s*[:：]|based\s+in|所在地区?\s*[:：]?|位于)\s*(.+)$", re.I)
_BUTTON_TEXT = re.compile(
    r"^(?:(?:view\s+)?company profile|more products|contact (?:supplier|now)|chat now|visit store|view more|"
    r"know your supplier|company overview|send inquiry|start order|follow|联系供应商|进入店铺|公司档案)$",
    re.I,
)
# Business types Alibaba lets a supplier pick (English and Chinese); a card text made only of these is one.
_BUSINESS_TYPES = frozenset(
    {
        "manufacturer",
        "custom manufacturer",
        "trading company",
        "buying office",
        "agent",
        "distributor",
        "wholesaler",
        "distributor/wholesaler",
        "retailer",
        "exporter",
        "factory",
        "multispecialty supplier",
        "government ministry/bureau/commission",
        "association",
        "business service",
        "生产厂家",
        "制造商",
        "工厂",
        "贸易公司",
        "贸易商",
        "经销商",
        "批发商",
        "代理商",
        "零售商",
        "买家办事处",
    }
)
# A company name by its legal-form ending, for cards that print the name outside a link.
_COMPANY_NAME = re.compile(
    r"(?:\b(?:co\.?,?\s*ltd|company|corporation|corp|limited|ltd|inc|llc|gmbh|firm|factory|group|"
    r"industr(?:y|ies)|trading|manufactur\w*)\.?|有限公司|有限责任公司|厂|公司|商行)\s*\)?$",
    re.I,
)
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")
_BUSINESS_TYPE_SPLIT = re.compile(r"\s*[,，、&]\s*|\s+and\s+")
# globalData.seller key -> supplier field, one row per spelling seen across releases; the first key found wins.
_SELLER_KEYS = (
    ("companyName", "name"),
    ("companyBusinessType", "business_type"),
    ("businessType", "business_type"),
    ("companyRegisterCountry", "country"),
    ("companyRegisterFullCountry", "country"),
    ("country", "country"),
    ("companyLocation", "location"),
    ("companyAddress", "location"),
    ("companyJoinYears", "years_on_platform"),
    ("localCompanyJoinYears", "years_on_platform"),
    ("joinYears", "years_on_platform"),
    ("companyEstablishedYear", "year_established"),
    ("establishedYear", "year_established"),
    ("yearEstablished", "year_established"),
    ("employeesCount", "employees"),
    ("companyNumberOfEmployees", "employees"),
    ("annualRevenue", "annual_revenue"),
    ("supplierTotalAnnualSalesVolume", "annual_revenue"),
    ("mainProducts", "main_products"),
    ("supplierMainProducts", "main_products"),
)
_CERT_KEYS = ("certification", "certifications", "certificationList", "certList", "certificates")
_CARD_MODULES = ("module_unifed_company_card", "module_unified_company_card")
#: The only sections the DOM reader looks at: a soup restricted to them parses twice as fast.
DOM_MODULES = frozenset({*_CARD_MODULES, "module_company", "module_description", "module_title"})


def _read_detail_data(data: dict[str, Any], builder: DocumentBuilder) -> None:
    global_data = as_dict(data.get("globalData"))
    seller = as_dict(global_data.get("seller"))
    for key, field_name in _SELLER_KEYS:
        builder.set(field_name, seller.get(key))
    builder.set("main_markets", main_markets(seller.get("mainMarkets") or seller.get("companyMainMarket")))
    read_badges(seller, builder, as_text(seller.get("assessmentCompany")))
    if as_bool_text(seller.get("isVerifiedSupplier")) or as_bool_text(seller.get("verifiedSupplier")):
        builder.badge("Verified Supplier")
    records = [
        record
        for owner in (global_data, seller)
        for key in _CERT_KEYS
        for record in certification_records(owner.get(key))
    ]
    builder.certifications_from(records, "detailData.certification")
    for record in records:
        builder.text(first_text(record, "introduction"), "certification_introduction")
    for index, found in enumerate(certificate_lists(data.get("nodeMap"))):
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


def _is_business_type(text: str) -> bool:
    """True for "Manufacturer, Trading Company" / "Custom manufacturer" / "贸易公司": only known business types."""
    parts = [p for p in _BUSINESS_TYPE_SPLIT.split(re.sub(r"\s*\([^)]*\)", "", text).casefold()) if p]
    return bool(parts) and all(p in _BUSINESS_TYPES for p in parts)


def _set_place(text: str, builder: DocumentBuilder) -> None:
    """ "CN" / "China" is the country; "Guangdong, China" is the location, its last part the country if known."""
    parts = [p.strip() for p in re.split(r"[,，]", text) if p.strip()]
    if len(parts) > 1:
        builder.set("location", text)
        country = normalize_country(parts[-1])
        if country and len(country) == 2:
            builder.set("country", country)
    else:
        builder.set("country", text)


def _read_company_card(card: Any, builder: DocumentBuilder) -> None:
    """The "Know your supplier" card: leaf texts recognised by wording (years, location, business type) in any
    order; the supplier's name is the first link text that is not a button."""
    texts: list[str] = []
    for node in card.find_all(["a", "span", "div", "h3", "h4", "p"], limit=400):
        if node.find(["a", "span", "div", "p"]) is None:
            text = clean_text(node.get_text(" "))
            if text:
                texts.append(text)
    name_index = None
    years_index = None
    for index, text in enumerate(texts):
        years = _YEARS.match(text)
        located = _LOCATED.match(text)
        if years:
            builder.set("years_on_platform", int(years.group(1)))
            years_index = index
        elif located:
            _set_place(located.group(1), builder)
        elif _COUNTRY_CODE.fullmatch(text):
            builder.set("country", text)  # the code printed beside the flag
        elif _is_business_type(text):
            builder.set("business_type", text)
        elif name_index is None and not _BUTTON_TEXT.match(text) and len(text) > 3:
            link = card.find("a", string=lambda s, t=text: clean_text(s) == t)
            if link is not None:
                builder.set("name", text)
                name_index = index
    if name_index is None:
        # No linked name: the first text ending in a legal form ("... Co., Ltd.", "...有限公司").
        name_index = next(
            (i for i, t in enumerate(texts) if _COMPANY_NAME.search(t) and not _is_business_type(t) and len(t) > 3),
            None,
        )
        if name_index is not None:
            builder.set("name", texts[name_index])
    if name_index is not None and years_index == name_index + 2:
        # An unknown business type still sits between the name and the years, as the card lays them out.
        between = texts[name_index + 1]
        if not _LOCATED.match(between) and not re.search(r"\d|%", between):
            builder.set("business_type", between)
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


def _is_detail_data(value: Any) -> bool:
    return isinstance(value, dict) and ("globalData" in value or "nodeMap" in value)


def has_dom_sections(html: str) -> bool:
    return bool(_DOM_MARKER.search(html))


def parse_detail_data(html: str, builder: DocumentBuilder, soup: LazySoup) -> bool:
    """Read ``window.detailData``, else the product page's company sections; True when found."""
    data = as_dict(extract_js_object(html, "detailData", _is_detail_data)) if "detailData" in html else {}
    if isinstance(data.get("globalData"), dict) or isinstance(data.get("nodeMap"), dict):
        builder.found(PAGE_TYPE)
        _read_detail_data(data, builder)
        return True
    if has_dom_sections(html):
        builder.found(PAGE_TYPE)
        _read_dom(soup.get(), builder)
        return True
    return False
