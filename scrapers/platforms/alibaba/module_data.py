"""Family 3: client-rendered profiles whose modules carry URL-encoded JSON in ``module-data`` attributes.

``<div module-name="icbu-pc-cpCompanyBasicInfo" module-data="%7B...">``; the payload sits at
``mds.moduleData.data``. The DOM of these modules is usually empty (rendered by JS), so the attributes are
read straight from the raw HTML with regexes, without building a soup. The shopSign reader here is shared
with the legacy family, whose ``bp-shopsign-data`` script holds the same object.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from typing import Any
from urllib.parse import unquote

from scrapers.platforms.alibaba._common import (
    DocumentBuilder,
    as_bool,
    as_dict,
    as_list,
    as_text,
    certification_records,
    dig,
    first_text,
)

PAGE_TYPE = "company_profile_modules"

_TAG_AT = re.compile(r"<[A-Za-z][\w-]*(?:\s+(?:[^<>\"'\s=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?))*\s*/?>")
_ATTR = re.compile(r"""\s([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""")
_MODULE_PREFIX = re.compile(r"^icbu-pc-", re.I)


def _decode(raw: str) -> Any:
    text = html_lib.unescape(raw).strip()
    for candidate in (text, unquote(text)) if "%" in text else (text,):
        if candidate.startswith(("{", "[")):
            try:
                return json.loads(candidate)
            except (ValueError, RecursionError):
                continue
    return None


def module_payloads(html: str) -> dict[str, dict[str, Any]]:
    """``{"cpCompanyBasicInfo": data, ...}`` from every tag carrying ``module-name``/``module-data``."""
    modules: dict[str, dict[str, Any]] = {}
    position = html.find("module-data")
    while position != -1 and len(modules) < 200:
        start = html.rfind("<", 0, position)
        tag = _TAG_AT.match(html, start) if start != -1 else None
        if tag and tag.end() > position:
            attrs = {
                m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
                for m in _ATTR.finditer(tag.group(0))
            }
            payload = _decode(attrs.get("module-data", ""))
            name = attrs.get("module-name") or as_text(dig(payload, "mds", "moduleName")) or ""
            data = _module_data(payload)
            if name and data:
                key = _MODULE_PREFIX.sub("", name)
                modules.setdefault(key, data)
            position = html.find("module-data", tag.end())
        else:
            position = html.find("module-data", position + 11)
    return modules


def _module_data(payload: Any) -> dict[str, Any]:
    for path in (("mds", "moduleData", "data"), ("moduleData", "data"), ("data",)):
        value = dig(payload, *path)
        if isinstance(value, dict):
            return value
    return {}


def _markets(value: Any) -> list[Any]:
    value = as_dict(value)
    inner = as_dict(value.get("value")) or value
    for key in ("descMarkets", "desc", "descAll", "markets"):
        if isinstance(inner.get(key), list):
            return as_list(inner[key])
    top = as_text(inner.get("topMarkets"))
    return [re.sub(r"\s*[\d.]+%$", "", part.strip()) for part in top.split(",")] if top else []


def _assessor(data: dict[str, Any]) -> str | None:
    company = as_dict(data.get("assessmentCertCompany"))
    company = as_dict(company.get("value")) or company
    return first_text(company, "title", "logoTips", "name")


def read_shop_sign(data: dict[str, Any], builder: DocumentBuilder, place: str) -> None:
    """The shopSign object (2018 header data): identity, membership badges and both certificate lists."""
    builder.set("name", data.get("companyName"))
    builder.set("business_type", data.get("companyBusinessType"))
    builder.set("country", data.get("companyRegisterCountry") or data.get("companyRegisterFullCountry"))
    builder.set("location", data.get("companyLocation"))
    builder.set("years_on_platform", data.get("companyJoinYears"))
    builder.set("main_markets", _markets(data.get("companyMainMarket")))
    builder.set("main_products", data.get("supplierMainProducts") or data.get("mainProducts"))
    read_badges(data, builder)
    builder.certifications_from(certification_records(data.get("companyCertificateList")), place)
    builder.certifications_from(certification_records(data.get("productCertificateList")), place)


def read_badges(data: dict[str, Any], builder: DocumentBuilder, assessor: str | None = None) -> None:
    """Membership and verification flags shared by shopSign, cpNav and detailData.seller."""
    assessor = assessor or _assessor(data)
    assessed = as_bool(data.get("companyHasPassAssessment"))
    if assessed or (assessed is None and assessor):
        builder.badge("Verified Supplier", assessor, f"assessed by {assessor}" if assessor else None)
    if as_bool(data.get("companyHasPassOnsite")):
        builder.badge("Onsite Check")
    if as_bool(data.get("companyHasPassAV")):
        builder.badge("A&V Check")
    years = as_text(data.get("companyJoinYears"))
    if as_bool(data.get("accountIsGoldPlusSupplier")):
        builder.badge("Gold Plus Supplier", None, f"{years} years" if years else None)
    elif any(as_bool(data.get(k)) for k in ("accountIsPaidMember", "isGoldSupplier", "accountIsGoldSupplier")):
        builder.badge("Gold Supplier", None, f"{years} years" if years else None)
    amount = as_text(data.get("baoAccountAmount"))
    if amount or as_bool(data.get("baoAccountIsDisplayAssurance")):
        if amount and re.fullmatch(r"[\d,.]+", amount):
            amount = f"US ${amount}"
        builder.badge("Trade Assurance", None, f"limit {amount}" if amount else None)


def parse_module_data(html: str, builder: DocumentBuilder) -> bool:
    """Read every ``icbu-pc-*`` module; True when the page is of this family."""
    if "module-data" not in html:
        return False
    modules = module_payloads(html)
    if not modules:
        return False
    builder.found(PAGE_TYPE)
    assessor = next((a for a in (_assessor(m) for m in modules.values()) if a), None)
    shop_sign = modules.get("shopSign")
    if shop_sign:
        read_shop_sign(shop_sign, builder, "shopSign")
    for name, data in modules.items():
        if name == "shopSign":
            continue
        builder.set("name", data.get("companyName"))
        builder.set("business_type", data.get("companyBusinessType"))
        builder.set("location", data.get("companyLocation"))
        builder.set("year_established", as_text(data.get("companyEstablishedYear")))
        builder.set("employees", data.get("companyNumberOfEmployees"))
        builder.set("annual_revenue", data.get("supplierTotalAnnualSalesVolume") or data.get("companyTotalRevenue"))
        builder.set("main_products", data.get("supplierMainProducts"))
        builder.set("main_markets", _markets(data.get("companyMainMarket")))
        read_badges(data, builder, assessor)
        builder.certifications_from(certification_records(data.get("companyCertificateList")), name)
        builder.certifications_from(certification_records(data.get("productCertificateList")), name)
        builder.text(data.get("companyDescription"), "company_overview")
        builder.text(data.get("companyIntroduction"), "company_overview")
    return True
