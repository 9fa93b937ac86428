"""Certificate fields from lines of text: holder (and its other names), address, standard and edition,
number, scope, issuer, accreditation marks and dates, each with a confidence.

Built for the family of real certificates rather than one template: labels in English and Chinese, the value
on the label's line or the next, tables whose labels sit on one row and values on the next, "This is to
certify that" followed by the holder, and guesses (a company name, a certification body's name) where nothing
is labelled. A field's confidence is the OCR confidence of its line(s) times how sure its pattern is.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scrapers.claims import ReadDate, ReadFields, ReadValue
from scrapers.documents.dates import FoundDate, find_dates
from scrapers.documents.labels import (
    ACCREDITATION_MARKS,
    ADDRESS_WORDS,
    CERTIFY_INTRO,
    CJK_COMPANY,
    DATE_LABELS,
    FIELD_LABELS,
    ISSUER_WORDS,
    KNOWN_BODIES,
    LATIN_COMPANY_SUFFIX,
    SYSTEM_OF,
)

__all__ = ["Fields", "Line", "extract_fields", "fields_from_text", "normalize_line"]

#: How sure each kind of pattern is (multiplied by the line's OCR confidence).
LABEL_SAME_LINE = 0.95
LABEL_NEXT_LINE = 0.85
INTRO = 0.9
KNOWN_NAME = 0.75
GUESS = 0.55
UNLABELLED_DATE = 0.35

#: Hostile input is cut to size before any pattern runs.
MAX_LINES = 600
MAX_LINE_CHARS = 1000


@dataclass(frozen=True)
class Line:
    """A line of text in reading order and how sure OCR was of it (1.0 for a PDF text layer)."""

    text: str
    confidence: float = 1.0


#: What the reader returns: the claims model's fields of a certificate document (one definition of them).
Fields = ReadFields


_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_CELL = re.compile(r" {2,}")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


@functools.cache
def _cjk_gap() -> re.Pattern[str]:
    """Built on first use, as ``_issuer_company``: its lookbehinds over CJK ranges are costly to compile."""
    return re.compile(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff\d])|(?<=\d) (?=[\u3400-\u9fff])")


_OCR_ISO = re.compile(r"(?<![A-Za-z])(?:IS0|1SO|lSO|I5O|IS〇)(?=\s*[\d/])")


_LONG_TOKEN = re.compile(r"[A-Za-z0-9.,:;()&'\-]{12,}")
_GLUED = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[a-z]\.)(?=[A-Z0-9])|(?<=[a-z])(?=\d{2})|(?<=\d)(?=[A-Z][a-z])")
_KEEP_GLUED = re.compile(r"DAkk S|T[ÜU]V S|Gmb H|Mc [A-Z]")


def _split_glued(m: re.Match[str]) -> str:
    """'ShaoxingBrightpathTextileCo.,Ltd.' -> 'Shaoxing Brightpath Textile Co.,Ltd.' (OCR lost the spaces)."""
    token = m.group(0)
    if sum(ch.islower() for ch in token) < 4:
        return token  # a code ("CN-QMS-2025-9683"), not glued words
    split = _GLUED.sub(" ", token)
    return _KEEP_GLUED.sub(lambda k: k.group(0).replace(" ", ""), split)


def normalize_line(text: str) -> str:
    """NFKC (full-width colons, digits and letters to ASCII), OCR's "IS0" to "ISO", spaces tidied.

    Runs of two or more spaces are kept as two: they separate the cells of a row.
    """
    text = unicodedata.normalize("NFKC", text[:MAX_LINE_CHARS])
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = _OCR_ISO.sub("ISO", text)
    text = _LONG_TOKEN.sub(_split_glued, text)
    text = _CELL.sub("  ", _SPACES.sub(lambda m: "  " if len(m.group(0)) > 1 else " ", text))
    # PDF text layers space out Chinese: "2019 年 6 月 1 日", "大道 168 号".
    text = _cjk_gap().sub("", text)
    return text.strip()


def _value(text: str, confidence: float, certainty: float) -> ReadValue:
    return ReadValue(value=text, confidence=round(max(0.0, min(1.0, confidence * certainty)), 3))


# ------------------------------------------------------------------------------------------------ labels


@dataclass(frozen=True)
class _Hit:
    field: str
    start: int
    end: int
    strong: bool


def _is_strong(label: str, colon: bool) -> bool:
    return colon or bool(_CJK.search(label)) or " " in label.strip() or label.strip().endswith(".")


_COLON = re.compile(r"\s*[:;]\s*")


def _label_hits(text: str, patterns: dict[str, re.Pattern[str]]) -> list[_Hit]:
    """Labels of ``patterns`` in ``text`` that stand as labels: at a line or cell start (or mid-line when
    followed by a colon / made of several words), and followed by a colon, a space or the end of the text."""
    hits: list[_Hit] = []
    for name, pattern in patterns.items():
        for m in pattern.finditer(text):
            start, end = m.span()
            if start == end:
                continue
            if start > 0 and (text[start - 1].isalnum() or (_LATIN.match(text[start]) and text[start - 1] == "'")):
                continue
            after = text[end : end + 3]
            last = m.group(0)[-1:]
            if after[:1].isalnum() and not _CJK.match(after[:1]) and (last.isalnum() and not _CJK.match(last)):
                continue
            colon = _COLON.match(text, end)
            strong = _is_strong(m.group(0), colon is not None)
            at_cell_start = start == 0 or text[max(0, start - 2) : start] == "  "
            if not at_cell_start and not strong:
                continue
            label_end = colon.end() if colon else end
            hits.append(_Hit(name, start, label_end, strong or at_cell_start))
    hits.sort(key=lambda hit: (hit.start, -(hit.end - hit.start)))
    kept: list[_Hit] = []
    for hit in hits:
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    return kept


def _next_label_start(text: str, start: int) -> int:
    """Where the next label begins after ``start`` (a value ends there), or the end of the text."""
    cut = len(text)
    for hit in _label_hits(text, _ALL_LABELS):
        if hit.start > start and hit.start < cut:
            colon_or_cell = text[max(0, hit.start - 2) : hit.start] == "  " or _COLON.search(
                text[hit.start : hit.end + 1]
            )
            if colon_or_cell or hit.strong:
                cut = hit.start
    return cut


_ALL_LABELS: dict[str, re.Pattern[str]] = {
    **FIELD_LABELS,
    **{name: pattern for name, pattern in DATE_LABELS},
}
_TEXT_FIELDS = ("holder", "address", "number", "scope", "issuer")


_ABBREVIATION_END = re.compile(r"\b(?:Ltd|Inc|Co|Corp|Bhd|Pvt|Pty|S\.A|S\.p\.A|B\.V|N\.V|L\.L\.C)$", re.I)


def _strip_value(text: str) -> str:
    """Punctuation off both ends, except the full stop of "Co., Ltd." / "Inc."."""
    text = text.strip()
    stripped = text.strip(" \t:;,.-–—|_·•\"'“”‘’").strip()
    end = text.find(stripped) + len(stripped) if stripped else 0
    if stripped and _ABBREVIATION_END.search(stripped) and text[end : end + 1] == ".":
        stripped += "."
    return stripped


_CONTENT = re.compile(r"[A-Za-z0-9\u3400-\u9fff]{2}")


def _next_content_line(lines: Sequence[Line], index: int) -> tuple[int, Line] | None:
    """The next line with words in it (stamps and stars leave lines of "★" between a label and its value)."""
    for position in range(index + 1, min(len(lines), index + 3)):
        if _CONTENT.search(lines[position].text):
            return position, lines[position]
    return None


def _labelled(lines: Sequence[Line], name: str) -> list[tuple[str, float, int, float]]:
    """(value, line confidence, line index, certainty) for each labelled occurrence of field ``name``."""
    found: list[tuple[str, float, int, float]] = []
    pattern = {name: FIELD_LABELS[name]}
    for index, line in enumerate(lines):
        for hit in _label_hits(line.text, pattern):
            if hit.start > 0 and line.text[hit.start - 2 : hit.start] != "  " and not hit.strong:
                continue
            if name not in _TEXT_FIELDS:
                continue
            end = _next_label_start(line.text, hit.end - 1)
            value = _strip_value(line.text[hit.end : end])
            again = FIELD_LABELS[name].match(value.lstrip("/ |"))
            if again and again.end() > 1:
                # "注册号 Registration No.: X", "认证范围/Scope: Y": the same label in a second language
                value = _strip_value(value.lstrip("/ |")[again.end() :])
            if value:
                found.append((value, line.confidence, index, LABEL_SAME_LINE))
            elif (after := _next_content_line(lines, index)) is not None and not _label_hits(
                after[1].text, FIELD_LABELS
            ):
                position, following = after
                # In a label row / value row table the value sits in the same column: take its cell.
                value = _strip_value(following.text.split("  ")[0] if hit.start == 0 else following.text)
                if value:
                    found.append((value, following.confidence, position, LABEL_NEXT_LINE))
    return found


# ------------------------------------------------------------------------------------------------ names


_HOLDER_TAIL = re.compile(
    r"\s+(?:has\s|have\s|is\s|was\s|whose\s|which\s|for\s+the\s|located\s|with\s+(?:its|the)\s|operates?\s|in\s+respect"
    r"|hereby\s|that\s)|(?:所?建立的|的质量|的环境|的职业|的管理|建立|符合|已按)",
    re.I,
)
#: A company name up to its first legal-form word, then any that follow ("Pump Industry Co., Ltd.",
#: "Valve Manufacturing (Ningbo) Co., Ltd."): the name ends at its last legal form, not its first.
_LATIN_COMPANY = re.compile(
    rf"[A-Z0-9][\w&.,'()\- ]{{1,120}}?{LATIN_COMPANY_SUFFIX.pattern}"
    rf"(?:[\s,]*(?:\([A-Za-z .]{{2,30}}\)[\s,]*)?{LATIN_COMPANY_SUFFIX.pattern})*",
    re.I,
)


_SENTENCE_END = re.compile(r"(\w+)\.\s+(?=[A-Z][a-z])")
_ABBREVIATIONS = {"co", "ltd", "inc", "corp", "no", "st", "rd", "mr", "dr", "bhd", "pvt", "pty", "int", "intl"}


def _clean_name(text: str) -> str:
    m = _HOLDER_TAIL.search(text)
    if m and m.start() > 2:
        text = text[: m.start()]
    for sentence in _SENTENCE_END.finditer(text):
        # "Nordwall GmbH. This certificate remains ...": the name ends with its sentence
        if sentence.group(1).casefold() not in _ABBREVIATIONS and len(sentence.group(1)) > 1:
            text = text[: sentence.end(1) + 1]
            break
    return _strip_value(text.replace("  ", " "))[:200]


def _is_company(text: str) -> bool:
    return bool(LATIN_COMPANY_SUFFIX.search(text) or CJK_COMPANY.fullmatch(text.replace(" ", "")))


def _split_names(text: str) -> list[str]:
    """A line naming the holder in two scripts ("宁波某某有限公司 Ningbo X Co., Ltd.") split into its names."""
    text = text.strip()
    if not (_CJK.search(text) and _LATIN.search(text)):
        return [text]
    cjk = CJK_COMPANY.search(text)
    if not cjk:
        return [text]
    rest = _strip_value((text[: cjk.start()] + "  " + text[cjk.end() :]).strip(" ()（）/|"))
    names = [cjk.group(0)]
    if rest and _LATIN.search(rest) and len(rest) > 3:
        names.append(rest.strip(" ()/|"))
    return names if cjk.start() < 2 else names[1:] + names[:1]


def _is_issuer_like(text: str) -> bool:
    return bool(ISSUER_WORDS.search(text)) or any(pattern.search(text) for pattern, _ in KNOWN_BODIES[:-1])


def _holder(lines: Sequence[Line]) -> tuple[ReadValue | None, int | None, list[ReadValue]]:
    candidates: list[tuple[float, str, float, int]] = []  # (certainty, value, line confidence, index)
    for value, confidence, index, certainty in _labelled(lines, "holder"):
        name = _clean_name(value)
        if name and not _DATE_OR_NUMBER_ONLY.fullmatch(name):
            candidates.append((certainty, name, confidence, index))
    if not candidates:
        for index, line in enumerate(lines):
            m = CERTIFY_INTRO.search(line.text)
            if not m:
                continue
            rest = line.text[m.end() :].strip(" :,")
            rest = SYSTEM_OF.sub("", rest).strip(" :,") if SYSTEM_OF.match(rest) else rest
            cjk = CJK_COMPANY.search(rest)
            if cjk and _CJK.search(line.text[: m.end()]):
                candidates.append((INTRO, _clean_name(cjk.group(0)), line.confidence, index))
                break
            name = _clean_name(rest)
            if name and (_is_company(name) or (name[:1].isupper() and len(name) <= 120)):
                candidates.append((INTRO, name, line.confidence, index))
                break
            if not rest:
                for offset in (1, 2):
                    if index + offset >= len(lines):
                        break
                    following = lines[index + offset]
                    if SYSTEM_OF.fullmatch(following.text) or len(following.text) < 3:
                        continue
                    name = _clean_name(following.text)
                    if name:
                        candidates.append((INTRO * (1.0 if offset == 1 else 0.9), name, following.confidence,
                                           index + offset))  # fmt: skip
                    break
                break
    if not candidates:
        for index, line in enumerate(lines):
            text = line.text
            if _label_hits(text, _ALL_LABELS) or _is_issuer_like(text) or len(text) > 150:
                continue
            latin = _LATIN_COMPANY.search(text)
            cjk = CJK_COMPANY.search(text.replace(" ", ""))
            if latin or (cjk and cjk.end() - cjk.start() >= 6):
                candidates.append((GUESS, _clean_name(text), line.confidence, index))
                break
    if not candidates:
        return None, None, []
    certainty, name, confidence, index = max(candidates, key=lambda c: (c[0], -c[3]))
    name = _with_wrapped_legal_form(name, lines, index)
    names = _split_names(name)
    holder = _value(names[0], confidence, certainty)
    others = [_value(other, confidence, certainty * 0.9) for other in names[1:]]
    others += _other_names(lines, index, names[0], certainty)
    seen: set[str] = {holder.value.casefold()}
    unique: list[ReadValue] = []
    for other in others:
        if other.value.casefold() not in seen:
            seen.add(other.value.casefold())
            unique.append(other)
    return holder, index, unique


_DATE_OR_NUMBER_ONLY = re.compile(r"[\d\s/.\-:]+")

#: The legal form that ends a company's name (not "Industry" or "Group", which may be followed by one).
_LEGAL_FORM = (
    r"(?:Co\.?\s*,?\s*Ltd\.?|Company\s+Limited|Co\.?\s*,?\s*Limited|Limited|Ltd\.?|Inc\.?|Incorporated|Corporation"
    r"|Corp\.?|GmbH(?:\s*&\s*Co\.?\s*KG)?|AG|LLC|L\.L\.C\.|LLP|PLC|S\.A\.S?\.?|S\.p\.A\.?|S\.r\.l\.?|B\.V\.?|N\.V\.?"
    r"|Pty\.?\s*Ltd\.?|Pvt\.?\s*Ltd\.?|Sdn\.?\s*Bhd\.?|JSC|A\.S\.?)"
)
_ENDS_WITH_LEGAL_FORM = re.compile(rf"(?<![A-Za-z]){_LEGAL_FORM}\s*$", re.I)
#: A line that only finishes a name: its legal form, after at most three words ("Industry Co., Ltd.").
_LEGAL_FORM_LINE = re.compile(rf"^(?:[A-Za-z&()\-]+[\s,]+){{0,3}}?\(?{_LEGAL_FORM}\)?\s*$", re.I)


def _with_wrapped_legal_form(name: str, lines: Sequence[Line], index: int) -> str:
    """A Latin name wrapped before its legal form ("Qingdao Ruifeng Pump Industry" / "Co., Ltd.") made whole."""
    if not name or not _LATIN.search(name) or _ENDS_WITH_LEGAL_FORM.search(name) or index + 1 >= len(lines):
        return name
    following = lines[index + 1].text
    cells = following.split("  ")
    tail = cells[-1].strip()
    if len(cells) > 2 or _CJK.search(tail) or len(tail) > 40 or not _LEGAL_FORM_LINE.match(tail):
        return name
    if len(cells) == 2 and not _label_hits(cells[0], FIELD_LABELS):
        return name  # a second column's text, not the rest of this name
    return f"{name} {tail}"


def _other_names(lines: Sequence[Line], index: int, holder: str, certainty: float) -> list[ReadValue]:
    """Company names in the other script on the lines around the holder's: its Chinese or English name."""
    holder_cjk = bool(_CJK.search(holder))
    found: list[ReadValue] = []
    consumed: set[int] = set()
    for near in range(max(0, index - 2), min(len(lines), index + 4)):
        if near == index:
            continue
        text = lines[near].text
        if _label_hits(text, DATE_LABELS_ONLY) or _is_issuer_like(text) or CERTIFY_INTRO.search(text):
            continue
        labelled = _label_hits(text, {"holder": FIELD_LABELS["holder"]})
        if labelled and labelled[0].start == 0:
            text = text[labelled[0].end :]
        elif _label_hits(text, FIELD_LABELS):
            continue
        if near in consumed:
            continue
        if holder_cjk:
            m = _LATIN_COMPANY.search(text)
            start = _clean_name(m.group(0)) if m else _clean_name(text) if not _CJK.search(text) else ""
            name = _with_wrapped_legal_form(start, lines, near)
            if name != start:
                consumed.add(near + 1)  # the wrapped legal form's line: part of this name, not a name of its own
            elif not m:
                name = ""  # a line of Latin text that is no company name
        else:
            m = CJK_COMPANY.search(text.replace(" ", ""))
            name = _clean_name(m.group(0)) if m else ""
        if name and len(name) >= 4:
            found.append(_value(name.strip("()（）"), lines[near].confidence, certainty * 0.85))
    return found[:3]


