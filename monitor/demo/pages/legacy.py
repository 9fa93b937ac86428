"""Family ``legacy``: the 2018 server-rendered company profile.

Structures mirrored from the real page: header badges (``a.icbu-icon-gs-year`` with the Gold Supplier years,
Onsite Check and assessment icon links, ``div.company-sign.gold-supplier-sign``), the
``<script id="bp-shopsign-data" type="application/json">`` shopSign JSON (``/`` written as ``\\/``),
``table.content-table tr[data-role=...]`` with ``th.col-title``/``td.col-value``/``td.col-verify``, and the
``div.widget-supplier-certification`` / ``div.widget-supplier-production-certification`` tables.
"""

from __future__ import annotations

from typing import Any

from monitor.demo.pages.common import esc, page, script_json, shop_sign_fields
from monitor.demo.pages.cpmodules import cert_entry
from monitor.demo.scenario import Certificate, Supplier

_VERIFIED_ONSITE = (
    '<span class="company-verified-icon icon-onsite" title="Indicates information has been verified onsite by a '
    'certification specialist">\n<i class="ui2-icon ui2-icon-checkmark verified-icon"></i>Verified</span>'
)
_VERIFIED_ASSESSMENT = (
    '<span class="company-verified-icon icon-assessment">\n'
    '<i class="ui2-icon ui2-icon-checkmark verified-icon"></i>\nVerified\n</span>'
)


def shop_sign(s: Supplier) -> dict[str, Any]:
    """The JSON in ``script#bp-shopsign-data`` (``{"data": shopSign, ...}`` like the real page)."""
    company = [cert_entry(c, i) for i, c in enumerate(s.certificates) if c.kind == "company"]
    product = [cert_entry(c, i) for i, c in enumerate(s.certificates) if c.kind == "product"]
    for entry in (*company, *product):
        entry["isAssessment"] = entry.pop("assessment")
    markets = [{"name": n, "percentFormat": p, "products": None} for n, p in s.main_markets]
    data = {
        **shop_sign_fields(s, markets),
        "baoAccountAmount": s.trade_assurance,
        "companyCertificateList": company,
        "productCertificateList": product,
    }
    return {"data": data, "hideBottom": False, "definition": {"title": "Shop Sign", "gridWidth": 1200}}


def _badges(s: Supplier) -> str:
    icons = []
    if s.gold_supplier:
        icons.append(
            '<a class="icbu-icon-gs-year icbu-icon-gs-year-bg icbu-icon-gs-year-xs no-icon icon-link" '
            'href="/help/gold_supplier.html" title="What is Gold Supplier?" rel="nofollow">'
            f'<span class="join-year"><span class="value">{s.join_years}</span><span class="unit">YRS</span></span></a>'
        )
    if s.trade_assurance:
        icons.append('<a class="icon-link" href="/tradeassurance" data-spm="dtaicon">Trade Assurance</a>')
    if s.onsite_check:
        icons.append(
            '<a class="icon-link" href="/company_profile/trustpass_profile.html?certification_type=intl_onsite" '
            'data-spm="dassicon" title="Onsite Check"><span class="badge-text">Onsite Check</span></a>'
        )
    if s.assessed_by:
        icons.append(
            '<a class="icon-link" href="/company_profile/trustpass_profile.html?certification_type=intl_assessment" '
            f'data-spm="dassessicon" title="Assessed by {esc(s.assessed_by)}">'
            f'<span class="badge-text">assessed by {esc(s.assessed_by)}</span></a>'
        )
    sign = ""
    if s.gold_supplier:
        sign = (
            '<div class="company-sign gold-supplier-sign"><a class="item-link" href="/help/gold_supplier.html" '
            'rel="nofollow"><span class="item-text">Gold Supplier</span></a>'
            '<div class="item-desc">Gold Supplier is a premium membership for suppliers.</div></div>'
        )
    return (
        '<div class="bc-shop-shopsign show-margin"><div class="top-bar"><div class="top-bar-wrapper">'
        '<div class="top-bar-con"><div class="next-row next-row-no-padding next-row-align-center">'
        f'<div class="next-row next-row-justify-center next-row-align-center verify-icons">{"".join(icons)}</div>\n'
        '<div class="top-bar-card"><div class="top-bar-name">'
        f'<span class="cp-name">{esc(s.name)}</span></div>'
        '<div class="company-info"><div class="info-item loc-type">'
        f'<span class="location">China (Mainland)</span><span class="biz-type"><span class="separator">|</span>'
        f'<span class="business-type">{esc(s.business_type)}</span></span></div></div></div>\n'
        f"{sign}</div></div></div></div></div>"
    )


def _row(role: str, title: str, value_html: str, verify: str = "", *, plain: bool = False) -> str:
    """One content-table row; the certificate summary rows use class-less cells like the real page."""
    value_td, verify_td = ("<td>", "<td>") if plain else ('<td class="col-value">', '<td class="col-verify">')
    return (
        f'<tr data-role="{esc(role)}">\n'
        f'<th class="col-title">{esc(title)}:\n</th>\n'
        f"{value_td}{value_html}\n</td>\n"
        f"{verify_td}{verify}</td>\n"
        "</tr>"
    )


