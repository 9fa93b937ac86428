"""Global Sources (globalsources.com): supplier homepages and company profiles (current
``www.globalsources.com/<company>/...`` pages and the older ``/si/...`` ones, "Company Profile" and "About Us"
tabs), and product pages with the supplier block beside the product. Search results and other lists of
several suppliers (``listing``) are no one supplier's page and yield no claims.

Every family shows the supplier's facts as label/value pairs, its verification as a "Verified Manufacturer"
/ "Verified Supplier" badge, and its certificates in tables or cards; so one reader serves them all, walking
from English label text to values (never from hashed class names or positions). :mod:`._facts` holds the
label table and the supplier fields, :mod:`._badges` the platform's verification and membership years,
:mod:`._certificates` certificate tables, cards and files, :mod:`._walk` the platform-neutral walking.

Years with Global Sources are bounded by 1995, when the company (a trade-magazine publisher since 1971) put
its catalogues online as Asian Sources Online: ``years_on_platform`` means years on the online marketplace.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from scrapers.claims import ClaimsDocument
from scrapers.platforms.base import PlatformParser
from scrapers.platforms.builder import ClaimsBuilder, guarded
from scrapers.platforms.global_sources._badges import read_badges, read_verifier, read_years
from scrapers.platforms.global_sources._certificates import (
    CertificateTable,
    apply_certification_rows,
    find_certificate_tables,
    read_certificate_cards,
    read_certificate_tables,
)
from scrapers.platforms.global_sources._facts import LABELS, apply_rows, read_name, read_statements, supplier_keys
from scrapers.platforms.global_sources._walk import (
    Prose,
    Row,
    as_markup,
    base_url_of,
    declared_urls,
    declares,
    prose_blocks,
    read_certificate_gallery,
    read_rows,
)
from scrapers.platforms.made_in_china._dom import Page, make_soup

__all__ = ["OPENED", "PAGE_TYPES", "GlobalSourcesParser"]

log = logging.getLogger(__name__)

PAGE_TYPES = ("company_profile", "product_detail", "listing", "unknown")
#: Real pages are 0.3-1.5 MB; the cap keeps a hostile page's parse time bounded.
MAX_HTML_CHARS = 5_000_000
#: Global Sources' catalogues went online in 1995 (the magazines date from 1971): nobody has been on the
#: online marketplace for longer.
OPENED = 1995
MAX_TABLE_NODES = 200_000

_HOST = r"(?:https?:)?//(?:[^\"'/\s<>]{0,200}\.)?globalsources\.com(?:[/:\"'\s>]|$)"
_GS_ADDRESS = re.compile(r"\b(?:href|content)=[\"']?" + _HOST, re.I)
_GS_SITE_NAME = re.compile(r"\bcontent=[\"']Global\s?Sources(?:\.com)?[\"']", re.I)
#: The site's own scripts and stylesheets; other sites may show a Global Sources picture, never its code.
_GS_ASSET = re.compile(r"<(?:script|link)\b[^<>]{0,1000}?\b(?:src|href)=[\"']?" + _HOST, re.I)

_LISTING_PATH = re.compile(r"/searchlist\b|/manufacturers?/", re.I)
_PRODUCT_PATH = re.compile(r"\d{6,}p\.htm$|/pdtl/|/p/sm/|product[-_]?detail", re.I)
_COMPANY_PATH = re.compile(
    r"/si/|homepage|home_\d|company[-_]?profile|company[-_]?info(?:rmation)?|about[-_]?us|\d+sh\.htm"
    r"|product[-_]?list|/showroom",
    re.I,
)
_PRODUCT_MARKUP = re.compile(
    r"\bproperty=[\"']og:type[\"'][^<>]{0,200}?\bcontent=[\"']product[\"']"
    r"|[\"']@type[\"']\s*:\s*[\"']Product[\"']|\bitemtype=[\"']https?://schema\.org/Product[\"']"
    r"|>\s*(?:Min\.?\s*Order(?:\s+Quantity)?|Minimum\s+Order(?:\s+Quantity)?|FOB\s+Price|Key\s+Specifications)"
    r"\s*(?::\s*)?<",
    re.I,
)
_PROSE_HEADINGS = tuple(
    (re.compile(pattern, re.I), location)
    for pattern, location in (
        (r"company (?:introduction|overview|description)|about us|about the company|who we are|introduction",
         "company_overview"),
        (r"product description|description|product overview|detailed description", "product_description"),
    )
)  # fmt: skip


def _path_type(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if host and not (host == "globalsources.com" or host.endswith(".globalsources.com")):
        return None  # a mirror's or the demo's own paths say nothing about Global Sources' families
    if _PRODUCT_PATH.search(parts.path):
        return "product_detail"
    if _LISTING_PATH.search(parts.path):
        return "listing"
    if _COMPANY_PATH.search(parts.path):
        return "company_profile"
    return None


def address_type(url: str, soup: BeautifulSoup) -> str | None:
    """The family the address names: the URL asked for, then the page's declared one."""
    for candidate in (url, *declared_urls(soup)):
        found = _path_type(candidate)
        if found:
            return found
    return None