DATE_LABELS_ONLY: dict[str, re.Pattern[str]] = {name: pattern for name, pattern in DATE_LABELS}


# ------------------------------------------------------------------------------------------------ address


def _address(lines: Sequence[Line], holder_index: int | None) -> ReadValue | None:
    for value, confidence, _index, certainty in _labelled(lines, "address"):
        if len(value) >= 5:
            return _value(_strip_value(value)[:300], confidence, certainty)
    if holder_index is None:
        return None
    for near in range(holder_index + 1, min(len(lines), holder_index + 4)):
        text = lines[near].text
        labels = [hit for hit in _label_hits(text, _ALL_LABELS) if not text[hit.start :].lower().startswith("no.")]
        if labels or CERTIFY_INTRO.search(text) or _STANDARD.search(text):
            continue
        if ADDRESS_WORDS.search(text) and (re.search(r"\d", text) or _CJK.search(text) or "," in text):
            if _is_company(text) and not re.search(r"\d", text):
                continue
            return _value(_strip_value(text)[:300], lines[near].confidence, GUESS)
    return None


# ------------------------------------------------------------------------------------------------ number

_CODE_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/._#()]*")
_DIGIT_NOISE = re.compile(r"(?<=\d)[Oo](?=\d|$)|(?<=\d)[lI|](?=\d|$)|(?<=[\d\-/])[Oo](?=\d)")


