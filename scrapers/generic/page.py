"""One parse of a page for every generic reading step, and the page's text as lines and cells.

The generic reader runs under every platform parser on every check, so it parses once with lxml (several
times faster than a BeautifulSoup tree) and walks the tree once to turn the main content into text:
block elements end lines, table cells and inline elements separate cells. Label/value pairs and
certification sentences are then read from those lines, whatever markup the page used to lay them out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

__all__ = ["MAX_HTML_CHARS", "MAX_TEXT_CHARS", "Line", "TextView", "parse_html", "prune", "strip_marks", "text_view"]

#: Real supplier pages are 0.1-1.5 MB; a hostile one must not cost more than this much parsing.
MAX_HTML_CHARS = 3_000_000
#: The text read for labels and statements (the statement finder reads at most 100,000 characters anyway).
MAX_TEXT_CHARS = 400_000

_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "caption", "dd", "details", "div", "dl", "dt"),
        *("fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header"),
        *("hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead"),
        *("tr", "ul"),
    }
)
_SKIPPED_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "iframe", "object", "select", "option", "button", "textarea"}
)
#: Landmarks that are never the supplier's content.
_BOILERPLATE_TAGS = frozenset({"nav", "footer", "menu"})
_BOILERPLATE_ROLES = frozenset({"navigation", "banner", "contentinfo", "menu", "menubar", "search", "dialog"})
#: class/id words of site chrome and of other suppliers' cards (recommendations, similar products).
_BOILERPLATE_WORDS = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|menus|megamenu|footer|site-?footer|breadcrumbs?|crumbs?|sidebar|"
    r"cookies?|consent|gdpr|recommend\w*|similar|related|you-?may-?like|also-?like|others?-?suppliers?|"
    r"more-?suppliers?|hot-?products?|popular|advert\w*|ads|sponsor\w*|modal|popup|login|signin|sign-in)"
    r"(?:$|[\s_-])",
    re.I,
)
#: class/id words that say what a block of text is about, for a statement's ``location``.
_LOCATIONS = (
    (re.compile(r"descri|detail|spec|product", re.I), "product_description"),
    (re.compile(r"about|company|profile|intro|overview|factory|who-?we", re.I), "company_overview"),
)
PAGE_TEXT = "page_text"


def parse_html(markup: str) -> etree._Element | None:
    """The page as an lxml tree, or ``None`` when there is nothing to parse."""
    markup = markup[:MAX_HTML_CHARS]
    if not markup.strip():
        return None
    try:
        root = etree.fromstring(markup, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None
    return root


#: Plain lxml elements, not lxml.html's: no per-element class lookup, which costs a third of a walk.
#: ``huge_tree``: a page nested deeper than libxml2's default limit (256) would otherwise come back empty;
#: the input is capped at MAX_HTML_CHARS.
_PARSER = etree.HTMLParser(recover=True, remove_comments=True, remove_pis=True, collect_ids=False, huge_tree=True)


@lru_cache(maxsize=4096)
def _words_say_boilerplate(words: str) -> bool:
    """Cached: a page repeats the same class strings hundreds of times."""
    return _BOILERPLATE_WORDS.search(words) is not None


def _attributes_say_boilerplate(element: etree._Element) -> bool:
    attributes = element.attrib
    if not attributes:
        return False
    role = attributes.get("role")
    if role and role.strip().lower() in _BOILERPLATE_ROLES:
        return True
    words = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
    return len(words) > 1 and _words_say_boilerplate(words[:500])


def _inside_content(element: etree._Element) -> bool:
    return any(ancestor.tag in ("main", "article") for ancestor in element.iterancestors())


def _is_chrome(element: etree._Element, tag: str) -> bool:
    """Site chrome or another supplier's card, unless it holds the page's heading or main content (a class
    such as "has-sidebar" on the page's own wrapper must not take the content with it)."""
    if tag in _BOILERPLATE_TAGS or (tag == "header" and not _inside_content(element)):
        chrome = True
    else:
        chrome = _attributes_say_boilerplate(element)
    return chrome and element.find(".//h1") is None and element.find(".//main") is None


def prune(root: etree._Element) -> None:
    """Drop what is not text (scripts, styles, widgets), site chrome (navigation, footers, menus, a page-level
    header) and other suppliers' cards. Structured data must be read before: it lives in scripts."""
    etree.strip_elements(root, *_SKIPPED_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    doomed = []
    for element in root.iter(etree.Element):
        tag = element.tag
        if tag in ("body", "html", "main", "article"):
            continue
        if _is_chrome(element, tag):
            doomed.append(element)
    for element in doomed:
        _drop(element)


def _drop(element: etree._Element) -> None:
    """Remove the element and its content but keep its tail text (lxml.html's drop_tree for plain elements)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        tail = element.tail
        previous = element.getprevious()
        try:
            _append_tail(parent, previous, tail)
        except ValueError:  # a control character the parser let through cannot be written back
            _append_tail(parent, previous, _CONTROL.sub(" ", tail))
    parent.remove(element)


def _append_tail(parent: etree._Element, previous: etree._Element | None, tail: str) -> None:
    if previous is not None:
        previous.tail = _CONTROL.sub(" ", previous.tail or "") + tail
    else:
        parent.text = _CONTROL.sub(" ", parent.text or "") + tail


@dataclass(frozen=True)
class Line:
    """The text of one block, its cells (separated by inline elements or table cells), and where it was."""

    cells: tuple[str, ...]
    location: str
    #: A table row: its cells are all it has; an empty value cell is not "see the next line".
    row: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.cells)


@dataclass
class TextView:
    lines: list[Line] = field(default_factory=list)

    def text_by_location(self) -> dict[str, str]:
        """The lines of each location as paragraphs (blank-line separated), for the statement finder."""
        buffers: dict[str, list[str]] = {}
        for line in self.lines:
            buffers.setdefault(line.location, []).append(line.text)
        return {location: "\n\n".join(texts) for location, texts in buffers.items()}


def _location_code(element: etree._Element) -> str | None:
    attributes = element.attrib
    if not attributes:
        return None
    # Hashed class names say nothing; data-module-name / data-role often still do ("module_description").
    words = " ".join(attributes.get(name) or "" for name in _LOCATION_ATTRIBUTES)
    return _words_location_code(words[:300]) if words.strip() else None


_LOCATION_ATTRIBUTES = ("class", "id", "data-module-name", "data-role", "itemprop")


@lru_cache(maxsize=4096)
def _words_location_code(words: str) -> str | None:
    for code, (pattern, _location) in enumerate(_LOCATIONS):
        if pattern.search(words):
            return str(code)
    return None


# Separators written into the tree's text before it is joined: private-use characters, because pages keep
# newlines and tabs inside text nodes (source formatting) and lxml refuses control characters.
_LINE = "\ue000"
_CELL = "\ue001"
_OPEN = "\ue002"  # followed by a location code
_CLOSE = "\ue003"
_ROW = "\ue004"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LOCATION_MARKS = re.compile(f"{_OPEN}\\d?|{_CLOSE}|{_ROW}")
_ALL_MARKS = re.compile(f"{_OPEN}\\d?|[{_LINE}{_CELL}{_CLOSE}{_ROW}]")


def strip_marks(text: str) -> str:
    """``text`` of a marked tree (after :func:`text_view`) without the separators, each a space."""
    return _ALL_MARKS.sub(" ", text)


_SEGMENT = re.compile(f"{_OPEN}(\\d)|{_CLOSE}|{_LINE}")


def _mark(start: etree._Element) -> None:
    """Write line, cell and location separators around every element (one pass, no per-event callbacks)."""
    for element in start.iter():
        if not isinstance(element.tag, str):
            continue
        separator = _LINE if element.tag in _BLOCK_TAGS or element.tag == "br" else _CELL
        code = _location_code(element)
        head = separator + (_ROW if element.tag == "tr" else "") + (_OPEN + code if code else "")
        tail = (_CLOSE if code else "") + separator
        try:
            element.text = head + (element.text or "")
            element.tail = tail + (element.tail or "")
        except ValueError:  # control characters the parser let through cannot be written back
            element.text = head + _CONTROL.sub(" ", element.text or "")
            element.tail = tail + _CONTROL.sub(" ", element.tail or "")


def _cells(segment: str) -> tuple[str, ...]:
    return tuple(text for cell in segment.split(_CELL) if (text := " ".join(cell.split())))


def text_view(root: etree._Element) -> TextView:
    """The (pruned) page's text as lines of cells, each tagged with the kind of section it came from.

    Block elements and ``<br>`` end a line; every other element boundary (table cells, spans, bold labels)
    ends a cell, so "<b>Year Established:</b> 2005" and "<th>Year Established</th><td>2005</td>" both become
    the cells ("Year Established:", "2005") of one line. It writes the separators into the tree's text:
    whatever reads text from the tree afterwards passes it through :func:`strip_marks`.
    """
    body = root.find("body")
    start = body if body is not None else root
    _mark(start)
    text = "".join(start.itertext())[: MAX_TEXT_CHARS * 2]
    view = TextView()
    stack = [PAGE_TEXT]
    line_start = 0
    location = PAGE_TEXT
    for match in _SEGMENT.finditer(text):
        if match.group(0) == _LINE:
            segment = text[line_start : match.start()]
            cells = _cells(_LOCATION_MARKS.sub("", segment))
            if cells:
                view.lines.append(Line(cells, location, row=_ROW in segment))
            line_start = match.end()
            location = stack[-1]
        elif match.group(1) is not None:
            stack.append(_LOCATIONS[int(match.group(1))][1])
        elif len(stack) > 1:
            stack.pop()
    cells = _cells(_LOCATION_MARKS.sub("", text[line_start:]))
    if cells:
        view.lines.append(Line(cells, location))
    return view
