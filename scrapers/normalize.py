"""Platform-independent normalisation of the values suppliers type into marketplace forms.

Every parser meets the same mess (nbsp and GBK mojibake, "ISO9001:2015" vs "ISO 9001-2015", a dozen date
formats, "6 yrs"), so the cleaning lives here once. Nothing in this module raises on odd input: it returns
``None`` (or an empty string) instead, and parsers degrade to fewer claims.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone

__all__ = [
    "clean_text",
    "country_in_address",
    "normalize_certification",
    "normalize_country",
    "parse_date",
    "parse_int",
    "parse_validity_period",
    "plausible_validity",
]

# --------------------------------------------------------------------------------------------------
# text
# --------------------------------------------------------------------------------------------------

_CJK = "\u3400-\u9fff"
# "聽" is U+00A0 (UTF-8 C2 A0) read back as GBK; only a mojibake when it is not inside Chinese text.
_MOJIBAKE_NBSP = re.compile(rf"(?<![{_CJK}])\u807d|\u807d(?![{_CJK}])")
# "鈥?" is an en/em dash (UTF-8 E2 80 93/94) read back as GBK with the last byte lost.
_MOJIBAKE_DASH = re.compile(r"\u9225\?")
# UTF-8 read back as Latin-1/cp1252: "Â" before a byte-range character ("Â\xa0" is a nbsp, "Â·" a middle dot),
# and the three-character forms of dashes and quotes. A legitimate "Â" is never followed by U+0080-U+00BF.
_MOJIBAKE_LATIN1 = re.compile("\u00c2(?=[\u0080-\u00bf])")
_MOJIBAKE_CP1252 = (("\u00e2\u20ac\u2122", "'"), ("\u00e2\u20ac\u201c", "-"), ("\u00e2\u20ac\u201d", "-"))
# "锟斤拷" is U+FFFD U+FFFD (lost characters) encoded as UTF-8 and read back as GBK; U+FFFD is a lost character.
_LOST_CHARACTERS = re.compile("(?:\u951f\u65a4\u62f7)+\u951f?|\ufffd+")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")


def clean_text(value: object) -> str:
    """Collapse whitespace, turn (mojibake) non-breaking spaces into spaces, drop the marks of lost characters
    ("锟斤拷", U+FFFD) and strip; ``None`` -> ""."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if "\u807d" in text:
        text = _MOJIBAKE_NBSP.sub(" ", text)
    if "\u9225" in text:
        text = _MOJIBAKE_DASH.sub("-", text)
    if "\u00c2" in text:
        text = _MOJIBAKE_LATIN1.sub("", text)
    if "\u00e2\u20ac" in text:
        for broken, fixed in _MOJIBAKE_CP1252:
            text = text.replace(broken, fixed)
    if "\u951f" in text or "\ufffd" in text:
        text = _LOST_CHARACTERS.sub(" ", text)
    text = _INVISIBLE.sub("", text.replace("\xa0", " ").replace("\u3000", " "))
    return _SPACES.sub(" ", text).strip()


# --------------------------------------------------------------------------------------------------
# integers
# --------------------------------------------------------------------------------------------------

_INT = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)")


