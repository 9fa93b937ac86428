"""Tie certificate documents to the certifications they prove, and fill what the listing left empty.

Pure functions on the claims model (no I/O). Marketplace forms leave most certificates without a number, issuer
or dates, while the certificate picture beside them shows all three; once a document has been read, its
confident fields answer the listing's empty ones. Listed values are never overwritten: where the listing and the
document disagree, the verification rules say so instead of silently picking one.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from scrapers.claims import CertificateDocument, Certification, ClaimsDocument, DocumentReading, ReadDate, ReadValue
from scrapers.normalize import normalize_certification

__all__ = [
    "FILL_CONFIDENCE",
    "apply_readings",
    "best_reading",
    "documents_of",
    "reading_standard",
    "standard_key",
]

#: A field read with less confidence than this does not fill the listing (it is shown, and judged gently).
FILL_CONFIDENCE = 0.5

# National adoptions certify the same thing as the ISO standard (GB/T 19001-2016 idt ISO 9001:2015).
_EQUIVALENT = {
    "GB/T 19001": "ISO 9001",
    "GB/T 24001": "ISO 14001",
    "GB/T 45001": "ISO 45001",
    "GB/T 22000": "ISO 22000",
}
# Marks printed beside the accreditation body's own mark: arrangements of accreditation bodies, not one of them.
_ARRANGEMENT_MARKS = frozenset({"iaf", "iafmla", "ilac", "ilacmra", "internationalaccreditationforum", "国际认可论坛"})
# What forms put in a field that has no value; the completeness rules treat these as missing too.
_FILLERS = frozenset({"", "-", "--", "/", "n/a", "na", "none", "null", "无", "0"})
_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[\W_]+")
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")


@lru_cache(maxsize=4096)
def standard_key(value: str | None) -> str | None:
    """The canonical standard a name or standard field names, national adoptions folded to the ISO one:
    "GB/T 19001 idt ISO 9001" and "iso9001:2015" -> "ISO 9001". Remembered per text: the document rules ask
    for the same few names once per certification and document."""
    if not value or not value.strip():
        return None
    standard = normalize_certification(value)[0]
    if standard is None:
        return None
    return _EQUIVALENT.get(standard, standard)


def _cert_standard(cert: Certification) -> str | None:
    return standard_key(cert.standard) or standard_key(cert.name)


def reading_standard(reading: DocumentReading) -> str | None:
    """The canonical standard the document certifies, or None when the reader found none."""
    return standard_key(reading.standard.value) if reading.standard is not None else None


def _name_key(value: str) -> str:
    return _SPACES.sub(" ", value).strip().casefold()


def _tied_names(claims: ClaimsDocument) -> set[str]:
    return {_name_key(c.name) for c in claims.certifications}


def documents_of(claims: ClaimsDocument, certification_index: int) -> list[CertificateDocument]:
    """The documents of one certification: those the page ties to it by name; else, when the page ties none to
    it, the untied documents whose reading names the same standard (ISO 9001 == "GB/T 19001 idt ISO 9001")."""
    if not 0 <= certification_index < len(claims.certifications):
        return []
    cert = claims.certifications[certification_index]
    key = _name_key(cert.name)
    tied = [d for d in claims.documents if d.certification is not None and _name_key(d.certification) == key]
    if tied:
        return tied
    standard = _cert_standard(cert)
    if standard is None:
        return []
    names = _tied_names(claims)
    return [
        d
        for d in claims.documents
        if (d.certification is None or _name_key(d.certification) not in names)
        and d.reading is not None
        and reading_standard(d.reading) == standard
    ]


def _confident(value: ReadValue | ReadDate | None) -> bool:
    return value is not None and value.confidence >= FILL_CONFIDENCE


def _accreditation(reading: DocumentReading) -> ReadValue | None:
    """The accreditation body's mark: the first confident one that is not only the IAF / ILAC arrangement mark."""
    for value in reading.accreditation:
        if _confident(value) and _NON_WORD.sub("", value.value.casefold()) not in _ARRANGEMENT_MARKS:
            return value
    return None


def _edition(value: ReadValue | None) -> ReadValue | None:
    """The edition as the schema keeps it (a four-digit year): "ISO 9001:2015" or "2015" -> "2015"."""
    if value is None:
        return None
    match = _YEAR.search(value.value)
    if match is None:
        return None
    return ReadValue(value=match.group(1), confidence=value.confidence)


def _text(value: ReadValue | None) -> ReadValue | None:
    if value is None or not value.value.strip():
        return None
    return value


def _fields(reading: DocumentReading) -> dict[str, ReadValue | ReadDate | None]:
    """What a reading offers for each fillable certification field."""
    return {
        "number": _text(reading.number),
        "issuer": _text(reading.issuer),
        "accreditation_body": _accreditation(reading),
        "edition": _edition(reading.edition),
        "scope": _text(reading.scope),
        "valid_from": reading.issued if _confident(reading.issued) else reading.first_issued,
        "valid_until": reading.valid_until,
    }


def best_reading(
    claims: ClaimsDocument, certification_index: int
) -> tuple[CertificateDocument, DocumentReading] | None:
    """The readable document that best answers one certification; None when there is none.

    A document whose standard contradicts the certification's (the ISO 14001 certificate shown under ISO 9001)
    never answers it: its number would make the claim look checked. Tied documents come first, then those that
    name the standard, then the one with most confident fields.
    """
    cert = claims.certifications[certification_index]
    standard = _cert_standard(cert)
    candidates = []
    for position, document in enumerate(documents_of(claims, certification_index)):
        reading = document.reading
        if reading is None or reading.method == "none" or not reading.readable:
            continue
        read_standard = reading_standard(reading)
        if standard is not None and read_standard is not None and read_standard != standard:
            continue
        confident = sum(1 for v in _fields(reading).values() if _confident(v))
        score = (document.certification is not None, read_standard is not None, confident, reading.text_confidence)
        candidates.append((score, -position, document, reading))
    if not candidates:
        return None
    _, _, document, reading = max(candidates, key=lambda c: (c[0], c[1]))
    return document, reading


def _empty(value: object) -> bool:
    if value is None:
        return True
    return isinstance(value, str) and _SPACES.sub(" ", value).strip().casefold() in _FILLERS


def _filled(cert: Certification, reading: DocumentReading) -> Certification:
    updates: dict[str, object] = {}
    from_document = dict(cert.from_document)
    for field, read in _fields(reading).items():
        if not _confident(read) or not _empty(getattr(cert, field)):
            continue
        assert read is not None
        value: str | date = read.value
        updates[field] = value.strip() if isinstance(value, str) else value
        from_document[field] = round(read.confidence, 3)
    if not updates:
        return cert
    return cert.model_copy(update={**updates, "from_document": from_document})


def apply_readings(claims: ClaimsDocument) -> ClaimsDocument:
    """A new claims document whose certifications' empty fields are filled from their best read document.

    Only fields read with confidence >= :data:`FILL_CONFIDENCE` fill, each recorded in ``from_document`` with
    its confidence. Idempotent: a filled field is no longer empty, and the choice of document depends on the
    documents alone.
    """
    result = claims.model_copy(deep=True)
    certifications = []
    for index, cert in enumerate(result.certifications):
        best = best_reading(result, index)
        certifications.append(cert if best is None else _filled(cert, best[1]))
    result.certifications = certifications
    return result
