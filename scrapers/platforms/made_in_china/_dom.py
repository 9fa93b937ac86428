"""Walking a Made-in-China page: which text is the supplier's block, and what value follows a label.

Made-in-China renders the same facts in several markups (``.info-label``/``.info-fields`` pairs, ``th``/``td``
rows, ``.bac-item-label``/``.bac-item-value`` attributes, ``<strong>Label:</strong> value`` lines), so values
are found by walking from a label's text to what follows it, never by class names or positions. Site chrome
(header menus, footers) and other suppliers' cards (similar/recommended products) name the same badges and
services, so their text is left out. Every walk is bounded, so hostile markup costs linear time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PageElement, Tag

from scrapers.normalize import clean_text

#: Nodes walked per page: a 5 MB page of empty tags has about a million.
MAX_NODES = 1_500_000
MAX_VALUE_CHARS = 5_000
MAX_VALUE_PIECES = 400
MAX_SHORT_TEXT = 300
#: How far a label may sit inside wrappers (``<th><span>Label</span></th>``) before its value follows.
MAX_LABEL_DEPTH = 4

#: Tags whose strings are code, templates or metadata, never page text.
_RAW_TAGS = frozenset({"script", "style", "template", "noscript", "title", "head", "textarea", "select", "option"})
_CHROME_TAGS = frozenset({"header", "nav", "footer"})
#: Class/id tokens of site chrome and of other suppliers' cards.
_CHROME_TOKEN = re.compile(
    r"^(?:header|footer|m-header|m-footer|pad-header|pad-footer|sr-nav)(?:$|[-_])|similar|recommend|sponsor|related"
    r"|qpwords|hot-?prod",
    re.I,
)
#: Class tokens of the supplier's own free text (product description, company introduction): read for
#: statements, never for label rows ("1. Founded: 2005" in an introduction is prose, not the profile's field).
_PRODUCT_TEXT_TOKEN = re.compile(r"^(?:rich-text|async-rich-info|detail-desc|product-desc\w*|description)$", re.I)
_COMPANY_TEXT_TOKEN = re.compile(r"intro|company-desc|com-desc|profile-desc|about-us", re.I)
#: Inline tags that continue a ``<strong>Label:</strong> value`` line; anything else ends it.
_TRAILING_COLON = re.compile(r"[\s:：]+$")
_INLINE_TAGS = frozenset({"a", "span", "b", "strong", "em", "i", "u", "font", "small", "sup", "sub", "label"})


def make_soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def _tokens(tag: Tag) -> list[str]:
    classes = tag.get("class") or []
    if isinstance(classes, str):
        classes = classes.split()
    ident = tag.get("id")
    return [*classes, ident] if isinstance(ident, str) else list(classes)


@dataclass
class Page:
    """One parsed page, walked once: its visible strings, classed elements and images outside chrome, with
    the verdicts about containers cached (each element is judged once)."""

    soup: BeautifulSoup
    _chrome: dict[int, bool] = field(default_factory=dict)
    _description: dict[int, bool] = field(default_factory=dict)
    _strings: list[NavigableString] = field(default_factory=list)
    _classed: list[Tag] = field(default_factory=list)
    _by_class: dict[str, list[Tag]] = field(default_factory=dict)
    _position: dict[int, int] = field(default_factory=dict)
    _images: list[Tag] = field(default_factory=list)

    def __post_init__(self) -> None:
        for count, node in enumerate(self.soup.descendants):
            if count >= MAX_NODES:
                break
            if isinstance(node, Tag):
                if (node.get("class") or node.name == "img") and not self.in_chrome(node):
                    self._index(node)
                    self._position[id(node)] = count
            elif type(node) is NavigableString and node.strip() and not self.in_chrome(node):
                self._strings.append(node)  # comments, CDATA, doctype and script strings are other types
                self._position[id(node)] = count

    def _index(self, tag: Tag) -> None:
        if tag.name == "img":
            self._images.append(tag)
        classes = tag.get("class") or []
        if classes:
            self._classed.append(tag)
        for name in classes if isinstance(classes, list) else classes.split():
            self._by_class.setdefault(name, []).append(tag)

    def in_chrome(self, node: PageElement) -> bool:
        """Inside site chrome, scripts or another supplier's card."""
        return self._walk(node, self._chrome, self._is_chrome)

    def in_description(self, node: PageElement) -> bool:
        return self._walk(node, self._description, self._is_description)

    @staticmethod
    def _is_chrome(tag: Tag) -> bool:
        if tag.name in _RAW_TAGS or tag.name in _CHROME_TAGS:
            return True
        return any(_CHROME_TOKEN.search(token) for token in _tokens(tag))

    @staticmethod
    def _is_description(tag: Tag) -> bool:
        return free_text_kind(tag) is not None

    @staticmethod
    def _walk(node: PageElement, cache: dict[int, bool], test: Callable[[Tag], bool]) -> bool:
        """Whether ``node`` or an ancestor passes ``test``; every ancestor visited is cached on the way back."""
        path: list[Tag] = []
        tag = node if isinstance(node, Tag) else node.parent
        verdict = False
        while tag is not None and not isinstance(tag, BeautifulSoup):
            known = cache.get(id(tag))
            if known is not None:
                verdict = known
                break
            path.append(tag)
            if test(tag):
                verdict = True
                break
            tag = tag.parent
        for visited in path:
            cache[id(visited)] = verdict
        return verdict

    def strings(self, *, descriptions: bool = False) -> Iterator[NavigableString]:
        """Visible strings outside chrome (and, unless asked for, outside free-text descriptions)."""
        for string in self._strings:
            if descriptions or not self.in_description(string):
                yield string

    def classed(self) -> list[Tag]:
        """Elements with a class attribute, outside chrome, in page order."""
        return self._classed

    def with_class(self, name: str) -> list[Tag]:
        return self._by_class.get(name, [])

    def images(self) -> list[Tag]:
        return self._images

    def position(self, node: PageElement) -> int:
        """Document order of a collected string or element (0 for anything else)."""
        return self._position.get(id(node), 0)