def parse_int(value: object) -> int | None:
    """The first whole number in ``value``: "6 yrs" -> 6, "Established in 2005" -> 2005, "1,200" -> 1200."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value == value and abs(value) < 1e15 else None
    if not isinstance(value, str):
        return None
    match = _INT.search(unicodedata.normalize("NFKC", value[:1000]))
    if not match:
        return None
    digits = match.group(1).replace(",", "")
    return int(digits) if len(digits) <= 15 else None


# --------------------------------------------------------------------------------------------------
# dates
# --------------------------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_NAME = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]{0,6}"
_DATE = re.compile(
    r"(?P<ymd>(?<!\d)(?P<y1>\d{4})\s*[-/.年]\s*(?P<m1>\d{1,2})\s*[-/.月]\s*(?P<d1>\d{1,2})(?!\d)\s*日?)"
    r"|(?P<dmy_name>(?<!\d)(?P<d2>\d{1,2})(?:st|nd|rd|th)?[\s\-/.]*(?P<mon2>" + _MONTH_NAME + r")\.?"
    r"[\s,\-/.]*(?P<y2>\d{4})(?!\d))"
    r"|(?P<mdy_name>(?<![a-z])(?P<mon3>" + _MONTH_NAME + r")\.?\s*(?P<d3>\d{1,2})(?:st|nd|rd|th)?,?\s*"
    r"(?P<y3>\d{4})(?!\d))"
    r"|(?P<num>(?<!\d)(?P<a4>\d{1,2})[/.\-](?P<b4>\d{1,2})[/.\-](?P<y4>\d{4})(?!\d))"
    r"|(?P<compact>(?<!\d)(?P<y5>(?:19|20)\d{2})(?P<m5>[01]\d)(?P<d5>[0-3]\d)(?!\d))",
    re.IGNORECASE,
)
_EPOCH = re.compile(r"\s*(\d{10,13})\s*")
_EPOCH_IN_TEXT = re.compile(r"(?<![\d.])\d{10,13}(?![\d.])")
# Chinese marketplaces store a day as midnight in Beijing; reading epochs at UTC+8 gives that day back, and
# gives the same day for a UTC-midnight timestamp too (08:00).
_MARKETPLACE_TZ = timezone(timedelta(hours=8))
# Below 1e8 (1973) a number is not a timestamp of a certificate: 0 / -1 are "no date" sentinels, 2015 a year.
_MIN_EPOCH = 100_000_000


def _mkdate(year: int, month: int, day: int) -> date | None:
    if not 1900 <= year <= 2100:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _from_epoch(number: float) -> date | None:
    if number < _MIN_EPOCH:
        return None
    seconds = number / 1000 if abs(number) >= 1e11 else number
    try:
        return _mkdate(*datetime.fromtimestamp(seconds, tz=_MARKETPLACE_TZ).timetuple()[:3])
    except (OverflowError, OSError, ValueError):
        return None


def _from_number(value: float) -> date | None:
    """An epoch (seconds or milliseconds), or an 8-digit ``20170613`` integer."""
    if isinstance(value, int) and 19_000_101 <= value <= 21_001_231:
        return _mkdate(value // 10_000, value // 100 % 100, value % 100)
    return _from_epoch(value)


def _date_from_match(m: re.Match[str], day_first: bool | None = None) -> date | None:
    """The date of one ``_DATE`` match; ``day_first`` settles an ambiguous 05/06/2017 (known from a sibling)."""
    if m.group("ymd"):
        return _mkdate(int(m.group("y1")), int(m.group("m1")), int(m.group("d1")))
    if m.group("dmy_name"):
        month = _MONTHS.get(m.group("mon2").lower()[:3])
        return _mkdate(int(m.group("y2")), month or 0, int(m.group("d2")))
    if m.group("mdy_name"):
        month = _MONTHS.get(m.group("mon3").lower()[:3])
        return _mkdate(int(m.group("y3")), month or 0, int(m.group("d3")))
    if m.group("num"):
        a, b, year = int(m.group("a4")), int(m.group("b4")), int(m.group("y4"))
        if a > 12 >= b:
            return _mkdate(year, b, a)  # 13/06/2017: day first
        if b > 12 >= a:
            return _mkdate(year, a, b)  # 06/13/2017: month first
        if a == b:
            return _mkdate(year, a, b)
        if day_first is not None:
            return _mkdate(year, b, a) if day_first else _mkdate(year, a, b)
        return None  # 05/06/2017 is ambiguous
    if m.group("compact"):
        return _mkdate(int(m.group("y5")), int(m.group("m5")), int(m.group("d5")))
    return None


def parse_date(value: object) -> date | None:
    """A date from the formats marketplaces show (ISO, slashes, dots, "13 Jun 2017", "2017年6月13日",
    epoch milliseconds); ``None`` for anything absurd or unrecognised. Never raises."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _mkdate(value.year, value.month, value.day)
    if isinstance(value, date):
        return _mkdate(value.year, value.month, value.day)
    if isinstance(value, int | float):
        return _from_number(value) if value == value and abs(value) < 1e16 else None
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value)[:200]
    if _EPOCH.fullmatch(text):
        return _from_epoch(int(text))
    match = _DATE.search(text)
    return _date_from_match(match) if match else None


