"""IndiaMART (indiamart.com): a supplier's company pages (``www.indiamart.com/<company>/``, its
``aboutus.html`` factsheet and other subpages, the ``m.indiamart.com`` mobile pages), product pages
(``/proddetail/...``, the seller block beside the product) and listings (``dir.indiamart.com``, ``/impcat/``):
a listing is read only when every supplier card on it is the same company's.

IndiaMART lays its facts out as label/value pairs ("Nature of Business", "Annual Turnover") in many markups,
so facts are found by their English label text, never by class names or positions. :mod:`._facts` holds the
label table, the name and the supplier fields, :mod:`._badges` TrustSEAL, the verified badges, the GSTIN and
membership years, :mod:`._certifications` listed certifications. The label/prose walking is shared with the
Global Sources parser (:mod:`scrapers.platforms.global_sources._walk`).

Years of membership are bounded by 1996, when IndiaMART went online.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from scrapers.claims import ClaimsDocument
from scrapers.platforms.base import PlatformParser
from scrapers.platforms.builder import ClaimsBuilder, guarded
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
from scrapers.platforms.indiamart._badges import gstin_shown, read_badges, read_gst, read_iec, read_member_years
from scrapers.platforms.indiamart._certifications import apply_certification_rows, read_certification_tags
from scrapers.platforms.indiamart._facts import (
    LABELS,
    apply_rows,
    company_slug,
    company_slugs,
    read_name,
    read_statements,
)
from scrapers.platforms.made_in_china._dom import Page, make_soup

__all__ = ["OPENED", "PAGE_TYPES", "IndiaMartParser"]

log = logging.getLogger(__name__)

PAGE_TYPES = ("company_profile", "product_detail", "listing", "unknown")
#: Real pages are 0.1-1 MB; the cap keeps a hostile page's parse time bounded.
MAX_HTML_CHARS = 5_000_000
#: IndiaMART went online in 1996: nobody has been a member for longer.
OPENED = 1996

_HOST = r"(?:https?:)?//(?:[^\"'/\s<>]{0,200}\.)?indiamart\.com(?:[/:\"'\s>]|$)"
_IM_ADDRESS = re.compile(r"\b(?:href|content)=[\"']?" + _HOST, re.I)
_IM_SITE_NAME = re.compile(r"\bcontent=[\"']IndiaMART(?:\.com| InterMESH(?: Ltd\.?)?)?[\"']", re.I)
#: The site's own scripts and stylesheets (its static host is imimg.com); other sites may show an IndiaMART
#: picture, never run its code.
_IM_ASSET = re.compile(
    r"<(?:script|link)\b[^<>]{0,1000}?\b(?:src|href)=[\"']?"
    r"(?:https?:)?//(?:[^\"'/\s<>]{0,200}\.)?(?:indiamart|imimg)\.com(?:[/:\"'\s>]|$)",
    re.I,
)
_PRODUCT_PATH = re.compile(r"^/proddetail/", re.I)
_LISTING_PATH = re.compile(r"^/(?:impcat|search\.mp|isearch\.php)\b", re.I)
_PRODUCT_MARKUP = re.compile(
    r"\bproperty=[\"']og:type[\"'][^<>]{0,200}?\bcontent=[\"']product[\"']"
    r"|[\"']@type[\"']\s*:\s*[\"']Product[\"']|\bitemtype=[\"']https?://schema\.org/Product[\"']",
    re.I,
)
_PROSE_HEADINGS = tuple(
    (re.compile(pattern, re.I), location)
    for pattern, location in (
        (r"about us|about (?:the )?company|company (?:introduction|overview|description)|who we are"
         r"|introduction|about [^\n]{2,60}", "company_overview"),
        (r"product description|description|product overview|detailed description", "product_description"),
    )
)  # fmt: skip


def _path_type(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not (host == "indiamart.com" or host.endswith(".indiamart.com")):
        return None  # a mirror's, a saved file's or the demo's own paths say nothing about IndiaMART's families
    if _PRODUCT_PATH.search(parts.path):
        return "product_detail"
    if host == "dir.indiamart.com" or _LISTING_PATH.search(parts.path):
        return "listing"
    if company_slug(url):
        return "company_profile"
    return None


def address_type(url: str, soup: BeautifulSoup) -> str | None:
    """The family the address names: the URL asked for, then the page's declared one."""
    for candidate in (url, *declared_urls(soup)):
        found = _path_type(candidate)
        if found:
            return found
    return None


