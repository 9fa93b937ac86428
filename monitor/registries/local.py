"""The operator's local certificate registry: CSV exports (from CBs, ABs, own audits) imported into the DB.

CSV columns (header names are case/space/underscore tolerant, a few aliases accepted):

    number, holder, standard, edition, certification body, accreditation body, status,
    valid_from, valid_until, scope

Each row needs a number or a holder. Dates: ISO (2025-01-31), 2025/01/31, 31.01.2025, 31 Jan 2025,
Jan 31, 2025, 20250131; slashed day/month dates (01/02/2025) are accepted only when unambiguous or when
``day_first`` is given. Bad rows are reported with the line number they start on and skipped; the rest is
imported. That includes a field longer than ``MAX_FIELD_CHARS`` and a quote that is never closed (the lines
after it are read again rather than swallowed into one field). A certificate number on several lines is
imported each time and named in a warning with its lines. Re-importing a file (same file name) replaces that
file's rows in one transaction.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from monitor.registries.normalize import holder_key, number_key, standard_key
from monitor.registries.records import CertificateRecord
from monitor.verify.findings import RegistryLookup
from scrapers.claims import Certification
from storage import Database, RegistryCertificate
from storage.registries import registry_by_holder_key, registry_by_number_key, replace_registry_source

FIELDS: tuple[str, ...] = (
    "number",
    "holder",
    "standard",
    "edition",
    "certification_body",
    "accreditation_body",
    "status",
    "valid_from",
    "valid_until",
    "scope",
)
_ALIASES: dict[str, str] = {
    "certificate_number": "number",
    "certificate_no": "number",
    "certification_number": "number",
    "cert_no": "number",
    "cert_number": "number",
    "no": "number",
    "company": "holder",
    "company_name": "holder",
    "certificate_holder": "holder",
    "holder_name": "holder",
    "organisation": "holder",
    "organization": "holder",
    "certified_entity": "holder",
    "certified_entity_name": "holder",
    "scheme": "standard",
    "cb": "certification_body",
    "issuer": "certification_body",
    "issued_by": "certification_body",
    "certification_bodies_name": "certification_body",
    "ab": "accreditation_body",
    "accreditation_bodies_name": "accreditation_body",
    "certification_status": "status",
    "issue_date": "valid_from",
    "issued": "valid_from",
    "start_date": "valid_from",
    "valid_since": "valid_from",
    "expiry": "valid_until",
    "expiry_date": "valid_until",
    "expires": "valid_until",
    "valid_to": "valid_until",
    "end_date": "valid_until",
    "certification_scope": "scope",
}
_DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%Y%m%d",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%B %d %Y",
)
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
#: The longest cell a row may have (the csv module's default limit): a longer one is a broken export (a missing
#: quote, a binary blob), reported as that line's error instead of stopping the import.
MAX_FIELD_CHARS = 131_072
#: Duplicate certificate numbers named one warning each, up to this many; lines listed per number, up to this many.
MAX_DUPLICATE_WARNINGS = 20
MAX_DUPLICATE_LINES = 10


@dataclass(frozen=True)
class RowError:
    """A CSV row that was not imported, with its (1-based, physical) line number."""

    line: int
    message: str


@dataclass(frozen=True)
class ImportResult:
    """What import_csv did; ``errors`` lists skipped rows, ``warnings`` ignored columns and the like."""

    source: str
    imported: int
    replaced: int
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _header_name(raw: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", raw.strip().lstrip("\ufeff").casefold()).strip("_")
    return _ALIASES.get(key, key)


def parse_date(value: str, *, day_first: bool | None = None) -> date:
    """A date from the formats registries export; raises ValueError (with the reason) otherwise."""
    text = value.strip()
    if "T" in text and text[:4].isdigit():
        text = text.split("T", 1)[0]
    match = _SLASHED.match(text)
    if match:
        a, b, year = (int(g) for g in match.groups())
        if a > 12 and b <= 12:
            day, month = a, b
        elif b > 12 and a <= 12:
            month, day = a, b
        elif day_first is None:
            if a == b:
                day = month = a
            else:
                raise ValueError(f"ambiguous date {value!r} (day/month order unknown; pass day_first)")
        else:
            day, month = (a, b) if day_first else (b, a)
        return date(year, month, day)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"unrecognised date {value!r}")


def _sniff_dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


_FIELD_LIMIT_LOCK = threading.Lock()


@contextmanager
def _field_limit(chars: int) -> Iterator[None]:
    """Let the csv module read fields up to ``chars`` long (its limit is process-wide: set, then restored).

    Too-long fields are refused by ``_records`` with the line they are on; the csv module would instead raise
    in the middle of the file, and the lines after it could no longer be told apart.
    """
    with _FIELD_LIMIT_LOCK:
        previous = csv.field_size_limit()
        csv.field_size_limit(max(previous, chars))
        try:
            yield
        finally:
            csv.field_size_limit(previous)


def _records(lines: list[str], dialect: type[csv.Dialect] | csv.Dialect) -> Iterator[tuple[int, list[str] | None, str]]:
    """(first line, fields, "") per CSV record, or (first line, None, why) for one that cannot be read.

    A record spanning several lines with an odd number of quote characters opened a quote it never closed:
    reported on its first line, and the lines after that one are read again. Call within ``_field_limit``.
    """
    quote = getattr(dialect, "quotechar", None) or '"'
    base = 0
    while base < len(lines):
        reader = csv.reader(islice(lines, base, None), dialect)
        done = 0  # reader.line_num after the last record
        while True:
            try:
                raw = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:  # the reader drops the rest of the line and goes on with the next one
                yield base + done + 1, None, f"not readable as CSV: {exc}"
                done = reader.line_num
                continue
            first, last = base + done + 1, base + reader.line_num
            done = reader.line_num
            if last > first and "".join(lines[first - 1 : last]).count(quote) % 2:
                why = f"a quote ({quote}) opened on this line is never closed: lines {first}-{last} would be one field"
                yield first, None, why + "; the line is skipped and the lines after it are read again"
                base = first
                break
            longest = max(range(len(raw)), key=lambda i: len(raw[i]), default=None)
            if longest is not None and len(raw[longest]) > MAX_FIELD_CHARS:
                why = f"field {longest + 1} has {len(raw[longest])} characters, the limit is {MAX_FIELD_CHARS}"
                yield first, None, why + " (a missing quote, or no registry export?)"
                continue
            yield first, raw, ""


def _line_list(lines: list[int]) -> str:
    shown = [str(n) for n in lines[:MAX_DUPLICATE_LINES]]
    if len(lines) > MAX_DUPLICATE_LINES:
        return f"lines {', '.join(shown)}, ... ({len(lines)} lines)"
    return f"lines {', '.join(shown[:-1])} and {shown[-1]}"


def _duplicate_warnings(rows: list[tuple[int, dict[str, Any]]]) -> list[str]:
    """One warning per certificate number that is on several lines (compared as number keys), naming them."""
    lines: dict[str, list[int]] = {}
    shown: dict[str, str] = {}
    for line, values in rows:
        key = values.get("number_key")
        if key:
            lines.setdefault(key, []).append(line)
            shown.setdefault(key, values["number"])
    repeated = [key for key, found in lines.items() if len(found) > 1]
    warnings = [
        f"certificate number {shown[key][:80]!r} is on {_line_list(lines[key])}"
        for key in repeated[:MAX_DUPLICATE_WARNINGS]
    ]
    if len(repeated) > MAX_DUPLICATE_WARNINGS:
        warnings.append(f"... and {len(repeated) - MAX_DUPLICATE_WARNINGS} more certificate numbers on several lines")
    return warnings


def import_csv(db: Database, path: str | Path, *, day_first: bool | None = None) -> ImportResult:
    """Import (or re-import) a registry CSV file; the file name is the source that re-imports replace.

    Raises ValueError only when the file as a whole is unusable (no number/holder column); single bad
    rows are reported in ImportResult.errors and skipped.
    """
    path = Path(path)
    source = path.name
    text = path.read_text(encoding="utf-8-sig")
    lines = io.StringIO(text, newline="").readlines()
    with _field_limit(len(text) + 1):
        records = list(_records(lines, _sniff_dialect(text[:8192])))
    if not records:
        raise ValueError(f"{source}: empty file, expected a header row")
    header_line, header, why = records[0]
    if header is None:
        raise ValueError(f"{source}: the header (line {header_line}) cannot be read: {why}")
    columns = [_header_name(h) for h in header]
    warnings = [f"ignored column {header[i][:80]!r}" for i, c in enumerate(columns) if c not in FIELDS]
    if "number" not in columns and "holder" not in columns:
        raise ValueError(f"{source}: header has neither a certificate number nor a holder column: {header!r}")
    duplicated = sorted({c for c in columns if c in FIELDS and columns.count(c) > 1})
    if duplicated:
        raise ValueError(f"{source}: columns given twice: {duplicated}")
    index = {c: i for i, c in enumerate(columns) if c in FIELDS}

    rows: list[tuple[int, dict[str, Any]]] = []
    errors: list[RowError] = []
    for line, raw, why in records[1:]:
        if raw is None:
            errors.append(RowError(line, why))
            continue
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) > len(header) and any(cell.strip() for cell in raw[len(header) :]):
            errors.append(RowError(line, f"{len(raw)} fields, header has {len(header)}"))
            continue
        if len(raw) == 1 and len(header) > 2:
            errors.append(RowError(line, f"1 field, header has {len(header)}: a broken line or another separator?"))
            continue
        values: dict[str, Any] = {}
        for name, i in index.items():
            cell = raw[i].strip() if i < len(raw) else ""
            values[name] = cell or None
        try:
            for name in ("valid_from", "valid_until"):
                if values.get(name):
                    values[name] = parse_date(values[name], day_first=day_first)
        except ValueError as exc:
            errors.append(RowError(line, str(exc)))
            continue
        if not values.get("number") and not values.get("holder"):
            errors.append(RowError(line, "row has neither a certificate number nor a holder"))
            continue
        starts, ends = values.get("valid_from"), values.get("valid_until")
        if starts and ends and ends < starts:
            errors.append(RowError(line, f"valid_until {ends} before valid_from {starts}"))
            continue
        values["number_key"] = number_key(values.get("number"))
        values["holder_key"] = holder_key(values.get("holder"))
        if values.get("number") and values["number_key"] is None:
            errors.append(RowError(line, f"certificate number {values['number']!r} has no letters or digits"))
            continue
        rows.append((line, values))
    warnings += _duplicate_warnings(rows)
    imported, replaced = replace_registry_source(db, source, [values for _, values in rows])
    return ImportResult(source=source, imported=imported, replaced=replaced, errors=errors, warnings=warnings)


def _record(row: RegistryCertificate, matched_by: str) -> CertificateRecord:
    return CertificateRecord(
        number=row.number,
        holder=row.holder,
        standard=row.standard,
        edition=row.edition,
        certification_body=row.certification_body,
        accreditation_body=row.accreditation_body,
        status=row.status,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        scope=row.scope,
        source=f"local registry ({row.source})",
        matched_by=matched_by,
        registry_id=str(row.id),
    )


def _newest_first(rows: list[RegistryCertificate]) -> list[RegistryCertificate]:
    return sorted(rows, key=lambda r: (r.valid_until or date.min, r.id or 0), reverse=True)


class LocalRegistry:
    """Registry protocol over the imported CSV certificates: number first, then holder + standard.

    A number match wins even when holder or standard differ (rules then flag the mismatch: a certificate
    of another company is the classic fraud); among several rows with that number the one agreeing on
    standard and holder is preferred. Without a number match, the supplier's newest certificate for the
    claimed standard is returned with matched_by="holder".
    """

    name = "local"

    def __init__(self, db: Database) -> None:
        self.db = db

    def lookup(self, certification: Certification, supplier_name: str | None) -> RegistryLookup:
        """Find the claimed certificate; record None when the registry has nothing for it."""
        try:
            return RegistryLookup(self.name, record=self._find(certification, supplier_name))
        except Exception as exc:  # a broken DB must not abort the whole verification run
            return RegistryLookup(self.name, error=f"local registry lookup failed: {type(exc).__name__}: {exc}")

    def _find(self, certification: Certification, supplier_name: str | None) -> CertificateRecord | None:
        claimed_standard = standard_key(certification.standard or certification.name)
        claimed_holder = holder_key(supplier_name)
        nkey = number_key(certification.number)
        if nkey:
            rows = registry_by_number_key(self.db, nkey)
            if rows:
                best = max(
                    _newest_first(rows),
                    key=lambda r: (
                        claimed_standard is not None and standard_key(r.standard) == claimed_standard,
                        claimed_holder is not None and r.holder_key == claimed_holder,
                    ),
                )
                return _record(best, "number")
        if claimed_holder is None:
            return None
        candidates = [
            r
            for r in registry_by_holder_key(self.db, claimed_holder)
            if claimed_standard is None or standard_key(r.standard) == claimed_standard
        ]
        if not candidates:
            return None
        return _record(_newest_first(candidates)[0], "holder")


__all__ = ["FIELDS", "MAX_FIELD_CHARS", "ImportResult", "LocalRegistry", "RowError", "import_csv", "parse_date"]