def _code(value: str) -> str | None:
    """The certificate number at the start of ``value``: code-like tokens (with digits) up to the first word."""
    tokens: list[str] = []
    for token in value.replace("  ", " | ").split(" "):
        if token == "|":
            break
        token = token.strip(",;")
        if not token or not _CODE_TOKEN.fullmatch(token):
            if tokens:
                break
            continue
        has_digit = any(ch.isdigit() for ch in token)
        if has_digit or (token.isupper() and len(token) <= 5) or (not tokens and token.isupper() and len(token) <= 8):
            tokens.append(token)
            continue
        break
    while (
        len(tokens) > 1
        and not any(ch.isdigit() for ch in tokens[-1])
        and not (tokens[-1].isupper() and len(tokens[-1]) <= 4)
    ):
        tokens.pop()
    code = " ".join(tokens).strip(".-/")
    code = _DIGIT_NOISE.sub(lambda m: "0" if m.group(0) in "Oo" else "1", code)
    digits = sum(ch.isdigit() for ch in code)
    if digits < 2 or len(code) < 4 or (_DATE_OR_NUMBER_ONLY.fullmatch(code) and find_dates(code)):
        return None
    return code[:60]


def _number(lines: Sequence[Line]) -> ReadValue | None:
    for value, confidence, _index, certainty in _labelled(lines, "number"):
        if ADDRESS_WORDS.search(value):
            continue  # "No. 1200 Keqiao Avenue": an address, not a certificate number
        code = _code(value)
        if code:
            return _value(code, confidence, certainty)
    return None


