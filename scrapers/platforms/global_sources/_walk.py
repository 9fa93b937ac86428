"""Platform-neutral walking over :class:`scrapers.platforms.made_in_china._dom.Page`: label rows read with a
platform's own label table, the supplier's prose blocks (company introduction, product description), and
the picture or PDF behind a certificate.

Global Sources and IndiaMART both show their facts as label/value pairs in many markups and their company
introductions under a heading, so both parsers use this module (IndiaMART imports it from here). Nothing
here knows a platform: the label tables and headings are passed in. Every walk is bounded.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PageElement, Tag

from scrapers.claims import DocumentKind
from scrapers.normalize import clean_text, normalize_certification
from scrapers.platforms.builder import ClaimsBuilder
from scrapers.platforms.made_in_china._dom import (
    MAX_SHORT_TEXT,
    Page,
    bare,
    bounded_text,
    free_text_kind,
    inline_tail,
    short_text,
    value_after,
)
from scrapers.platforms.values import cert_names

__all__ = [
    "GALLERY_HEADING",
    "HEADINGS",
    "MAX_LABEL_CHARS",
    "MAX_PROSE_CHARS",
    "LabelTable",
    "Prose",
    "Row",
    "absolute_url",
    "as_markup",
    "base_url_of",
    "block_after",
    "certification_names",
    "declared_urls",
    "declares",
    "document_kind",
    "files_in",
    "image_url",
    "in_heading",
    "prose_blocks",
    "prose_text",
    "read_certificate_gallery",
    "read_rows",
]

MAX_ROWS = 500
MAX_LABEL_CHARS = 60
#: A company introduction is a few thousand characters; the statement finder reads at most 100,000.
MAX_PROSE_CHARS = 100_000
MAX_PROSE_PIECES = 20_000
#: Sibling elements taken after a section heading, and prose blocks per page.
MAX_SECTION_SIBLINGS = 200
MAX_PROSE_BLOCKS = 200
#: Nodes marked as prose per page (a hostile page of nested prose blocks stops here).
MAX_PROSE_NODES = 1_500_000
#: Nodes looked at to tell prose from a section of facts.
MAX_PROSE_SCAN = 20_000
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_LEADING_COLON = re.compile(r"^[\s:：]+")
#: "N/A" in a list of names: split at its "/" it would read as two names, "N" and "A"; markup shown as text
#: ("<b>ISO 9001</b>") likewise.
_NOT_AVAILABLE = re.compile(r"(?<![^\W_])n\s*/\s*a(?![^\W_])", re.I)
_TAG_TEXT = re.compile(r"</?[A-Za-z][^<>]{0,100}>")
_RAW_TAGS = frozenset({"script", "style", "template", "noscript", "textarea", "select", "option", "head", "title"})
_PDF = re.compile(r"\.pdf$", re.I)
_IMAGE = re.compile(r"\.(?:jpe?g|png|gif|webp|bmp)$", re.I)
_LAZY_SOURCES = ("data-original", "data-src", "data-lazy-src", "src")


class LabelTable:
    """A platform's labels: ``(pattern, field)`` pairs matched against a whole label (case-insensitive, a
    trailing colon ignored), or against the start of a "Label: value" string."""

    def __init__(self, patterns: Iterable[tuple[str, str]]) -> None:
        self._pairs = tuple(patterns)

    # Compiled on first use, not at import: a check of another platform's page never pays for these tables.
    @functools.cached_property
    def _whole(self) -> tuple[tuple[re.Pattern[str], str], ...]:
        return tuple((re.compile(pattern, re.I), field) for pattern, field in self._pairs)

    @functools.cached_property
    def _inline(self) -> tuple[tuple[re.Pattern[str], str], ...]:
        return tuple(
            (re.compile(rf"(?:{pattern})\s*[:：]\s*(?P<rest>.*)", re.I | re.S), field) for pattern, field in self._pairs
        )

    def field(self, text: str | None) -> str | None:
        """The field a label names ("Business Type :" -> business_type), or ``None``."""
        text = bare(text)
        if not text or len(text) > MAX_LABEL_CHARS:
            return None
        return next((field for pattern, field in self._whole if pattern.fullmatch(text)), None)

    def inline(self, text: str) -> tuple[str, str] | None:
        """("business_type", "Manufacturer") from "Business Type: Manufacturer" in one string."""
        if ":" not in text and "：" not in text:
            return None
        for pattern, field in self._inline:
            match = pattern.match(text)
            if match:
                return field, match.group("rest")
        return None

    def is_label(self, text: str) -> bool:
        return self.field(text) is not None or (len(text) <= MAX_SHORT_TEXT and self.inline(text) is not None)


def certification_names(value: str) -> list[str]:
    """The names a certification row lists (:func:`scrapers.platforms.values.cert_names`), without the "N/A"
    placeholder and without markup shown as text, whose "/" would split one name in two."""
    return cert_names(_TAG_TEXT.sub(" ", _NOT_AVAILABLE.sub(" ", value)))


@dataclass(frozen=True)
class Row:
    field: str
    #: Raw text; list entries separated by newlines.
    value: str
    #: The label's string, for asking where on the page the row sits.
    node: PageElement


def in_heading(string: PageElement) -> bool:
    """Inside h1-h6 (within three levels): a section title, not a label ("Certifications" above a gallery)."""
    parent = string.parent
    for _ in range(3):
        if not isinstance(parent, Tag):
            return False
        if parent.name in HEADINGS:
            return True
        parent = parent.parent
    return False


def read_rows(strings: Iterable[NavigableString], labels: LabelTable, limit: int = MAX_ROWS) -> list[Row]:
    """Every label/value pair among ``strings`` in page order: a label string and the value that follows it
    (``th``/``td``, ``dt``/``dd``, label div + value div, ``<b>Label:</b> value``) or "Label: value" in one
    string. Headings are section titles, not labels."""
    rows: list[Row] = []
    for string in strings:
        text = clean_text(string)
        field = labels.field(text)
        if field is not None:
            if in_heading(string):
                continue
            value = value_after(string, bare(text), "\n", labels.is_label)
        else:
            inline = labels.inline(text) if len(text) <= MAX_SHORT_TEXT * 10 else None
            if inline is None:
                continue
            field, rest = inline
            value = rest + "\n" + inline_tail(string, "\n", labels.is_label)
        value = _LEADING_COLON.sub("", value)
        if clean_text(value):
            rows.append(Row(field, value, string))
            if len(rows) >= limit:
                break
    return rows


# --------------------------------------------------------------------------------------------------
# prose
# --------------------------------------------------------------------------------------------------


@dataclass
class Prose:
    """The supplier's own free text: where it is (a statement location) and the node ids inside it, so that
    "Founded: 1999" in an introduction is not taken for the profile's field."""

    blocks: list[tuple[Tag, str]]
    node_ids: set[int]

    def contains(self, node: PageElement) -> bool:
        return id(node) in self.node_ids