_RANGE_SEPARATOR = re.compile(r"~|～|至|到|→|\bto\b|\buntil\b|\btill\b|\bthru\b|—|–|-{2,}|\s-\s|\s-$|^\s*-\s", re.I)
# A lone date after one of these words is the end of the period.
_UNTIL_CUE = re.compile(
    r"expir|valid\s*(?:to|till|until|thru|through)|\bend(?:s|ing)?\b|有效期至|截止|到期|失效|终止", re.I
)
_PERIOD_START_KEYS = ("start", "from", "startDate", "begin", "beginDate", "validFrom", "start_date", "issueDate")
_PERIOD_END_KEYS = ("end", "to", "endDate", "finish", "validTo", "validUntil", "end_date", "expireDate", "expiryDate")


def _day_first(matches: list[re.Match[str]]) -> bool | None:
    """The day/month order that an unambiguous numeric date of the same period shows (13/06/2017: day first)."""
    for m in matches:
        if m.group("num"):
            a, b = int(m.group("a4")), int(m.group("b4"))
            if a > 12 >= b:
                return True
            if b > 12 >= a:
                return False
    return None


def _epoch_period(text: str) -> tuple[date | None, date | None] | None:
    """A period written as epoch timestamps ("1672848000000 ~ 1767456000000"), or ``None`` when there is none."""
    numbers = list(_EPOCH_IN_TEXT.finditer(text))
    if not numbers:
        return None
    dates = [_from_epoch(int(m.group(0))) for m in numbers[:2]]
    if len(dates) == 2:
        return dates[0], dates[1]
    before = text[: numbers[0].start()]
    if _RANGE_SEPARATOR.search(before) or _UNTIL_CUE.search(before):
        return None, dates[0]
    return dates[0], None


def parse_validity_period(value: object) -> tuple[date | None, date | None]:
    """(valid_from, valid_until) from "2017-06-13 ~ 2018-09-15", "2012-06-27 ~ " (open end),
    "2017.06.13 - 2018.09.15", "... to ...", "...至...", epoch timestamps, ``[start, end]`` pairs and
    ``{"start": ..., "end": ...}``; missing or absurd ends are ``None``."""
    if value is None or isinstance(value, bool):
        return None, None
    if isinstance(value, int | float):
        return None, parse_date(value)
    if isinstance(value, list | tuple):
        start, end, *_ = [*(parse_date(v) if isinstance(v, str | int | float) else None for v in value[:2]), None, None]
        return start, end
    if isinstance(value, dict):
        start = next((value[k] for k in _PERIOD_START_KEYS if value.get(k) not in (None, "")), None)
        end = next((value[k] for k in _PERIOD_END_KEYS if value.get(k) not in (None, "")), None)
        return parse_date(start), parse_date(end)
    text = unicodedata.normalize("NFKC", str(value))[:300]
    matches = list(_DATE.finditer(text))
    if len(matches) >= 2:
        day_first = _day_first(matches[:2])
        return _date_from_match(matches[0], day_first), _date_from_match(matches[1], day_first)
    if len(matches) == 1:
        m = matches[0]
        single = _date_from_match(m)
        before = text[: m.start()]
        if _RANGE_SEPARATOR.search(before) or _UNTIL_CUE.search(before):
            return None, single
        return single, None
    return _epoch_period(text) or (None, None)


# No certificate a marketplace shows dates from before 1970: "1900-01-01" / "1970-01-01" are "no date" sentinels.
_EARLIEST_CERTIFICATE_DATE = date(1970, 1, 2)


def plausible_validity(valid_from: date | None, valid_until: date | None) -> tuple[date | None, date | None]:
    """A certificate's (valid_from, valid_until) without sentinel dates (1900-01-01, 1970-01-01); both ends dropped
    when the period ends before it starts: one of them is wrong, which is unknowable, so neither may drive an
    expiry finding."""
    valid_from, valid_until = (d if d and d >= _EARLIEST_CERTIFICATE_DATE else None for d in (valid_from, valid_until))
    if valid_from and valid_until and valid_until < valid_from:
        return None, None
    return valid_from, valid_until


# --------------------------------------------------------------------------------------------------
# certification names
# --------------------------------------------------------------------------------------------------