# ------------------------------------------------------------------------------------------------ standard

_STANDARD = re.compile(
    r"(?<![A-Za-z])(?P<prefix>GB\s*/\s*T|ISO\s*/\s*IEC|ISO\s*/\s*TS|IATF|BS\s+OHSAS|OHSAS|FSSC|BS\s+EN|EN\s+ISO|ISO|IEC"
    r"|EN|ANSI|ASTM|SA)\s*[-_:.]?\s*(?P<number>\d{2,5})(?:\s*-\s*(?P<part>\d{1,2})(?!\d))?"
    r"(?:\s*[:\-/]\s*(?P<year>(?:19|20)\d{2})(?!\d))?",
    re.I,
)
#: Standards a certification body is accredited to, not standards the holder is certified to.
_ACCREDITATION_STANDARDS = {"17011", "17020", "17021", "17024", "17025", "17029", "17065", "17043", "27006"}
_MARKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bamfori\s*BSC[I1l]\b", re.I), "amfori BSCI"),
    (re.compile(r"\bBSC[I1l]\b"), "BSCI"),
    (re.compile(r"\bSMETA\b"), "SMETA"),
    (re.compile(r"\bSA\s*-?\s*8000\b", re.I), "SA8000"),
    (re.compile(r"\bWRAP\b"), "WRAP"),
    (re.compile(r"\bHACCP\b"), "HACCP"),
    (re.compile(r"\bBRCGS?\b"), "BRCGS"),
    (re.compile(r"\bOEKO[\s-]?TEX\b", re.I), "OEKO-TEX"),
    (re.compile(r"\bGOTS\b"), "GOTS"),
    (re.compile(r"\bGRS\b"), "GRS"),
    (re.compile(r"\bFSC\b"), "FSC"),
    (re.compile(r"\bRoHS\b", re.I), "RoHS"),
    (re.compile(r"\bc?GMP\b"), "GMP"),
    (re.compile(r"(?<![A-Za-z])CE(?![A-Za-z])"), "CE"),
)