def _widened(string: PageElement, text: str) -> PageElement:
    """The outermost element that holds nothing but the heading text (``<h2><span>About Us</span></h2>``)."""
    node: PageElement = string
    for _ in range(4):
        parent = node.parent
        if not isinstance(parent, Tag) or isinstance(parent, BeautifulSoup):
            break
        if bare(short_text(parent)) != text:
            break
        node = parent
    return node


def block_after(string: PageElement, text: str) -> list[Tag]:
    """The elements after a heading (``string``, whose bare text is ``text``) up to the next h1-h6."""
    node = _widened(string, text)
    found: list[Tag] = []
    for count, sibling in enumerate(node.next_siblings):
        if count >= MAX_SECTION_SIBLINGS:
            break
        if not isinstance(sibling, Tag) or sibling.name in _RAW_TAGS:
            continue
        if sibling.name in HEADINGS:
            break
        found.append(sibling)
    return found


def _holds_facts(tag: Tag, labels: LabelTable) -> bool:
    """A section of facts (a table, a definition list, a string that is a whole label such as "Business
    Type") rather than a block of prose; "Founded: 1999" inside a sentence's paragraph does not count."""
    if tag.name in ("table", "dl"):
        return True
    for count, node in enumerate(tag.descendants):
        if count >= MAX_PROSE_SCAN:
            return True
        if isinstance(node, Tag) and node.name in ("table", "dl"):
            return True
        if type(node) is NavigableString and len(node) <= MAX_LABEL_CHARS * 2 and labels.field(clean_text(node)):
            return True
    return False


