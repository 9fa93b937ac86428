"""One bounded parse of a 1688 page and its text as lines of cells, with site chrome and other sellers'
cards cut away.

1688's markup changes with every redesign and its newer pages hash their class names, so nothing here
depends on a class name being exact: block elements end lines, every other element boundary (a table
cell, a ``<span>`` label, an ``<em>`` around a number) ends a cell. "经营模式：</th><td>生产厂家",
"<dt>成立时间</dt><dd>2012</dd>" and "<span>诚信通</span><em>8</em><span>年</span>" all become cells that
the label and badge readers match on their Chinese text. Class and id *words* (a substring, not the
whole hashed name) only say where a line is: site chrome (cut), another seller's card (cut), the
company introduction or the offer description (prose, read for statements only).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree, html

__all__ = [
    "DESCRIPTION",
    "INTRO",
    "MAX_HTML_CHARS",
    "PROFILE",
    "Cell",
    "Line",
    "Page",
    "absolute_url",
    "ancestors",
    "bounded_text",
    "image_url",
    "in_link",
    "parse_page",
]

#: Real 1688 pages are 0.1-1.5 MB; a hostile one costs no more than this much parsing.
MAX_HTML_CHARS = 5_000_000
#: Elements visited when pruning and walking: a page of a million empty tags stops early.
MAX_NODES = 300_000
#: Text collected into lines (labels, badges and statements all sit well inside this).
MAX_TEXT_CHARS = 400_000
MAX_CELL_CHARS = 2_000
MAX_IMAGES = 500

#: Where a line is: the supplier's facts, or prose that is read only for certification statements.
PROFILE = "profile"
INTRO = "company_overview"
DESCRIPTION = "product_description"

_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div", "dl", "dt"),
        *("fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header"),
        *("hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead"),
        *("tr", "ul", "br", "center"),
    }
)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "iframe", "object", "select", "option", "textarea", "nav"}
)
_CHROME_TAGS = frozenset({"footer"})
_CHROME_ROLES = frozenset({"navigation", "contentinfo", "menu", "menubar", "search", "dialog"})
#: class/id words of 1688's site chrome (the "alibar" top bar, menus, footers) and of other sellers' cards
#: (recommended and similar offers, "猜你喜欢"), matched as words inside hashed names ("recommend--x3Yz").
_CHROME_WORDS = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|menus|topbar|top-?bar|alibar|ali-?bar|site-?nav|sitenav|"
    r"header-?nav|footer|site-?footer|breadcrumbs?|crumbs?|recommend\w*|similar\w*|guess\w*|you-?may-?like|"
    r"same-?(?:offers?|shops?)|other-?(?:offers?|shops?|suppliers?)|hot-?(?:offers?|products?|sale)|"
    r"login\w*|sign-?in|search-?bar|advert\w*|ads|popup|modal|cookies?)(?:$|[\s_-])",
    re.I,
)
_INTRO_WORDS = re.compile(r"intro|company-?desc|comp-?desc|about|jianjie|profile-?(?:content|text)", re.I)
#: The offer's description ("desc-lazyload-container", "offer-description", "detail-desc-decorate"); a
#: bare "desc" is any caption ("verify-desc") and says nothing.
_DESCRIPTION_WORDS = re.compile(
    r"(?:^|[\s_-])(?:description|offer-?desc\w*|detail-?desc\w*|desc-?(?:content|lazyload\w*)|"
    r"content-?detail|detail-?content|offer-?detail-?desc\w*)(?:$|[\s_-])",
    re.I,
)
#: Characters lxml refuses in a str (NUL, other C0 controls, non-characters); a wrongly decoded page has them.
_UNPARSEABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_DECLARATION = re.compile(r"^\s{0,100}<\?xml[^<>]{0,500}\?>", re.I)
_LAZY_SOURCES = ("data-src", "data-lazyload-src", "data-lazy-src", "data-original", "data-ks-lazyload", "src")


@dataclass(frozen=True)
class Cell:
    """A piece of text and the element it belongs to (for link checks and containers)."""

    text: str
    element: html.HtmlElement


@dataclass
class Line:
    cells: list[Cell]
    region: str
    #: The block element that holds the line (a ``<tr>``, ``<li>``, ``<dd>``, ``<div>``).
    block: html.HtmlElement
    in_heading: bool = False

    @property
    def text(self) -> str:
        return " ".join(cell.text for cell in self.cells)


@dataclass
class Page:
    """The pruned tree, its lines and its images, walked once."""

    root: html.HtmlElement
    base_url: str
    lines: list[Line] = field(default_factory=list)
    images: list[html.HtmlElement] = field(default_factory=list)

    def prose(self, region: str) -> Iterator[str]:
        """The text of each run of consecutive lines of ``region``, one paragraph per line."""
        run: list[str] = []
        for line in self.lines:
            if line.region == region:
                run.append(line.text)
            elif run:
                yield "\n".join(run)
                run = []
        if run:
            yield "\n".join(run)


def _sanitize(markup: str) -> str:
    """A str lxml accepts whatever the decoding did: no control characters, no lone surrogates, no XML
    encoding declaration (refused in a str)."""
    markup = _XML_DECLARATION.sub("", _UNPARSEABLE.sub(" ", markup[:MAX_HTML_CHARS]))
    return markup.encode("utf-8", errors="replace").decode("utf-8")


_PARSER = html.HTMLParser(recover=True, remove_comments=True, remove_pis=True, collect_ids=False, huge_tree=False)


def parse_page(markup: str, base_url: str) -> Page | None:
    """The page pruned and read into lines, or ``None`` when there is nothing to parse."""
    markup = _sanitize(markup)
    if not markup.strip():
        return None
    try:
        root = html.document_fromstring(markup, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    _prune(root)
    page = Page(root=root, base_url=base_url)
    _walk(page)
    return page


def _words(element: html.HtmlElement) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}"[:500]


def _is_chrome(element: html.HtmlElement, tag: str) -> bool:
    if tag in _SKIPPED_TAGS or tag in _CHROME_TAGS:
        return True
    if (element.get("role") or "").strip().lower() in _CHROME_ROLES:
        return True
    words = _words(element)
    return bool(words.strip()) and _CHROME_WORDS.search(words) is not None


def _prune(root: html.HtmlElement) -> None:
    """Drop scripts, styles, site chrome and other sellers' cards (their tails stay: they are the parent's)."""
    doomed = []
    for count, element in enumerate(root.iter()):
        if count >= MAX_NODES:
            break
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in ("html", "body"):
            continue
        if not tag or _is_chrome(element, tag.lower()):
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()


def _region_of(element: html.HtmlElement, current: str) -> str:
    if current != PROFILE:
        return current
    words = _words(element)
    if not words.strip():
        return current
    if _DESCRIPTION_WORDS.search(words):
        return DESCRIPTION
    if _INTRO_WORDS.search(words):
        return INTRO
    return current


class _Lines:
    """Builds lines from the text events of one tree walk."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.cells: list[Cell] = []
        self.pieces: list[str] = []
        self.owner: html.HtmlElement | None = None
        self.size = 0

    def add(self, text: str | None, owner: html.HtmlElement) -> None:
        if not text or self.size >= MAX_TEXT_CHARS:
            return
        if not self.pieces:
            self.owner = owner
        self.pieces.append(text[:MAX_CELL_CHARS])
        self.size += len(text)

    def end_cell(self) -> None:
        if self.pieces and self.owner is not None:
            text = " ".join("".join(self.pieces).split())[:MAX_CELL_CHARS]
            if text:
                self.cells.append(Cell(text, self.owner))
        self.pieces = []
        self.owner = None

    def end_line(self, block: html.HtmlElement, region: str, in_heading: bool) -> None:
        self.end_cell()
        if self.cells:
            self.page.lines.append(Line(self.cells, region, block, in_heading))
            self.cells = []