def free_text_kind(tag: Tag) -> str | None:
    """Where a free-text block is, as a statement location: "product_description" or "company_overview"."""
    tokens = _tokens(tag)
    if any(_PRODUCT_TEXT_TOKEN.match(token) for token in tokens):
        return "product_description"
    if any(_COMPANY_TEXT_TOKEN.search(token) for token in tokens):
        return "company_overview"
    return None


# --------------------------------------------------------------------------------------------------
# bounded text
# --------------------------------------------------------------------------------------------------


def bounded_text(
    node: PageElement, separator: str = " ", limit: int = MAX_VALUE_CHARS, max_pieces: int = MAX_VALUE_PIECES
) -> str:
    """The node's text without script/style strings, at most ``limit`` characters and a bounded number of
    pieces, so a giant or deeply nested value costs no more than a small one."""
    if isinstance(node, NavigableString):
        return str(node)[:limit] if type(node) is NavigableString else ""
    if not isinstance(node, Tag):
        return ""
    pieces: list[str] = []
    size = 0
    # Walked lazily and counted per node (tags too), so a value of a million empty tags stops early.
    for count, string in enumerate(node.descendants):
        if count >= max_pieces * 4 or len(pieces) >= max_pieces or size >= limit:
            break
        if type(string) is not NavigableString or string.parent is None or string.parent.name in _RAW_TAGS:
            continue
        pieces.append(str(string))
        size += len(string)
    return separator.join(pieces)[:limit]


def short_text(node: PageElement) -> str | None:
    """The node's cleaned text if it is short (a label, a badge), else ``None``."""
    text = bounded_text(node, limit=MAX_SHORT_TEXT + 1)
    text = clean_text(text)
    return text if len(text) <= MAX_SHORT_TEXT else None


# --------------------------------------------------------------------------------------------------
# what follows a label
# --------------------------------------------------------------------------------------------------


def _meaningful_siblings(node: PageElement) -> Iterator[PageElement]:
    for count, sibling in enumerate(node.next_siblings):
        if count >= MAX_VALUE_PIECES:
            return
        if isinstance(sibling, NavigableString):
            # A lone ":" after "<span>Label</span>" belongs to the label, not to the value.
            if type(sibling) is NavigableString and _TRAILING_COLON.sub("", sibling.strip()):
                yield sibling
        elif isinstance(sibling, Tag) and sibling.name not in _RAW_TAGS:
            yield sibling


def inline_tail(node: PageElement, separator: str, is_label: Callable[[str], bool]) -> str:
    """Text after ``node`` on the same line: following strings and inline tags up to a ``<br>``, a block or
    the next label (``<span>A:</span><span>1</span><span>B:</span><span>2</span>``)."""
    pieces: list[str] = []
    for sibling in _meaningful_siblings(node):
        if isinstance(sibling, Tag) and sibling.name not in _INLINE_TAGS:
            break
        text = bounded_text(sibling, separator)
        if is_label(clean_text(text)):
            break
        pieces.append(text)
        if sum(map(len, pieces)) >= MAX_VALUE_CHARS:
            break
    return separator.join(pieces)[:MAX_VALUE_CHARS]


def bare(text: str | None) -> str:
    """A label without its trailing colon: "Business Type :" and "Business Type" are the same label."""
    return _TRAILING_COLON.sub("", text or "")


def value_after(label: NavigableString, label_text: str, separator: str, is_label: Callable[[str], bool]) -> str:
    """The value that belongs to a label string (``label_text``: its :func:`bare` text), or "" when the label
    stands alone.

    The label's element is widened while it only wraps the label (``<th><span>Label</span></th>``); then the
    next sibling block is the value (``<td>``, ``<dd>``, ``.info-fields``), or following inline text is
    (``<strong>Label:</strong> value``). A value that is itself a label means this one was left empty.
    """
    node: PageElement = label
    for _ in range(MAX_LABEL_DEPTH):
        if next(_meaningful_siblings(node), None) is not None:
            break
        parent = node.parent
        if not isinstance(parent, Tag) or isinstance(parent, BeautifulSoup) or bare(short_text(parent)) != label_text:
            break
        node = parent
    following = next(_meaningful_siblings(node), None)
    if following is None:
        return ""
    if isinstance(following, Tag) and following.name not in _INLINE_TAGS:
        value = bounded_text(following, separator)
        return "" if is_label(clean_text(value)) else value
    return inline_tail(node, separator, is_label)