# Standards certified as management systems; value: known editions (for two-digit years such as "-08").
_MS_STANDARDS: dict[str, tuple[int, ...]] = {
    "ISO 9001": (1987, 1994, 2000, 2008, 2015, 2026),
    "ISO 14001": (1996, 2004, 2015, 2026),
    "ISO 45001": (2018,),
    "ISO 13485": (1996, 2003, 2012, 2016),
    "ISO 22000": (2005, 2018),
    "ISO/IEC 27001": (2005, 2013, 2017, 2022),
    "ISO 50001": (2011, 2018),
    "ISO/TS 16949": (1999, 2002, 2009),
    "IATF 16949": (2016,),
    "OHSAS 18001": (1999, 2007),
    "ISO/IEC 17025": (1999, 2005, 2017),
    "ISO/IEC 20000": (2005, 2011, 2018),
    "ISO 22301": (2012, 2019),
    "ISO 28000": (2007, 2022),
    "ISO 37001": (2016, 2025),
    "ISO 39001": (2012,),
    "ISO 22716": (2007,),
    "ISO 15378": (2011, 2015, 2017),
    "ISO 3834": (2005, 2021),
    "ISO 10012": (2003,),
    "ISO 29001": (2010, 2020),
    "ISO 21001": (2018,),
    "ISO 41001": (2018,),
    "ISO/IEC 17020": (2012,),
    "ISO/IEC 17065": (2012,),
    "FSSC 22000": (),
    "GB/T 19001": (2008, 2016),
    "GB/T 24001": (2004, 2016),
    "GB/T 45001": (2020,),
    "GB/T 28001": (2001, 2011),
}
_IEC_NUMBERS = {"27001", "17025", "20000", "17020", "17065", "27701", "27017", "27018"}

_STANDARD = re.compile(
    r"(?P<prefix>IATF|OHSAS|FSSC|GB\s*/\s*T|ISO\s*/\s*TS|ISO\s*/\s*IEC|EN\s+ISO|ISO|BS\s+OHSAS)"
    r"[\s\-_:.]*(?P<number>\d{3,5})(?:\s*-\s*(?P<part>\d{1,2})(?!\d))?"
    # the edition: "ISO 9001:2015", "ISO 9001-2015", "ISO 9001 (2015)", "ISO 9001 version 2015"
    r"(?:\s*[:\-/.,(]?\s*(?:(?:version|edition|ver\.?|v)\s*)?(?P<year>(?:19|20)\d{2})(?!\d))?",
    re.IGNORECASE,
)
_SHORT_YEAR = re.compile(r"\s*[:\-]\s*(\d{2})(?!\d)")

