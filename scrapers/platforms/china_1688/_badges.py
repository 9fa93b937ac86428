"""1688's own checks on a seller: 诚信通 membership (with its years), 实力商家, 超级工厂, 深度验厂 (the
third-party factory inspection behind both), 源头工厂 and the older 实地认证, with the inspection body when
the page names it ("由 TÜV南德 实地认证", "验厂机构：SGS").

These are point-in-time platform checks, never certifications. They are read from badge text, icon
``alt``/``title`` text and tooltips outside site chrome and other sellers' cards. Text inside a link
counts only with a number ("诚信通 8 年"): menus and service pages link the bare words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import html

from scrapers.claims import Provenance
from scrapers.normalize import clean_text
from scrapers.platforms.builder import ClaimsBuilder
from scrapers.platforms.china_1688._dom import PROFILE, Page, in_link

__all__ = ["BADGE_NAMES", "INSPECTION_BADGES", "assign_inspector", "badge_name", "read_badges", "tp_years"]

TRUSTPASS = "诚信通"
#: Canonical name -> spellings (simplified and traditional). 深度认证 is the same third-party inspection
#: as 深度验厂 under its older name.
_BADGES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        (TRUSTPASS, r"[诚誠]信通(?:会员|會員)?"),
        ("实力商家", r"[实實]力商家"),
        ("超级工厂", r"超[级級]工[厂廠]"),
        ("深度验厂", r"深度(?:[验驗][厂廠]|[认認][证證])(?:[报報]告)?"),
        ("源头工厂", r"源[头頭](?:工[厂廠]|[厂廠]家)"),
        ("实地认证", r"[实實]地[认認][证證]"),
    )
)
BADGE_NAMES = frozenset(name for name, _ in _BADGES)
#: The badges a named inspection body belongs to, most specific first.
INSPECTION_BADGES = ("深度验厂", "实地认证", "超级工厂", "实力商家")
_TP_YEARS = re.compile(
    r"[诚誠]信通\s{0,3}(?:会员|會員)?\s{0,3}(?:第\s{0,3})?(?P<a>\d{1,3})\s{0,3}年(?![限份])"
    r"|(?P<b>\d{1,3})\s{0,3}年\s{0,3}[诚誠]信通"
)
_BARE_YEARS = re.compile(r"^\s*(?:第\s{0,3})?(\d{1,3})\s{0,3}年?\s*$")
#: "由 TÜV南德 实地认证", "由SGS进行深度验厂": the body between 由 and the verb (bounded, so linear).
_BY_BODY = re.compile(
    r"由\s{0,3}(?P<issuer>[^\s，。,;；:：由][^，。,;；:：\n由]{0,40}?)\s{0,3}(?:进行\s{0,3})?"
    r"(?:[实實]地|现场|現場|上门|上門|深度)?(?P<verb>[认認][证證]|[验驗][厂廠]|[验驗][证證]|[审審][核])"
)
_SPACES = re.compile(r"\s+")
MAX_BADGE_LINE_CHARS = 300
MAX_TITLED = 300_000


def badge_name(text: str | None) -> str | None:
    """The canonical badge a short text names ("實力商家" -> 实力商家), or ``None``."""
    if not text or len(text) > 40:
        return None
    key = _SPACES.sub("", clean_text(text))
    if not key or len(key) > 12:
        return None
    return next((name for name, pattern in _BADGES if pattern.fullmatch(key)), None)


def tp_years(text: str | None) -> int | None:
    """N of "诚信通 8 年" / "诚信通第8年" / "8年诚信通"."""
    match = _TP_YEARS.search(text or "")
    if match is None:
        return None
    return int(match.group("a") or match.group("b"))


def bare_years(text: str | None) -> int | None:
    """N of a 诚信通 label's value: "8年", "第8年", "8"."""
    match = _BARE_YEARS.match(clean_text(text))
    return int(match.group(1)) if match else None


def add_trustpass(builder: ClaimsBuilder, years: int | None, source: Provenance) -> None:
    """The 诚信通 badge ("8年" as shown) and, from it, the years on the platform (bounded by the builder)."""
    builder.badge(TRUSTPASS, None, f"{years}年" if years is not None else None, source)
    if years is not None:
        builder.set("years_on_platform", years, source)


@dataclass(frozen=True)
class _Hit:
    element: html.HtmlElement
    name: str
    years: int | None = None


