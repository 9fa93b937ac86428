"""Supplier facts, certifications and free-text statements of a Made-in-China page, from its label rows
(:mod:`._rows`) and its description blocks.

The page gives certification names only ("Certification: CE, ISO", "Management System Certification: ISO
9001, ISO 14001"): each entry becomes one structured certification with nothing invented around it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bs4.element import Tag

from scrapers.normalize import clean_text, country_in_address, normalize_country
from scrapers.platforms.builder import ClaimsBuilder, make_certification
from scrapers.platforms.made_in_china._dom import Page, bare, bounded_text, free_text_kind, short_text, value_after
from scrapers.platforms.made_in_china._rows import HEADINGS, Row
from scrapers.platforms.values import cert_names

#: A "value" longer than this under a scalar label is a section of content, not a fact.
MAX_SCALAR_CHARS = 500
MAX_LIST_ENTRIES = 50
MAX_DESCRIPTION_CHARS = 100_000
MAX_DESCRIPTION_PIECES = 20_000

# --------------------------------------------------------------------------------------------------
# supplier facts
# --------------------------------------------------------------------------------------------------

_LIST_SPLIT = re.compile(r"[,;，；、\n]")
_ADDRESS_CLASSES = ("detail-address", "com-address", "company-address")
_ELLIPSIS = re.compile(r"etc\.?|-+|\.{2,}|…+")


def list_entries(value: str) -> list[str]:
    """Products or markets as shown, one per separator; a trailing "..." of a truncated list dropped."""
    out: list[str] = []
    for part in _LIST_SPLIT.split(value):
        entry = clean_text(part)[:200]
        if entry and entry not in out and not _ELLIPSIS.fullmatch(entry):
            out.append(entry)
            if len(out) >= MAX_LIST_ENTRIES:
                break
    return out


def read_name(page: Page, builder: ClaimsBuilder) -> None:
    """The company name from the supplier block's title link (its ``title`` holds the untruncated name), or
    the showroom header's title."""
    for class_name, read in _NAME_SOURCES:
        for tag in page.with_class(class_name):
            value = read(tag)
            if value:
                builder.set("name", value)
                return


def _title_link(tag: Tag) -> str | None:
    link = tag.find("a", attrs={"title": True})
    title = link.get("title") if link is not None else None
    return clean_text(title) if isinstance(title, str) else None


def _heading_text(tag: Tag) -> str | None:
    heading = tag if tag.name in HEADINGS else tag.find(list(HEADINGS))
    return short_text(heading) if heading is not None else None


def _title_text(tag: Tag) -> str | None:
    return short_text(tag.find(class_="title-txt") or tag)


_NAME_SOURCES: tuple[tuple[str, Callable[[Tag], str | None]], ...] = (
    ("sr-comInfo-title", _title_link),  # product page supplier block
    ("shop-sign__header-title--text", short_text),  # showroom header
    ("J-title-comName", _heading_text),
    ("sr-comInfo-title", _title_text),  # a title without the link's title attribute
)


def apply_rows(rows: list[Row], builder: ClaimsBuilder) -> None:
    """Supplier fields from the rows; the first row of a field wins (the supplier block comes first). A
    product's attributes ("Location: Outdoor") say nothing about the supplier."""
    for row in rows:
        if row.product_attribute:
            continue
        if row.field in ("main_products", "main_markets"):
            builder.set(row.field, list_entries(row.value), "label")
        elif row.field == "country":
            builder.set(row.field, normalize_country(clean_text(row.value)[:MAX_SCALAR_CHARS]), "label")
        elif row.field in ("name", "business_type", "location", "employees", "annual_revenue"):
            value = clean_text(row.value)
            if len(value) <= MAX_SCALAR_CHARS:
                builder.set(row.field, value, "label")
        elif row.field == "year_established":
            builder.set(row.field, clean_text(row.value)[:MAX_SCALAR_CHARS], "label")


def read_address(page: Page, builder: ClaimsBuilder) -> None:
    """Location from the showroom header's address line when no Address row said it, and the country from
    whichever address names one at its end ("..., Zhejiang, China") or start ("中国浙江省..."). No guessing
    from a province, a city or a phone prefix."""
    addresses = [short_text(node) for name in _ADDRESS_CLASSES for node in page.with_class(name)]
    for address in addresses:
        builder.set("location", address)
    if builder.supplier.get("country"):
        return
    for address in (builder.supplier.get("location"), *addresses):
        country = country_in_address(address)
        if country:
            builder.set("country", country, "label")
            return


# --------------------------------------------------------------------------------------------------
# certifications
# --------------------------------------------------------------------------------------------------

_CERT_HINT = {"ms_certification": "management_system", "certification": None}


def apply_certifications(rows: list[Row], builder: ClaimsBuilder) -> None:
    """One structured certification per entry of "Management System Certification" and product
    "Certification" rows. The page gives names only: no number, issuer or dates are invented. A
    management-system row's label decides the kind of names the normaliser does not know (HSE, QC 080000)."""
    seen = {_key(cert.name) for cert, _ in builder.certifications}
    for row in rows:
        if row.field not in _CERT_HINT:
            continue
        for name in cert_names(row.value):
            if _key(name) in seen:
                continue
            seen.add(_key(name))
            builder.certification(make_certification(name, kind_hint=_CERT_HINT[row.field], source="label"), row.field)


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


# --------------------------------------------------------------------------------------------------
# statements
# --------------------------------------------------------------------------------------------------

_INTRO_HEADING = re.compile(
    r"company (?:introduction|profile|overview|description)|about us|公司简介|公司介绍|企业简介", re.I
)


def read_statements(page: Page, builder: ClaimsBuilder) -> None:
    """Certification claims in the product description and the company introduction, verbatim: the
    outermost free-text blocks, and the block after a "Company Introduction" / "About Us" heading."""
    for tag in page.classed():
        location = free_text_kind(tag)
        if location is None or page.in_description(tag.parent):
            continue
        builder.text(bounded_text(tag, "\n", MAX_DESCRIPTION_CHARS, MAX_DESCRIPTION_PIECES), location)
    for string in page.strings():
        text = bare(clean_text(string))
        if _INTRO_HEADING.fullmatch(text):
            builder.text(value_after(string, text, "\n", lambda _text: False), "company_overview")
