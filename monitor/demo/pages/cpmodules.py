"""Family ``cpmodules``: the 2018 client-rendered company profile.

Each section is ``<div module-id module-name="icbu-pc-*" module-title module-data='<URL-encoded JSON>'>``;
the decoded JSON is ``{"gdc": {...}, "mds": {..., "moduleData": {"data": {...}}}}`` and the supplier data
sits under ``mds.moduleData.data`` with the real key names (including the real typo ``certificatNo`` and
``authType: "assesment"``).
"""

from __future__ import annotations

from typing import Any

from monitor.demo.pages.common import esc, module_data, page, shop_sign_fields
from monitor.demo.scenario import Certificate, Supplier

_ASSESSORS: dict[str, tuple[str, str]] = {
    "SGS": ("sgs", "SGS Group"),
    "TÜV Rheinland": ("tuv", "TÜV Rheinland"),
    "Bureau Veritas": ("bv", "Bureau Veritas"),
    "Intertek": ("intertek", "Intertek"),
}


def cert_entry(c: Certificate, index: int) -> dict[str, Any]:
    """One ``companyCertificateList``/``productCertificateList`` entry (note the real ``certificatNo``)."""
    entry: dict[str, Any] = {
        "certificatePhotos": [c.photo] if c.photo else [],
        "assessment": c.assessment,
        "certificateIssuedBy": c.issuer or "Other",
        "certificateValidityPeriod": c.validity_period,
        "hasPassed": c.verified,
        "certificateName": c.name,
        "description": c.scope,
        "uuid": 350000000 + index,
    }
    if c.number:
        entry["certificatNo"] = c.number
    return entry


def _summary(title: str, certs: list[Certificate]) -> dict[str, Any]:
    passed = [c.name for c in certs if c.verified]
    return {
        "title": title,
        "value": {
            "passedNames": passed,
            "hasPassed": bool(passed),
            "notPassedNames": [c.name for c in certs if not c.verified],
            "totalCount": len(passed),
        },
    }


def _assessor(s: Supplier) -> dict[str, Any]:
    if not s.assessed_by:
        return {}
    name, title = _ASSESSORS.get(s.assessed_by, (s.assessed_by.lower(), s.assessed_by))
    return {
        "authType": "assesment",
        "value": {"name": name, "title": title, "logoTips": title, "logoUrl": f"/static/img/assessor-{name}.png"},
    }


def module_datas(s: Supplier, base_url: str) -> dict[str, dict[str, Any]]:
    """``mds.moduleData.data`` per module name (what the decoded attributes must contain)."""
    company = [cert_entry(c, i) for i, c in enumerate(s.certificates) if c.kind == "company"]
    product = [cert_entry(c, i) for i, c in enumerate(s.certificates) if c.kind == "product"]
    markets = [{"name": n, "percentFormat": p, "products": ", ".join(s.main_products)} for n, p in s.main_markets]
    assessor = _assessor(s)
    auth = "onsite" if s.onsite_check else "assesment"
    shop_sign: dict[str, Any] = {
        **shop_sign_fields(s, markets),
        "siteType": "esite-gold" if s.gold_supplier else "esite-free",
        "baoAccountIsDisplayAssurance": bool(s.trade_assurance),
        "baoAccountAmount": s.trade_assurance or "",
        "companyCertificateList": company,
        "productCertificateList": product,
    }
    basic: dict[str, Any] = {
        "companyCertificatesSummaryIntroduce": _summary("Certifications", s.company_certificates),
        "productCertificatesSummaryIntroduce": _summary("Product Certifications", s.product_certificates),
        "supplierTotalAnnualSalesVolume": {
            "authType": "assesment",
            "title": "Total Annual Revenue",
            "value": s.annual_revenue,
        },
        "companyMainMarket": {"authType": "assesment", "title": "Main Markets", "value": {"descMarkets": markets}},
        "companyDescription": {"title": "Company Description", "value": s.description},
        "companyNumberOfEmployees": {"authType": "assesment", "title": "Total Employees", "value": s.employees},
        "companyEstablishedYear": {"authType": auth, "title": "Year Established", "value": s.established_year},
        "companyLocation": {"authType": auth, "title": "Location", "value": s.location},
        "companyBusinessType": {"authType": auth, "title": "Business Type", "value": s.business_type},
        "supplierMainProducts": {"authType": "assesment", "title": "Main Products", "value": s.main_products},
        "assessmentCertCompany": assessor,
        "esiteUrls": {"value": {"tradeCapacityUrl": "/company_profile/trade_capacity.html"}},
    }
    capability: dict[str, Any] = {
        "companyCertificateList": {"value": company},
        "productCertificateList": {"value": product},
        "assessmentCertCompany": assessor,
        "supplierTotalAnnualSalesVolume": basic["supplierTotalAnnualSalesVolume"],
        "companyMainMarket": basic["companyMainMarket"],
        "supplierExportPercentage": {"authType": "assesment", "title": "Export Percentage", "value": "70.00%"},
        "supplierLanguageSpoken": {"authType": "assesment", "title": "Language Spoken", "value": "English, Chinese"},
    }
    return {
        "icbu-pc-shopSign": shop_sign,
        "icbu-pc-globalData": {"companyId": s.company_id},
        "icbu-pc-cpNav": {
            "companyHasPassAssessment": {"title": "Supplier Assessment", "value": s.verified},
            "assessmentCertCompany": assessor,
        },
        "icbu-pc-cpCompanyBasicInfo": basic,
        "icbu-pc-cpCompanyCapability": capability,
    }


