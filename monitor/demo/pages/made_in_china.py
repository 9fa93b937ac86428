"""Family ``mic_company``: a Made-in-China.com showroom's company information page, written for the demo.

Everything is server-rendered, as on the real site: a showroom header with the company name
(``h1.shop-sign__header-title--text``), its address line and the site's own badges in ``.sr-comInfo-sign``
(member level with "Since YYYY", the Audited Supplier icon, Secured Trading Service), a table of
label/value rows (Business Type, Year of Establishment, Management System Certification, ...) and the
company introduction. The page names itself with ``og:site_name`` "Made-in-China.com", which is how the
monitor recognises the platform on the demo's loopback host. Site menus and the footer repeat the badge
names as links, like the real chrome does, so a reader that takes every "Audited Supplier" text is caught.
"""

from __future__ import annotations

from monitor.demo.pages.common import esc
from monitor.demo.scenario import ShowroomInfo, Supplier


def _header() -> str:
    """Site chrome: the same service names as the badges, but as menu links (not this supplier's badges)."""
    return (
        '<div id="demo-mic-header" class="m-header">\n'
        '  <a class="m-header-logo" href="/">Demo Marketplace</a>\n'
        '  <ul class="m-header-option-list">'
        '<li><a href="/help/secured-trading.html">Secured Trading Service</a></li>'
        '<li><a href="/help/audited-supplier.html">Audited Supplier</a></li></ul>\n'
        '  <div class="m-header-account"><a href="/login.html" rel="nofollow">Sign In</a> <span>|</span> '
        '<a href="/join.html" rel="nofollow">Join Free</a></div>\n'
        "</div>"
    )


def _badges(info: ShowroomInfo) -> str:
    items = []
    since = f' <span class="txt-year">Since {esc(info.member_since)}</span>' if info.member_since else ""
    items.append(
        '<div class="sign-item member-item"><i class="item-icon icon-member"></i>'
        f'<span class="sign-text">{esc(info.member)}</span>{since}</div>'
    )
    if info.audited_supplier:
        items.append(
            '<div class="sign-item as-item"><img class="as-logo" src="/static/img/mic-audited.png" '
            'alt="Audited Supplier"><span class="sign-text">Audited Supplier</span></div>'
        )
    if info.secured_trading:
        items.append('<div class="sign-item"><span class="sign-text">Secured Trading Service</span></div>')
    return '<div class="sr-comInfo-sign">\n    ' + "\n    ".join(items) + "\n  </div>"


def _short_address(location: str) -> str:
    """The header's address line shows the last two parts ("Zhejiang, China"), the row shows all of it."""
    return ", ".join(part.strip() for part in location.split(",")[-2:])


def _rows(s: Supplier, info: ShowroomInfo) -> str:
    systems = ", ".join(c.name for c in s.company_certificates)
    products = ", ".join(c.name for c in s.product_certificates)
    rows: list[tuple[str, str]] = [
        ("Business Type", s.business_type),
        ("Main Products", ", ".join(s.main_products)),
        ("Number of Employees", s.employees),
        ("Year of Establishment", info.established_date or str(s.established_year)),
        ("Management System Certification", systems),
        ("Product Certification", products),
        ("Main Markets", ", ".join(name for name, _share in s.main_markets)),
        ("Annual Output Value", s.annual_revenue),
        ("Registered Capital", info.registered_capital),
        ("Plant Area", info.plant_area),
        ("Address", s.location),
    ]
    if info.audited_supplier and info.audited_by:
        rows.append(("Audited by", info.audited_by))
    # A row the supplier left empty is not shown (an empty value would be no claim at all).
    cells = "\n".join(f"    <tr><th>{esc(label)}:</th><td>{esc(value)}</td></tr>" for label, value in rows if value)
    return (
        '<div class="company-info-box">\n'
        '  <h2 class="box-title">Company Information</h2>\n'
        f'  <table class="company-info-table">\n{cells}\n  </table>\n'
        "</div>"
    )


def _introduction(s: Supplier) -> str:
    return (
        '<div class="company-intro">\n'
        '  <h2 class="intro-title">Company Introduction</h2>\n'
        f'  <div class="intro-content"><p>{esc(s.description)}</p></div>\n'
        "</div>"
    )


def render(s: Supplier, base_url: str) -> str:
    """The served showroom page; a supplier without ``showroom`` data gets a plain Gold Member header."""
    info = s.showroom or ShowroomInfo()
    name = esc(s.name)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '    <meta charset="utf-8">\n'
        '    <meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"    <title>{name} - Company Information</title>\n"
        '    <meta property="og:site_name" content="Made-in-China.com">\n'
        f'    <meta property="og:title" content="{name}">\n'
        "</head>\n"
        '<body class="showroom-company-info">\n'
        f"{_header()}\n"
        '<div class="shop-sign__header">\n'
        f'  <div class="shop-sign__header-title"><h1 class="shop-sign__header-title--text">{name}</h1></div>\n'
        f'  <div class="sr-comInfo-details"><div class="detail-address">{esc(_short_address(s.location))}</div></div>\n'
        f"  {_badges(info)}\n"
        "</div>\n"
        '<div class="showroom-main">\n'
        f"{_rows(s, info)}\n"
        f"{_introduction(s)}\n"
        "</div>\n"
        '<div class="m-footer">Synthetic demo page in the style of a Made-in-China.com showroom. '
        "Not a real supplier.</div>\n"
        "</body>\n"
        "</html>\n"
    )