# (pattern, canonical name, kind). Case-sensitive patterns catch short marks without matching words.
_Kind = str
_MARKS: tuple[tuple[re.Pattern[str], str, _Kind], ...] = tuple(
    (re.compile(p, flags), name, kind)
    for p, flags, name, kind in (
        # audits and social-compliance programmes (not certifications of anything)
        (r"\bamfori\b|\bBSCI\b", re.I, "BSCI", "audit"),
        (r"\bSMETA\b", re.I, "SMETA", "audit"),
        (r"\bSedex\b", re.I, "Sedex", "audit"),
        (r"\bSA\s*-?\s*8000\b", re.I, "SA8000", "audit"),
        (r"\bWRAP\b", 0, "WRAP", "audit"),
        (r"\bGSV\b", 0, "GSV", "audit"),
        (r"\bC\s*-?\s*TPAT\b", re.I, "C-TPAT", "audit"),
        (r"\bICTI\b|\bIETP\b", 0, "ICTI", "audit"),
        (r"\bSCAN\b", 0, "SCAN", "audit"),
        (r"\bFAMA\b", 0, "FAMA", "audit"),
        (r"\bHigg\b", re.I, "Higg", "audit"),
        (
            r"\b(?:factory|social|ethical|supplier|onsite|on-site)\s+audit|\baudit(?:ed)?\s+report|验厂|社会责任审核",
            re.I,
            None,
            "audit",
        ),
        # management-system schemes without an ISO number
        (r"\bHACCP\b", re.I, "HACCP", "management_system"),
        (r"(?:\bIECQ\s*)?\bQC\s*-?\s*080000\b", re.I, "IECQ QC 080000", "management_system"),
        (r"\bBRC(?:GS)?\b", 0, "BRCGS", "management_system"),
        (r"\bIFS\b", 0, "IFS", "management_system"),
        (r"\bc?GMP\b", 0, "GMP", "management_system"),
        # product marks, approvals and product-related schemes
        (r"(?<![A-Za-z])CE(?![A-Za-z])", 0, "CE", "product"),
        (r"\bRoHS\b", re.I, "RoHS", "product"),
        (r"\bFCC\b", re.I, "FCC", "product"),
        (r"(?<![A-Za-z])c?UL(?:us)?(?![A-Za-z])", 0, "UL", "product"),
        (r"\bc?ETL(?:us)?\b", 0, "ETL", "product"),
        (r"(?<![A-Za-z])CB(?![A-Za-z])", 0, "CB", "product"),
        (r"(?<![A-Za-z])GS(?![A-Za-z])", 0, "GS", "product"),
        (r"\bFDA\b", re.I, "FDA", "product"),
        (r"\bLFGB\b", re.I, "LFGB", "product"),
        (r"\bREACH\b", 0, "REACH", "product"),
        (r"(?<![A-Za-z])EMC(?![A-Za-z])", 0, "EMC", "product"),
        (r"(?<![A-Za-z])LVD(?![A-Za-z])", 0, "LVD", "product"),
        (r"(?<![A-Za-z])SAA(?![A-Za-z])", 0, "SAA", "product"),
        (r"(?<![A-Za-z])KC(?![A-Za-z])", 0, "KC", "product"),
        (r"(?<![A-Za-z])PSE(?![A-Za-z])", 0, "PSE", "product"),
        (r"(?<![A-Za-z0-9])(?:CCC|3C)(?![A-Za-z0-9])|中国强制性产品认证|强制性产品认证", 0, "CCC", "product"),
        (r"(?<![A-Za-z])CSA(?![A-Za-z])", 0, "CSA", "product"),
        (r"(?<![A-Za-z])UKCA(?![A-Za-z])", 0, "UKCA", "product"),
        (r"(?<![A-Za-z])EAC(?![A-Za-z])", 0, "EAC", "product"),
        (r"(?<![A-Za-z])BIS(?![A-Za-z])", 0, "BIS", "product"),
        (r"\bINMETRO\b", re.I, "INMETRO", "product"),
        (r"\bSASO\b", 0, "SASO", "product"),
        (r"(?<![A-Za-z])G-?Mark(?![A-Za-z])|(?<![A-Za-z])GCC(?![A-Za-z])", 0, "GCC", "product"),
        (r"(?<![A-Za-z])IC(?![A-Za-z])", 0, "IC", "product"),
        (r"\bErP\b", 0, "ErP", "product"),
        (r"\bWEEE\b", 0, "WEEE", "product"),
        (r"\bCPSIA\b", re.I, "CPSIA", "product"),
        (r"(?<![A-Za-z])CPC(?![A-Za-z])", 0, "CPC", "product"),
        (r"\bEN\s*71\b", re.I, "EN 71", "product"),
        (r"\bASTM\b", 0, "ASTM", "product"),
        (r"\bOEKO[\s\-]?TEX\b", re.I, "OEKO-TEX", "product"),
        (r"\bGOTS\b", 0, "GOTS", "product"),
        (r"\bGRS\b", 0, "GRS", "product"),
        (r"\bFSC\b", 0, "FSC", "product"),
        (r"\bEnergy\s*Star\b", re.I, "ENERGY STAR", "product"),
        (r"\bDLC\b", 0, "DLC", "product"),
        (r"\bVDE\b", 0, "VDE", "product"),
        (r"\bNOM\b", 0, "NOM", "product"),
        (r"\bRCM\b|\bC-?Tick\b", 0, "RCM", "product"),
        (r"\bTELEC\b|\bMIC\b", 0, "TELEC", "product"),
        (r"\bHalal\b", re.I, "Halal", "product"),
        (r"\bKosher\b", re.I, "Kosher", "product"),
        (r"\bAZO\b", 0, "AZO", "product"),
        (r"\bMSDS\b|\bSDS\b", 0, "MSDS", "product"),
        (r"\bE-?Mark\b|(?<![A-Za-z])DOT(?![A-Za-z])", 0, "E-Mark", "product"),
        (r"\bNSF\b", 0, "NSF", "product"),
        (r"\bWRAS\b", 0, "WRAS", "product"),
        (r"\bTUV\b|\bTÜV\b", re.I, "TUV", "product"),
    )
)

