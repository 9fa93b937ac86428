"""Certifications of a Global Sources supplier: the certificate tables (company certificates such as ISO 9001,
product certificates such as CE or UL) with number, issuer, dates and picture where the table shows them,
the same facts laid out as certificate cards, and certification names in key-facts rows ("Certifications:
ISO 9001, BSCI"). The picture or PDF in a certificate's table row or card becomes a document tied to it (a
"Certificates" gallery is read by :func:`scrapers.platforms.global_sources._walk.read_certificate_gallery`).

Columns and card fields are found by their header/label text, never by position, so a table that adds,
drops or reorders columns is still read. Nothing is invented: a name without a number stays a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

from scrapers.claims import Certification, DocumentKind
from scrapers.normalize import clean_text, normalize_certification, parse_date, parse_validity_period
from scrapers.platforms.builder import ClaimsBuilder, make_certification, same_certificate
from scrapers.platforms.global_sources._walk import (
    HEADINGS,
    LabelTable,
    Prose,
    Row,
    certification_names,
    files_in,
    in_heading,
)
from scrapers.platforms.made_in_china._dom import Page, bare, bounded_text, short_text, value_after
from scrapers.platforms.values import as_bool

__all__ = [
    "CertificateTable",
    "apply_certification_rows",
    "find_certificate_tables",
    "read_certificate_cards",
    "read_certificate_tables",
]

MAX_TABLES = 50
MAX_TABLE_ROWS = 200
MAX_CELLS = 30
MAX_CARD_LABELS = 100
MAX_CARD_DEPTH = 5
#: Nodes looked at to find a card's title: a certificate card is small.
MAX_CARD_NODES = 2_000
MAX_CERTIFICATIONS = 100
MAX_CELL_CHARS = 2_000
#: Nodes walked back from a table to its section heading.
MAX_HEADING_DISTANCE = 5_000

#: A certificate table's or card's fields, by header/label text. The first pattern that matches names the
#: column ("Certification Body" is the issuer, "Certification" the name).
COLUMNS = LabelTable(
    (
        (r"(?:certificat(?:e|ion)s?|cert\.?)(?: name| type| title| standard)?|standards?|name"
         r"|certificate / standard", "name"),
        (r"(?:certificat(?:e|ion)|cert\.?|registration|report|licen[cs]e) ?(?:no\.?|number|#|id)|no\.?|number",
         "number"),
        (r"issued by|issuer|issuing (?:body|authority|agency|organi[sz]ation)|certifi(?:cation|cate|ed) by"
         r"|certifi(?:cation|er|ying) body|testing (?:lab(?:oratory)?|body)|test lab|notified body|awarded by",
         "issuer"),
        (r"issue date|date of issue|issued(?: on| date)?|date issued|valid from|start date|effective(?: date| from)?"
         r"|from", "valid_from"),
        (r"expiry date|expiration(?: date)?|expiry|expires(?: on)?|valid (?:until|till|to|thru|through)|end date"
         r"|to|valid date", "valid_until"),
        (r"validity(?: period| dates?)?|valid(?:ity)? (?:period|dates?)|period|available date\s*(?:-+\s*)?expired date",
         "period"),
        (r"(?:business |certification |certified |certificate )?scope|scope of (?:certification|business|supply)"
         r"|products? (?:covered|name|scope)|applicable products?|certified products?|products?", "scope"),
        (r"picture|image|photo|file|view|preview|certificate (?:image|file|copy|picture|photo)|document"
         r"|attachment|download", "picture"),
        (r"verified|verification(?: status)?|status", "verified"),
    )
)  # fmt: skip
#: Fields that make a name table a certificate table (a "Name | Picture" gallery table is one too).
_DETAIL_COLUMNS = frozenset({"number", "issuer", "valid_from", "valid_until", "period", "picture", "verified"})
_CARD_FIELDS = frozenset({"number", "issuer", "valid_from", "valid_until", "period"})
#: A name header that says "certificate" by itself; a bare "Name"/"Type" needs a certificate section.
_CERTIFICATE_WORD = re.compile(r"certif|standard|\bcert\b", re.I)
_NOT_CERTIFICATES = re.compile(r"patent|trademark|award|honou?r|prize|exhibition|trade show", re.I)
_MS_SECTION = re.compile(r"(?:company|management|system|quality|factory) certific", re.I)
_PRODUCT_SECTION = re.compile(r"product certific|product test", re.I)
_VERIFIED_MARK = re.compile(r"[✓✔☑]|\bverified\b", re.I)
_UNVERIFIED_MARK = re.compile(r"[✗✘×]|\b(?:un|not\s+|non-?)verified\b|\bpending\b", re.I)
#: An empty cell as tables fill it.
_PLACEHOLDER = re.compile(r"[-–—/\\.\s]+|n\s*(?:/\s*)?a|none|nil|null|unknown", re.I)
_HINTS = {"ms_certification": "management_system", "product_certification": "product", "certification": None}


@dataclass
class Entry:
    """One certificate as a table row or card shows it."""

    values: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, DocumentKind, str]] = field(default_factory=list)

    def add(self, column: str, text: str) -> None:
        text = clean_text(text)
        if column not in self.values and text and not _PLACEHOLDER.fullmatch(text):
            self.values[column] = text[:MAX_CELL_CHARS]


def _kind_hint(section: str) -> str | None:
    if _PRODUCT_SECTION.search(section):
        return "product"
    if _MS_SECTION.search(section):
        return "management_system"
    return None


def _verified(text: str | None) -> bool | None:
    if not text:
        return None
    flag = as_bool(text)
    if flag is not None:
        return flag
    if _UNVERIFIED_MARK.search(text):
        return False
    return True if _VERIFIED_MARK.search(text) else None


def _certification(entry: Entry, hint: str | None) -> Certification | None:
    values = entry.values
    valid_from, valid_until = parse_validity_period(values.get("period"))
    return make_certification(
        values.get("name"),
        number=values.get("number"),
        issuer=values.get("issuer"),
        scope=values.get("scope"),
        valid_from=parse_date(values.get("valid_from")) or valid_from,
        valid_until=parse_date(values.get("valid_until")) or valid_until,
        verified=_verified(values.get("verified")),
        kind_hint=hint,
        source="structured",
    )


def _add(entry: Entry, hint: str | None, builder: ClaimsBuilder) -> None:
    cert = _certification(entry, hint)
    if cert is None or len(builder.certifications) >= MAX_CERTIFICATIONS:
        return
    builder.certification(cert, "certificate_entry")
    for url, kind, words in entry.files:
        builder.document(url, kind, certification=cert.name, label=words or cert.name, source="structured")


# --------------------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------------------


def _cells(row: Tag) -> list[Tag]:
    return row.find_all(["td", "th"], recursive=False, limit=MAX_CELLS)


def _header(rows: list[Tag]) -> tuple[int, list[str | None]] | None:
    """(index, column per cell) of the header row: the first row whose cells name a certificate name column
    and at least one detail column."""
    for index, row in enumerate(rows[:3]):
        columns = [COLUMNS.field(short_text(cell)) for cell in _cells(row)]
        if "name" in columns and _DETAIL_COLUMNS.intersection(columns):
            return index, columns
    return None


def heading_before(tag: Tag, *, skip_certificate_titles: bool = False) -> str:
    """The nearest section heading before ``tag`` (or its caption), for telling what a table or card lists;
    for a card, the titles of the cards before it ("ISO 9001:2015") are no section headings."""
    caption = tag.find("caption") if tag.name == "table" else None
    if isinstance(caption, Tag):
        return clean_text(bounded_text(caption))
    for count, node in enumerate(tag.previous_elements):
        if count >= MAX_HEADING_DISTANCE:
            break
        if isinstance(node, Tag) and node.name in HEADINGS:
            text = short_text(node) or ""
            if not (skip_certificate_titles and _looks_like_certificate(text)):
                return text
    return ""


def _table_entries(rows: list[Tag], index: int, columns: list[str | None], base_url: str) -> Iterator[Entry]:
    for row in rows[index + 1 :]:
        entry = Entry()
        for column, cell in zip(columns, _cells(row), strict=False):
            if column == "picture":
                entry.files.extend(files_in(cell, base_url, limit=5))
            elif column is not None:
                entry.add(column, bounded_text(cell, " ", MAX_CELL_CHARS))
        name = entry.values.get("name")
        if name and COLUMNS.field(name) != "name":  # a repeated header row is no certificate
            yield entry


@dataclass(frozen=True)
class CertificateTable:
    table: Tag
    rows: list[Tag]
    header_index: int
    columns: list[str | None]
    section: str


def find_certificate_tables(page: Page) -> list[CertificateTable]:
    """Every certificate table outside site chrome: a header row with a certificate name column and a number,
    issuer, date, picture or verification column. Patents, trademarks and awards are not certificates, and a
    bare "Name" column counts only under a certificates heading."""
    found: list[CertificateTable] = []
    for table in page.soup.find_all("table", limit=MAX_TABLES):
        if page.in_chrome(table):
            continue
        rows = table.find_all("tr", limit=MAX_TABLE_ROWS)
        header = _header(rows)
        if header is None:
            continue
        index, columns = header
        name_header = short_text(_cells(rows[index])[columns.index("name")]) or ""
        section = heading_before(table)
        if _NOT_CERTIFICATES.search(section):
            continue
        if _CERTIFICATE_WORD.search(name_header) or _CERTIFICATE_WORD.search(section):
            found.append(CertificateTable(table, rows, index, columns, section))
    return found


def read_certificate_tables(tables: list[CertificateTable], builder: ClaimsBuilder, base_url: str) -> None:
    """One structured certification per row of each certificate table, with its pictures as documents."""
    for found in tables:
        for entry in _table_entries(found.rows, found.header_index, found.columns, base_url):
            _add(entry, _kind_hint(found.section), builder)


# --------------------------------------------------------------------------------------------------
# cards
# --------------------------------------------------------------------------------------------------

_BOLD_TAGS = frozenset({"strong", "b"})


def _is_title_tag(tag: Tag) -> bool:
    """A heading, or bold text that opens its line (``<b>ISO 9001</b>``; not the value in "Issued by: <b>X</b>")."""
    if tag.name in HEADINGS:
        return True
    if tag.name not in _BOLD_TAGS:
        return False
    previous = tag.previous_sibling
    while isinstance(previous, NavigableString) and not previous.strip():
        previous = previous.previous_sibling
    return previous is None


_SECTION_TITLE = re.compile(r"certificat(?:es|ions)\b", re.I)


def _looks_like_certificate(title: str) -> bool:
    """A certificate's name ("ISO 9001:2015", "Certificate of Conformity"), not a section's ("Company
    Certificates")."""
    if normalize_certification(title)[0]:
        return True
    return bool(_CERTIFICATE_WORD.search(title)) and not _SECTION_TITLE.search(title)


def _card_title(card: Tag, labels: set[int]) -> tuple[bool, str | None]:
    """Whether ``card`` is a certificate card, and its title: its first heading/bold text that is not a
    label and names a certificate ("ISO 9001:2015"), or a "Certificate Name" row of its own (the title is
    then read from that row)."""
    for count, node in enumerate(card.descendants):
        if count >= MAX_CARD_NODES:
            break
        if isinstance(node, Tag) and _is_title_tag(node):
            text = short_text(node)
            if not text or len(text) > 200 or COLUMNS.field(text) or COLUMNS.inline(text):
                continue
            if not any(id(string) in labels for string in node.strings):
                return (True, text) if _looks_like_certificate(text) else (False, None)
        elif type(node) is NavigableString and COLUMNS.field(clean_text(node)) == "name":
            return True, None
    return False, None


def _card_of(label: NavigableString, labels: set[int]) -> tuple[Tag, str | None] | None:
    """The smallest container of ``label`` (up to a few levels) titled with a certificate's name or holding a
    "Certificate Name" row; a "Registration No." under a company heading makes no certificate."""
    tag = label.parent
    for _ in range(MAX_CARD_DEPTH):
        if not isinstance(tag, Tag) or isinstance(tag, BeautifulSoup) or tag.name in ("table", "tbody", "tr", "body"):
            return None
        is_card, title = _card_title(tag, labels)
        if is_card:
            return tag, title
        tag = tag.parent
    return None


def _card_strings(card: Tag) -> Iterator[NavigableString]:
    for count, node in enumerate(card.descendants):
        if count >= MAX_CARD_NODES:
            return
        if type(node) is NavigableString and node.strip() and node.parent is not None:
            yield node


def read_certificate_cards(page: Page, prose: Prose, builder: ClaimsBuilder, base_url: str) -> None:
    """Certificates laid out as cards (a title such as "ISO 9001:2015", then "Certificate No.", "Issued by",
    "Expiry Date" rows, and the certificate's picture), outside tables, chrome and the supplier's prose."""
    label_strings: list[NavigableString] = []
    for string in page.strings(descriptions=True):
        text = clean_text(string)
        column = COLUMNS.field(text) or (COLUMNS.inline(text) or (None,))[0]
        if column in _CARD_FIELDS and not prose.contains(string) and string.find_parent("table") is None:
            label_strings.append(string)
            if len(label_strings) >= MAX_CARD_LABELS:
                break
    labels = {id(string) for string in label_strings}
    seen: set[int] = set()
    for string in label_strings:
        found = _card_of(string, labels)
        if found is None or id(found[0]) in seen:
            continue
        card, title = found
        seen.add(id(card))
        entry = Entry()
        for inner in _card_strings(card):
            _read_card_row(inner, entry)
        entry.add("name", title or "")
        entry.files.extend(files_in(card, base_url, limit=5))
        _add(entry, _kind_hint(heading_before(card, skip_certificate_titles=True)), builder)


def _is_card_label(text: str) -> bool:
    """A card's labels; "Verified" is also the value of a "Verification" row."""
    return COLUMNS.field(text) not in (None, "verified") or COLUMNS.inline(text) is not None


def _read_card_row(string: NavigableString, entry: Entry) -> None:
    text = clean_text(string)
    column = COLUMNS.field(text)
    if column is not None and not in_heading(string):
        entry.add(column, value_after(string, bare(text), " ", _is_card_label))
        return
    inline = COLUMNS.inline(text)
    if inline is not None:
        entry.add(inline[0], inline[1])


# --------------------------------------------------------------------------------------------------
# key-facts rows
# --------------------------------------------------------------------------------------------------


def apply_certification_rows(rows: list[Row], builder: ClaimsBuilder) -> None:
    """One certification per name in "Certifications" / "Company Certifications" / "Product Certifications"
    rows, unless a certificate entry already lists it (a name beside its full entry is the same claim). The
    row's label decides the kind of names the normaliser does not know."""
    for row in rows:
        if row.field not in _HINTS:
            continue
        for name in certification_names(row.value):
            cert = make_certification(name, kind_hint=_HINTS[row.field], source="label")
            if cert is None or len(builder.certifications) >= MAX_CERTIFICATIONS:
                continue
            if any(same_certificate(cert, known, loose=True) for known, _place in builder.certifications):
                continue
            builder.certification(cert, f"row:{row.field}")