def _table_node_ids(tables: list[CertificateTable]) -> set[int]:
    ids: set[int] = set()
    for found in tables:
        for node in found.table.descendants:
            if len(ids) >= MAX_TABLE_NODES:
                return ids
            ids.add(id(node))
    return ids


class GlobalSourcesParser(PlatformParser):
    """Supplier homepages/company profiles and product pages of globalsources.com."""

    name = "global_sources"
    # hosts: BUILTIN_PLATFORMS in scrapers.platforms.base, where a URL finds this parser without importing it

    @classmethod
    def matches_content(cls, html: str) -> bool:
        """Canonical/og:url on globalsources.com, og:site_name "Global Sources", or the site's own scripts."""
        if not isinstance(html, str):
            return False
        html = html[:MAX_HTML_CHARS]
        return declares(html, _GS_ADDRESS, _GS_SITE_NAME) or bool(_GS_ASSET.search(html))

    def data_in_html(self, url: str) -> bool:
        # The pages are rendered on the server for search engines, so the served HTML holds the claims.
        # Imperva/Incapsula often refuses plain HTTP clients: the check then falls back to the browser (which
        # passes the cookie challenge) and remembers that route, retrying plain HTTP only now and then.
        return True

    def ready_selector(self, url: str) -> str | None:
        # Nothing to wait for: the facts are in the server-rendered markup at DOMContentLoaded.
        return None

    def parse(self, html: str, url: str) -> ClaimsDocument:
        url = url if isinstance(url, str) else str(url)
        text = as_markup(html)[:MAX_HTML_CHARS]
        builder = ClaimsBuilder(url=url, platform=self.name, opened=OPENED)
        try:
            page = Page(make_soup(text))
        except Exception:
            log.exception("global sources page could not be parsed: %s", url)
            return builder.build_or_empty("unknown")
        by_address = guarded(url, lambda: address_type(url, page.soup))
        product_markup = bool(_PRODUCT_MARKUP.search(text))
        if by_address in (None, "listing") and len(guarded(url, lambda: supplier_keys(page)) or ()) > 1:
            return builder.build_or_empty("listing")  # several suppliers' cards: none of them is "the" supplier
        base = guarded(url, lambda: base_url_of(url, page.soup)) or url
        prose = guarded(url, lambda: prose_blocks(page, _PROSE_HEADINGS, LABELS)) or Prose([], set())
        tables = guarded(url, lambda: find_certificate_tables(page)) or []
        in_tables = guarded(url, lambda: _table_node_ids(tables)) or set()
        rows: list[Row] = (
            guarded(
                url,
                lambda: read_rows(
                    (s for s in page.strings(descriptions=True) if id(s) not in in_tables and not prose.contains(s)),
                    LABELS,
                ),
            )
            or []
        )
        company_page = by_address == "company_profile" or (by_address is None and not product_markup)
        for step in (
            lambda: apply_rows(rows, builder),
            lambda: read_badges(page, prose, builder),
            lambda: read_verifier(page, prose, rows, builder),
            lambda: read_years(page, prose, rows, builder),
            lambda: read_certificate_tables(tables, builder, base),
            lambda: read_certificate_cards(page, prose, builder, base),
            lambda: apply_certification_rows(rows, builder),
            lambda: read_certificate_gallery(page, builder, base),
            lambda: read_statements(prose, builder),
            lambda: read_name(page, builder, company_page),
        ):
            guarded(url, step)
        return builder.build_or_empty(_page_type(by_address, product_markup, builder))


def _page_type(by_address: str | None, product_markup: bool, builder: ClaimsBuilder) -> str:
    """By address first; then product markup makes a product page, and supplier facts without it a company
    page (a supplier homepage shows the profile). A listing of one supplier's cards is read as its page."""
    if by_address:
        return by_address
    if product_markup:
        return "product_detail"
    if builder.supplier or builder.badges or builder.certifications:
        return "company_profile"
    return "unknown"
