"""Alibaba.com: one parser for the four page families still served and the older storefronts (see the family
modules).

``parse`` tries every family on the same HTML (JSON families by regex on the raw text, DOM families on one
lazily built soup) and merges what they find into ONE claims document; the first family that recognised
the page names its ``page_type``, except that a storefront page (contacts, home, TrustPass, free member,
profile fragment) is named as such even where it also carries the legacy profile's markup.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, SoupStrainer
from lxml import etree

from scrapers.claims import ClaimsDocument, Source
from scrapers.platforms.alibaba._common import DocumentBuilder, LazySoup
from scrapers.platforms.alibaba.detail_data import DOM_MODULES, has_dom_sections, parse_detail_data
from scrapers.platforms.alibaba.legacy import looks_legacy, parse_legacy
from scrapers.platforms.alibaba.module_data import parse_module_data
from scrapers.platforms.alibaba.shop_biz_data import parse_shop_biz_data
from scrapers.platforms.alibaba.storefront import CONTENT_MARKERS as STOREFRONT_MARKERS
from scrapers.platforms.alibaba.storefront import PAGE_TYPES as STOREFRONT_PAGE_TYPES
from scrapers.platforms.alibaba.storefront import parse_storefront, storefront_page_type
from scrapers.platforms.base import PlatformParser

__all__ = ["PAGE_TYPES", "AlibabaParser"]

log = logging.getLogger(__name__)

PAGE_TYPES = (
    "company_profile",
    "product_detail",
    "company_profile_modules",
    "company_profile_legacy",
    *STOREFRONT_PAGE_TYPES,
    "unknown",
)
MAX_HTML_CHARS = 15_000_000

_CONTENT_MARKERS = re.compile(
    r"window\.shopBizData\s*=|window\.detailData\s*=|\bmodule-name=[\"']icbu-pc-"
    r"|<table[^>]*class=[\"'][^\"']*\bcontent-table\b[\s\S]{0,2000}?data-role=[\"']company"
    r"|id=[\"']bp-shopsign-data[\"']"
    r"|data-module-name=[\"']module_unifed_company_card[\"']"
    r"|<link\b[^>]*rel=[\"']canonical[\"'][^>]*href=[\"'](?:https?:)?//[^\"'/]*\balibaba\.com[/\"']"
    r"|<link\b[^>]*href=[\"'](?:https?:)?//[^\"'/]*\balibaba\.com[/\"'][^>]*rel=[\"']canonical[\"']"
    r"|" + STOREFRONT_MARKERS,
    re.I,
)


def _make_soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


_MODULE_XPATH = etree.XPath("//*[@data-module-name]")


def _make_product_soup(html: str) -> BeautifulSoup:
    """Only the product page's company/description sections: the rest of a product page is noise.

    lxml finds the sections (in C) and only their markup is handed to BeautifulSoup: feeding the whole page
    through BeautifulSoup's tree builder, even with a strainer, cost most of a product page's parse.
    """
    try:
        root = etree.fromstring(html, etree.HTMLParser(recover=True, collect_ids=False))
    except (etree.ParserError, ValueError):
        root = None
    if root is None:
        strainer = SoupStrainer(attrs={"data-module-name": lambda value: value in DOM_MODULES})
        return BeautifulSoup(html, "lxml", parse_only=strainer)
    sections = [el for el in _MODULE_XPATH(root) if el.get("data-module-name") in DOM_MODULES]
    outermost = [el for el in sections if not any(a in sections for a in el.iterancestors())]
    markup = "".join(etree.tostring(el, encoding="unicode", method="html", with_tail=False) for el in outermost)
    return BeautifulSoup(markup, "lxml")


def _storefront_kind(html: str, url: str) -> str | None:
    """The storefront page type, or ``None``; a bug here must not cost the other families' claims."""
    try:
        return storefront_page_type(html, url)
    except Exception:
        log.exception("alibaba storefront recognition failed on %s", url)
        return None


class AlibabaParser(PlatformParser):
    """Company profiles (current, module-data, legacy) and product detail pages of alibaba.com."""

    name = "alibaba"
    # hosts: BUILTIN_PLATFORMS in scrapers.platforms.base, where a URL finds this parser without importing it

    @classmethod
    def matches_content(cls, html: str) -> bool:
        if not isinstance(html, str):
            return False
        return bool(_CONTENT_MARKERS.search(html[:MAX_HTML_CHARS]))

    def data_in_html(self, url: str) -> bool:
        # Every family ships its data in the served HTML: shopBizData / detailData objects in scripts,
        # module-data attributes, legacy tables. Only the DOM rendering of them needs JavaScript.
        return True

    def ready_selector(self, url: str) -> str | None:
        path = urlsplit(url).path.lower()
        if "/product-detail/" in path:
            return '[data-module-name="module_unifed_company_card"], [data-module-name="module_company"]'
        # Profiles carry their data in inline scripts/attributes present at DOMContentLoaded.
        return None

    def parse(self, html: str, url: str) -> ClaimsDocument:
        if isinstance(html, bytes):
            html = html.decode("utf-8", errors="replace")
        if not isinstance(html, str):
            html = ""
        html = html[:MAX_HTML_CHARS]
        builder = DocumentBuilder(url=url)
        storefront = _storefront_kind(html, url)
        if storefront is not None:  # a contacts page or fragment also carries legacy markup: name it first
            builder.found(storefront)
        product_only = not looks_legacy(html) and has_dom_sections(html)
        soup = LazySoup(html, _make_product_soup if product_only else _make_soup)
        for family in (
            lambda: parse_shop_biz_data(html, builder),
            lambda: parse_detail_data(html, builder, soup),
            lambda: parse_module_data(html, builder),
            lambda: parse_legacy(html, builder, soup),
            lambda: parse_storefront(storefront, builder, soup),
        ):
            try:
                family()
            except Exception:  # a family's bug must cost its claims, not the whole page
                log.exception("alibaba family parser failed on %s", url)
        try:
            return builder.build()
        except Exception:
            log.exception("alibaba claims document invalid for %s", url)
            return ClaimsDocument(source=Source(url=url, platform="alibaba", page_type="unknown"))