class IndiaMartParser(PlatformParser):
    """Company pages, product pages and single-supplier listings of indiamart.com."""

    name = "indiamart"
    # hosts: BUILTIN_PLATFORMS in scrapers.platforms.base, where a URL finds this parser without importing it

    @classmethod
    def matches_content(cls, html: str) -> bool:
        """Canonical/og:url on indiamart.com, og:site_name "IndiaMART", or the site's own scripts/styles."""
        if not isinstance(html, str):
            return False
        html = html[:MAX_HTML_CHARS]
        return declares(html, _IM_ADDRESS, _IM_SITE_NAME) or bool(_IM_ASSET.search(html))

    def data_in_html(self, url: str) -> bool:
        # Company pages, factsheets and product pages are rendered on the server (they are built for search
        # engines), so plain HTTP is tried first.
        return True

    def ready_selector(self, url: str) -> str | None:
        # Nothing to wait for: the facts are in the served markup.
        return None

    def parse(self, html: str, url: str) -> ClaimsDocument:
        url = url if isinstance(url, str) else str(url)
        text = as_markup(html)[:MAX_HTML_CHARS]
        builder = ClaimsBuilder(url=url, platform=self.name, opened=OPENED)
        try:
            page = Page(make_soup(text))
        except Exception:
            log.exception("indiamart page could not be parsed: %s", url)
            return builder.build_or_empty("unknown")
        by_address = guarded(url, lambda: address_type(url, page.soup))
        product_markup = bool(_PRODUCT_MARKUP.search(text))
        kind = by_address or ("product_detail" if product_markup else None)
        if kind == "listing" and len(guarded(url, lambda: company_slugs(page)) or ()) > 1:
            return builder.build_or_empty("listing")  # several suppliers' cards: none of them is "the" supplier
        base = guarded(url, lambda: base_url_of(url, page.soup)) or url
        prose = guarded(url, lambda: prose_blocks(page, _PROSE_HEADINGS, LABELS)) or Prose([], set())
        rows: list[Row] = (
            guarded(url, lambda: read_rows((s for s in page.strings(descriptions=True) if not prose.contains(s)),
                                            LABELS))
            or []
        )  # fmt: skip
        for step in (
            lambda: apply_rows(rows, builder),
            lambda: read_badges(page, prose, builder),
            lambda: _read_gst(page, prose, rows, builder),
            lambda: read_iec(rows, builder),
            lambda: read_member_years(page, prose, rows, builder),
            lambda: apply_certification_rows(rows, builder),
            lambda: read_certification_tags(page, prose, builder),
            lambda: read_certificate_gallery(page, builder, base),
            lambda: read_statements(prose, builder),
            lambda: read_name(page, builder, kind in ("company_profile", None)),
        ):
            guarded(url, step)
        if kind is None and (builder.supplier or builder.badges or builder.certifications):
            kind = "company_profile"
        return builder.build_or_empty(kind or "unknown")


def _read_gst(page: Page, prose: Prose, rows: list[Row], builder: ClaimsBuilder) -> None:
    """The GSTIN as a badge's detail; and India as the country when no address names one, since only
    India's GST system issues GSTINs."""
    gstin = gstin_shown(page, prose, rows)
    read_gst(gstin, builder)
    if gstin and not builder.supplier.get("country"):
        builder.set("country", "IN", "label")