def _in_page_order(page: Page, hits: list[_Hit]) -> list[_Hit]:
    """The hits sorted by where their elements are. Each hit keeps its element referenced, so the proxies
    lxml hands out while walking are the same objects (a freed proxy's ``id`` could be reused)."""
    wanted = {id(hit.element) for hit in hits}
    position: dict[int, int] = {}
    for index, element in enumerate(page.root.iter()):
        if id(element) in wanted:
            position.setdefault(id(element), index)
            if len(position) == len(wanted):
                break
    return sorted(hits, key=lambda hit: position.get(id(hit.element), 0))


def _text_hits(page: Page, prose: set[int]) -> list[_Hit]:
    hits: list[_Hit] = []
    for line in page.lines:
        if line.region != PROFILE or id(line.block) in prose:
            continue
        text = line.text
        years = tp_years(text) if len(text) <= MAX_BADGE_LINE_CHARS else None
        if years is not None:
            cell = next((c for c in line.cells if "信通" in c.text), line.cells[0])
            hits.append(_Hit(cell.element, TRUSTPASS, years))
        for cell in line.cells:
            name = badge_name(cell.text)
            if name and not (name == TRUSTPASS and years is not None) and not in_link(cell.element):
                hits.append(_Hit(cell.element, name))
    return hits


def _attribute_hits(page: Page) -> list[_Hit]:
    """Icons (``alt``) and tooltips (``title``): "实力商家" icons, "诚信通第8年" tooltips."""
    hits: list[_Hit] = []
    for count, element in enumerate(page.root.iter()):
        if count >= MAX_TITLED:
            break
        if not isinstance(element.tag, str):
            continue
        for attribute in ("alt", "title"):
            value = element.get(attribute)
            if not value or len(value) > 40:
                continue
            years = tp_years(value)
            name = TRUSTPASS if years is not None else badge_name(value)
            if name:
                hits.append(_Hit(element, name, years))
                break
    return hits


def read_badges(page: Page, builder: ClaimsBuilder, prose: set[int]) -> None:
    """Every badge of the seller in page order; 诚信通 years also give ``years_on_platform``. ``prose``: ids
    of blocks that are an introduction's text ("我们是诚信通10年老店" is a sentence, not the badge)."""
    for hit in _in_page_order(page, _text_hits(page, prose) + _attribute_hits(page)):
        if hit.name == TRUSTPASS:
            add_trustpass(builder, hit.years, "structured")
        else:
            builder.badge(hit.name, None, None, "structured")
    _read_inspection_phrases(page, builder, prose)


def _read_inspection_phrases(page: Page, builder: ClaimsBuilder, prose: set[int]) -> None:
    """ "由 TÜV南德 实地认证" beside a badge: the body goes to that badge (see :func:`assign_inspector`)."""
    for line in page.lines:
        if line.region != PROFILE or len(line.text) > MAX_BADGE_LINE_CHARS or id(line.block) in prose:
            continue
        match = _BY_BODY.search(line.text)
        if match is None:
            continue
        issuer = clean_text(match.group("issuer"))
        on_line = [name for name in (badge_name(cell.text) for cell in line.cells) if name in INSPECTION_BADGES]
        verb = match.group("verb")
        fallback = "深度验厂" if verb in ("验厂", "驗廠") else "实地认证"
        assign_inspector(builder, issuer, clean_text(match.group(0)), on_line[0] if on_line else fallback)
        return


def assign_inspector(builder: ClaimsBuilder, issuer: str | None, detail: str | None, fallback: str | None) -> None:
    """Name the inspection body on the seller's inspection badge: the one shown beside it, else the most
    specific one the page shows; a phrase that names no shown badge adds the check it names (``fallback``).
    A bare "认证机构" with no inspection badge and no phrase (``fallback`` None) is left unassigned: on the
    old credit pages that box is the 诚信通 identity check, not a factory inspection."""
    issuer = clean_text(issuer)[:100]
    if not issuer or len(issuer) < 2:
        return
    shown = {badge.name for badge in builder.badges}
    if fallback in INSPECTION_BADGES and fallback in shown:
        target: str | None = fallback
    else:
        target = next((name for name in INSPECTION_BADGES if name in shown), fallback)
    if target:
        builder.badge(target, issuer, detail, "structured")


def is_badge_image(image: html.HtmlElement) -> bool:
    """An icon of a badge (its ``alt``/``title`` names one): not a certificate document."""
    return any(badge_name(image.get(attribute)) or tp_years(image.get(attribute)) for attribute in ("alt", "title"))