def _canonical_prefix(prefix: str) -> str:
    prefix = re.sub(r"\s+", " ", prefix.upper().replace(" /", "/").replace("/ ", "/"))
    return {"BS OHSAS": "OHSAS", "GB/T": "GB/T"}.get(prefix, prefix)


def _standard(lines: Sequence[Line]) -> tuple[ReadValue | None, ReadValue | None]:
    found: list[tuple[int, str, str | None, float, float]] = []  # (rank, standard, edition, conf, certainty)
    for index, line in enumerate(lines):
        labelled = bool(_label_hits(line.text, {"standard": FIELD_LABELS["standard"]}))
        for m in _STANDARD.finditer(line.text):
            prefix = _canonical_prefix(m.group("prefix"))
            number = m.group("number")
            if prefix in {"EN", "IEC", "ANSI", "ASTM", "SA"} and len(number) < 2:
                continue
            if prefix == "SA" and number != "8000":
                continue
            standard = f"{prefix} {number}" if prefix != "SA" else "SA8000"
            if m.group("part"):
                standard += f"-{m.group('part')}"
            rank = 2 if number in _ACCREDITATION_STANDARDS else (1 if prefix == "GB/T" else 0)
            certainty = LABEL_SAME_LINE if labelled else 0.9
            found.append((rank * 1000 + index, standard, m.group("year"), line.confidence, certainty))
    if found:
        _, standard, edition, confidence, certainty = min(found, key=lambda f: f[0])
        if edition is None:
            same = [f for f in found if f[1] == standard and f[2]]
            edition = same[0][2] if same else None
        return (
            _value(standard, confidence, certainty),
            _value(edition, confidence, certainty) if edition else None,
        )
    for pattern, name in _MARKS:
        for line in lines:
            if pattern.search(line.text):
                return _value(name, line.confidence, KNOWN_NAME), None
    return None, None


