"""The seller's certificates as 1688 shows them: the 资质证书 widget's cards ("证书名称：/证书编号：/发证机构：/
有效期：" beside the certificate's image) and tables (a header row 证书名称 | 证书编号 | 发证机构 | 有效期,
one row per certificate), plus the certificate images and PDFs they link.

A card is found from its name label: the largest block around it that holds no other certificate's name
and no supplier fact. Every label of that block belongs to the certificate (there "认证机构" is the
certificate's issuer, elsewhere the factory inspection body), and so does every image in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from lxml import html

from scrapers.normalize import clean_text, parse_date, parse_validity_period
from scrapers.platforms.builder import ClaimsBuilder, make_certification
from scrapers.platforms.china_1688._badges import is_badge_image
from scrapers.platforms.china_1688._dom import Page, absolute_url, ancestors, bounded_text, image_url
from scrapers.platforms.china_1688._labels import CERT_RECORD_FIELDS, Pair, label_field

__all__ = ["read_certificates"]

MAX_RECORDS = 200
MAX_CARD_DEPTH = 6
#: A card bigger than this is a page section, not one certificate's box.
MAX_CARD_TEXT = 3_000
MAX_IMAGES_PER_RECORD = 10
MAX_TABLE_ROWS = 200
MAX_CELLS = 30
#: Images and links named like a certificate, or inside a certificate section, are its documents.
_CERTIFICATE_WORDS = re.compile(r"证书|證書|认证|認證|资质|資質|certificat|ISO\s?\d{4,5}", re.I)
_CERTIFICATE_SECTION = re.compile(r"cert|zhengshu|qualif|zizhi", re.I)
_PDF = re.compile(r"\.pdf(?:$|[?#])", re.I)
_PLACEHOLDER = re.compile(r"暂无|無|无|-+|/|—+|长期|長期|长期有效|長期有效|永久|none|n/?a", re.I)
_RANGE = re.compile(r"至|到|~|～|—|–|\s-\s|\d\s*-\s*\d{4}")


@dataclass
class _Record:
    container: html.HtmlElement
    values: dict[str, str] = field(default_factory=dict)


def _single_date_is_end(field_name: str, value: str) -> bool:
    """ "有效期：2027-03-17" alone is an end date; "有效期：2024-03-18 至 2027-03-17" a period."""
    return field_name == "cert_period" and _RANGE.search(value) is None


def _validity(values: dict[str, str]) -> tuple[date | None, date | None]:
    start = parse_date(values.get("cert_from"))
    end = parse_date(values.get("cert_until"))
    period = values.get("cert_period")
    if period and not _PLACEHOLDER.fullmatch(clean_text(period)):
        if _single_date_is_end("cert_period", period):
            end = end or parse_date(period)
        else:
            period_start, period_end = parse_validity_period(period)
            start, end = start or period_start, end or period_end
    return start, end


def _add(builder: ClaimsBuilder, page: Page, record: _Record, place: str) -> None:
    values = record.values
    name = clean_text(values.get("cert_name"))
    if not name or _PLACEHOLDER.fullmatch(name):
        return
    valid_from, valid_until = _validity(values)
    number = clean_text(values.get("cert_number"))
    builder.certification(
        make_certification(
            name,
            number=None if _PLACEHOLDER.fullmatch(number or "-") else number,
            issuer=values.get("cert_issuer") or values.get("inspector"),
            scope=values.get("cert_scope"),
            valid_from=valid_from,
            valid_until=valid_until,
            source="structured",
        ),
        place,
    )
    _documents(builder, page, record.container, name)


def _documents(builder: ClaimsBuilder, page: Page, container: html.HtmlElement, name: str | None) -> None:
    """The images and PDFs inside one certificate's block (badge icons aside)."""
    found = 0
    for element in container.iter("img", "a"):
        if found >= MAX_IMAGES_PER_RECORD:
            return
        if element.tag == "img":
            if is_badge_image(element):
                continue
            url = image_url(element, page.base_url)
            label = clean_text(element.get("alt") or element.get("title")) or name
            builder.document(url, "image", certification=name, label=label)
            found += 1
        elif _PDF.search(element.get("href") or ""):
            url = absolute_url(element.get("href"), page.base_url)
            builder.document(url, "pdf", certification=name, label=bounded_text(element, 200) or name)
            found += 1


# --------------------------------------------------------------------------------------------------
# cards: label pairs grouped by the block around each certificate's name
# --------------------------------------------------------------------------------------------------


class _Counts:
    """How many of some elements each ancestor holds (bounded depth). The ancestors are kept referenced:
    lxml hands out a new proxy object (and so a new ``id``) for an element whose proxy was freed."""

    def __init__(self, elements: list[html.HtmlElement]) -> None:
        self._counts: dict[int, tuple[html.HtmlElement, int]] = {}
        for element in elements:
            for node in ancestors(element, MAX_CARD_DEPTH + 2):
                held = self._counts.get(id(node))
                self._counts[id(node)] = (node, (held[1] if held else 0) + 1)

    def __getitem__(self, node: html.HtmlElement) -> int:
        held = self._counts.get(id(node))
        return held[1] if held else 0


