"""Made-in-China's own checks on a supplier: member level (Diamond/Gold Member, "Since 2017"), Audited
Supplier (with the inspection company when one is named) and Secured Trading Service.

These are point-in-time platform checks, never certifications. They are read from badge text or icon
``alt`` text outside site chrome and other suppliers' cards; menu links to the same services are not badges.
"""

from __future__ import annotations

import re

from bs4.element import PageElement, Tag

from scrapers.normalize import clean_text
from scrapers.platforms.builder import ClaimsBuilder
from scrapers.platforms.made_in_china._dom import Page, short_text
from scrapers.platforms.made_in_china._rows import MAX_LABEL_CHARS, Row

_BADGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I), name)
    for pattern, name in (
        (r"diamond member|钻石会员", "Diamond Member"),
        (r"gold member|金牌会员", "Gold Member"),
        (r"audited supplier", "Audited Supplier"),
        (r"secured trading(?: service)?", "Secured Trading Service"),
    )
)
_MEMBER_BADGES = frozenset({"Diamond Member", "Gold Member"})
_SINCE = re.compile(r"\bsince\s*((?:19|20)\d{2})(?!\d)", re.I)
_YEARS = re.compile(r"(?<![\d.])(\d{1,2})\s*(?:\+\s*)?(?:yrs?|years?)\b", re.I)
_INSPECTORS = (
    r"SGS|T[ÜU]V(?:\s+(?:Rheinland|S[ÜU]D|NORD|Austria))?|Bureau\s+Veritas|Intertek|DEKRA|QIMA|CCIC|Eurofins|BV"
)
_AUDIT_BY = re.compile(
    r"\b(?:audit(?:ed)?|inspect(?:ed|ion)|assess(?:ed|ment))(?:\s+reports?)?\s+(?:by|from|of)\s*:?\s*"
    rf"(?:the\s+)?(?P<issuer>{_INSPECTORS})(?![A-Za-z])",
    re.I,
)
_ISSUER_FIRST = re.compile(rf"(?<![A-Za-z])(?P<issuer>{_INSPECTORS})\s+(?:audit(?:ed)?|inspection)\b", re.I)
_AUDIT_WORD = re.compile(r"audit|inspect|assess", re.I)
_GENERIC_AUDITOR = re.compile(r"independent|third[- ]party|agency|institution|organi[sz]ation", re.I)


def _badge_name(text: str | None) -> str | None:
    if not text or len(text) > MAX_LABEL_CHARS:
        return None
    return next((name for pattern, name in _BADGES if pattern.fullmatch(text)), None)


def _inside_link(node: PageElement) -> bool:
    """Menus and filters link to the same services ("Secured Trading Service"); a badge is not a link."""
    parent = node.parent
    for _ in range(4):
        if not isinstance(parent, Tag):
            return False
        if parent.name == "a":
            return True
        parent = parent.parent
    return False


def _member_detail(node: PageElement) -> tuple[str | None, int | None]:
    """("Since 2017", None) or (None, 6) from the badge's own container (tooltip included)."""
    parent = node.parent
    for _ in range(3):
        if not isinstance(parent, Tag):
            break
        text = short_text(parent)
        if text is None:
            break
        since, years = _SINCE.search(text), _YEARS.search(text)
        if since or years:
            return (f"Since {since.group(1)}" if since else None), (int(years.group(1)) if years else None)
        parent = parent.parent
    return None, None


def read_badges(page: Page, builder: ClaimsBuilder) -> None:
    """Member level, Audited Supplier and Secured Trading Service from badge text or icon ``alt`` text."""
    hits: list[tuple[str, PageElement]] = []
    for string in page.strings():
        name = _badge_name(clean_text(string))
        if name and not _inside_link(string):
            hits.append((name, string))
    for image in page.images():
        name = _badge_name(clean_text(image.get("alt")))
        if name:
            hits.append((name, image))
    hits.sort(key=lambda hit: page.position(hit[1]))  # text and icon hits as the page shows them
    for name, node in hits:
        detail, years = _member_detail(node) if name in _MEMBER_BADGES else (None, None)
        builder.badge(name, None, detail)
        if years is not None:
            builder.set("years_on_platform", years)


def _issuer_in_row(row: Row) -> str | None:
    """A named inspection company in an "Audited by" row, else the value as shown unless it is generic."""
    value = clean_text(row.value)
    named = re.search(rf"(?<![A-Za-z])(?:{_INSPECTORS})(?![A-Za-z])", value, re.I)
    if named:
        return named.group(0)
    return value if value and len(value) <= MAX_LABEL_CHARS and not _GENERIC_AUDITOR.search(value) else None


def read_auditor(page: Page, rows: list[Row], builder: ClaimsBuilder) -> None:
    """The named inspection company behind "Audited Supplier": an "Audited by" row, or an "audited by
    SGS" / "TÜV Rheinland audit" phrase outside the supplier's own descriptions. A generic "independent
    third-party inspection agency" names nobody and leaves the issuer empty."""
    audited = any(badge.name == "Audited Supplier" for badge in builder.badges)
    for row in rows:
        issuer = _issuer_in_row(row) if row.field == "auditor" else None
        if issuer:
            builder.badge("Audited Supplier", issuer, None)
            return
    if not audited:
        return
    for string in page.strings():
        if not _AUDIT_WORD.search(string):
            continue
        context = short_text(string.parent) if isinstance(string.parent, Tag) else None
        for text in (clean_text(string), context or ""):
            match = _AUDIT_BY.search(text) or _ISSUER_FIRST.search(text)
            if match:
                builder.badge("Audited Supplier", clean_text(match.group("issuer")), clean_text(match.group(0)))
                return
