"""Shared helpers of the rule modules: statement preparation, standard mentions, certificate descriptions.

Statements are prepared once per distinct text (cached): NFKC (full-width "ＩＳＯ９００１" -> "ISO9001"),
invisible and bidi control characters removed, whitespace collapsed, length capped so a hostile description
costs bounded time. Rules then run pre-compiled regexes over the prepared text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from scrapers.claims import Certification
from scrapers.normalize import normalize_certification

MAX_TEXT = 2000

_INVISIBLE = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")
# A standard number as people type it: ISO9001, ISO-9001:2015, ISO 9001-2015, ISO/IEC 27001, IATF16949...
_STANDARD = re.compile(
    r"(?<![A-Za-z0-9])(?:IATF|BS\s*OHSAS|OHSAS|FSSC|GB\s*/\s*T|ISO\s*/\s*TS|ISO\s*/\s*IEC|EN\s*ISO|ISO)"
    r"[\s\-_:.]*\d{3,5}(?:\s*-\s*\d{1,2}(?!\d))?(?:\s*[:\-/.,]?\s*(?:(?:19|20)\d{2}|\d{2})(?!\d))?",
    re.I,
)
# Standards that are certified without an edition year (scheme versions) or withdrawn as a whole.
NO_EDITION_EXPECTED = frozenset({"FSSC 22000", "OHSAS 18001", "ISO/TS 16949"})


@dataclass(frozen=True)
class Mention:
    """One standard named in a statement."""

    standard: str
    edition: str | None
    kind: str
    start: int
    end: int
    raw: str


@dataclass(frozen=True)
class Prepared:
    text: str
    mentions: tuple[Mention, ...]

    @property
    def standards(self) -> frozenset[str]:
        return frozenset(m.standard for m in self.mentions)


@lru_cache(maxsize=4096)
def normalized_certification(name: str) -> tuple[str | None, str | None, str]:
    """Cached :func:`scrapers.normalize.normalize_certification`."""
    return normalize_certification(name)


def clean(text: str) -> str:
    """NFKC, invisible/bidi characters removed, whitespace collapsed, capped at :data:`MAX_TEXT`."""
    text = unicodedata.normalize("NFKC", text[: MAX_TEXT * 2])
    return _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()[:MAX_TEXT]


@lru_cache(maxsize=16384)
def prepare(text: str) -> Prepared:
    """The cleaned statement and the standards it names (cached per distinct text)."""
    cleaned = clean(text)
    mentions = []
    for m in _STANDARD.finditer(cleaned):
        standard, edition, kind = normalized_certification(m.group(0))
        if standard:
            mentions.append(Mention(standard, edition, kind, m.start(), m.end(), m.group(0)))
    return Prepared(cleaned, tuple(mentions))


@lru_cache(maxsize=4096)
def _cert_reading(name: str, standard: str | None) -> tuple[str | None, str | None, str]:
    if standard:
        std, edition, kind = normalized_certification(standard)
        if std:
            return std, edition, kind
    return normalized_certification(name)


def cert_standard(cert: Certification) -> tuple[str | None, str | None]:
    """(canonical standard, edition) of a certification, from its fields or else from its name."""
    standard, edition, _ = _cert_reading(cert.name, cert.standard)
    if standard is None and cert.standard:
        standard = cert.standard.strip() or None
    if edition is None and cert.standard:
        from_name = normalized_certification(cert.name)
        edition = from_name[1] if from_name[0] == standard else None
    return standard, (cert.edition or "").strip() or edition


def cert_kind(cert: Certification) -> str:
    """The certification's kind; "other" is refined from the standard/name (tests and some pages omit it)."""
    if cert.kind != "other":
        return cert.kind
    return _cert_reading(cert.name, cert.standard)[2]


def is_management_system(cert: Certification) -> bool:
    return cert_kind(cert) == "management_system"


def describe(cert: Certification) -> str:
    """The certificate's fields as evidence: what the page shows, in one line."""
    standard, edition = cert_standard(cert)
    label = f"{standard}:{edition}" if standard and edition else (standard or cert.name)
    parts = [label if label == cert.name else f"{cert.name} ({label})"]
    parts.append(f"no. {cert.number}" if cert.number else "no number")
    parts.append(f"issuer {cert.issuer}" if cert.issuer else "no issuer")
    if cert.accreditation_body:
        parts.append(f"accreditation {cert.accreditation_body}")
    if cert.valid_from or cert.valid_until:
        parts.append(f"valid {cert.valid_from or '?'} to {cert.valid_until or '?'}")
    if cert.from_document:
        read = ", ".join(f"{name} ({confidence:.2f})" for name, confidence in cert.from_document.items())
        parts.append(f"read from the certificate document: {read}")
    return "; ".join(parts)


def excerpt(text: str, start: int = 0, end: int | None = None, width: int = 80) -> str:
    """The statement around a match, so evidence stays short for very long statements."""
    end = len(text) if end is None else end
    if len(text) <= 2 * width + (end - start):
        return text
    lo, hi = max(0, start - width), min(len(text), end + width)
    return ("…" if lo else "") + text[lo:hi] + ("…" if hi < len(text) else "")
