"""IndiaMART's own checks on a supplier and its identity facts: TrustSEAL Verified, Verified Exporter,
Verified (Plus) Supplier, Leading/Star Supplier, GST (the GSTIN as the badge's detail, "GST Verified" only
where the page says so), and how long the supplier has been a member ("Member since 2009", "12 yrs").

A GSTIN (or an Import Export Code) identifies a business; it certifies nothing, so it is never a
certification. It is recorded only when the page shows a well-formed one, never made up.
"""

from __future__ import annotations

import re
from datetime import date

from bs4.element import PageElement, Tag

from scrapers.normalize import clean_text
from scrapers.platforms.builder import ClaimsBuilder
from scrapers.platforms.global_sources._walk import MAX_LABEL_CHARS, Prose, Row, badge_hits
from scrapers.platforms.made_in_china._dom import Page, short_text

__all__ = ["gstin_shown", "read_badges", "read_gst", "read_iec", "read_member_years"]

_BADGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\W{{0,3}}(?:{pattern})\W{{0,3}}", re.I), name)
    for pattern, name in (
        (r"trust\s?seal(?:\s+verified)?|verified\s+by\s+trust\s?seal", "TrustSEAL Verified"),
        (r"verified\s+exporter", "Verified Exporter"),
        (r"verified\s+plus\s+supplier", "Verified Plus Supplier"),
        (r"verified\s+supplier", "Verified Supplier"),
        (r"leading\s+supplier", "Leading Supplier"),
        (r"star\s+supplier", "Star Supplier"),
        (r"gst\s+verified|verified\s+gst", "GST Verified"),
    )
)
#: Search filters and buttons name the same programmes ("TrustSEAL Verified" checkbox): not badges.

#: A GSTIN: state code, PAN (5 letters, 4 digits, 1 letter), entity number, "Z", check character.
_GSTIN = re.compile(r"(?<![0-9A-Za-z])(\d{2}[A-Za-z]{5}\d{4}[A-Za-z][1-9A-Za-z][Zz][0-9A-Za-z])(?![0-9A-Za-z])")
_GST_SHOWN = re.compile(
    r"\bGST(?:IN)?\b(?:\s*(?:No\.?|Number|#))?\s*(?:[:\-–]\s*)?"
    r"(\d{2}[A-Za-z]{5}\d{4}[A-Za-z][1-9A-Za-z][Zz][0-9A-Za-z])(?![0-9A-Za-z])",
    re.I,
)
_IEC = re.compile(r"(?<![0-9A-Za-z])([0-9A-Za-z]{10})(?![0-9A-Za-z])")

_MEMBER = re.compile(
    r"\W{0,3}(?:indiamart\s+)?member\s+(?:since|for)\s*(?::\s*)?"
    r"(?:(?P<year>(?:19|20)\d{2})|(?P<count>\d{1,3})\s*(?:\+\s*)?(?:yrs?|years?))\W{0,3}",
    re.I,
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_COUNT = re.compile(r"(?<![\d.])(\d{1,3})(?:\s*\+)?\s*(?:yrs?|years?)?\s*$", re.I)
_TOOLTIP_ATTRIBUTES = ("title", "aria-label", "data-title")


def _badge_name(text: str | None) -> str | None:
    if not text or len(text) > MAX_LABEL_CHARS:
        return None
    return next((name for pattern, name in _BADGES if pattern.fullmatch(text)), None)


def read_badges(page: Page, prose: Prose, builder: ClaimsBuilder) -> None:
    """IndiaMART's badges from badge text or icon ``alt``/``title`` text, in page order."""
    hits = badge_hits(page, prose, _badge_name)
    for name, _node in hits:
        builder.badge(name, None, None, "structured")


def gstin_shown(page: Page, prose: Prose, rows: list[Row]) -> str | None:
    """The GSTIN the page shows: a "GST No." row's well-formed value, or "GST 27AAACR5055K1Z7" in the
    supplier's header or card. The supplier's own prose does not count."""
    for row in rows:
        found = _GSTIN.search(row.value) if row.field == "gstin" else None
        if found:
            return found.group(1).upper()
    for string in page.strings(descriptions=True):
        if "gst" not in string.lower() or prose.contains(string):
            continue
        for text in (clean_text(string), short_text(string.parent) if isinstance(string.parent, Tag) else None):
            found = _GST_SHOWN.search(text) if text else None
            if found:
                return found.group(1).upper()
    return None


def read_gst(gstin: str | None, builder: ClaimsBuilder) -> None:
    """The GSTIN as a badge's detail: on "GST Verified" when the page says so, else on a badge named "GST"."""
    if gstin is None:
        return
    verified = any(badge.name == "GST Verified" for badge in builder.badges)
    builder.badge("GST Verified" if verified else "GST", None, f"GSTIN {gstin}", "structured")


def read_iec(rows: list[Row], builder: ClaimsBuilder) -> None:
    """The Import Export Code as the detail of "Verified Exporter", when both are shown."""
    if not any(badge.name == "Verified Exporter" for badge in builder.badges):
        return
    for row in rows:
        found = _IEC.search(clean_text(row.value)) if row.field == "iec" else None
        if found and any(ch.isdigit() for ch in found.group(1)):
            builder.badge("Verified Exporter", None, f"IEC {found.group(1).upper()}", "structured")
            return


def _years_in_row(value: str, this_year: int) -> int | None:
    value = clean_text(value)
    year = _YEAR.search(value)
    if year:
        return this_year - int(year.group(1))
    count = _COUNT.match(value)
    return int(count.group(1)) if count else None


def _tooltip_says_member(node: PageElement) -> bool:
    """A bare "12 yrs" whose element (or its parent) is titled "IndiaMART Member Since"."""
    element = node.parent
    for _ in range(2):
        if not isinstance(element, Tag):
            return False
        for attribute in _TOOLTIP_ATTRIBUTES:
            value = element.get(attribute)
            if isinstance(value, str) and "member" in value.lower():
                return True
        element = element.parent
    return False


def _member_years(text: str | None, this_year: int) -> int | None:
    match = _MEMBER.fullmatch(text) if text else None
    if match is None:
        return None
    return this_year - int(match.group("year")) if match.group("year") else int(match.group("count"))


def read_member_years(page: Page, prose: Prose, rows: list[Row], builder: ClaimsBuilder) -> None:
    """Years of IndiaMART membership: a "Member Since" row ("2009" counted to this year, or "12 Yrs"), a
    "Member since 2009" badge line, or a bare "12 yrs" titled as membership. The builder drops counts longer
    than IndiaMART has existed."""
    this_year = date.today().year
    for row in rows:
        years = _years_in_row(row.value, this_year) if row.field == "member_since" else None
        if years is not None:
            builder.set("years_on_platform", years, "label")
            if builder.supplier.get("years_on_platform") is not None:
                return
    for string in page.strings(descriptions=True):
        if prose.contains(string):
            continue
        text = clean_text(string)
        if "member" in text.lower():
            parent_text = short_text(string.parent) if isinstance(string.parent, Tag) else None
            years = _member_years(text, this_year)
            years = years if years is not None else _member_years(parent_text, this_year)
        else:
            count = _COUNT.match(text) if len(text) <= 12 and _tooltip_says_member(string) else None
            years = int(count.group(1)) if count else None
        if years is not None:
            builder.set("years_on_platform", years, "structured")
            if builder.supplier.get("years_on_platform") is not None:
                return
