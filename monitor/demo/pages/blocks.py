"""Pages that carry no supplier data: the anti-bot captcha, the missing-store variants, the site index.

The captcha page imitates the markers of the real Alibaba.com punish page (HTTP 200, ``<title>Captcha
Interception</title>``, ``<punish-component>``, ``<!--rgv587_flag:sm-->``, ``div#baxia-punish``,
``.captcha-tips``, ``#nocaptcha``, ``window._config_`` with ``"action": "captcha"``); its text was written
for the demo. It deliberately has no "Sign in" header and no supplier data.
"""

from __future__ import annotations

import secrets

from monitor.demo.pages.common import esc, page, script_json

ERROR_PATH = "/error.html"
STORE_NOT_FOUND_TEXT = "Sorry, the store you are looking for does not exist or has been closed."


def captcha_page(path: str, host: str) -> str:
    """The block page, served with HTTP 200 at the URL that was asked for (as the real one is)."""
    token = secrets.token_hex(16)
    config = {
        "renderTo": "#nocaptcha",
        "NCTOKENSTR": token,
        "action": "captcha",
        "HOST": host,
        "PATH": path,
        "FORMACTIOIN": f"{path}/_____tmd_____/verify/",
        "crossSite": "0",
        "downGradeHttp": False,
    }
    return (
        "<!DOCTYPE html><html><head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="aplus-xplug" content="NONE">\n'
        '<script src="/AWSC/nc/1.97.0/nc.js" id="AWSC_ncModule"></script>\n'
        '<script charset="utf-8" src="/AWSC/CAPTCHA/0.0.1/awsc.js"></script>\n'
        "<title>Captcha Interception</title></head>\n"
        '<body style="font-size: 12px;">\n'
        "<punish-component>\n"
        f"<script>\n    window._config_ = {script_json(config)};\n</script>\n"
        "<!--rgv587_flag:sm-->\n"
        "<script>\n  var ncLanguage = location.search.match(/ncLanguage=([^&]+)/);\n"
        "  if (ncLanguage) { window._config_.noCaptchaLanguage = ncLanguage[1]; }\n</script>\n"
        "</punish-component>"
        '<div id="baxia-punish" class="baxia-punish captcha  pc ">\n'
        '  <div id="J_Header" class="header clearfix"><h1 id="logo" class="logo"><a href="/">Demo</a></h1></div>\n'
        '  <div class="wrapper"><div class="content-inside"><div class="bannar">\n'
        '    <div class="captcha-tips">\n'
        '      <div class="warnning-text">\n'
        "        Sorry, we have detected unusual traffic from your network.\n"
        "      </div>\n"
        '      <center><div id="nocaptcha" style="margin-top:45px;display:none;"></div>\n'
        '      <div id="captcha-loading"></div></center>\n'
        f'      <form id="nc-verify-form" action="{esc(path)}/_____tmd_____/verify/" method="GET">\n'
        f'        <input name="nc_token" value="{token}" type="hidden">\n'
        "      </form>\n"
        "    </div>\n"
        "  </div></div>\n"
        '  <div class="copyright"><span>Demo marketplace. Synthetic page.</span></div></div>\n'
        "</div>\n"
        "</body></html>\n"
    )


def empty_store_page(store_id: str) -> str:
    """The "empty-ish" 200 variant of a missing store: the page shell with its empty containers and no
    data object at all (what a closed store's profile looks like when the data never arrives)."""
    body = (
        f'<div id="shop-root" class="shop-profile-page" data-store="{esc(store_id)}">\n'
        '  <h1 id="company-name" class="shop-company-name"></h1>\n'
        '  <div id="shop-modules"></div>\n'
        "</div>"
    )
    return page("Alibaba.com", body, body_class="shop-profile")


def error_page() -> str:
    """The page a missing store redirects to (served with 200, like typical marketplace error pages)."""
    body = (
        '<div class="error-page" id="error-page">\n'
        '  <h1 class="error-title">Page not found</h1>\n'
        f'  <p class="error-desc">{esc(STORE_NOT_FOUND_TEXT)}</p>\n'
        '  <a href="/">Return to the home page</a>\n'
        "</div>"
    )
    return page("Error - Store does not exist", body, body_class="error")


def not_found_page(path: str) -> str:
    """Plain 404 body for paths the marketplace does not know."""
    return page("404 Not Found", f'<h1>404 Not Found</h1><p class="path">{esc(path)}</p>', body_class="error")


def index_page(suppliers: list[dict[str, object]], round_: int) -> str:
    """A human-friendly listing of the demo suppliers (not used by the monitor)."""
    items = "\n".join(
        f'  <li data-family="{esc(s["family"])}"><a href="{esc(s["url"])}">{esc(s["name"])}</a> '
        f"<small>{esc(s['family'])}</small></li>"
        for s in suppliers
    )
    body = f'<h1>Demo marketplace</h1>\n<p>Scenario round <b id="round">{round_}</b></p>\n<ul>\n{items}\n</ul>'
    return page("Demo marketplace", body, body_class="home")