def prose_blocks(page: Page, headings: Iterable[tuple[re.Pattern[str], str]], labels: LabelTable) -> Prose:
    """Blocks that follow an introduction/description heading (each pattern names its statement location),
    and elements whose class says they are an introduction or description; neither may hold facts."""
    headings = tuple(headings)
    blocks: list[tuple[Tag, str]] = []
    for string in page.strings(descriptions=True):
        text = bare(clean_text(string))
        if not text or len(text) > MAX_LABEL_CHARS:
            continue
        location = next((where for pattern, where in headings if pattern.fullmatch(text)), None)
        if location is not None:
            blocks.extend((tag, location) for tag in block_after(string, text) if not _holds_facts(tag, labels))
        if len(blocks) >= MAX_PROSE_BLOCKS:
            break
    for tag in page.classed():
        location = free_text_kind(tag)
        if location is not None and len(blocks) < MAX_PROSE_BLOCKS and not _holds_facts(tag, labels):
            blocks.append((tag, location))
    node_ids: set[int] = set()
    for tag, _location in blocks:
        if id(tag) in node_ids:
            continue  # nested inside a block already marked
        node_ids.add(id(tag))
        for node in tag.descendants:
            if len(node_ids) >= MAX_PROSE_NODES:
                break
            node_ids.add(id(node))
    block_ids = {id(tag) for tag, _location in blocks}
    outermost: list[tuple[Tag, str]] = []
    for tag, where in blocks:
        if not _inside_any(tag, block_ids) and all(tag is not kept for kept, _ in outermost):
            outermost.append((tag, where))
    return Prose(outermost, node_ids)


def _inside_any(tag: Tag, block_ids: set[int]) -> bool:
    """Whether an ancestor of ``tag`` is one of the blocks (its text is read with that block's)."""
    parent = tag.parent
    for _ in range(500):
        if parent is None:
            return False
        if id(parent) in block_ids:
            return True
        parent = parent.parent
    return False


def prose_text(tag: Tag) -> str:
    """A prose block's text, one line per string, bounded."""
    return bounded_text(tag, "\n", MAX_PROSE_CHARS, MAX_PROSE_PIECES)


# --------------------------------------------------------------------------------------------------
# certificate files
# --------------------------------------------------------------------------------------------------


def absolute_url(base_url: str, link: object) -> str | None:
    """``link`` resolved against the page address, if it is an http(s) URL."""
    if not isinstance(link, str):
        return None
    link = link.strip()
    if not link or link.lower().startswith(("data:", "javascript:", "mailto:", "tel:", "#")):
        return None
    try:
        url = urljoin(base_url, link[:2000])
    except ValueError:
        return None
    return url if url.lower().startswith(("http://", "https://")) else None


def document_kind(url: str) -> DocumentKind | None:
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    if _PDF.search(path):
        return "pdf"
    if _IMAGE.search(path):
        return "image"
    return None


def image_url(image: Tag, base_url: str) -> str | None:
    """A picture's address, lazy-loading attributes first (``src`` is then a placeholder)."""
    for attribute in _LAZY_SOURCES:
        url = absolute_url(base_url, image.get(attribute))
        if url:
            return url
    return None


def _attribute(tag: Tag, name: str) -> str:
    value = tag.get(name)
    return clean_text(value)[:300] if isinstance(value, str) else ""


def _inner_alt(link: Tag) -> str:
    image = link.find("img")
    return _attribute(image, "alt") or _attribute(image, "title") if isinstance(image, Tag) else ""


def files_in(tag: Tag, base_url: str, limit: int = 50) -> Iterator[tuple[str, DocumentKind, str]]:
    """(url, kind, words) of every PDF/picture link and picture inside ``tag``; a picture inside a link to a
    file is that file."""
    seen: set[str] = set()
    elements = [tag] if tag.name in ("a", "img") else []
    elements += tag.find_all(["a", "img"], limit=limit * 4)
    for element in elements:
        if element.name == "a":
            url = absolute_url(base_url, element.get("href"))
            kind = document_kind(url) if url else None
            words = clean_text(bounded_text(element))[:300] or _attribute(element, "title") or _inner_alt(element)
        else:
            link = element.find_parent("a")
            target = absolute_url(base_url, link.get("href")) if link is not None else None
            url = target if target and document_kind(target) else image_url(element, base_url)
            kind = (document_kind(url) or "image") if url else None
            words = _attribute(element, "alt") or _attribute(element, "title")
        if url and kind and url not in seen:
            seen.add(url)
            yield url, kind, words
            if len(seen) >= limit:
                return


#: Headings of a certificate gallery ("Certificates", "Our Certifications", "Certificate Photos").
GALLERY_HEADING = re.compile(
    r"(?:our |company |product |quality )?certificat(?:es?|ions?)(?: (?:&|and) (?:licen[cs]es|awards))?"
    r"|certificate gallery|certificates? (?:photos?|pictures?|images?)",
    re.I,
)


