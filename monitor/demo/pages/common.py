"""Escaping helpers and the page chrome shared by every demo page family.

Every value that reaches HTML goes through one of the escapers here: ``esc`` for text and double-quoted
attributes, ``script_json`` for JSON inside ``<script>``, ``module_data`` for the URL-encoded JSON that the
cpmodules family keeps in single-quoted attributes.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from monitor.demo.scenario import Supplier

#: Empty same-host stand-ins for the real anti-bot loaders, referenced by every normal page (as the real
#: pages do), so that a substring test for "AWSC"/"baxia" alone cannot tell a normal page from a block page.
ANTIBOT_SCRIPTS: tuple[str, ...] = (
    "/AWSC/AWSC/awsc.js",
    "/sd/baxia-entry/baxiaCommon.js",
)


def esc(value: object) -> str:
    """HTML-escape text or a double-quoted attribute value (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


def script_json(obj: object, *, escape_slash: bool = False) -> str:
    """JSON safe to embed in a ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\\u003c`` etc. so that ``</script>`` or ``<!--`` in a value cannot end
    or confuse the script element; U+2028/2029 are escaped for old JS parsers. ``escape_slash`` additionally
    writes ``/`` as ``\\/`` the way the legacy Alibaba pages do. The result is still plain JSON.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    text = (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    if escape_slash:
        text = text.replace("/", "\\/")
    return text


def module_data(obj: object) -> str:
    """URL-encode JSON the way the real ``module-data`` attributes are: spaces kept, everything else
    outside ``[A-Za-z0-9._-]`` percent-encoded as UTF-8 (so no quote or ``&`` survives into the attribute)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return quote(text, safe=" ").replace("~", "%7E")


def antibot_script_tags() -> str:
    """Harmless loader references like the real pages carry (the files served are empty)."""
    return "\n".join(
        f'    <script src="{esc(src)}" id="AWSC_{i}" crossorigin></script>' for i, src in enumerate(ANTIBOT_SCRIPTS)
    )


def site_header() -> str:
    """The marketplace header bar with its "Sign in" link (present on normal pages, like the real site)."""
    return (
        '<div id="demo-header" class="sc-hd-header">\n'
        '  <a class="sc-hd-logo" href="/">Demo Marketplace</a>\n'
        '  <form class="sc-hd-search" action="/search" method="get"><input name="SearchText" value=""></form>\n'
        '  <div class="sc-hd-account"><a class="sc-hd-signin" href="/newlogin/icbuLogin.htm" rel="nofollow">'
        "Sign in</a> <span>|</span> "
        '<a href="/newlogin/register.htm" rel="nofollow">Join Free</a></div>\n'
        "</div>"
    )


def page(title: str, body: str, *, head_extra: str = "", body_class: str = "", lang: str = "en") -> str:
    """A full HTML5 document. ``title`` is raw text (escaped here); ``body``/``head_extra`` are HTML."""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(lang)}">\n'
        "<head>\n"
        '    <meta charset="utf-8">\n'
        '    <meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"    <title>{esc(title)}</title>\n"
        f"{antibot_script_tags()}\n"
        f"{head_extra}"
        "</head>\n"
        f'<body class="{esc(body_class)}">\n'
        f"{site_header()}\n"
        f"{body}\n"
        '<div id="demo-footer" class="sc-hd-footer">Synthetic demo data. Not a real marketplace.</div>\n'
        "</body>\n"
        "</html>\n"
    )


def shop_sign_fields(s: Supplier, markets: list[dict[str, Any]]) -> dict[str, Any]:
    """The shopSign keys both profile families carry (module-data and legacy pages embed the same object)."""
    return {
        "companyName": s.name,
        "companyId": s.company_id,
        "companyRegisterCountry": s.country,
        "companyRegisterFullCountry": "China (Mainland)",
        "companyLocation": s.location,
        "companyBusinessType": {"authenticated": s.onsite_check, "value": s.business_type},
        "companyJoinYears": str(s.join_years),
        "companyHasPassAssessment": s.verified,
        "companyHasPassOnsite": s.onsite_check,
        "companyHasPassAV": False,
        "accountIsPaidMember": s.gold_supplier,
        "isNewGolden": s.gold_supplier,
        "esiteSubDomain": s.subdomain,
        "companyMainMarket": {"authenticated": s.verified, "descMarkets": markets},
        "esiteUrls": {"companyProfileUrl": "/company_profile.html", "homeUrl": "/"},
    }
