"""Supplier facts of an IndiaMART page: its label table (the "Factsheet" of a company's About Us page, the
seller block of a product page, a listing's supplier card), the company name and the fields the rows give.

IndiaMART's own wording is kept as shown: "Nature of Business" is the business type, "Annual Turnover" keeps
the Indian "Rs. 5 - 25 Crore", "Total Number of Employees" keeps "11 to 25 People".
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4.element import Tag

from scrapers.normalize import clean_text, country_in_address
from scrapers.platforms.builder import ClaimsBuilder
from scrapers.platforms.global_sources._walk import LabelTable, Prose, Row, prose_text
from scrapers.platforms.made_in_china._dom import Page, short_text
from scrapers.platforms.values import text_list

__all__ = ["LABELS", "apply_rows", "company_slug", "company_slugs", "read_name", "read_statements"]

MAX_SCALAR_CHARS = 500
MAX_NAME_CHARS = 200
MAX_LINKS = 5_000

LABELS = LabelTable(
    (
        (r"company name|name of (?:the )?company|firm name|business name", "name"),
        (r"nature of business|business type|type of business|primary business", "business_type"),
        (r"year of establishment|year established|establishment year|established(?: in)?|incorporated(?: in)?",
         "year_established"),
        (r"total number of employees|(?:no\.?|number) of employees|total employees|employees|staff strength",
         "employees"),
        (r"annual turnover|turnover|annual (?:sales|revenue)", "annual_revenue"),
        (r"(?:main|major|key) products?|products? (?:&|and) services|deals in|dealing in|product range",
         "main_products"),
        (r"(?:main |major |key )?export markets?|(?:main|major) markets?|markets? (?:covered|served)|export countries",
         "main_markets"),
        (r"(?:registered |company |office |factory |business )?address|registered office|location", "location"),
        (r"country", "country"),
        (r"gst(?:in)?(?:\s*(?:no\.?|number|#))?|gstin\s*/\s*uin|gst registration (?:no\.?|number)", "gstin"),
        (r"import export code(?: \(iec\))?|iec(?: code| no\.?| number)?", "iec"),
        (r"(?:indiamart )?member since|member for|membership since|years? (?:on|with) indiamart", "member_since"),
        (r"(?:iso |quality |company |management system |product )?certifi(?:cations?|cates?)", "certification"),
    )
)  # fmt: skip

_SCALARS = frozenset({"name", "business_type", "employees", "annual_revenue", "location"})
_WORD = re.compile(r"[^\W_]")
_ELLIPSIS = re.compile(r"etc\.?|-+|\.{2,}|…+|(?:view |see )?more\W*", re.I)


def apply_rows(rows: list[Row], builder: ClaimsBuilder) -> None:
    """Supplier fields from the label rows; the first row of a field wins (the supplier's block comes first)."""
    for row in rows:
        value = clean_text(row.value)
        if row.field in _SCALARS:
            if len(value) <= MAX_SCALAR_CHARS:
                builder.set(row.field, value, "label")
        elif row.field == "year_established":
            builder.set(row.field, value[:MAX_SCALAR_CHARS], "label")
        elif row.field in ("main_products", "main_markets"):
            entries = [e for e in text_list(row.value) if _WORD.search(e) and not _ELLIPSIS.fullmatch(e)]
            builder.set(row.field, entries, "label")
        elif row.field == "country":
            builder.set("country", country_in_address(value[:MAX_SCALAR_CHARS]), "label")
    if not builder.supplier.get("country"):
        builder.set("country", country_in_address(builder.supplier.get("location")), "label")


# --------------------------------------------------------------------------------------------------
# the company: its name and its own pages
# --------------------------------------------------------------------------------------------------

#: First path segments of www.indiamart.com that are the site's, not a company's.
_RESERVED = frozenset(
    {"proddetail", "impcat", "search.mp", "isearch.php", "help", "services", "corporate", "my", "seller",
     "buyer", "tradeshows", "products", "city", "cities", "company", "about-us", "terms-of-use", "privacy-policy"}
)  # fmt: skip
_COMPANY_HOSTS = frozenset({"indiamart.com", "www.indiamart.com", "m.indiamart.com"})
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,80}")
#: A company's own pages: its home ``/<slug>/`` and its ``/<slug>/aboutus.html``-style subpages.
_COMPANY_SUBPAGE = re.compile(r"(?:[a-z0-9_-]{1,80}\.html?)?")
_NAV_TEXT = re.compile(
    r"(?:home|about(?: us)?|company profile|profile|products?(?: (?:&|and) services)?|our products|contact(?: us)?"
    r"|view (?:more|all|profile|company|details|mobile number)\b.*|visit\b.*|more\b.*|call\b.*|send (?:enquiry|sms)"
    r"|get (?:best )?(?:price|quote)\b.*|contact supplier|request callback|seller)\W*",
    re.I,
)
_GENERIC_TITLE = re.compile(r"about us|company profile|profile|factsheet|home|contact us", re.I)