# ------------------------------------------------------------------------------------------------ scope

_SCOPE_GUESS = re.compile(
    r"^(?:for\s+)?(?:the\s+)?(?:design|development|manufactur\w*|production|sales?|supply|provision|assembly"
    r"|processing|trading|distribution|installation|research)\b.{8,}|(?:的设计|的生产|生产和销售|设计和生产|的制造|的销售)",
    re.I,
)


def _scope_stop(line: Line) -> bool:
    text = line.text
    return bool(
        _label_hits(text, _ALL_LABELS)
        or find_dates(text)
        or CERTIFY_INTRO.search(text)
        or (_is_issuer_like(text) and _is_company(text))
        or re.search(r"\bISO\s*\d|\bCNAS\b|\bIAF\b|\bUKAS\b", text)
    )


def _scope(lines: Sequence[Line]) -> ReadValue | None:
    for value, confidence, index, certainty in _labelled(lines, "scope"):
        parts = [value]
        confidences = [confidence]
        for following in lines[index + 1 : index + 4]:
            if _scope_stop(following) or sum(len(part) for part in parts) > 400:
                break
            parts.append(following.text)
            confidences.append(following.confidence)
        text = _strip_value(" ".join(parts))[:500]
        if len(text) >= 3:
            return _value(text, min(confidences), certainty)
    for line in lines:
        if _SCOPE_GUESS.search(line.text) and not _label_hits(line.text, _ALL_LABELS):
            return _value(_strip_value(line.text)[:500], line.confidence, GUESS)
    return None


# ------------------------------------------------------------------------------------------------ issuer


