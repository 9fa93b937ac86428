"""Family ``detaildata``: the current product detail page.

Like the real page it embeds ``<script>window.detailData = {...}</script>`` (globalData.product,
globalData.seller, globalData.certification[], nodeMap.module_unifed_company_card) and also carries the
rendered ``div[data-module-name=module_company]`` and ``div[data-module-name=module_unifed_company_card]``
sections with hashed-looking utility class names.
"""

from __future__ import annotations

from typing import Any

from monitor.demo.pages.common import esc, page, script_json
from monitor.demo.scenario import Supplier


def detail_data(s: Supplier, base_url: str) -> dict[str, Any]:
    """The ``window.detailData`` object with the real key names."""
    p = s.product
    assert p is not None, f"{s.id} has no product"
    profile_url = f"{base_url}/store/{s.id}/company_profile.html"
    return {
        "globalData": {
            "product": {
                "productId": p.product_id,
                "subject": p.subject,
                "moq": p.moq,
                "productKeyIndustryProperties": [{"attrName": k, "attrValue": v} for k, v in p.properties[:1]],
                "productBasicProperties": [{"attrName": k, "attrValue": v} for k, v in p.properties],
                "price": {
                    "unit": p.unit,
                    "productRangePrices": {
                        "dollarPriceRangeHigh": p.price_high,
                        "dollarPriceRangeLow": p.price_low,
                        "priceRangeText": f"${p.price_low}-{p.price_high}",
                    },
                },
                "description": p.description,
            },
            "seller": {
                "subDomain": s.subdomain,
                "companyProfileUrl": profile_url,
                "companyName": s.name,
                "companyId": s.company_id,
                "companyBusinessType": s.business_type,
                "companyRegisterCountry": s.country,
                "companyJoinYears": str(s.join_years),
                "localCompanyJoinYears": f"{s.join_years} yrs",
                "companyHasPassAssessment": s.verified,
                "accountIsGoldPlusSupplier": s.gold_supplier,
                "baoAccountAmount": s.trade_assurance or "",
                "employeesCount": s.employees,
                "supplierOnTimeDeliveryRate": s.on_time_delivery,
                "responseTimeText": s.response_time,
            },
            "certification": [
                {
                    "certName": c.name,
                    "certNo": c.number or "",
                    "certType": c.category,
                    "certValidPeriod": c.validity_period,
                    "issuingAuthority": c.issuer or "",
                    "introduction": c.scope,
                    "imageList": [c.photo] if c.photo else [],
                }
                for c in s.certificates
            ],
            "review": {
                "storeReview": {
                    "averageStar": s.rating,
                    "reviewRatingText": "Store rating:",
                    "totalReviewCount": s.review_count,
                }
            },
        },
        "nodeMap": {
            "module_unifed_company_card": {
                "privateData": {
                    "onlinePerformance": {
                        "fields": [
                            {"title": "On-time delivery rate ⓘ", "value": s.on_time_delivery, "desc": "Past 90 days."},
                            {"title": "Response time ⓘ", "value": s.response_time, "desc": "Past 30 days."},
                        ]
                    }
                }
            }
        },
    }


