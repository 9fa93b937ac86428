"""Certifications an IndiaMART supplier lists: "Certification" rows of its factsheet ("ISO 9001:2015, CE")
and certification tags of its header or card ("ISO 9001:2015 Certified"). IndiaMART shows names only, so no
number, issuer or date is ever filled in.

The claiming word is not part of a certificate's name: "ISO 9001:2015 Certified Company" lists "ISO
9001:2015". A tag counts only when its name is a standard or mark the normaliser knows, so "100% Quality
Certified" is no certification.
"""

from __future__ import annotations

import re

from scrapers.normalize import clean_text, normalize_certification
from scrapers.platforms.builder import ClaimsBuilder, make_certification, same_certificate
from scrapers.platforms.global_sources._walk import Prose, Row, certification_names
from scrapers.platforms.made_in_china._dom import Page

__all__ = ["apply_certification_rows", "read_certification_tags"]

MAX_CERTIFICATIONS = 100
MAX_TAG_CHARS = 80
_CLAIM_WORDS = re.compile(
    r"\s+(?:certified|accredited|approved)(?:\s+(?:company|firm|manufacturer|exporter|supplier|unit|factory))?\W*$",
    re.I,
)
_TAG = re.compile(
    r"\W{0,3}(?P<name>[^\n]{2,60}?)\s+certified(?:\s+(?:company|firm|manufacturer|exporter|supplier|unit|factory))?"
    r"\W{0,3}",
    re.I,
)


def _name(entry: str) -> str:
    """A listed entry without its claiming words: "ISO 9001:2015 Certified" -> "ISO 9001:2015"."""
    return _CLAIM_WORDS.sub("", clean_text(entry)) or clean_text(entry)


def _add(builder: ClaimsBuilder, name: str, source: str, place: str) -> None:
    cert = make_certification(name, source=source)  # type: ignore[arg-type]
    if cert is None or len(builder.certifications) >= MAX_CERTIFICATIONS:
        return
    if any(same_certificate(cert, known, loose=True) for known, _place in builder.certifications):
        return
    builder.certification(cert, place)


def apply_certification_rows(rows: list[Row], builder: ClaimsBuilder) -> None:
    """One certification per name in "Certification" rows, as shown (claiming words dropped)."""
    for row in rows:
        if row.field == "certification":
            for entry in certification_names(row.value):
                _add(builder, _name(entry), "label", "row")


def read_certification_tags(page: Page, prose: Prose, builder: ClaimsBuilder) -> None:
    """Tags such as "ISO 9001:2015 Certified" outside the supplier's prose and site chrome."""
    for string in page.strings(descriptions=True):
        text = clean_text(string)
        if len(text) > MAX_TAG_CHARS or "certified" not in text.lower() or prose.contains(string):
            continue
        match = _TAG.fullmatch(text)
        if match and normalize_certification(match.group("name"))[0]:
            _add(builder, clean_text(match.group("name")), "structured", "tag")
