"""Dates as certificates print them, found anywhere in a line of (possibly OCR-noisy) text.

"2024-03-15", "15 March 2024", "March 15, 2024", "Mar. 15, 2024", "15/03/2024" (day first unless that is
impossible), "15.03.2024", "2024年3月15日", "2024.03.15". Years outside 1950..2100 are dropped as misreadings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = ["FoundDate", "find_dates", "parse_one_date"]

MIN_YEAR = 1950
MAX_YEAR = 2100

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = r"(?P<mon>(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,7})\.?"
_D = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_Y = r"(?P<year>(?:19|20|21)\d{2})"
_SEP = r"\s*[-/.]\s*"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # 2024年3月15日, 2024 年 03 月 15 日
    ("ymd", re.compile(rf"{_Y}\s*年\s*(?P<month>[01]?\d)\s*月\s*(?P<day>[0-3]?\d)\s*[日号]?")),
    # 2024-03-15, 2024/3/15, 2024.03.15
    ("ymd", re.compile(rf"(?<!\d){_Y}{_SEP}(?P<month>[01]?\d){_SEP}(?P<day>[0-3]?\d)(?!\d)")),
    # 15 March 2024, 15-Mar-2024, 15th March, 2024
    ("dmy_name", re.compile(rf"(?<![\dA-Za-z]){_D}[\s\-/.]*{_MONTH}[\s\-/.,]*{_Y}(?!\d)", re.I)),
    # March 15, 2024, Mar. 15 2024
    ("mdy_name", re.compile(rf"(?<![A-Za-z]){_MONTH}\s*{_D},?[\s\-/.]*{_Y}(?!\d)", re.I)),
    # 15/03/2024, 15.03.2024, 15-03-2024 (day first unless impossible)
    ("dmy", re.compile(rf"(?<![\d.]){_D}{_SEP}(?P<month>[01]?\d){_SEP}{_Y}(?!\d)")),
    # 2024年3月 (month only: the first of the month; certificates rarely do this, marked by a lower confidence)
)

#: Letters OCR reads in place of digits; replaced only inside runs that are otherwise digits and separators.
_DIGITISH = re.compile(r"(?<![A-Za-z])[0-9OoIl|]{1,4}(?:\s?[-/.年月]\s?[0-9OoIl|]{1,4}){2}(?![A-Za-z])")
_DIGIT_FIX = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})


@dataclass(frozen=True)
class FoundDate:
    """A date found in a line, where it starts and ends, and how it was printed."""

    value: date
    start: int
    end: int
    text: str


def _mkdate(year: int, month: int, day: int) -> date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _fix_digits(text: str) -> str:
    """'2O24-O3-l5' -> '2024-03-15', same length, only where a whole run looks like a numeric date."""

    def fix(m: re.Match[str]) -> str:
        run = m.group(0)
        digits = sum(ch.isdigit() for ch in run)
        return run.translate(_DIGIT_FIX) if digits >= 4 else run

    return _DIGITISH.sub(fix, text)


def _from_match(kind: str, m: re.Match[str]) -> date | None:
    year = int(m.group("year"))
    day = int(m.group("day"))
    if kind in {"dmy_name", "mdy_name"}:
        month = _MONTHS.get(m.group("mon")[:3].lower())
        if month is None:
            return None
        return _mkdate(year, month, day)
    month = int(m.group("month"))
    if kind == "dmy" and month > 12 and day <= 12:
        day, month = month, day  # "03/15/2024": month first, the only possible reading
    return _mkdate(year, month, day)


def find_dates(text: str) -> list[FoundDate]:
    """Every plausible date in ``text``, in order, without overlaps."""
    fixed = _fix_digits(text)
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(fixed):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            taken.append((m.start(), m.end()))
            value = _from_match(kind, m)
            if value is not None:
                found.append(FoundDate(value, m.start(), m.end(), text[m.start() : m.end()].strip()))
    return sorted(found, key=lambda item: item.start)


def parse_one_date(text: str) -> date | None:
    """The first date in ``text``, or None."""
    found = find_dates(text)
    return found[0].value if found else None