def _envelope(s: Supplier, module_name: str, component_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """The ``{"gdc":..., "mds":...}`` wrapper every real module-data attribute has."""
    title = module_name.removeprefix("icbu-pc-")
    return {
        "gdc": {
            "path": "companyProfile.htm",
            "pageType": 89,
            "bizId": s.company_id,
            "title": "Company Profile",
            "lang": "en",
            "pageName": "default",
        },
        "mds": {
            "assetsPackageName": "icbumod",
            "assetsVersion": "0.0.2",
            "componentId": component_id,
            "componentType": 1,
            "config": {"PREVIEWABLE": "true", "IS_RENDER": "false"},
            "isEmpty": False,
            "moduleData": {"data": data, "definition": {"title": title}, "config": {}, "i18n": {}},
            "moduleName": module_name,
            "moduleTitle": title,
            "moduleType": 1,
        },
    }


def _inner(s: Supplier, module_name: str) -> str:
    """A little server-rendered markup inside some modules, like the real page has."""
    if module_name == "icbu-pc-cpCompanyBasicInfo":
        rows = "".join(
            f'<div class="info-item"><span class="info-title">{esc(k)}</span>'
            f'<span class="info-value">{esc(v)}</span></div>'
            for k, v in (
                ("Business Type", s.business_type),
                ("Location", s.location),
                ("Total Employees", s.employees),
                ("Year Established", s.established_year),
            )
        )
        return (
            '<div class="icbu-mod-wrapper module-cpCompanyBasicInfo"><div class="wrap-box">'
            '<h3 class="title">Basic Information</h3>'
            f'<div class="mod-content"><div class="dc-detail">{esc(s.description)}</div>{rows}</div>'
            "</div></div>"
        )
    if module_name == "icbu-pc-shopSign":
        return f'<div class="icbu-mod-wrapper module-shopSign"><span class="cp-name">{esc(s.name)}</span></div>'
    return f'<div class="icbu-mod-wrapper module-{esc(module_name.removeprefix("icbu-pc-"))}"></div>'


def render(s: Supplier, base_url: str) -> str:
    """The served profile: one ``div[module-name]`` per module, data in single-quoted ``module-data``."""
    blocks = []
    for i, (name, data) in enumerate(module_datas(s, base_url).items()):
        module_id = 5100000000 + s.company_id % 10000 * 100 + i
        title = name.removeprefix("icbu-pc-")
        blocks.append(
            f'<div module-id="{module_id}"\n'
            f'     id="{module_id}"\n'
            f'     module-name="{esc(name)}"\n'
            f'     module-title="{esc(title)}"\n'
            '     module-vers="0.0.2"\n'
            f"     module-data='{module_data(_envelope(s, name, 13900 + i, data))}'\n"
            '     class="J_module  "\n'
            '     render="false">\n'
            f"{_inner(s, name)}\n"
            "</div>"
        )
    body = '<div class="layout-body">\n' + "\n".join(blocks) + "\n</div>"
    return page(f"Company Overview - {s.name}", body, body_class="icbu-shop view companyProfile")