def _card(label: html.HtmlElement, names: _Counts, facts: _Counts) -> html.HtmlElement:
    """The largest block around a name label with no other certificate's name and no supplier fact."""
    card = label
    for node in list(ancestors(label, MAX_CARD_DEPTH))[1:]:
        if node.tag in ("body", "html") or names[node] > 1 or facts[node] > 0:
            break
        if len(bounded_text(node, MAX_CARD_TEXT)) > MAX_CARD_TEXT:
            break
        card = node
    return card


def _cards(pairs: list[Pair], table_rows: dict[int, html.HtmlElement]) -> tuple[list[_Record], set[int]]:
    """Records from the certificate cards, and the ids of the pairs they took."""
    name_pairs = [p for p in pairs if p.field == "cert_name" and not _in(p.label.element, table_rows)]
    fact_labels = [p.label.element for p in pairs if p.field not in CERT_RECORD_FIELDS | {"inspector", "ignored"}]
    names = _Counts([p.label.element for p in name_pairs])
    facts = _Counts(fact_labels)
    records: dict[int, _Record] = {}
    order: list[_Record] = []
    for pair in name_pairs[:MAX_RECORDS]:
        container = _card(pair.label.element, names, facts)
        if id(container) not in records:
            records[id(container)] = _Record(container)
            order.append(records[id(container)])
    taken: set[int] = set()
    for index, pair in enumerate(pairs):
        if pair.field not in CERT_RECORD_FIELDS and pair.field != "inspector":
            continue
        record = next(
            (records[id(node)] for node in ancestors(pair.label.element, MAX_CARD_DEPTH + 2) if id(node) in records),
            None,
        )
        if record is not None:
            record.values.setdefault(pair.field, pair.value)
            taken.add(index)
    return order, taken


def _in(element: html.HtmlElement, held: dict[int, html.HtmlElement]) -> bool:
    """Inside one of ``held`` (id -> element, the elements kept referenced so that their ids stay theirs)."""
    return any(id(node) in held for node in ancestors(element, 4))


# --------------------------------------------------------------------------------------------------
# tables: a header row of certificate labels, one row per certificate
# --------------------------------------------------------------------------------------------------


def _cells(row: html.HtmlElement) -> list[html.HtmlElement]:
    return [cell for cell in row if isinstance(cell.tag, str) and cell.tag in ("td", "th")][:MAX_CELLS]


def _header(row: html.HtmlElement) -> dict[int, str] | None:
    """Column -> field for a header row of certificate labels that names the certificate."""
    columns: dict[int, str] = {}
    for index, cell in enumerate(_cells(row)):
        field_name = label_field(bounded_text(cell, 40))
        if field_name in CERT_RECORD_FIELDS or field_name == "inspector":
            columns[index] = "cert_issuer" if field_name == "inspector" else field_name
    return columns if "cert_name" in columns.values() and len(columns) >= 2 else None


def _tables(page: Page) -> tuple[list[_Record], dict[int, html.HtmlElement]]:
    records: list[_Record] = []
    rows_seen: dict[int, html.HtmlElement] = {}
    for table in page.root.iter("table"):
        rows = [row for row in table.iter("tr")][: MAX_TABLE_ROWS + 1]
        for position, row in enumerate(rows):
            columns = _header(row)
            if columns is None:
                continue
            rows_seen[id(row)] = row
            for data_row in rows[position + 1 :]:
                if _header(data_row) is not None:
                    break
                rows_seen[id(data_row)] = data_row
                cells = _cells(data_row)
                values = {
                    name: bounded_text(cells[index], 500) for index, name in columns.items() if index < len(cells)
                }
                records.append(_Record(data_row, {k: v for k, v in values.items() if v}))
            break
        if len(records) >= MAX_RECORDS:
            break
    return records, rows_seen


# --------------------------------------------------------------------------------------------------
# the widget's loose documents
# --------------------------------------------------------------------------------------------------


def _in_certificate_section(element: html.HtmlElement) -> bool:
    for node in ancestors(element, 6):
        words = f"{node.get('class') or ''} {node.get('id') or ''}"[:300]
        if words.strip() and _CERTIFICATE_SECTION.search(words):
            return True
    return False


def _loose_documents(page: Page, builder: ClaimsBuilder) -> None:
    """Certificate images outside any card: named like one, or in the certificate section."""
    for image in page.images:
        if is_badge_image(image):
            continue
        label = clean_text(image.get("alt") or image.get("title"))
        if (label and _CERTIFICATE_WORDS.search(label)) or _in_certificate_section(image):
            builder.document(image_url(image, page.base_url), "image", label=label or None)


def read_certificates(page: Page, pairs: list[Pair], builder: ClaimsBuilder) -> set[int]:
    """Certificates from the widget's tables and cards, with their documents; returns the indexes of the
    pairs used, so that the rest ("认证机构" outside any card) can be read as the inspection body."""
    table_records, table_rows = _tables(page)
    card_records, taken = _cards(pairs, table_rows)
    for record in table_records:
        _add(builder, page, record, "certificate_table")
    for record in card_records:
        _add(builder, page, record, "certificate_card")
    _loose_documents(page, builder)
    for index, pair in enumerate(pairs):
        if pair.field in CERT_RECORD_FIELDS and _in(pair.label.element, table_rows):
            taken.add(index)
    return taken