def _certification_named(words: str, builder: ClaimsBuilder) -> str | None:
    """The listed certification whose standard the words name ("ISO 9001 certificate" -> "ISO 9001:2015")."""
    standard = normalize_certification(words)[0] if words else None
    if not standard:
        return None
    return next((cert.name for cert, _place in builder.certifications if cert.standard == standard), None)


def read_certificate_gallery(page: Page, builder: ClaimsBuilder, base_url: str) -> None:
    """Certificate pictures and PDFs in the section under a "Certificates" heading (a section title, not a
    table cell), tied to a listed certification when their words name its standard. Run after the
    certifications are read; a file already recorded keeps its first record."""
    for string in page.strings(descriptions=True):
        text = bare(clean_text(string))
        if not text or len(text) > MAX_LABEL_CHARS or not GALLERY_HEADING.fullmatch(text):
            continue
        if string.find_parent(["td", "th", "dt", "dd", "li", "a"]) is not None:
            continue
        for block in block_after(string, text):
            for url, kind, words in files_in(block, base_url):
                named = _certification_named(words, builder)
                builder.document(url, kind, certification=named, label=words or None, source="structured")


# --------------------------------------------------------------------------------------------------
# the page's own address
# --------------------------------------------------------------------------------------------------

#: ``<link>``/``<meta>`` tags; ``[^<>]`` cannot run past the next tag, so a page of unclosed tags scans linearly.
_HEAD_TAG = re.compile(r"<(?:link|meta)\b[^<>]{0,2000}>", re.I)
MAX_HEAD_TAGS = 2_000
_DECLARED_URL = re.compile(r"\brel=[\"']?canonical\b|\bproperty=[\"']?og:url\b", re.I)


def as_markup(html: object) -> str:
    """The page as text: bytes decoded as UTF-8 (lost bytes replaced), anything else empty."""
    if isinstance(html, bytes | bytearray | memoryview):
        return bytes(html).decode("utf-8", errors="replace")
    return html if isinstance(html, str) else ""


def declares(html: str, address: re.Pattern[str], site_name: re.Pattern[str]) -> bool:
    """A canonical link or og:url whose address matches ``address``, or a tag matching ``site_name``."""
    for count, match in enumerate(_HEAD_TAG.finditer(html)):
        if count >= MAX_HEAD_TAGS:
            return False
        tag = match.group(0)
        if (_DECLARED_URL.search(tag) and address.search(tag)) or site_name.search(tag):
            return True
    return False


def declared_urls(soup: BeautifulSoup) -> list[str]:
    """The page's own idea of its address (canonical link, og:url): saved files and mirrors keep it."""
    urls: list[str] = []
    canonical = soup.find("link", rel="canonical")
    og_url = soup.find("meta", attrs={"property": "og:url"})
    for value in (canonical.get("href") if canonical else None, og_url.get("content") if og_url else None):
        if isinstance(value, str) and value.strip():
            urls.append(value.strip())
    return urls


def base_url_of(url: str, soup: BeautifulSoup) -> str:
    """What relative links resolve against: the page's address, or a saved file's declared one."""
    if url.lower().startswith(("http://", "https://")):
        return url
    for declared in declared_urls(soup):
        declared = "https:" + declared if declared.startswith("//") else declared
        if declared.lower().startswith(("http://", "https://")):
            return declared
    return url


FORM_TAGS = frozenset({"label", "button", "input", "form", "option", "select"})


def in_form(node: PageElement) -> bool:
    """Inside a form's widgets (a search filter's "Verified Supplier" checkbox is no badge)."""
    parent = node.parent
    for _ in range(4):
        if not isinstance(parent, Tag):
            return False
        if parent.name in FORM_TAGS:
            return True
        parent = parent.parent
    return False


def badge_hits(page: Page, prose: Prose, badge_name: Callable[[str], str | None]) -> list[tuple[str, PageElement]]:
    """(badge name, where shown) for badge text and icon ``alt``/``title`` outside prose and forms, in page
    order; ``badge_name`` says which texts name a badge of the platform."""
    hits: list[tuple[str, PageElement]] = []
    for string in page.strings(descriptions=True):
        name = badge_name(clean_text(string))
        if name and not prose.contains(string) and not in_form(string):
            hits.append((name, string))
    for image in page.images():
        if prose.contains(image):
            continue
        for attribute in ("alt", "title"):
            value = image.get(attribute)
            name = badge_name(clean_text(value)) if isinstance(value, str) else None
            if name:
                hits.append((name, image))
                break
    hits.sort(key=lambda hit: page.position(hit[1]))
    return hits
