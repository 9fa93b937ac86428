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
from urllib.parse import unquote, unquote_plus

from scrapers.normalize import parse_int
from scrapers.platforms.alibaba._common import DocumentBuilder, certification_records
from scrapers.platforms.values import as_bool, as_dict, as_text, dig, first_text, market_names

PAGE_TYPE = "company_profile_modules"

_TAG_AT = re.compile(r"<[A-Za-z][\w-]*(?:\s+(?:[^<>\"'\s=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?))*\s*/?>")
_ATTR = re.compile(r"""\s([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""")
_MODULE_PREFIX = re.compile(r"^icbu-pc-", re.I)
_MODULE_DATA = re.compile(r"module-data", re.I)
MAX_URL_DECODINGS = 3


def _decode(raw: str) -> Any:
    """The JSON of a module-data attribute: raw, HTML-entity encoded, URL-encoded once or twice (``%257B``), or
    form-encoded (``+`` for spaces; a ``+`` survives encodeURIComponent only as ``%2B``)."""
    text = html_lib.unescape(raw).strip()
    unquote_once = unquote_plus if "+" in text and "%20" not in text else unquote
    for _ in range(MAX_URL_DECODINGS + 1):
        if text.startswith(("{", "[")):
            try:
                return json.loads(text)
            except (ValueError, RecursionError):
                pass
        if "%" not in text:
            return None
        decoded = unquote_once(text).strip()
        if decoded == text:
            return None
        text = decoded
    return None


def module_payloads(html: str) -> dict[str, dict[str, Any]]:
    """``{"cpCompanyBasicInfo": data, ...}`` from every tag carrying ``module-name``/``module-data``."""
    modules: dict[str, dict[str, Any]] = {}
    found = _MODULE_DATA.search(html)
    while found is not None and len(modules) < 200:
        position = found.start()
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
            found = _MODULE_DATA.search(html, tag.end())
        else:
            found = _MODULE_DATA.search(html, position + 11)
    return modules


def _module_data(payload: Any) -> dict[str, Any]:
    for path in (("mds", "moduleData", "data"), ("moduleData", "data"), ("data",)):
        value = dig(payload, *path)
        if isinstance(value, dict):
            return value
    return {}


# companyMainMarket list keys, largest share first; "asc" lists the smallest first.
_MARKET_LISTS = (("descMarkets", False), ("desc", False), ("descAll", False), ("markets", False), ("asc", True))


def main_markets(value: Any) -> list[str]:
    """Main market names, largest share first, from the list, the wrapped list or "A 40%, B 20%" text."""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if isinstance(value, str | list):
        return market_names(value)
    inner = as_dict(value)
    for key, ascending in _MARKET_LISTS:
        if isinstance(inner.get(key), list):
            names = market_names(inner[key])
            return names[::-1] if ascending else names
    return market_names(as_text(inner.get("topMarkets")))


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
    builder.set("main_markets", main_markets(data.get("companyMainMarket")))
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
    years = parse_int(as_text(data.get("companyJoinYears")))
    membership = f"{years} years" if years is not None and 0 < years < 100 else None
    if as_bool(data.get("accountIsGoldPlusSupplier")):
        builder.badge("Gold Plus Supplier", None, membership)
    elif any(as_bool(data.get(k)) for k in ("accountIsPaidMember", "isGoldSupplier", "accountIsGoldSupplier")):
        builder.badge("Gold Supplier", None, membership)
    amount = as_text(data.get("baoAccountAmount"))
    if amount and not re.search(r"[1-9]", amount):
        amount = None  # "0" / "0.00": no Trade Assurance limit, not a limit of zero
    if amount or as_bool(data.get("baoAccountIsDisplayAssurance")):
        if amount and re.fullmatch(r"[\d,.]+", amount):
            amount = f"US ${amount}"
        builder.badge("Trade Assurance", None, f"limit {amount}" if amount else None)


def parse_module_data(html: str, builder: DocumentBuilder) -> bool:
    """Read every ``icbu-pc-*`` module; True when the page is of this family."""
    if _MODULE_DATA.search(html) is None:
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
        builder.set("main_markets", main_markets(data.get("companyMainMarket")))
        read_badges(data, builder, assessor)
        builder.certifications_from(certification_records(data.get("companyCertificateList")), name)
        builder.certifications_from(certification_records(data.get("productCertificateList")), name)
        builder.text(data.get("companyDescription"), "company_overview")
        builder.text(data.get("companyIntroduction"), "company_overview")
    return True
