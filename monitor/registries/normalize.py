"""Matching keys for certificate registries: the same holder or number written differently gets one key.

Supplier pages and registries spell names inconsistently ("Ningbo Haoyue Textile Co., Ltd." vs
"NINGBO HAOYUE TEXTILE CO.,LTD" vs "Ningbo Haoyue Textile Company Limited"), so names are compared by a key
without case, punctuation, spacing, diacritics and trailing legal forms. Certificate numbers lose case and
separators ("Q-123 / 2024" == "q1232024").
"""

from __future__ import annotations

import re
import unicodedata

# Legal-form token sequences stripped from the END of a name (longest first), after punctuation became spaces.
_LEGAL_FORMS: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        (
            tuple(form.split())
            for form in (
                "co ltd",
                "coltd",
                "co limited",
                "company limited",
                "company ltd",
                "corp ltd",
                "pte ltd",
                "pty ltd",
                "pvt ltd",
                "private limited",
                "sdn bhd",
                "limited",
                "ltd",
                "llc",
                "l l c",
                "inc",
                "incorporated",
                "corp",
                "corporation",
                "company",
                "co",
                "gmbh and co kg",
                "gmbh co kg",
                "and co kg",
                "co kg",
                "and co",
                "gmbh",
                "mbh",
                "ag",
                "kg",
                "ohg",
                "ug",
                "sa",
                "s a",
                "sas",
                "sarl",
                "srl",
                "s r l",
                "spa",
                "s p a",
                "bv",
                "b v",
                "nv",
                "plc",
                "lp",
                "llp",
                "oy",
                "ab",
                "as",
                "a s",
                "aps",
                "kk",
                "jsc",
                "ooo",
                "sp z o o",
                "s de rl de cv",
                "sa de cv",
                "ltda",
                "tbk",
            )
        ),
        key=len,
        reverse=True,
    )
)
# Chinese/Japanese legal forms, stripped from the end of the name before tokenising.
_CJK_LEGAL_FORMS: tuple[str, ...] = (
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "株式会社",
    "公司",
)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_PARENS = re.compile(r"[()（）\[\]【】]")


def _fold(text: str) -> str:
    """NFKC (full-width -> ASCII), strip diacritics, casefold; CJK characters pass through unchanged."""
    text = unicodedata.normalize("NFKC", text)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFKC", stripped).casefold()


def holder_key(name: str | None) -> str | None:
    """Key of a company name for exact-match lookups; None when nothing meaningful is left."""
    if not name:
        return None
    text = _fold(name).replace("&", " and ").replace("ß", "ss")
    text = _PARENS.sub(" ", text).strip()
    changed = True
    while changed:
        changed = False
        for form in _CJK_LEGAL_FORMS:
            if text.endswith(form) and len(text) > len(form):
                text = text[: -len(form)].rstrip()
                changed = True
    tokens = [t for t in _NON_WORD.split(text) if t]
    if tokens and tokens[0] == "the" and len(tokens) > 1:
        tokens = tokens[1:]
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for form in _LEGAL_FORMS:
            n = len(form)
            if len(tokens) > n and tuple(tokens[-n:]) == form:
                tokens = tokens[:-n]
                changed = True
                break
        if len(tokens) > 1 and tokens[-1] == "and":  # "Smith and Co., Ltd." -> "smith and" -> "smith"
            tokens = tokens[:-1]
            changed = True
    key = "".join(tokens)
    return key or None


def number_key(number: str | None) -> str | None:
    """Key of a certificate number: case, spaces, dashes, slashes, dots removed; None when empty."""
    if not number:
        return None
    key = _NON_WORD.sub("", _fold(number))
    return key or None


_EDITION_SUFFIX = re.compile(r"[:\-–/]\s*(19|20)\d{2}\s*$")


def standard_key(standard: str | None) -> str | None:
    """Key of a standard name without edition: "ISO 9001:2015", "ISO9001", "iso 9001" -> "iso9001".

    "ISO/IEC 27001" and "ISO 27001" share a key too, since pages drop the IEC part freely.
    """
    if not standard:
        return None
    text = _fold(standard).strip()
    text = _EDITION_SUFFIX.sub("", text)
    text = re.sub(r"\biso\s*/\s*iec\b", "iso", text)
    key = _NON_WORD.sub("", text)
    return key or None


__all__ = ["holder_key", "number_key", "standard_key"]
