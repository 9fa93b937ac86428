"""Made-in-China.com: product pages (``<sub>.en.made-in-china.com/product/...``) with their supplier block,
and the supplier's showroom and company pages (``/company-*.html``, company-info/profile pages).

Every page family is server-rendered, and every one shows its facts as label/value pairs in one of a few
markups, so one reader serves them all: it walks from English (or Chinese) label text to the value, picks
member/audit badges by their text or icon ``alt`` text, and reads certification claims from the product
description and the company introduction. :mod:`._rows` holds the label table, :mod:`._badges` the platform's
checks, :mod:`._claims` facts, certifications and statements, :mod:`._dom` the bounded page walking.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from scrapers.claims import ClaimsDocument
from scrapers.platforms.base import PlatformParser
from scrapers.platforms.builder import ClaimsBuilder, guarded
from scrapers.platforms.made_in_china._badges import read_auditor, read_badges
from scrapers.platforms.made_in_china._claims import (
    apply_certifications,
    apply_rows,
    read_address,
    read_name,
    read_statements,
)
from scrapers.platforms.made_in_china._dom import Page, make_soup
from scrapers.platforms.made_in_china._rows import read_rows

__all__ = ["PAGE_TYPES", "MadeInChinaParser"]

log = logging.getLogger(__name__)

PAGE_TYPES = ("product_detail", "company_profile", "unknown")
#: Real pages are 0.2-0.5 MB; the cap keeps a hostile page's parse time bounded.
MAX_HTML_CHARS = 5_000_000
#: Made-in-China.com went online in 1998: nobody has been a member for longer.
OPENED = 1998

_HOST = r"(?:https?:)?//(?:[^\"'/\s<>]{0,200}\.)?made-in-china\.com(?:[/:\"'\s>]|$)"
#: ``<link>``/``<meta>`` tags; ``[^<>]`` cannot run past the next tag, so a page of unclosed tags scans linearly.
_HEAD_TAG = re.compile(r"<(?:link|meta)\b[^<>]{0,2000}>", re.I)
MAX_HEAD_TAGS = 2_000
_DECLARED_URL = re.compile(r"\brel=[\"']?canonical\b|\bproperty=[\"']?og:url\b", re.I)
_MIC_ADDRESS = re.compile(r"\b(?:href|content)=[\"']?" + _HOST, re.I)
_MIC_SITE_NAME = re.compile(r"\bcontent=[\"']Made-in-China\.com[\"']", re.I)
_BODY_MARKERS = re.compile(
    r"\bclass=[\"'][^\"'<>]{0,500}?\bsr-comInfo-(?:title|sign)\b"
    r"|\b(?:src|href)=[\"'](?:https?:)?//(?:www|pylon)\.micstatic\.com/",
    re.I,
)
_PRODUCT_PATH = re.compile(r"/product/|/prod_|/product_[^/]*\.html|/products?-detail", re.I)
_COMPANY_PATH = re.compile(r"/company-|/company_|/company-?info|/company-?profile|/companyinfo", re.I)
_PRODUCT_MARKUP = re.compile(
    r"\bproperty=[\"']og:type[\"'][^>]{0,200}?\bcontent=[\"']product[\"']"
    r"|\bclass=[\"'][^\"'<>]{0,500}?\b(?:sr-proMainInfo|basic-info-list|bac-item-label|J-baseInfo-name)\b",
    re.I,
)


def _as_text(html: object) -> str:
    if isinstance(html, bytes | bytearray | memoryview):
        return bytes(html).decode("utf-8", errors="replace")
    return html if isinstance(html, str) else ""


def _declares_made_in_china(html: str) -> bool:
    """A canonical link or og:url on made-in-china.com, or og:site_name "Made-in-China.com"."""
    for count, match in enumerate(_HEAD_TAG.finditer(html)):
        if count >= MAX_HEAD_TAGS:
            return False
        tag = match.group(0)
        if (_DECLARED_URL.search(tag) and _MIC_ADDRESS.search(tag)) or _MIC_SITE_NAME.search(tag):
            return True
    return False


def _declared_urls(soup: BeautifulSoup) -> list[str]:
    """The page's own idea of its address (canonical link, og:url): saved files and mirrors keep it."""
    urls: list[str] = []
    canonical = soup.find("link", rel="canonical")
    og_url = soup.find("meta", attrs={"property": "og:url"})
    for value in (canonical.get("href") if canonical else None, og_url.get("content") if og_url else None):
        if isinstance(value, str):
            urls.append(value)
    return urls


def _path_type(url: str) -> str | None:
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    if _PRODUCT_PATH.search(path):
        return "product_detail"
    if _COMPANY_PATH.search(path):
        return "company_profile"
    return None


def page_type(url: str, html: str, page: Page, builder: ClaimsBuilder) -> str:
    """By address first (the URL asked for, then the declared one), then by markup: product markup makes a
    product page; supplier facts without it make a company page (a showroom home shows the profile)."""
    for candidate in (url, *_declared_urls(page.soup)):
        found = _path_type(candidate)
        if found:
            return found
    if _PRODUCT_MARKUP.search(html):
        return "product_detail"
    if builder.supplier or builder.badges or builder.certifications:
        return "company_profile"
    return "unknown"


class MadeInChinaParser(PlatformParser):
    """Product pages (supplier block) and showroom/company pages of made-in-china.com."""

    name = "made_in_china"
    # hosts: BUILTIN_PLATFORMS in scrapers.platforms.base, where a URL finds this parser without importing it

    @classmethod
    def matches_content(cls, html: str) -> bool:
        """Canonical/og:url on made-in-china.com, its supplier-block classes, or its micstatic.com CDN."""
        if not isinstance(html, str):
            return False
        html = html[:MAX_HTML_CHARS]
        return _declares_made_in_china(html) or bool(_BODY_MARKERS.search(html))

    def data_in_html(self, url: str) -> bool:
        # Supplier block, showroom header and company facts are all in the served HTML.
        return True

    def ready_selector(self, url: str) -> str | None:
        # Nothing to wait for: the claims are server-rendered (only other suppliers' cards load later).
        return None

    def parse(self, html: str, url: str) -> ClaimsDocument:
        url = url if isinstance(url, str) else str(url)
        text = _as_text(html)[:MAX_HTML_CHARS]
        builder = ClaimsBuilder(url=url, platform=self.name, opened=OPENED)
        kind = "unknown"
        try:
            page = Page(make_soup(text))
        except Exception:
            log.exception("made-in-china page could not be parsed: %s", url)
            return builder.build_or_empty(kind)
        rows = guarded(url, lambda: read_rows(page)) or []
        for step in (
            lambda: read_name(page, builder),
            lambda: apply_rows(rows, builder),
            lambda: read_address(page, builder),
            lambda: read_badges(page, builder),
            lambda: read_auditor(page, rows, builder),
            lambda: apply_certifications(rows, builder),
            lambda: read_statements(page, builder),
        ):
            guarded(url, step)
        kind = guarded(url, lambda: page_type(url, text, page, builder)) or "unknown"
        return builder.build_or_empty(kind)