def company_slug(href: object) -> str | None:
    """The company an IndiaMART link leads to ("https://www.indiamart.com/rathi-polymers/aboutus.html" ->
    "rathi-polymers"), or ``None`` for the site's own pages and other hosts."""
    if not isinstance(href, str):
        return None
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if host and host not in _COMPANY_HOSTS:
        return None
    pieces = parts.path.lower().split("/")
    if len(pieces) < 3 or pieces[0] != "" or len(pieces) > 4:
        return None
    slug, rest = pieces[1], "/".join(pieces[2:])
    if slug in _RESERVED or not _SLUG.fullmatch(slug) or not _COMPANY_SUBPAGE.fullmatch(rest):
        return None
    return slug


def _company_links(page: Page) -> list[Tag]:
    links: list[Tag] = []
    for count, link in enumerate(page.soup.find_all("a", href=True, limit=MAX_LINKS)):
        if count >= MAX_LINKS:
            break
        if company_slug(link.get("href")) and not page.in_chrome(link):
            links.append(link)
    return links


def company_slugs(page: Page) -> set[str]:
    """The companies the page links to outside site chrome: more than one makes it a listing of suppliers."""
    return {slug for link in _company_links(page) if (slug := company_slug(link.get("href")))}


def _name_text(text: str | None) -> str | None:
    text = clean_text(text)
    if not text or len(text) > MAX_NAME_CHARS or not re.search(r"[^\W\d_]", text) or _NAV_TEXT.fullmatch(text):
        return None
    return text


def read_name(page: Page, builder: ClaimsBuilder, company_page: bool) -> None:
    """Run after the other facts. The name from a "Company Name" row (applied earlier); else, only when the
    page showed other supplier facts,, on a company page, its main heading, else
    the first link to the company's own pages outside site chrome (its ``title`` keeps an untruncated name)."""
    if builder.supplier.get("name"):
        return
    if not (builder.supplier or builder.badges or builder.certifications or builder.statements):
        return  # a heading or a link alone is no supplier: a wall's "Access Denied", a sign-in page's title
    if company_page:
        for heading in page.soup.find_all("h1", limit=20):
            name = _name_text(short_text(heading)) if not page.in_chrome(heading) else None
            if name and not _GENERIC_TITLE.fullmatch(name):
                builder.set("name", name, "structured")
                return
    for link in _company_links(page):
        title = link.get("title")
        name = _name_text(title if isinstance(title, str) else None) or _name_text(short_text(link))
        if name:
            builder.set("name", name, "structured")
            return


def read_statements(prose: Prose, builder: ClaimsBuilder) -> None:
    """Certification claims in the company's About Us text and the product description, verbatim."""
    for tag, location in prose.blocks:
        builder.text(prose_text(tag), location)