def _content_table(s: Supplier, base_url: str) -> str:
    onsite = _VERIFIED_ONSITE if s.onsite_check else ""
    markets = "".join(
        f'\n<a class="market-item" href="javascript:;"><span class="">{esc(n)}</span><span>{esc(p)}</span></a>'
        for n, p in s.main_markets[:3]
    )
    certs_verified = any(c.verified for c in s.company_certificates)
    prod_verified = any(c.verified for c in s.product_certificates)
    rows = [
        _row("companyBusinessType", "Business Type", esc(s.business_type), onsite),
        _row("companyLocation", "Location", esc(s.location), onsite),
        _row(
            "supplierMainProducts",
            "Main Products",
            f'<a href="/featureproductlist.html">{esc(",".join(s.main_products))}</a>',
        ),
        _row("companyNumberOfEmployees", "Total Employees", esc(s.employees)),
        _row("supplierTotalAnnualSalesVolume", "Total Annual Revenue", esc(s.annual_revenue)),
        _row("companyEstablishedYear", "Year Established", esc(s.established_year), onsite),
        _row("companyMainMarket", "Top 3 Markets", markets),
    ]
    if s.company_certificates:
        names = ",".join(c.name for c in s.company_certificates)
        rows.append(
            _row(
                "companyCertificatesSummaryIntroduce",
                f"Certifications ({len(s.company_certificates)})",
                f'<a href="/company_profile/r_d_capacity.html#companycerti"><span>{esc(names)}</span></a>',
                _VERIFIED_ASSESSMENT if certs_verified else "",
                plain=True,
            )
        )
    if s.product_certificates:
        names = ",".join(c.name for c in s.product_certificates)
        rows.append(
            _row(
                "productCertificatesSummaryIntroduce",
                f"Product Certifications ({len(s.product_certificates)})",
                f'<a href="/company_profile/r_d_capacity.html#productioncerti"><span>{esc(names)}</span></a>',
                _VERIFIED_ASSESSMENT if prod_verified else "",
                plain=True,
            )
        )
    rows.append(
        '<tr>\n<td colspan="2">\n'
        f'<div class="company-description company-description-full">\n{esc(s.description)}\n</div>\n'
        '</td>\n<td class="icon-col"></td>\n</tr>'
    )
    return (
        '<div class="widget-supplier-basic-information" data-role="widget-supplier-basic-information">\n'
        '<div class="information-wrap"><div class="information-content util-clearfix">\n'
        '<table class="content-table">\n' + "\n".join(rows) + "\n</table>\n</div></div></div>"
    )


def _cert_table(widget: str, heading: str, certs: list[Certificate]) -> str:
    body = "".join(
        "<tr>\n"
        f"<td class=\"col_1\">\n<img src='{esc(c.photo)}' alt='{esc(c.name)}'>\n</td>\n"
        f'<td class="col_2">{esc(c.name)}\n</td>\n'
        f'<td class="col_3">{esc(c.issuer or "")}\n</td>\n'
        f'<td class="col_5">{esc(c.scope)}</td>\n'
        f'<td class="col_6">{esc(c.validity_period)}</td>\n'
        f'<td class="col_4">{_VERIFIED_ASSESSMENT if c.verified else ""}</td>\n'
        "</tr>\n"
        for c in certs
    )
    title_class = widget.removeprefix("widget-supplier-")
    return (
        f'<div class="{widget}" data-role="{widget}">\n'
        f'<div class="{title_class}-title">{esc(heading)}</div>\n'
        f'<div class="container-table-{title_class}">\n'
        '<table class="ui2-table ui2-table-simple ui2-table-hover">\n<thead>\n<tr>\n'
        '<th class="col_1">Picture</th>\n<th class="col_2">Certification Name</th>\n'
        '<th class="col_3">Certified By</th>\n<th class="col_5">Business Scope</th>\n'
        '<th class="col_6">Available Date --- Expired Date</th>\n<th class="col_4">Verified</th>\n'
        f"</tr>\n</thead>\n<tbody>\n{body}</tbody>\n</table>\n</div>\n</div>"
    )


def render(s: Supplier, base_url: str) -> str:
    """The served server-rendered profile."""
    parts = [
        '<script id="bp-theme-data" type="application/json">{"themeColor": ""}</script>',
        '<script id="bp-shopsign-data" type="application/json">'
        f"{script_json(shop_sign(s), escape_slash=True)}</script>",
        "<!-- bp-header-html.start -->",
        _badges(s),
        '<div class="page-body">',
        _content_table(s, base_url),
    ]
    if s.company_certificates:
        parts.append(_cert_table("widget-supplier-certification", "Certification", s.company_certificates))
    if s.product_certificates:
        parts.append(
            _cert_table("widget-supplier-production-certification", "Production Certification", s.product_certificates)
        )
    parts.append("</div>")
    return page(f"Company Overview - {s.name}", "\n".join(parts), body_class="esite-company-profile")