def _company_card(s: Supplier, base_url: str) -> str:
    profile = esc(f"{base_url}/store/{s.id}/company_profile.html")
    name = esc(s.name)
    badges = []
    if s.verified:
        badges.append('<span class="id-font-semibold id-text-[#00346e]" data-badge="verified">Verified</span>')
    if s.gold_supplier:
        badges.append('<span class="id-text-[#d64000]" data-badge="gold-plus">Gold Plus Supplier</span>')
    if s.trade_assurance:
        badges.append('<span class="id-text-[#222]" data-badge="trade-assurance">Trade Assurance</span>')
    tiles = "".join(
        '<button data-state="closed" class="id-cursor-default"><div class="id-block ltr:id-text-left">'
        f'<div class="id-text-sm id-truncate">{esc(label)}</div>'
        f'<div class="id-mt-2 id-text-xl id-font-semibold id-truncate" title="{esc(value)}">{esc(value)}</div>'
        "</div></button>"
        for label, value in (("On-time delivery rate", s.on_time_delivery), ("Response Time", s.response_time))
    )
    return (
        '<div data-module-name="module_unifed_company_card" class="module_unifed_company_card">'
        '<h3 class="id-mb-5 id-text-xl id-font-bold id-text-[#222]">Know your supplier</h3>'
        '<div class="id-relative id-overflow-hidden id-rounded-lg id-p-5"><div class="id-flex id-items-center">'
        f'<a href="{profile}" target="_blank" rel="noreferrer">'
        '<img class="id-size-16 id-rounded-sm" src="/static/img/logo.png" alt="company logo"></a>'
        '<div class="id-ml-3 id-h-16">'
        f'<a class="id-text-sm id-font-semibold id-underline" target="_blank" href="{profile}">{name}</a>'
        '<div class="id-mt-2 id-flex id-items-center id-text-xs">'
        f"<span>{esc(s.business_type)}</span>"
        '<div class="id-mx-1 id-size-0.5 id-rounded-full"></div>'
        f"<span>{s.join_years} yrs on Alibaba.com</span></div>"
        '<div class="id-mt-1 id-flex id-items-center id-gap-0.5 id-text-xs">'
        f"<span>Located in {esc(s.country)}</span></div></div></div>"
        f'<div class="id-mt-2 id-flex id-gap-2 id-text-sm">{"".join(badges)}</div>'
        '<div class="id-relative id-z-10 id-mt-4 id-rounded-lg id-bg-white id-p-5">'
        '<div class="id-flex id-items-center"><span class="id-text-base id-font-bold">Company overview</span></div>'
        f'<div class="id-grid-cols-2 id-mt-4 id-grid id-gap-x-8 id-gap-y-4">{tiles}</div></div>'
        '<div class="id-mt-4 id-flex id-items-center id-gap-3">'
        f'<a href="{profile}" target="_blank" rel="noreferrer" class="id-inline-flex id-w-full">Company profile</a>'
        f'<a href="{esc(base_url)}/store/{esc(s.id)}/productlist.html" class="id-inline-flex">More products</a>'
        "</div></div></div>"
    )


def _module_company(s: Supplier, base_url: str) -> str:
    return (
        '<div data-module-name="module_company" class="module_company"><div class="product-company">'
        '<img class="company-logo" src="/static/img/logo.png" alt="company-logo" loading="lazy">'
        '<div class="product-company-info"><span class="company-name">'
        f'<a href="{esc(base_url)}/store/{esc(s.id)}/index.html" target="_blank" title="{esc(s.name)}" '
        f'rel="noreferrer">{esc(s.name)}</a></span>'
        '<div class="id-size-0.5 id-rounded-full id-mx-2"></div>'
        f'<span class="company-life">{s.join_years} yrs</span>'
        '<div class="id-size-0.5 id-rounded-full id-mx-2"></div>'
        '<span class="id-flex-shrink-0 id-flex id-items-center">'
        f'<span class="register-country">{esc(s.country)} </span></span></div></div></div>'
    )


def render(s: Supplier, base_url: str) -> str:
    """The served product page: data script first (as on the real page), then the rendered main."""
    p = s.product
    assert p is not None
    main = (
        f"<script>window.detailData = {script_json(detail_data(s, base_url))}</script>\n"
        '<main class="id-mx-auto id-max-w-[1440px]">\n'
        '<div data-module-name="module_title" class="module_title">'
        f'<div class="product-title-container"><h1 title="{esc(p.subject)}">{esc(p.subject)}</h1></div></div>\n'
        f"{_module_company(s, base_url)}\n"
        '<div data-module-name="module_price" class="module_price">'
        f'<div class="price-range">${p.price_low} - ${p.price_high}</div>'
        f'<div class="min-order">Min. order: {p.moq} {esc(p.unit)}</div></div>\n'
        f"{_company_card(s, base_url)}\n"
        '<div data-module-name="module_description" class="module_description">'
        '<h2 class="att-title">Product descriptions from the supplier</h2>'
        f'<div class="description-text">{esc(p.description)}</div></div>\n'
        "</main>"
    )
    return page(f"{p.subject} - Buy on Demo Marketplace", main, body_class="detail-page")
