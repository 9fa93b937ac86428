"""Global Sources' own checks on a supplier, "Verified Manufacturer" and "Verified Supplier", with the company
that carried out the verification when the page names it ("Verified by Intertek"), and how long the supplier
has been with Global Sources ("12 yrs with Global Sources", "Supplier since 2008").

Verification badges are point-in-time platform checks, never certifications. They are read from badge text
or icon ``alt``/``title`` text outside site chrome, other suppliers' cards, search filters and the supplier's
own prose (a company introduction that says "verified by SGS" is the supplier's word, not the platform's).
"""

from __future__ import annotations

import re
from datetime import date

from bs4.element import PageElement, Tag

from scrapers.normalize import clean_text
from scrapers.platforms.builder import ClaimsBuilder
from scrapers.platforms.global_sources._walk import MAX_LABEL_CHARS, Prose, Row, badge_hits
from scrapers.platforms.made_in_china._dom import MAX_SHORT_TEXT, Page, short_text

__all__ = ["VERIFIED_BADGES", "read_badges", "read_verifier", "read_years"]

VERIFIED_BADGES = ("Verified Manufacturer", "Verified Supplier")
_BADGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\W{0,3}verified\s+manufacturer\W{0,3}", re.I), "Verified Manufacturer"),
    (re.compile(r"\W{0,3}verified\s+supplier\W{0,3}", re.I), "Verified Supplier"),
)
#: Companies Global Sources' verifications are carried out by, as pages name them.
#: For each badge, the other one's name: a container showing both is shared.
_OTHER_BADGE = (
    (re.compile(r"verified\s+supplier", re.I), "Verified Manufacturer"),
    (re.compile(r"verified\s+manufacturer", re.I), "Verified Supplier"),
)
_VERIFIERS = (
    r"Intertek|SGS|T[ÜU]V(?:\s+(?:Rheinland|S[ÜU]D|NORD|Austria))?|Bureau\s+Veritas|BV|DEKRA|QIMA|CCIC|Eurofins"
    r"|UL|Dun\s*(?:&|and)\s*Bradstreet|D\s*&\s*B|CTI|CQC"
)
_VERIFIED_BY = re.compile(
    r"\b(?:on-?site\s+)?(?:verified|verification(?:\s+(?:conducted|performed|carried\s+out))?|assessed|assessment|audited|audit"
    r"|inspected|inspection|on-?site\s+check(?:ed)?)\s+(?:by|through|with|from)\s*(?::\s*)?(?:the\s+)?"
    rf"(?P<issuer>{_VERIFIERS})(?![A-Za-z])",
    re.I,
)
_ISSUER_FIRST = re.compile(
    rf"(?<![A-Za-z])(?P<issuer>{_VERIFIERS})[\s-]+(?:verified|verification|assessed|assessment|audit(?:ed)?)\b",
    re.I,
)
_NAMED_VERIFIER = re.compile(rf"(?<![A-Za-z])(?:{_VERIFIERS})(?![A-Za-z])", re.I)
_GENERIC_VERIFIER = re.compile(r"independent|third[- ]party|agency|institution|organi[sz]ation|partner", re.I)
_VERIFY_WORD = re.compile(r"verif|assess|audit|inspect|on-?site", re.I)
#: Search filters and buttons name the same programmes ("Verified Manufacturer" checkbox): not badges.
_BADGE_ATTRIBUTES = ("title", "aria-label")

_YEARS_WITH = re.compile(r"(?<![\d.])(\d{1,3})\s*(?:\+\s*)?(?:yrs?|years?)\.?\s+(?:with|on)\s+global\s*sources\b", re.I)
#: "Supplier since 2008" as the whole text (a tagline "your trusted supplier since 1998" is no membership).
_SINCE = re.compile(
    r"\W{0,3}(?:global\s*sources\s+)?(?:supplier|member)\s+since\s*(?::\s*)?((?:19|20)\d{2})\W{0,3}", re.I
)
_WITH_GS_SINCE = re.compile(r"\bwith\s+global\s*sources\s+since\s*(?::\s*)?((?:19|20)\d{2})(?!\d)", re.I)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_COUNT = re.compile(r"(?<![\d.])(\d{1,3})(?:\s*\+)?\s*(?:yrs?|years?)?\s*$", re.I)


def _badge_name(text: str | None) -> str | None:
    if not text or len(text) > MAX_LABEL_CHARS:
        return None
    return next((name for pattern, name in _BADGES if pattern.fullmatch(text)), None)


def _issuer_in(text: str | None) -> tuple[str, str] | None:
    """(issuer, phrase) from "Verified by Intertek" / "TÜV SÜD verified"."""
    if not text or not _VERIFY_WORD.search(text):
        return None
    match = _VERIFIED_BY.search(text) or _ISSUER_FIRST.search(text)
    return (clean_text(match.group("issuer")), clean_text(match.group(0))) if match else None