# Chinese / English descriptive labels without a standard number: kind only.
_MS_WORDS = re.compile(r"management\s+system|管理体系|体系认证|quality\s+system|quality\s+assurance\s+system", re.I)
_PRODUCT_WORDS = re.compile(r"产品认证|product\s+certificat|type\s+approval|型式认可|型式试验", re.I)
_AUDIT_WORDS = re.compile(r"审核报告|审厂|社会责任", re.I)
_BARE_ISO = re.compile(r"(?<![A-Za-z])ISO(?![A-Za-z])", re.I)


def _edition(canonical: str, year: str | None, tail: str) -> str | None:
    if year:
        return year if 1900 <= int(year) <= 2100 else None
    short = _SHORT_YEAR.match(tail)
    if not short:
        return None
    two = int(short.group(1))
    full = (1900 if two >= 80 else 2000) + two
    known = _MS_STANDARDS.get(canonical)
    return str(full) if known and full in known else None


def _canonical(prefix: str, number: str) -> str:
    prefix = re.sub(r"\s+", "", prefix.upper())
    if prefix == "IATF":
        return f"IATF {number}"
    if prefix in {"OHSAS", "BSOHSAS"}:
        return f"OHSAS {number}"
    if prefix == "FSSC":
        return f"FSSC {number}"
    if prefix == "GB/T":
        return f"GB/T {number}"
    if prefix == "ISO/TS":
        return f"ISO/TS {number}"
    if prefix == "ISO/IEC" or number in _IEC_NUMBERS:
        return f"ISO/IEC {number}"
    return f"ISO {number}"


def _standard_kind(canonical: str) -> str:
    return "management_system" if canonical in _MS_STANDARDS else "other"


def normalize_certification(name: object) -> tuple[str | None, str | None, str]:
    """(standard, edition, kind) for a certification name as a supplier typed it.

    "ISO9001:2015" -> ("ISO 9001", "2015", "management_system"); "GB/T19001-2016/ISO9001:2015" -> the ISO
    part; "CE" -> ("CE", None, "product"); "BSCI" -> ("BSCI", None, "audit"); unknown -> (None, None,
    "other"). Edition is a 4-digit year or ``None``.
    """
    text = unicodedata.normalize("NFKC", clean_text(name))[:300]
    if not text:
        return None, None, "other"
    found: list[tuple[str, str | None]] = []
    for m in _STANDARD.finditer(text):
        number = m.group("number")
        canonical = _canonical(m.group("prefix"), number)
        part = m.group("part")
        year = m.group("year")
        tail = text[m.end("number") :]
        if part and not year:
            # "ISO 9001-08": a two-digit edition, not a part number, when it is a known edition.
            edition = _edition(canonical, None, tail)
            if edition is None and canonical not in _MS_STANDARDS:
                canonical = f"{canonical}-{part}"
        elif part:
            # "ISO 10993-1:2018": a part and an edition; management-system standards are certified as a whole.
            edition = _edition(canonical, year, tail)
            if canonical not in _MS_STANDARDS:
                canonical = f"{canonical}-{part}"
        else:
            edition = _edition(canonical, year, tail) if year else _edition(canonical, None, tail)
        found.append((canonical, edition))
    if found:
        # Prefer the ISO reading of a dual "GB/T 19001-2016/ISO 9001:2015" label.
        iso = [f for f in found if not f[0].startswith("GB/T")]
        canonical, edition = (iso or found)[0]
        return canonical, edition, _standard_kind(canonical)
    for pattern, mark, kind in _MARKS:
        m = pattern.search(text)
        if m:
            edition = None
            year = re.match(r"\s*[:\-]?\s*((?:19|20)\d{2})(?!\d)", text[m.end() :])
            if year and kind != "product":
                edition = year.group(1)
            return mark, edition, kind
    if _MS_WORDS.search(text) or _BARE_ISO.search(text):
        return None, None, "management_system"
    if _AUDIT_WORDS.search(text):
        return None, None, "audit"
    if _PRODUCT_WORDS.search(text):
        return None, None, "product"
    return None, None, "other"