def _walk(page: Page) -> None:
    body = page.root.find("body")
    start = body if body is not None else page.root
    out = _Lines(page)
    regions = [PROFILE]
    blocks = [start]
    headings = [False]
    for count, (event, element) in enumerate(etree.iterwalk(start, events=("start", "end"))):
        if count >= MAX_NODES * 2 or out.size >= MAX_TEXT_CHARS:
            break
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        block = tag in _BLOCK_TAGS
        if event == "start":
            if tag == "img" and len(page.images) < MAX_IMAGES:
                page.images.append(element)
            if block:
                out.end_line(blocks[-1], regions[-1], headings[-1])
                blocks.append(element)
            else:
                out.end_cell()
            regions.append(_region_of(element, regions[-1]))
            headings.append(headings[-1] or tag in HEADINGS)
            out.add(element.text, element)
            continue
        region, heading = regions.pop(), headings.pop()
        if block:
            out.end_line(blocks.pop(), region, heading)
        else:
            out.end_cell()
        parent = element.getparent()
        if parent is not None:
            out.add(element.tail, parent)
    out.end_line(start, PROFILE, False)


# --------------------------------------------------------------------------------------------------
# helpers for the readers
# --------------------------------------------------------------------------------------------------


def ancestors(element: html.HtmlElement, limit: int) -> Iterator[html.HtmlElement]:
    """The element itself and up to ``limit`` ancestors."""
    node: html.HtmlElement | None = element
    for _ in range(limit + 1):
        if node is None:
            return
        yield node
        node = node.getparent()


def in_link(element: html.HtmlElement, depth: int = 3) -> bool:
    """Inside an ``<a>``: menus and service pages link the same words a badge shows ("实力商家")."""
    return any(node.tag == "a" for node in ancestors(element, depth))


def bounded_text(element: html.HtmlElement, limit: int) -> str:
    """The element's text (scripts already pruned), at most ``limit`` characters, read lazily."""
    pieces: list[str] = []
    size = 0
    for piece in element.itertext():
        pieces.append(piece)
        size += len(piece)
        if size > limit:
            break
    return " ".join("".join(pieces).split())[: limit + 1]


def absolute_url(value: object, base_url: str) -> str | None:
    """``value`` as an absolute address: protocol-relative ones ("//cbu01.alicdn.com/...") on https, relative
    ones against the page; ``None`` for data:/javascript: URIs and non-strings."""
    if not isinstance(value, str):
        return None
    value = value.strip()[:2000]
    if not value or value.lower().startswith(("data:", "javascript:")):
        return None
    if value.startswith("//"):
        return "https:" + value
    try:
        return urljoin(base_url, value)
    except ValueError:
        return None


def image_url(image: html.HtmlElement, base_url: str) -> str | None:
    """The image's real address (lazy-loading attributes first), absolute."""
    for attribute in _LAZY_SOURCES:
        url = absolute_url(image.get(attribute), base_url)
        if url:
            return url
    return None
