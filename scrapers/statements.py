"""Find the sentences of free text that claim a certification, approval or accreditation.

Wording rules (e.g. "ISO certified" without a standard, "FDA approved") judge the supplier's own words, so the
sentence is kept verbatim. The finder is precise rather than greedy: a sentence needs both a subject (a
standard, a mark or the word certificate/certification) and a claiming verb ("certified", "approved",
"passed", "have ... certificates", "通过...认证"). Menu labels such as "Certificates" are not claims. Input is
capped so a hostile multi-megabyte description costs bounded time.
"""

from __future__ import annotations

import re

from scrapers.claims import Statement
from scrapers.normalize import clean_text

__all__ = ["MAX_INPUT_CHARS", "MAX_STATEMENTS", "find_certification_statements"]

MAX_INPUT_CHARS = 100_000
MAX_STATEMENTS = 50
MAX_SENTENCE_CHARS = 600

_TAGS = re.compile(r"<(?:br|/?p|/?div|/?li|/?tr|/?h\d)\b[^>]{0,200}>|<[^<>]{0,200}>", re.I)
# Sentence ends: CJK terminators anywhere, ASCII terminators before whitespace or before a list number glued to
# them ("...certified.2.Our products..." / "...认证。3、..."), line breaks, bullets.
_SPLIT = re.compile(
    r"(?<=[.!?;。！？；])\s*\d{1,2}[.、)）](?!\d)\s*|(?<=[。！？；])|(?<=[.!?;])\s+|\s*[\r\n]+\s*|\s*[•·●▪]\s*"
)
_ABBREVIATION = re.compile(
    r"(?:\b(?:co|ltd|inc|corp|no|nos|mr|mrs|dr|st|e\.g|i\.e|approx|vs|fig|ref|dept|intl|jan|feb|mar|apr|jun|"
    r"jul|aug|sep|sept|oct|nov|dec|rev|ver|art)\.|\b[A-Z]\.)$",
    re.I,
)

# Subjects: standards, marks and programmes people claim; the generic nouns.
_SUBJECT = re.compile(
    r"(?<![A-Za-z])(?:ISO|IATF|OHSAS|IEC|HACCP|GMP|BRC|IFS|FSSC|SA\s?8000|BSCI|amfori|SMETA|Sedex|WRAP|GSV|"
    r"C-?TPAT|CE|RoHS|FCC|UL|ETL|CB|GS|FDA|LFGB|REACH|EMC|LVD|SAA|KC|PSE|CCC|3C|CSA|UKCA|TUV|TÜV|VDE|BIS|"
    r"SASO|INMETRO|GOTS|GRS|FSC|OEKO-?TEX|Halal|Kosher|CPSIA|ASTM|EN\s?71|ERP|Energy\s?Star|NSF|DOT|E-?Mark|"
    # Inspection companies and marketplace badges people present as certifiers or certificates.
    r"SGS|Intertek|Bureau\s+Veritas|(?:Verified|Audited|Assessed)\s+(?:Supplier|Manufacturer))"
    r"(?![A-Za-z])",
)
_BADGE_NAME = re.compile(r"\b(?:Verified|Audited|Assessed)\s+(?:Supplier|Manufacturer)\b", re.I)
_NOUN = re.compile(r"certificat\w*|certification|accreditation|approvals?\b", re.I)
_CLAIM_VERB = re.compile(
    r"\b(?:certified|certificated|accredited|approved|registered|audited|listed|compliant|complies|comply|"
    r"complying|compliance|conforms?|conformity|conforming|passed|pass(?:es)?|qualified|recogni[sz]ed|"
    r"verified|meets?|meeting|marked|according\s+to)\b",
    re.I,
)
_POSSESSION = re.compile(
    r"\b(?:have|has|had|having|hold|holds|held|holding|own|owns|possess(?:es)?|obtain(?:ed|s)?|got|get|"
    r"gets|gained|received|awarded|granted|achieved|acquired|earned|won|with)\b",
    re.I,
)
_NOUN_VERB = re.compile(r"\b(?:certified|certificated|accredited|passed|pass(?:es)?)\b", re.I)
_MARK_WORD = re.compile(r"\b(?:mark|marks|marking|logo|standards?)\b", re.I)
_ZH_NOUN = re.compile(r"认证|证书|认可|资质|注册|审核|验厂")
# "经" alone is too common (经营, 已经): only directly before the body named ("经SGS认证", "经国际标准化组织认证").
_ZH_VERB = re.compile(
    r"通过|获得|获|取得|拥有|持有|具有|具备|荣获|符合|已获|颁发|授予|经过"
    r"|经\s*(?=[A-Za-z]|国际|中国)"
)