def _container_issuer(node: PageElement, name: str, prose: Prose) -> tuple[str, str] | None:
    """The verifier named by the badge itself or its small container (text, ``title``, ``aria-label``); a
    container that also shows the other badge cannot say whose verifier it names."""
    other = next(pattern for pattern, badge in _OTHER_BADGE if badge == name)
    element = node if isinstance(node, Tag) else node.parent
    for _ in range(4):
        if not isinstance(element, Tag) or element.name in ("body", "html") or prose.contains(element):
            return None
        text = short_text(element)
        if text is not None and other.search(text):
            return None
        for attribute in _BADGE_ATTRIBUTES:
            value = element.get(attribute)
            found = _issuer_in(clean_text(value)) if isinstance(value, str) else None
            if found:
                return found
        found = _issuer_in(text)
        if found:
            return found
        element = element.parent
    return None


def read_badges(page: Page, prose: Prose, builder: ClaimsBuilder) -> None:
    """The badges "Verified Manufacturer" / "Verified Supplier" from badge text or icon ``alt``/``title``, in
    page order, each with the verifier its own container names."""
    hits = badge_hits(page, prose, _badge_name)
    for name, node in hits:
        found = _container_issuer(node, name, prose)
        builder.badge(name, found[0] if found else None, found[1] if found else None, "structured")


def _issuer_in_row(row: Row) -> tuple[str, str | None] | None:
    """(issuer, detail) from a "Verified by" row: the named verification company with the row's full wording
    as detail, else the value as shown unless it names nobody ("an independent third party")."""
    value = clean_text(row.value)
    named = _NAMED_VERIFIER.search(value)
    if named:
        issuer = clean_text(named.group(0))
        return issuer, (value[:MAX_SHORT_TEXT] if value != issuer else None)
    if value and len(value) <= MAX_LABEL_CHARS and not _GENERIC_VERIFIER.search(value):
        return value, None
    return None


def read_verifier(page: Page, prose: Prose, rows: list[Row], builder: ClaimsBuilder) -> None:
    """The verifier from a "Verified by" row or a "verified by Intertek" phrase elsewhere on the page (outside
    the supplier's prose), for the verification badge when the page shows exactly one and it names nobody
    yet: with two badges a page-wide phrase cannot say which check it belongs to."""
    verified = [badge for badge in builder.badges if badge.name in VERIFIED_BADGES]
    if len(verified) != 1 or verified[0].issuer:
        return
    for row in rows:
        found = _issuer_in_row(row) if row.field == "verifier" else None
        if found:
            builder.badge(verified[0].name, found[0], found[1], "structured")
            return
    for string in page.strings(descriptions=True):
        if prose.contains(string) or not _VERIFY_WORD.search(string):
            continue
        context = short_text(string.parent) if isinstance(string.parent, Tag) else None
        for text in (clean_text(string), context):
            found = _issuer_in(text)
            if found:
                builder.badge(verified[0].name, found[0], found[1], "structured")
                return


def _years_from(text: str, this_year: int) -> int | None:
    with_gs = _YEARS_WITH.search(text)
    if with_gs:
        return int(with_gs.group(1))
    since = _SINCE.fullmatch(text) or _WITH_GS_SINCE.search(text)
    return this_year - int(since.group(1)) if since else None


def _years_in_row(value: str, this_year: int) -> int | None:
    """The years under a "Years with Global Sources" / "Supplier since" label: "12 yrs", "12", or a year
    ("2008", "Since 2008") counted to this year."""
    value = clean_text(value)
    year = _YEAR.search(value)
    if year:
        return this_year - int(year.group(1))
    count = _COUNT.match(value)
    return int(count.group(1)) if count else None


def read_years(page: Page, prose: Prose, rows: list[Row], builder: ClaimsBuilder) -> None:
    """Years with Global Sources: "12 yrs with Global Sources" as shown, or counted from "Supplier since
    2008" to the current year (the page itself counts on as the years pass). The builder drops counts longer
    than the online marketplace has existed."""
    this_year = date.today().year
    for row in rows:
        years = _years_in_row(row.value, this_year) if row.field == "since" else None
        if years is not None:
            builder.set("years_on_platform", years, "label")
            if builder.supplier.get("years_on_platform") is not None:
                return
    for string in page.strings(descriptions=True):
        lowered = string.lower()
        if ("global" not in lowered and "since" not in lowered) or prose.contains(string):
            continue
        for text in (clean_text(string), short_text(string.parent) if isinstance(string.parent, Tag) else None):
            years = _years_from(text, this_year) if text else None
            if years is not None:
                builder.set("years_on_platform", years, "structured")
                if builder.supplier.get("years_on_platform") is not None:
                    return
