"""Platform-independent normalisation of the values suppliers type into marketplace forms.

Every parser meets the same mess (nbsp and GBK mojibake, "ISO9001:2015" vs "ISO 9001-2015", a dozen date
formats, "6 yrs"), so the cleaning lives here once. Nothing in this module raises on odd input: it returns
``None`` (or an empty string) instead, and parsers degrade to fewer claims.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime

__all__ = [
    "clean_text",
    "normalize_certification",
    "parse_date",
    "parse_int",
    "parse_validity_period",
]

# --------------------------------------------------------------------------------------------------
# text
# --------------------------------------------------------------------------------------------------

_CJK = "\u3400-\u9fff"
# "聽" is U+00A0 (UTF-8 C2 A0) read back as GBK; only a mojibake when it is not inside Chinese text.
_MOJIBAKE_NBSP = re.compile(rf"(?<![{_CJK}])\u807d|\u807d(?![{_CJK}])")
# "鈥?" is an en/em dash (UTF-8 E2 80 93/94) read back as GBK with the last byte lost.
_MOJIBAKE_DASH = re.compile(r"\u9225\?")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")


def clean_text(value: object) -> str:
    """Collapse whitespace, turn (mojibake) non-breaking spaces into spaces and strip; ``None`` -> ""."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if "\u807d" in text:
        text = _MOJIBAKE_NBSP.sub(" ", text)
    if "\u9225" in text:
        text = _MOJIBAKE_DASH.sub("-", text)
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


def _mkdate(year: int, month: int, day: int) -> date | None:
    if not 1900 <= year <= 2100:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _from_epoch(number: float) -> date | None:
    seconds = number / 1000 if abs(number) >= 1e11 else number
    try:
        return _mkdate(*datetime.fromtimestamp(seconds, tz=UTC).timetuple()[:3])
    except (OverflowError, OSError, ValueError):
        return None


def _date_from_match(m: re.Match[str]) -> date | None:
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
        return _mkdate(year, a, b) if a == b else None  # 05/06/2017 is ambiguous
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
        return _from_epoch(value) if value == value and abs(value) < 1e16 else None
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value)[:200]
    if _EPOCH.fullmatch(text):
        return _from_epoch(int(text))
    match = _DATE.search(text)
    return _date_from_match(match) if match else None


_RANGE_SEPARATOR = re.compile(r"~|～|至|到|\bto\b|\buntil\b|\btill\b|—|–|-{2,}|\s-\s|\s-$|^\s*-\s", re.I)


def parse_validity_period(value: object) -> tuple[date | None, date | None]:
    """(valid_from, valid_until) from "2017-06-13 ~ 2018-09-15", "2012-06-27 ~ " (open end),
    "2017.06.13 - 2018.09.15", "... to ...", "...至..."; missing or absurd ends are ``None``."""
    if value is None or isinstance(value, bool):
        return None, None
    if isinstance(value, int | float):
        return None, parse_date(value)
    text = unicodedata.normalize("NFKC", str(value))[:300]
    matches = list(_DATE.finditer(text))
    if len(matches) >= 2:
        return _date_from_match(matches[0]), _date_from_match(matches[1])
    if len(matches) == 1:
        m = matches[0]
        single = _date_from_match(m)
        before = text[: m.start()]
        if _RANGE_SEPARATOR.search(before) or re.search(r"expir|valid (?:to|till|until)|有效期至", before, re.I):
            return None, single
        return single, None
    return None, None


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
    r"(?:\s*[:\-/.,]?\s*(?P<year>(?:19|20)\d{2})(?!\d))?",
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
