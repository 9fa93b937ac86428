"""Family 1: the current company profile, rendered by JS from ``window.shopBizData = {...}``.

The DOM sections (certifications especially) can be empty in a captured page, so the object in the script
is the source: ``pageModuleMap[]`` entries looked up by ``moduleName``.
"""

from __future__ import annotations

import re
from typing import Any

from scrapers.platforms.alibaba._common import (
    DocumentBuilder,
    certificate_lists,
    certification_records,
    extract_js_object,
)
from scrapers.platforms.alibaba.module_data import read_badges
from scrapers.platforms.values import as_dict, as_list, as_text, first_text

PAGE_TYPE = "company_profile"

# factoryCapability fieldName -> supplier field, keyed without case and separators ("employee_count",
# "employeeCount" -> "employeecount"); labels are the fallback when a fieldName is new.
_FIELDS = {
    "employeecount": "employees",
    "totalemployees": "employees",
    "employees": "employees",
    "employeescount": "employees",
    "staffcount": "employees",
    "totalstaff": "employees",
    "numberofemployees": "employees",
    "establishedyear": "year_established",
    "yearestablished": "year_established",
    "companyestablishedyear": "year_established",
    "establishyear": "year_established",
    "foundedyear": "year_established",
    "annualrevenue": "annual_revenue",
    "totalannualrevenue": "annual_revenue",
    "annualsales": "annual_revenue",
    "annualturnover": "annual_revenue",
    "businesstype": "business_type",
    "location": "location",
}
_LABELS = (
    (
        re.compile(
            r"^(?:total\s+|number\s+of\s+|no\.?\s+of\s+)?(?:employees?|staff)(?:\s+(?:count|number|size))?"
            r"\s*(?:\(.*\))?\s*[:：]?$|^(?:员工|职工|总员工)(?:总数|人数|数)?\s*[:：]?$",
            re.I,
        ),
        "employees",
    ),
    (re.compile(r"^(?:year\s+)?(?:established|founded)|^years?\s+established|成立", re.I), "year_established"),
    (re.compile(r"annual\s+(?:revenue|sales|turnover)|年营业额|年销售额|年营收", re.I), "annual_revenue"),
    (re.compile(r"^business\s+type|经营模式|企业类型|公司类型", re.I), "business_type"),
)
_NOT_A_KEY = re.compile(r"[\W_]+")
# Identity keys a module of any name may carry: (key, supplier field); the first module holding one wins.
_MODULE_KEYS = (
    ("companyName", "name"),
    ("companyRegisterCountry", "country"),
    ("country", "country"),
    ("companyRegisterFullCountry", "country"),
    ("companyLocation", "location"),
    ("location", "location"),
    ("companyBusinessType", "business_type"),
    ("businessType", "business_type"),
    ("companyEstablishedYear", "year_established"),
    ("establishedYear", "year_established"),
    ("yearEstablished", "year_established"),
    ("companyJoinYears", "years_on_platform"),
    ("joinYears", "years_on_platform"),
    ("employeesCount", "employees"),
    ("companyNumberOfEmployees", "employees"),
    ("annualRevenue", "annual_revenue"),
)
_CERT_MODULES = ("certifications", "certification", "certificates", "companyCertifications", "certificateList")
_CERT_LIST_KEYS = ("items", "list", "certList", "certificates", "certifications", "value", "data")


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
            target = _FIELDS.get(_NOT_A_KEY.sub("", (as_text(item.get("fieldName")) or "").lower()))
            if target is None:
                label = as_text(item.get("label")) or ""
                target = next((f for pattern, f in _LABELS if pattern.search(label)), None)
            if target:
                builder.set(target, value)


def parse_shop_biz_data(html: str, builder: DocumentBuilder) -> bool:
    """Read ``window.shopBizData``; True when the page holds it."""
    if "shopBizData" not in html:
        return False
    data = as_dict(extract_js_object(html, "shopBizData", lambda v: isinstance(v, dict) and "pageModuleMap" in v))
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
    for module_name in _CERT_MODULES:
        records = list(_cert_records(modules.get(module_name)))
        builder.certifications_from(records, f"shopBizData.{module_name}")
        for record in records:
            builder.text(first_text(record, "introduction", "certDescription"), "certification_introduction")
    global_data = as_dict(data.get("globalData"))
    for name, module in [*modules.items(), ("globalData", global_data)]:
        # Identity and flags are spread over modules that change between releases: take them where found.
        for key, field_name in _MODULE_KEYS:
            builder.set(field_name, module.get(key))
        read_badges(module, builder)
        for key in ("companyDescription", "companyIntroduction", "introduction", "description"):
            if name not in _CERT_MODULES:
                builder.text(module.get(key), "company_overview")
    return True


def _cert_records(module: Any) -> list[dict[str, Any]]:
    """The certificate dicts of a certifications module, under whichever list key this release uses, else
    wherever below the module they sit (grouped by category in tabs, say)."""
    module = as_dict(module)
    for key in _CERT_LIST_KEYS:
        if isinstance(module.get(key), list | dict):
            records = [r for r in certification_records(module[key]) if not _is_group(r)]
            if records:
                return records
    return [record for found in certificate_lists(module) for record in found]


def _is_group(record: dict[str, Any]) -> bool:
    """A tab/group entry ({"category": ..., "items": [...]}) rather than a certificate."""
    return any(isinstance(v, list) and any(isinstance(i, dict) for i in v[:50]) for v in record.values())