# --------------------------------------------------------------------------------------------------
# countries
# --------------------------------------------------------------------------------------------------

# Country names as marketplaces print them -> ISO 3166 alpha-2 (keys: casefolded, punctuation removed).
_COUNTRIES: dict[str, str] = {
    "china": "CN", "chinamainland": "CN", "mainlandchina": "CN", "prc": "CN", "peoplesrepublicofchina": "CN",
    "中国": "CN", "中国大陆": "CN", "中华人民共和国": "CN",
    "hongkong": "HK", "hongkongsar": "HK", "hongkongsarchina": "HK", "chinahongkong": "HK",
    "中国香港": "HK", "香港": "HK",
    "macau": "MO", "macao": "MO", "中国澳门": "MO", "澳门": "MO",
    "taiwan": "TW", "taiwanchina": "TW", "chinataiwan": "TW", "中国台湾": "TW", "台湾": "TW",
    "vietnam": "VN", "vietnamsocialistrepublic": "VN", "越南": "VN",
    "india": "IN", "印度": "IN", "pakistan": "PK", "bangladesh": "BD", "srilanka": "LK",
    "thailand": "TH", "泰国": "TH", "malaysia": "MY", "马来西亚": "MY", "indonesia": "ID", "印度尼西亚": "ID",
    "philippines": "PH", "singapore": "SG", "新加坡": "SG", "cambodia": "KH", "myanmar": "MM",
    "japan": "JP", "日本": "JP", "southkorea": "KR", "korea": "KR", "korearepublicof": "KR", "韩国": "KR",
    "turkey": "TR", "türkiye": "TR", "turkiye": "TR", "土耳其": "TR",
    "unitedstates": "US", "unitedstatesofamerica": "US", "usa": "US", "美国": "US",
    "unitedkingdom": "GB", "uk": "GB", "greatbritain": "GB", "英国": "GB",
    "germany": "DE", "德国": "DE", "italy": "IT", "意大利": "IT", "spain": "ES", "france": "FR", "法国": "FR",
    "netherlands": "NL", "poland": "PL", "portugal": "PT", "canada": "CA", "mexico": "MX", "brazil": "BR",
    "australia": "AU", "egypt": "EG", "unitedarabemirates": "AE", "uae": "AE", "southafrica": "ZA",
}  # fmt: skip
_COUNTRY_KEY = re.compile(r"[\W_]+")
_ALPHA2 = re.compile(r"[A-Za-z]{2}")


def normalize_country(value: object) -> str | None:
    """ISO alpha-2 for a country as a marketplace prints it ("CN", "cn", "China (Mainland)", "中国"); other text
    is returned cleaned, as shown; ``None`` when empty."""
    text = clean_text(value)[:100]
    if not text:
        return None
    if _ALPHA2.fullmatch(text):
        return "GB" if text.upper() == "UK" else text.upper()
    key = _COUNTRY_KEY.sub("", unicodedata.normalize("NFKC", text).casefold())
    return _COUNTRIES.get(key, text)


_REGION = re.compile(r"hong\s*kong|maca[ou]|taiwan|香港|澳门|台湾", re.I)
_ADDRESS_PARTS = re.compile(r"[,，]")
_COUNTRY_PREFIX = re.compile(r"^(?:P\.?\s?R\.?\s?|the\s+)", re.I)


def country_in_address(address: str | None) -> str | None:
    """ISO alpha-2 of the country an address names at its end ("..., Zhejiang, China (Mainland)") or, in
    Chinese, at its start ("中国浙江省..."); ``None`` otherwise. Never guessed from a province or a city."""
    if not address:
        return None
    region = _REGION.search(address)  # "Kowloon, Hong Kong, China" is HK, not CN
    if region:
        return _alpha2(region.group(0))
    parts = [part for part in _ADDRESS_PARTS.split(address) if part.strip()]
    found = _alpha2(parts[-1]) if parts else None
    if found:
        return found
    return "CN" if address.lstrip().startswith("中国") else None


def _alpha2(text: str) -> str | None:
    code = normalize_country(_COUNTRY_PREFIX.sub("", clean_text(text)))
    return code if code and _ALPHA2.fullmatch(code) and code.isupper() else None
