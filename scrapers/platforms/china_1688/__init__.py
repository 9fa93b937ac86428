"""1688.com (阿里巴巴中国站): shop pages (``shop<id>.1688.com`` / ``<name>.1688.com``: home, 诚信档案/公司档案
``/page/creditdetail.htm``, 公司介绍 ``/page/companyinfor.htm``) and offer pages
(``detail.1688.com/offer/<id>.html``) with their seller block.

Everything is in Chinese. The current pages render from script objects (``window.__INIT_DATA`` and
friends, read by :mod:`._json`); older and rendered pages show label rows, badges and a certificate widget
(:mod:`._labels`, :mod:`._badges`, :mod:`._certificates`, over the line view of :mod:`._dom`). The objects
are read first: the builder keeps the first value of each field, so the seller's own data wins over a
label. Schema.org/OpenGraph and certificate links elsewhere on the page are left to the generic reader
that runs under every platform parser.

1688 serves mainland-Chinese businesses, but ``country`` is still only what the page says (an address
that starts with 中国, a 国家 row, ``country`` in the data): a platform-implied "CN" would be a value read
from nowhere, would carry no honest provenance, and would make every empty or walled 1688 page look as
if it had claims.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from scrapers.claims import ClaimsDocument
from scrapers.platforms.base import PlatformParser, same_origin
from scrapers.platforms.builder import ClaimsBuilder, guarded
from scrapers.platforms.china_1688._badges import assign_inspector, read_badges
from scrapers.platforms.china_1688._certificates import read_certificates
from scrapers.platforms.china_1688._dom import MAX_HTML_CHARS, Page, parse_page
from scrapers.platforms.china_1688._facts import apply_pairs, read_country, read_header_name, read_statements
from scrapers.platforms.china_1688._json import JsonReading, read_objects
from scrapers.platforms.china_1688._labels import Pair, read_pairs

__all__ = ["OPENED", "PAGE_TYPES", "China1688Parser", "page_type_of_url"]

log = logging.getLogger(__name__)

PAGE_TYPES = ("shop_profile", "offer_detail", "unknown")
#: 1688 (then "阿里巴巴中国站") went online in 1999: nobody has been a 诚信通 member for longer.
OPENED = 1999

#: Subdomains of 1688.com that are the site's services, not a seller's shop.
_SERVICE_HOSTS = frozenset(
    {"www", "s", "detail", "login", "m", "air", "work", "page", "sale", "club", "show", "shili", "cxt", "search"}
    | {"passport", "trade", "h5api", "member", "cart", "dj", "p4p", "view", "img", "style", "widget"}
)
_OFFER_PATH = re.compile(r"^/offer/\d{1,20}\.html?$", re.I)
_SHOP_PATH = re.compile(
    r"^/(?:page/(?:creditdetail|companyinfor|index|contactinfo|offerlist|profile)\w{0,40}\.html?)?$", re.I
)
_HOST = r"(?:https?:)?//(?:[a-z0-9-]{1,63}\.){0,4}1688\.com(?:[/:\"'\s>?#]|$)"
#: ``<link>``/``<meta>``/``<base>`` tags; ``[^<>]`` cannot run past the next tag, so the scan is linear.
_HEAD_TAG = re.compile(r"<(?:link|meta|base)\b[^<>]{0,2000}>", re.I)
MAX_HEAD_TAGS = 2_000
_DECLARES_URL = re.compile(r"\brel=[\"']?canonical\b|\bproperty=[\"']?og:url\b|<base\b", re.I)
_1688_ADDRESS = re.compile(r"\b(?:href|content)=[\"']?" + _HOST, re.I)
_SITE_NAME = re.compile(r"\bog:site_name\b[^<>]{0,200}?\bcontent=[\"'][^\"'<>]{0,40}1688", re.I)
#: Markup only 1688 has. Alibaba.com footers link www.1688.com, so a bare link to the site is no marker:
#: shop subpages (creditdetail/companyinfor), the sign-in host, the offer scripts, the cbu image CDN.
_BODY_MARKERS = re.compile(
    r"(?:https?:)?//[a-z0-9-]{1,63}\.1688\.com/page/(?:creditdetail|companyinfor|contactinfo|offerlist)"
    r"|(?:https?:)?//login\.1688\.com/"
    r"|\b(?:var\s+|window\.)iDetail(?:Config|Data)\s*="
    r"|[\"']@ali/tdmod-od-"
    r"|(?:https?:)?//cbu0\d\.alicdn\.com/",
    re.I,
)
_OFFER_MARKUP = re.compile(
    r"[\"']@ali/tdmod-od-|\biDetail(?:Config|Data)\s*=|\bproperty=[\"']og:type[\"'][^<>]{0,100}content=[\"']product",
    re.I,
)
#: Hosts a client-rendered 1688 page needs: its own (shop data APIs) and Alibaba's script CDN.
_RENDER_HOSTS = ("1688.com", "alicdn.com")
_SHOP_READY = (
    '[class*="company-name"], [class*="companyName"], [class*="company-info"], [class*="companyInfo"], '
    '[class*="creditdetail"], [class*="company-archive"], [class*="cert"]'
)


def _as_text(html: object) -> str:
    if isinstance(html, bytes | bytearray | memoryview):
        return bytes(html).decode("utf-8", errors="replace")
    return html if isinstance(html, str) else ""


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def page_type_of_url(url: str) -> str | None:
    """``offer_detail`` for /offer/<id>.html, ``shop_profile`` for a shop's home and profile pages."""
    host = _host(url)
    if host != "1688.com" and not host.endswith(".1688.com"):
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    if _OFFER_PATH.match(path):
        return "offer_detail"
    subdomain = host.split(".")[0] if host.count(".") >= 2 else ""
    if subdomain and subdomain not in _SERVICE_HOSTS and _SHOP_PATH.match(path):
        return "shop_profile"
    return None