_PARAGRAPH = re.compile(r"\n[ \t]*\n")


def _split_sentences(text: str) -> list[str]:
    """Sentences of every paragraph; a blank line always ends one ("Evil Co." ending a label is no "Co. X")."""
    return [sentence for paragraph in _PARAGRAPH.split(text) for sentence in _split_paragraph(paragraph)]


def _split_paragraph(text: str) -> list[str]:
    pieces = _SPLIT.split(text)
    sentences: list[str] = []
    buffer = ""
    for piece in pieces:
        if not piece:
            continue
        buffer = f"{buffer} {piece}" if buffer else piece
        if _ABBREVIATION.search(buffer) and len(buffer) < MAX_SENTENCE_CHARS:
            continue  # "Co." / "Ltd." / "No." do not end a sentence
        sentences.append(buffer)
        buffer = ""
    if buffer:
        sentences.append(buffer)
    return sentences


def is_certification_claim(sentence: str) -> bool:
    """True when one sentence claims a certification (subject and claiming verb both present)."""
    has_subject = bool(_SUBJECT.search(sentence))
    has_noun = bool(_NOUN.search(sentence))
    wording = _BADGE_NAME.sub("badge", sentence)  # the "Verified" of "Verified Supplier" claims nothing by itself
    if (has_subject or has_noun) and _CLAIM_VERB.search(wording):
        # With only a generic noun the verb must be about certification: "approved by our customers" and
        # "certificate verified" labels are not claims, "passed the certification" is.
        return has_subject or bool(_NOUN_VERB.search(wording))
    verbs = {m.group(0).lower() for m in _POSSESSION.finditer(sentence)}
    if verbs:
        strong = bool(verbs - {"with"})
        if has_noun and (strong or has_subject):
            return True
        if has_subject and strong and _MARK_WORD.search(sentence):
            return True
    return bool(_ZH_NOUN.search(sentence) and _ZH_VERB.search(sentence))


def find_certification_statements(text: object, location: str) -> list[Statement]:
    """The sentences of ``text`` that claim a certification, verbatim (whitespace cleaned), in order.

    ``location`` names where the text came from ("company_overview", "product_description"...). At most
    :data:`MAX_STATEMENTS` statements from the first :data:`MAX_INPUT_CHARS` characters.
    """
    if not isinstance(text, str) or not text:
        return []
    text = text[:MAX_INPUT_CHARS]
    if "<" in text:
        text = _TAGS.sub("\n", text)
    if "&" in text:
        text = text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&quot;", '"').replace("&#39;", "'")
    found: list[Statement] = []
    seen: set[str] = set()
    for raw in _split_sentences(text):
        sentence = clean_text(raw)
        if len(sentence) < 4 or sentence in seen:
            continue
        if len(sentence) > MAX_SENTENCE_CHARS:
            sentence = sentence[:MAX_SENTENCE_CHARS].rstrip() + "…"
        if is_certification_claim(sentence):
            seen.add(sentence)
            found.append(Statement(text=sentence, location=location))
            if len(found) >= MAX_STATEMENTS:
                break
    return found
