"""Supplier facts of a Global Sources page: its label table, the company name and the fields its label rows
give (business type, year established, employees, sales, products, markets, location and country).

Global Sources shows the same facts in a company profile's key-facts table and in the supplier block beside
a product, in whatever markup the page version uses, so facts are found by their English label text.
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

__all__ = ["LABELS", "apply_rows", "read_name", "read_statements", "supplier_keys"]

#: A "value" longer than this under a scalar label is a section of content, not a fact.
MAX_SCALAR_CHARS = 500
MAX_NAME_CHARS = 200
MAX_LINKS = 5_000

LABELS = LabelTable(
    (
        (r"company name|supplier name|name of (?:the )?company", "name"),
        (r"business types?|type of business|business nature|nature of business", "business_type"),
        (
            r"year (?:company )?established|year of establishment|establishment year|established(?: in| year)?"
            r"|year founded|founded(?: in)?",
            "year_established",
        ),
        (
            r"(?:total )?(?:no\.?|number) of (?:employees|staff|workers)|total (?:employees|staff|workers)"
            r"|employees|staff(?: size)?",
            "employees",
        ),
        (r"(?:total )?(?:annual|yearly) (?:sales|revenue|turnover)(?: volume)?|(?:total )?(?:annual )?export sales",
         "annual_revenue"),
        (r"(?:main|key|major) products?", "main_products"),
        (r"(?:main|major|key|top(?: \d+)?) (?:export )?markets?|export markets?|(?:main )?export countries",
         "main_markets"),
        (r"(?:company |business |office |registered |factory )?address|location|city\s*/\s*province"
         r"|province\s*/\s*city|headquarters", "location"),
        (r"country(?:\s*/\s*region)?|country or region", "country"),
        (r"(?:company|management(?: system)?|quality(?: management)?(?: system)?|factory|system) "
         r"certifi(?:cations?|cates?)", "ms_certification"),
        (r"product certifi(?:cations?|cates?)", "product_certification"),
        (r"certifi(?:cations?|cates?)", "certification"),
        (r"verified by|verification (?:by|company|agency|body|partner)|verif(?:ied|ication) conducted by"
         r"|(?:on-?site |factory )?(?:assessed|audited|inspected) by|third[- ]party verification(?: by)?",
         "verifier"),
        (r"(?:years?|yrs) with global ?sources|(?:global ?sources )?(?:supplier|member) since"
         r"|with global ?sources since", "since"),
    )
)  # fmt: skip

_SCALARS = frozenset({"name", "business_type", "employees", "annual_revenue", "location"})
_WORD = re.compile(r"[^\W_]")
_ELLIPSIS = re.compile(r"etc\.?|-+|\.{2,}|…+|(?:view |see )?more\W*", re.I)


def apply_rows(rows: list[Row], builder: ClaimsBuilder) -> None:
    """Supplier fields from the label rows; the first row of a field wins (the key facts come first)."""
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
# the company name
# --------------------------------------------------------------------------------------------------

#: Paths of a supplier's own pages: current and older (``/si/...``) homepages and profiles.
_SUPPLIER_PATH = re.compile(
    r"/si/|homepage|home_\d|company[-_]?profile|company[-_]?info(?:rmation)?|/about[-_]?us|\d+sh\.htm", re.I
)
#: Link texts of a supplier's navigation, not its name.
_NAV_TEXT = re.compile(
    r"(?:home ?page|home|company profile|profile|about(?: us)?|products?(?: list| catalog)?"
    r"|contact(?: us| now| supplier)?|view (?:more|all|profile|company|supplier|store)\b.*|visit\b.*|more\b.*"
    r"|send (?:inquiry|message)|chat\b.*"
    r"|inquire\b.*|trade shows?|certificates?|factory tour|videos?|supplier|company)\W*",
    re.I,
)
_GENERIC_TITLE = re.compile(r"company (?:profile|overview|information|introduction)|about us|profile|homepage", re.I)


def _is_supplier_link(tag: Tag) -> bool:
    href = tag.get("href")
    if not isinstance(href, str):
        return False
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if host and not (host == "globalsources.com" or host.endswith(".globalsources.com")):
        return False
    return bool(_SUPPLIER_PATH.search(parts.path))


_SUPPLIER_ID = re.compile(r"(?<!\d)(\d{10,16})(?!\d)")


def supplier_keys(page: Page) -> set[str]:
    """The suppliers the page links to outside site chrome (by the id in the link, else its first path
    segment): more than one makes it a list of suppliers, no one supplier's page."""
    keys: set[str] = set()
    for count, link in enumerate(page.soup.find_all("a", href=True, limit=MAX_LINKS)):
        if count >= MAX_LINKS or len(keys) > 1:
            break
        if not _is_supplier_link(link) or page.in_chrome(link):
            continue
        path = urlsplit(str(link.get("href"))).path
        found = _SUPPLIER_ID.search(path)
        keys.add(found.group(1) if found else path.strip("/").split("/")[0].lower())
    return keys


def _name_text(text: str | None) -> str | None:
    text = clean_text(text)
    if not text or len(text) > MAX_NAME_CHARS or not re.search(r"[^\W\d_]", text) or _NAV_TEXT.fullmatch(text):
        return None
    return text


def read_name(page: Page, builder: ClaimsBuilder, company_page: bool) -> None:
    """Run after the other facts. The name from a "Company Name" row (applied earlier); else, only when the
    page showed other supplier facts, the first link to the supplier's own
    homepage or profile outside site chrome (its ``title`` keeps an untruncated name), else, on a company
    page, its main heading."""
    if builder.supplier.get("name"):
        return
    if not (builder.supplier or builder.badges or builder.certifications or builder.statements):
        return  # a heading or a link alone is no supplier: a wall's "Access Denied", a sign-in page's title
    for count, link in enumerate(page.soup.find_all("a", href=True, limit=MAX_LINKS)):
        if count >= MAX_LINKS:
            break
        if not _is_supplier_link(link) or page.in_chrome(link):
            continue
        title = link.get("title")
        name = _name_text(title if isinstance(title, str) else None) or _name_text(short_text(link))
        if name:
            builder.set("name", name, "structured")
            return
    if company_page:
        for heading in page.soup.find_all("h1", limit=20):
            name = _name_text(short_text(heading)) if not page.in_chrome(heading) else None
            if name and not _GENERIC_TITLE.fullmatch(name):
                builder.set("name", name, "structured")
                return


# --------------------------------------------------------------------------------------------------
# statements
# --------------------------------------------------------------------------------------------------


def read_statements(prose: Prose, builder: ClaimsBuilder) -> None:
    """Certification claims in the company introduction and the product description, verbatim."""
    for tag, location in prose.blocks:
        builder.text(prose_text(tag), location)