def _declared_urls(html: str) -> list[str]:
    """The page's own idea of its address (canonical, og:url, base): saved files keep it."""
    urls: list[str] = []
    for count, match in enumerate(_HEAD_TAG.finditer(html)):
        if count >= MAX_HEAD_TAGS or len(urls) >= 5:
            break
        tag = match.group(0)
        if _DECLARES_URL.search(tag):
            found = re.search(r"\b(?:href|content)=[\"']?([^\"'\s<>]{1,2000})", tag, re.I)
            if found:
                urls.append(found.group(1))
    return urls


def _declares_1688(html: str) -> bool:
    for count, match in enumerate(_HEAD_TAG.finditer(html)):
        if count >= MAX_HEAD_TAGS:
            return False
        tag = match.group(0)
        if (_DECLARES_URL.search(tag) and _1688_ADDRESS.search(tag)) or _SITE_NAME.search(tag):
            return True
    return False


def page_type(url: str, html: str, builder: ClaimsBuilder) -> str:
    """By address (the URL asked for, then the page's declared one), then by markup: offer scripts make an
    offer page; seller facts without them make a shop page."""
    for candidate in (url, *_declared_urls(html)):
        found = page_type_of_url(candidate)
        if found:
            return found
    if _OFFER_MARKUP.search(html):
        return "offer_detail"
    if builder.supplier or builder.badges or builder.certifications:
        return "shop_profile"
    return "unknown"


class China1688Parser(PlatformParser):
    """Shop (诚信档案/公司档案/公司介绍) and offer pages of 1688.com."""

    name = "1688"
    # hosts: BUILTIN_PLATFORMS in scrapers.platforms.base, where a URL finds this parser without importing it

    @classmethod
    def matches_content(cls, html: str) -> bool:
        """A canonical/og:url/base on 1688.com, og:site_name 1688, or markup only 1688 has."""
        if not isinstance(html, str):
            return False
        html = html[:MAX_HTML_CHARS]
        return _declares_1688(html) or bool(_BODY_MARKERS.search(html))

    def wants_request(self, request_url: str, page_url: str) -> bool:
        # The shop pages render from 1688's own data APIs with scripts from Alibaba's CDN; cutting them
        # leaves an empty shell. Everything else off the page's origin is still cut.
        host = _host(request_url)
        return same_origin(request_url, page_url) or any(host == h or host.endswith("." + h) for h in _RENDER_HOSTS)

    def data_in_html(self, url: str) -> bool:
        # Offer pages ship the seller in the served HTML (the __INIT_DATA bootstrap; older pages render the
        # seller block on the server). Current shop pages fetch the company's facts with scripts after
        # load, so plain HTTP gets only the shell. Either way anonymous HTTP often meets the slider or
        # login wall, which the adaptive fetch answers with the browser.
        return page_type_of_url(url) == "offer_detail"

    def ready_selector(self, url: str) -> str | None:
        # Offer pages: the bootstrap object is in the HTML at DOMContentLoaded, nothing to wait for. Shop
        # pages: wait for the rendered company block (class words, any hash suffix) or a wall.
        return None if page_type_of_url(url) == "offer_detail" else _SHOP_READY

    def parse(self, html: str, url: str) -> ClaimsDocument:
        url = url if isinstance(url, str) else str(url)
        text = _as_text(html)[:MAX_HTML_CHARS]
        builder = ClaimsBuilder(url=url, platform=self.name, opened=OPENED)
        reading = guarded(url, lambda: read_objects(text, builder, url)) or JsonReading()
        page = guarded(url, lambda: parse_page(text, url))
        if page is not None:
            _read_page(url, page, builder)
        if reading.inspector:
            guarded(url, lambda: assign_inspector(builder, reading.inspector, None, None))
        guarded(url, lambda: read_country(builder))
        kind = guarded(url, lambda: page_type(url, text, builder)) or "unknown"
        return builder.build_or_empty(kind)


def _read_page(url: str, page: Page, builder: ClaimsBuilder) -> None:
    pairs: list[Pair] = guarded(url, lambda: read_pairs(page.lines)) or []
    prose = {id(pair.value_block) for pair in pairs if pair.field == "intro" and pair.value_block is not None}
    guarded(url, lambda: read_header_name(page, builder))
    guarded(url, lambda: read_badges(page, builder, prose))
    taken = guarded(url, lambda: read_certificates(page, pairs, builder)) or set()
    guarded(url, lambda: apply_pairs(pairs, taken, builder))
    guarded(url, lambda: read_statements(page, builder))