@functools.cache
def _issuer_company() -> re.Pattern[str]:
    """A certification body's name in free text. Built on first use: it is the costliest pattern of this module
    to compile, and most checks read no certificate document."""
    return re.compile(
        r"(?:[A-Z][\w&.,'()\- ]{1,100}?(?:certification|zertifizierung|certificazione|conformity|laborator(?:y|ies)"
        r"|assessment|registrar|assurance|inspection|verification|quality\s+services?|testing)[\w&.,'()\- ]{0,80}?"
        r"(?:co\.?\s*,?\s*ltd\.?|limited|ltd\.?|gmbh|inc\.?|llc|center|centre|services?|international|group|body"
        r"|corporation|s\.a\.|b\.v\.|ag\b))"
        r"|[\u4e00-\u9fff（）()]{2,30}?(?:认证|检测|检验)[\u4e00-\u9fff（）()]{0,20}?(?:有限公司|有限责任公司|中心|集团|公司|院)"
        r"(?:股份有限公司|有限责任公司|有限公司)?",
        re.I,
    )


def _issuer(lines: Sequence[Line], holder: str | None) -> ReadValue | None:
    for value, confidence, _index, certainty in _labelled(lines, "issuer"):
        name = _clean_name(value)
        if len(name) >= 2 and not find_dates(name):
            return _value(name, confidence, certainty)
    holder_key = (holder or "").casefold()
    best: tuple[float, int, str, float] | None = None  # (score, index, name, confidence)
    for index, line in enumerate(lines):
        for m in _issuer_company().finditer(line.text):
            name = _clean_name(m.group(0))
            if not name or ((holder_key and name.casefold() in holder_key) or holder_key in name.casefold()):
                continue
            score = 2.0 if re.search(r"certification|认证", name, re.I) else 1.0
            if best is None or (score, index) >= (best[0], best[1]):
                best = (score, index, name, line.confidence)
    if best is not None:
        return _value(best[2], best[3], GUESS + 0.1 * best[0])
    for pattern, name in KNOWN_BODIES:
        for line in lines:
            m = pattern.search(line.text)
            if m and (holder is None or not pattern.search(holder)):
                # "SGS United Kingdom Ltd.": the body's full name where its line is a company name
                company = _LATIN_COMPANY.search(line.text[m.start() :])
                if company and m.start() == 0 and len(company.group(0)) <= 80:
                    return _value(_clean_name(company.group(0)), line.confidence, KNOWN_NAME)
                return _value(name, line.confidence, KNOWN_NAME if name != "UL" else GUESS)
    return None


def _accreditation(lines: Sequence[Line]) -> list[ReadValue]:
    marks: dict[str, ReadValue] = {}
    for line in lines:
        for pattern, name in ACCREDITATION_MARKS:
            if name not in marks and pattern.search(line.text):
                if name == "IAF" and "IAF MLA" in marks:
                    continue
                marks[name] = _value(name, line.confidence, KNOWN_NAME + 0.15)
    if "IAF MLA" in marks:
        marks.pop("IAF", None)
    return list(marks.values())


# ------------------------------------------------------------------------------------------------ dates

_RANGE_BETWEEN = re.compile(r"^\s*(?:[-~–—至到]|to|until|till|thru|through|and|-+)\s*$", re.I)


def _date_label_hits(text: str) -> list[_Hit]:
    hits: list[_Hit] = []
    for name, pattern in DATE_LABELS:
        position = 0
        while (m := pattern.search(text, position)) is not None:
            start, end = m.span()
            position = start + 1  # overlapping: "Auditvalidity until" (glued by OCR) still holds "until"
            if start == end:
                continue
            if start > 0 and text[start - 1].isalnum() and not _CJK.match(text[start - 1]):
                continue
            if end < len(text) and text[end].isalpha() and not _CJK.match(text[end]):
                continue
            hits.append(_Hit(name, start, end, True))
            position = end
    hits.sort(key=lambda hit: (hit.start, -(hit.end - hit.start)))
    kept: list[_Hit] = []
    for hit in hits:
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    return kept


