"""Family 1: the current company profile, rendered by JS from ``window.shopBizData = {...}``.

The DOM sections (certifications especially) can be empty in a captured page, so the object in the script
is the source: ``pageModuleMap[]`` entries looked up by ``moduleName``.
"""

from __future__ import annotations

import re
from typing import Any

from scrapers.platforms.alibaba._common import (
    DocumentBuilder,
    as_dict,
    as_list,
    as_text,
    certification_records,
    extract_js_object,
    first_text,
)
from scrapers.platforms.alibaba.module_data import read_badges

PAGE_TYPE = "company_profile"

# factoryCapability fieldName -> supplier field; labels are the fallback when a fieldName is new.
_FIELDS = {
    "employee_count": "employees",
    "total_employees": "employees",
    "employees": "employees",
    "established_year": "year_established",
    "year_established": "year_established",
    "company_established_year": "year_established",
    "annual_revenue": "annual_revenue",
    "total_annual_revenue": "annual_revenue",
    "business_type": "business_type",
    "location": "location",
}
_LABELS = (
    (re.compile(r"^(?:total\s+)?(?:employees|staff)|number of employees|员工", re.I), "employees"),
    (re.compile(r"established|成立", re.I), "year_established"),
    (re.compile(r"annual (?:revenue|sales)|年营业额|年销售额", re.I), "annual_revenue"),
)


def _modules(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    raw = data.get("pageModuleMap")
    modules: dict[str, dict[str, Any]] = {}
    if isinstance(raw, dict):  # tolerate a map keyed by module name
        raw = [{"moduleName": k, "moduleData": v} for k, v in raw.items()]
    for entry in as_list(raw):
        entry = as_dict(entry)
        name = as_text(entry.get("moduleName")) or as_text(entry.get("name"))
        body = entry.get("moduleData", entry.get("data"))
        if name and isinstance(body, dict):
            modules.setdefault(name, body)
    return modules


def _capability(module: dict[str, Any], builder: DocumentBuilder) -> None:
    for card in as_list(module.get("cards")):
        for item in as_list(as_dict(card).get("items")):
            item = as_dict(item)
            value = item.get("value")
            if value in (None, ""):
                continue
            target = _FIELDS.get((as_text(item.get("fieldName")) or "").lower())
            if target is None:
                label = as_text(item.get("label")) or ""
                target = next((f for pattern, f in _LABELS if pattern.search(label)), None)
            if target:
                builder.set(target, value)


def parse_shop_biz_data(html: str, builder: DocumentBuilder) -> bool:
    """Read ``window.shopBizData``; True when the page holds it."""
    if "shopBizData" not in html:
        return False
    data = as_dict(extract_js_object(html, "shopBizData"))
    modules = _modules(data)
    if not modules:
        return False
    builder.found(PAGE_TYPE)
    performance = modules.get("supplierPerformance", {})
    builder.set("name", performance.get("companyName"))
    builder.set("years_on_platform", as_dict(performance.get("years")).get("value") or performance.get("years"))
    _capability(modules.get("factoryCapability", {}), builder)
    builder.set("main_products", as_dict(modules.get("productCategories")).get("categories"))
    builder.set("main_markets", as_dict(modules.get("tradeCapacityMarkets")).get("markets"))
    certs = modules.get("certifications", {})
    records = list(certification_records(certs.get("items", certs.get("list"))))
    builder.certifications_from(records, "shopBizData.certifications")
    for record in records:
        builder.text(first_text(record, "introduction", "certDescription"), "certification_introduction")
    for name, module in modules.items():
        # Identity and flags are spread over modules that change between releases: take them where found.
        builder.set("name", module.get("companyName"))
        builder.set("country", module.get("companyRegisterCountry") or module.get("country"))
        builder.set("location", module.get("companyLocation") or module.get("location"))
        builder.set("business_type", module.get("companyBusinessType") or module.get("businessType"))
        builder.set("year_established", module.get("companyEstablishedYear") or module.get("establishedYear"))
        read_badges(module, builder)
        for key in ("companyDescription", "companyIntroduction", "introduction", "description"):
            if name != "certifications":
                builder.text(module.get(key), "company_overview")
    global_data = as_dict(data.get("globalData"))
    builder.set("country", as_dict(global_data.get("companyRegisterCountry")).get("value"))
    return True