def _dates(lines: Sequence[Line]) -> dict[str, ReadDate]:
    results: dict[str, tuple[float, ReadDate]] = {}
    unlabelled: list[tuple[FoundDate, float]] = []

    def put(kind: str, found: FoundDate, confidence: float) -> None:
        if kind not in results or confidence > results[kind][0] + 0.05:
            results[kind] = (confidence, ReadDate(value=found.value, confidence=round(confidence, 3), text=found.text))

    pending: list[_Hit] = []  # labels of the previous line that had no date after them
    for line in lines:
        text = line.text
        labels = _date_label_hits(text)
        dates = find_dates(text)
        used_labels: set[int] = set()
        groups: dict[int, list[FoundDate]] = {}
        orphan: list[FoundDate] = []
        for found in dates:
            owner = None
            for position, hit in enumerate(labels):
                if hit.end <= found.start:
                    owner = position
            if owner is None:
                orphan.append(found)
            else:
                groups.setdefault(owner, []).append(found)
                used_labels.add(owner)
        # Dates before any label on this line: values of the previous line's labels (label row, value row).
        if orphan and pending:
            for hit, found in zip(pending, orphan, strict=False):
                _assign(hit.field, [found], text, line.confidence * LABEL_NEXT_LINE, put)
            orphan = orphan[len(pending) :]
        for found in orphan:
            unlabelled.append((found, line.confidence))
        for position, group in groups.items():
            _assign(labels[position].field, group, text, line.confidence * LABEL_SAME_LINE, put)
        pending = [hit for position, hit in enumerate(labels) if position not in used_labels] if not dates else []
    final = {kind: value for kind, (_, value) in results.items()}
    if "valid_until" not in final and "issued" not in final and unlabelled:
        distinct = sorted({found.value: (found, confidence) for found, confidence in unlabelled}.values(),
                          key=lambda item: item[0].value)  # fmt: skip
        if len(distinct) >= 2:
            first, last = distinct[0], distinct[-1]
            final["issued"] = ReadDate(value=first[0].value, confidence=round(first[1] * UNLABELLED_DATE, 3),
                                       text=first[0].text)  # fmt: skip
            final["valid_until"] = ReadDate(value=last[0].value, confidence=round(last[1] * UNLABELLED_DATE, 3),
                                            text=last[0].text)  # fmt: skip
        else:
            only = distinct[0]
            final["issued"] = ReadDate(value=only[0].value, confidence=round(only[1] * UNLABELLED_DATE * 0.8, 3),
                                       text=only[0].text)  # fmt: skip
    return final


def _assign(kind: str, group: list[FoundDate], text: str, confidence: float, put) -> None:
    """The dates after one label: one date, or a range "X to Y" (from, until)."""
    if len(group) >= 2 and _RANGE_BETWEEN.match(text[group[0].end : group[1].start]):
        start_kind = "first_issued" if kind == "first_issued" else "issued"
        if kind in {"period", "issued", "valid_until"}:
            put(start_kind, group[0], confidence)
            put("valid_until", group[1], confidence)
            return
    first = group[0]
    if kind == "period":
        is_from = re.search(r"from|起", text[max(0, first.start - 20) : first.start], re.I)
        put("issued" if is_from else "valid_until", first, confidence * (1.0 if is_from else 0.9))
    else:
        put(kind, first, confidence)


# ------------------------------------------------------------------------------------------------ all


def _lines(items: Iterable[Line | tuple[str, float] | str]) -> list[Line]:
    lines: list[Line] = []
    for item in items:
        if len(lines) >= MAX_LINES:
            break
        if isinstance(item, Line):
            text, confidence = item.text, item.confidence
        elif isinstance(item, str):
            text, confidence = item, 1.0
        else:
            text, confidence = item[0], float(item[1])
        text = normalize_line(str(text))
        if text:
            lines.append(Line(text, max(0.0, min(1.0, confidence))))
    return lines


def extract_fields(items: Iterable[Line | tuple[str, float] | str]) -> Fields:
    """The certificate's fields from its lines in reading order (text, or (text, confidence))."""
    lines = _lines(items)
    if not lines:
        return Fields()
    holder, holder_index, other_names = _holder(lines)
    standard, edition = _standard(lines)
    dates = _dates(lines)
    issued = dates.get("issued")
    first = dates.get("first_issued")
    until = dates.get("valid_until")
    if until and issued and until.value <= issued.value:
        until = until if until.confidence > issued.confidence else None
    return Fields(
        holder=holder,
        holder_other_names=other_names,
        address=_address(lines, holder_index),
        standard=standard,
        edition=edition,
        number=_number(lines),
        scope=_scope(lines),
        issuer=_issuer(lines, holder.value if holder else None),
        accreditation=_accreditation(lines),
        first_issued=first,
        issued=issued,
        valid_until=until,
    )


def fields_from_text(text: str, confidence: float = 1.0) -> Fields:
    """Fields from plain text (a PDF's text layer): one line per line of text."""
    return extract_fields((line, confidence) for line in text.splitlines())
