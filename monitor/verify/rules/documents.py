"""Document rules: what the certificate document itself says, against the listing and the supplier.

A certificate picture or PDF that a page shows beside a claim is read (holder, standard, number, dates, scope,
issuer, accreditation marks, each with the reader's confidence). The commonest fraud is visible only there: a
certificate in another company's name, an expired one, one for another standard or scope. These rules compare
what was read with what the listing says; values the listing left empty and the document filled
(``Certification.from_document``) are not compared, they came from the document.

OCR misreads: a value read with confidence below :data:`SURE` never raises more than LOW, and says so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from difflib import SequenceMatcher

from monitor.severity import Severity
from monitor.verify.bodies_data import name_tokens
from monitor.verify.findings import Hit, VerifyContext, extend_rule, rule
from monitor.verify.rules._names import same_company
from monitor.verify.rules._sources import S5, S8, cite
from monitor.verify.rules._text import cert_kind, cert_standard, normalized_certification
from monitor.verify.rules.validity import withdrawal
from monitor.verify.rules.wording import _IAF_NAMES, _ISO_NAMES, _is_named
from scrapers.claims import CertificateDocument, Certification, DocumentReading, ReadDate, ReadValue
from scrapers.documents.attach import FILL_CONFIDENCE, documents_of, reading_standard, standard_key

#: A value read with less confidence than this raises LOW at most ("read with low confidence").
SURE = 0.6
#: Dates a day apart are the same date written two ways (the day before the anniversary, or on it).
_DATE_SLACK = timedelta(days=1)
#: Scopes sharing less than this part of the shorter one's words "share almost nothing".
_SCOPE_OVERLAP = 0.2
#: Numbers this alike differ by a character or two: a misread or an edit, not another certificate.
_NUMBER_ALIKE = 0.85

_SUPPLIER_SOURCE = "cert_rules FR-01 (certificate for another company / sister company)"
_CONTRADICTS = cite(S5, "cert_rules FR-06 (altered certificate: compare every field)", "IAF CertSearch " + S8)
_NON_WORD = re.compile(r"[\W_]+")
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
_CJK = re.compile(r"[\u3400-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z]{3,}")


def _words(text: str) -> list[str]:
    return text.split()


# Words every scope uses: they say nothing about what is certified.
_SCOPE_STOP = frozenset(
    _words(
        "and the for with from into its their other related relevant including include includes provision provide "
        "production produce manufacture manufacturing manufacturer design designing development develop sale sales "
        "selling service services supply supplying trading trade processing process products product goods "
        "activities activity management system quality site sites located"
    )
)
_SCOPE_STOP_CJK = frozenset(_words("生产 销售 设计 制造 相关 服务 产品 开发 加工 及其 范围 活动"))


@dataclass(frozen=True)
class Read:
    """One read document, with the certification it belongs to (None when it answers no listed certificate)."""

    index: int
    document: CertificateDocument
    reading: DocumentReading
    certification: int | None


def _owners(context: VerifyContext) -> dict[int, list[int]]:
    """For each document index, the certifications it belongs to (documents_of), in listing order."""
    ids = {id(d): i for i, d in enumerate(context.claims.documents)}
    owners: dict[int, list[int]] = {}
    for index in range(len(context.claims.certifications)):
        for document in documents_of(context.claims, index):
            owners.setdefault(ids[id(document)], []).append(index)
    return owners


def _read_documents(context: VerifyContext) -> Iterator[Read]:
    """Every document with a reading that found something certificate-like."""
    owners = _owners(context)
    for index, document in enumerate(context.claims.documents):
        reading = document.reading
        if reading is None or reading.method == "none" or not reading.readable:
            continue
        yield Read(index, document, reading, (owners.get(index) or [None])[0])


def _documents_of(context: VerifyContext, index: int) -> Iterator[Read]:
    ids = {id(d): i for i, d in enumerate(context.claims.documents)}
    for document in documents_of(context.claims, index):
        reading = document.reading
        if reading is not None and reading.method != "none" and reading.readable:
            yield Read(ids[id(document)], document, reading, index)


def _where(read: Read) -> str:
    doc, reading = read.document, read.reading
    how = {"text_layer": "PDF text", "ocr": "OCR", "none": "nothing read"}[reading.method]
    name = doc.label or doc.url
    return f"read from the certificate document '{name}' ({how}{', ' + reading.engine if reading.engine else ''})"


def _quote(field: str, value: ReadValue | ReadDate) -> str:
    shown = value.value.isoformat() if isinstance(value, ReadDate) else value.value
    printed = f", printed '{value.text}'" if isinstance(value, ReadDate) and value.text else ""
    return f"{field} '{shown}' (confidence {value.confidence:.2f}{printed})"


def _severity(confidence: float, usual: Severity | None = None) -> Severity | None:
    """The rule's usual severity, or LOW for a value the reader was unsure of."""
    return usual if confidence >= SURE else Severity.LOW


def _unsure(confidence: float) -> str:
    return "" if confidence >= SURE else " It was read with low confidence: look at the document before acting."


def _listed(cert: Certification, field: str) -> bool:
    """The listing itself gives the field (not empty, not filled from a document)."""
    value = getattr(cert, field)
    if field in cert.from_document or value is None:
        return False
    return not isinstance(value, str) or bool(value.strip())


def _contradicting_standard(cert: Certification, reading: DocumentReading) -> bool:
    claimed = standard_key(cert_standard(cert)[0])
    read = reading_standard(reading)
    return claimed is not None and read is not None and claimed != read


# --------------------------------------------------------------------------------------------------
# holder
# --------------------------------------------------------------------------------------------------


@rule(
    "CERT_HOLDER_MISMATCH",
    Severity.HIGH,
    title="Certificate in another company's name",
    explanation=(
        "The certificate document shown by the supplier names another company as the certified organisation. "
        "Suppliers borrow the certificates of a factory they buy from, a sister company or any company at all; "
        "a certificate covers only the organisation it names. Ask the supplier for a certificate in its own name, "
        "or for proof of how it is related to the named company and that your goods are made there."
    ),
    source=cite(S5, _SUPPLIER_SOURCE, "IAF CertSearch CS-03 (entity name differs from the supplier)"),
)
def cert_holder_mismatch(context: VerifyContext) -> Iterator[Hit]:
    """Every holder name on the document (holder + other names) against the supplier's name: tolerant of case,
    punctuation, legal forms, place prefixes and OCR typos. A known group company is INFO; an English listing
    name against a Chinese-only holder cannot be compared and is INFO (the buyer can compare them, a silent
    rule would hide a borrowed certificate); a holder read with low confidence is LOW."""
    supplier = (context.claims.supplier.name or "").strip()
    if not supplier:
        return
    for read in _read_documents(context):
        names = [v for v in [read.reading.holder, *read.reading.holder_other_names] if v and v.value.strip()]
        if not names:
            continue
        verdicts = [same_company(v.value, supplier) for v in names]
        if any(verdicts):
            continue
        shown = ", ".join(_quote("holder" if i == 0 else "also", v) for i, v in enumerate(names))
        evidence = f"{_where(read)}: {shown}; listing: supplier '{supplier}'"
        affiliate = next(
            (a for a in context.affiliates for v in names if same_company(v.value, a)),
            None,
        )
        if affiliate is not None:
            yield Hit(
                f"The certificate is held by {affiliate}, a known group company of the supplier, not by the supplier "
                "itself. Ask whether your goods are made under that company's certified system.",
                evidence + f"; known group company '{affiliate}'",
                certification=read.certification,
                document=read.index,
                severity=Severity.INFO,
            )
            continue
        comparable = [v for v, verdict in zip(names, verdicts, strict=True) if verdict is False]
        if not comparable:
            yield Hit(
                f"The certificate names its holder as {names[0].value}, which cannot be compared with the listing's "
                f"name {supplier} (one is in Chinese, the other not). Check that they are the same company.",
                evidence,
                certification=read.certification,
                document=read.index,
                severity=Severity.INFO,
            )
            continue
        confidence = max(v.confidence for v in comparable)
        yield Hit(
            f"The certificate is held by {comparable[0].value}, not by the supplier {supplier.rstrip('.')}. Ask for a "
            f"certificate in the supplier's own name.{_unsure(confidence)}",
            evidence,
            certification=read.certification,
            document=read.index,
            severity=_severity(confidence),
        )


# --------------------------------------------------------------------------------------------------
# the document contradicts the listing
# --------------------------------------------------------------------------------------------------


def number_key(value: str) -> str:
    """A certificate number without case, spacing and separators, O read as 0 and I/l as 1."""
    text = _NON_WORD.sub("", unicodedata.normalize("NFKC", value).casefold())
    return text.translate(str.maketrans({"o": "0", "i": "1", "l": "1"}))


def _same_number(a: str, b: str) -> bool:
    ka, kb = number_key(a), number_key(b)
    if not ka or not kb:
        return True  # nothing to compare
    if ka == kb:
        return True
    short, long = sorted((ka, kb), key=len)
    return len(short) >= 5 and short in long  # a prefix the listing dropped ("CN-12345-Q" vs "12345")


@rule(
    "CERT_NUMBER_MISMATCH",
    Severity.HIGH,
    title="Certificate number differs from the document",
    explanation=(
        "The number on the certificate document is not the number the listing gives. Either the listing points to "
        "another certificate than the one shown, or one of them was altered. Ask the supplier which is right and "
        "check that number with the certification body or in IAF CertSearch."
    ),
    source=_CONTRADICTS,
)
def cert_number_mismatch(context: VerifyContext) -> Iterator[Hit]:
    """Listed number vs the number read (case, spacing, dashes and O/0, I/1 confusions ignored; a dropped prefix
    tolerated). One or two characters apart is MEDIUM (misread or edit)."""
    for index, cert in context.certifications():
        if not _listed(cert, "number"):
            continue
        for read in _documents_of(context, index):
            value = read.reading.number
            if value is None or _contradicting_standard(cert, read.reading) or _same_number(value.value, cert.number):
                continue
            alike = SequenceMatcher(None, number_key(value.value), number_key(cert.number or "")).ratio()
            severity = Severity.MEDIUM if alike >= _NUMBER_ALIKE else None
            yield Hit(
                f"The certificate document gives the number {value.value}, the listing {cert.number}. Ask which is "
                f"right and check it with the issuer.{_unsure(value.confidence)}",
                f"{_where(read)}: {_quote('number', value)}; listing: number '{cert.number}'",
                certification=index,
                severity=_severity(value.confidence, severity),
            )


@rule(
    "CERT_DATES_MISMATCH",
    Severity.HIGH,
    title="Certificate dates differ from the document",
    explanation=(
        "The validity dates on the certificate document are not those the listing gives. A listing that runs "
        "longer than its certificate is the classic way to keep showing a lapsed certificate; a document that runs "
        "longer than the listing may simply be the renewed certificate. Ask for the current certificate and check "
        "its dates with the certification body."
    ),
    source=_CONTRADICTS,
)
def cert_dates_mismatch(context: VerifyContext) -> Iterator[Hit]:
    """Expiry: listing later than the document HIGH, earlier MEDIUM (a renewal not yet listed). Issue date
    matching neither the document's issue nor first-issue date: MEDIUM. A day apart is the same date."""
    for index, cert in context.certifications():
        for read in _documents_of(context, index):
            reading = read.reading
            if _contradicting_standard(cert, reading):
                continue
            until = reading.valid_until
            if (
                _listed(cert, "valid_until")
                and until is not None
                and cert.valid_until is not None
                and abs(until.value - cert.valid_until) > _DATE_SLACK
            ):
                later = cert.valid_until > until.value
                what = (
                    "the listing claims it runs longer than the certificate shows"
                    if later
                    else "the document runs longer: it may be a renewal the listing does not show yet"
                )
                yield Hit(
                    f"The certificate document expires on {until.value.isoformat()}, the listing says "
                    f"{cert.valid_until.isoformat()}: {what}.{_unsure(until.confidence)}",
                    f"{_where(read)}: {_quote('valid until', until)}; listing: valid until "
                    f"{cert.valid_until.isoformat()}",
                    certification=index,
                    severity=_severity(until.confidence, None if later else Severity.MEDIUM),
                )
            issued = [d for d in (reading.issued, reading.first_issued) if d is not None]
            if (
                _listed(cert, "valid_from")
                and issued
                and cert.valid_from is not None
                and all(abs(d.value - cert.valid_from) > _DATE_SLACK for d in issued)
            ):
                confidence = max(d.confidence for d in issued)
                named = (("issued", reading.issued), ("first issued", reading.first_issued))
                shown = "; ".join(_quote(n, d) for n, d in named if d)
                yield Hit(
                    f"The certificate document was issued on {issued[0].value.isoformat()}, the listing says "
                    f"{cert.valid_from.isoformat()}. Ask for the current certificate.{_unsure(confidence)}",
                    f"{_where(read)}: {shown}; listing: valid from {cert.valid_from.isoformat()}",
                    certification=index,
                    severity=_severity(confidence, Severity.MEDIUM),
                )


def _listed_edition(cert: Certification) -> str | None:
    """The edition the listing gives (its field or its name), not one filled from a document."""
    if "edition" not in cert.from_document:
        return cert_standard(cert)[1]
    for text in (cert.standard, cert.name):
        if text:
            edition = normalized_certification(text)[1]
            if edition:
                return edition
    return None


def _read_edition(reading: DocumentReading) -> ReadValue | None:
    for value in (reading.edition, reading.standard):
        if value is not None:
            match = _YEAR.search(value.value)
            if match:
                return ReadValue(value=match.group(1), confidence=value.confidence)
    return None


@rule(
    "CERT_STANDARD_MISMATCH",
    Severity.HIGH,
    title="Certificate document is for another standard",
    explanation=(
        "The certificate shown under this claim certifies another standard (the listing says ISO 9001, the "
        "document ISO 14001), or another edition of it. The claim is then not backed by the document at all. Ask "
        "for the certificate of the standard claimed."
    ),
    source=cite(S5, "cert_rules CF-06 / FR-06"),
)
def cert_standard_mismatch(context: VerifyContext) -> Iterator[Hit]:
    """The standard read (national adoptions folded: GB/T 19001 = ISO 9001) against the listed one: another
    standard HIGH, another edition MEDIUM."""
    for index, cert in context.certifications():
        claimed = standard_key(cert_standard(cert)[0])
        if claimed is None:
            continue
        for read in _documents_of(context, index):
            value = read.reading.standard
            read_standard = reading_standard(read.reading)
            if value is None or read_standard is None:
                continue
            if read_standard != claimed:
                yield Hit(
                    f"The document shown for {cert.name} certifies {read_standard}, not {claimed}. Ask for the "
                    f"{claimed} certificate itself.{_unsure(value.confidence)}",
                    f"{_where(read)}: {_quote('standard', value)}; listing: {cert.name} ({claimed})",
                    certification=index,
                    severity=_severity(value.confidence),
                )
                continue
            listed, edition = _listed_edition(cert), _read_edition(read.reading)
            if listed and edition and listed != edition.value:
                yield Hit(
                    f"The document is a {claimed}:{edition.value} certificate, the listing claims {claimed}:{listed}. "
                    f"Ask for the certificate to the edition claimed.{_unsure(edition.confidence)}",
                    f"{_where(read)}: {_quote('edition', edition)}; listing: {claimed}:{listed}",
                    certification=index,
                    severity=_severity(edition.confidence, Severity.MEDIUM),
                )


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def scope_words(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(Latin words, Chinese character pairs) of a scope, without the words every scope uses."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    latin = frozenset(_stem(w) for w in _LATIN_WORD.findall(folded) if w not in _SCOPE_STOP)
    pairs = {run[i : i + 2] for run in _CJK.findall(folded) for i in range(len(run) - 1)}
    return latin - {""}, frozenset(pairs - _SCOPE_STOP_CJK)


def _found_in(words: frozenset[str], text: str) -> float:
    """The part of ``words`` found in ``text`` with its spaces removed (OCR joins words: "pipefittings")."""
    letters = "".join(_LATIN_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))
    return sum(1 for w in words if w in letters) / len(words)


def scope_overlap(a: str, b: str) -> float | None:
    """The part of the shorter scope's words found in the other (Latin words also inside words run together);
    None when the scopes share no language."""
    (latin_a, pairs_a), (latin_b, pairs_b) = scope_words(a), scope_words(b)
    shares = []
    if latin_a and latin_b:
        shares += [_found_in(latin_a, b), _found_in(latin_b, a)]
    if pairs_a and pairs_b:
        shares.append(len(pairs_a & pairs_b) / min(len(pairs_a), len(pairs_b)))
    return max(shares) if shares else None


@rule(
    "CERT_SCOPE_MISMATCH",
    Severity.MEDIUM,
    title="Certificate scope differs from the listing",
    explanation=(
        "A certificate covers only the activities in its scope. The scope on the document shares almost nothing "
        "with the scope the listing gives, so the certificate may cover other products or another site than the "
        "ones you buy. Ask for the certificate whose scope covers your products."
    ),
    source=cite(S5, "ISO/IEC 17021-1 scope of certification", "cert_rules CW-08 / FR-05"),
)
def cert_scope_mismatch(context: VerifyContext) -> Iterator[Hit]:
    """Listed scope and document scope with under a fifth of the shorter one's meaningful words in common
    (Latin words, Chinese character pairs; a scope in another language is not compared)."""
    for index, cert in context.certifications():
        if not _listed(cert, "scope"):
            continue
        for read in _documents_of(context, index):
            value = read.reading.scope
            if value is None or _contradicting_standard(cert, read.reading):
                continue
            overlap = scope_overlap(value.value, cert.scope or "")
            if overlap is not None and overlap < _SCOPE_OVERLAP:
                yield Hit(
                    "The scope on the certificate document has almost nothing in common with the listing's. Ask "
                    f"whether the certificate covers the products you buy.{_unsure(value.confidence)}",
                    f"{_where(read)}: {_quote('scope', value)}; listing: scope '{cert.scope}'",
                    certification=index,
                    severity=_severity(value.confidence),
                )


# --------------------------------------------------------------------------------------------------
# what the document says on its own
# --------------------------------------------------------------------------------------------------


@rule(
    "CERT_DOCUMENT_EXPIRED",
    Severity.HIGH,
    title="The certificate document shown has expired",
    explanation=(
        "By its own dates, the certificate document the supplier shows has expired, whatever the listing says. "
        "It may have been renewed (ask for the current certificate) or have lapsed. Do not rely on it; ask for "
        "the current certificate and check it with the certification body."
    ),
    source=cite(S5, "cert_rules CV-01 / FR-04"),
)
def cert_document_expired(context: VerifyContext) -> Iterator[Hit]:
    """The document's valid_until before today.

    One fact, one finding: when the certification's own expiry (listed, or filled from a document) is past,
    EXPIRED already reports it, so this rule stays silent; it speaks when the listing shows a current (or no
    usable) expiry while the document shown has expired. A newer, current document beside it makes it LOW;
    an honour ("other" kind) is LOW as for EXPIRED.
    """
    certifications = context.claims.certifications
    for read in _read_documents(context):
        until = read.reading.valid_until
        if until is None or until.value >= context.today:
            continue
        cert = certifications[read.certification] if read.certification is not None else None
        if cert is not None and cert.valid_until is not None and cert.valid_until < context.today:
            continue  # EXPIRED
        severity = _severity(until.confidence)
        note = _unsure(until.confidence)
        if read.certification is not None:
            others = [r for r in _documents_of(context, read.certification) if r.index != read.index]
            if any(r.reading.valid_until and r.reading.valid_until.value >= context.today for r in others):
                severity, note = Severity.LOW, " A current certificate is shown beside it."
        if cert is not None and cert_kind(cert) == "other":
            severity = Severity.LOW
        listing = f"; listing: valid until {cert.valid_until.isoformat()}" if cert and cert.valid_until else ""
        yield Hit(
            f"The certificate document expired on {until.value.isoformat()}. Ask for the current certificate.{note}",
            f"{_where(read)}: {_quote('valid until', until)}{listing}",
            certification=read.certification,
            document=read.index,
            severity=severity,
        )


@rule(
    "CERT_DOCUMENT_UNREADABLE",
    Severity.INFO,
    title="Certificate document could not be read",
    explanation=(
        "The supplier's certificate picture or PDF was fetched, but no certificate text could be read from it (a "
        "blurred scan, a photo of a product, a blank page). That says nothing against the supplier; it only means "
        "the monitor could not check the document. Ask for a clear copy (a PDF) of the certificate."
    ),
    source=cite(S5, "project: documents are read with PDF text or OCR"),
)
def cert_document_unreadable(context: VerifyContext) -> Iterator[Hit]:
    """A reading with method "none" or no certificate field, or a fetched file the reader refused; INFO only."""
    owners = _owners(context)
    for index, document in enumerate(context.claims.documents):
        reading = document.reading
        if reading is not None:
            if reading.method != "none" and reading.readable:
                continue
            why = "no text at all" if reading.method == "none" else "text, but no certificate field in it"
        elif document.error and document.error.startswith("unreadable"):
            why = document.error
        else:
            continue
        yield Hit(
            f"The certificate document '{document.label or document.url}' could not be read ({why}). Ask for a "
            "clear copy.",
            f"document {document.url}: {why}",
            certification=(owners.get(index) or [None])[0],
            document=index,
            severity=Severity.INFO,
        )


# --------------------------------------------------------------------------------------------------
# the listing rules, applied to what the document says
# --------------------------------------------------------------------------------------------------


def _same_value(a: str | None, b: str | None) -> bool:
    return bool(a and b) and name_tokens(a or "") == name_tokens(b or "")


def _listing_names(cert: Certification | None, value: str) -> bool:
    """The listing itself gives ``value`` as issuer or accreditation body: its own finding says it once."""
    return cert is not None and (_same_value(cert.issuer, value) or _same_value(cert.accreditation_body, value))


def _confident(value: ReadValue | None) -> bool:
    return value is not None and value.confidence >= FILL_CONFIDENCE


@extend_rule("ISO_AS_CERTIFIER")
def iso_as_certifier_on_document(context: VerifyContext) -> Iterator[Hit]:
    """The document's issuer or accreditation mark reads ISO (unless the listing says so too: reported once)."""
    certifications = context.claims.certifications
    for read in _read_documents(context):
        cert = certifications[read.certification] if read.certification is not None else None
        values = [("issuer", read.reading.issuer), *(("accreditation", v) for v in read.reading.accreditation)]
        for field, value in values:
            if not _confident(value) or not _is_named(value.value, *_ISO_NAMES):  # type: ignore[union-attr]
                continue
            assert value is not None
            if _listing_names(cert, value.value):
                continue
            yield Hit(
                f"The certificate document names ISO as its {field}. ISO issues no certificates; ask for the "
                f"certificate of the real certification body.{_unsure(value.confidence)}",
                f"{_where(read)}: {_quote(field, value)}",
                certification=read.certification,
                document=read.index,
                severity=_severity(value.confidence),
            )


@extend_rule("IAF_AS_ACCREDITOR")
def iaf_as_accreditor_on_document(context: VerifyContext) -> Iterator[Hit]:
    """The document's issuer reads IAF, or IAF is its only accreditation mark (no accreditation body's mark
    beside the IAF MLA one); reported once when the listing says so too."""
    certifications = context.claims.certifications
    for read in _read_documents(context):
        cert = certifications[read.certification] if read.certification is not None else None
        found: list[tuple[str, ReadValue]] = []
        issuer = read.reading.issuer
        if _confident(issuer) and _is_named(issuer.value, *_IAF_NAMES):  # type: ignore[union-attr]
            found.append(("issuer", issuer))  # type: ignore[arg-type]
        marks = [v for v in read.reading.accreditation if _confident(v)]
        if marks and all(_is_named(v.value, *_IAF_NAMES) for v in marks):
            found.append(("accreditation", marks[0]))
        for field, value in found:
            if _listing_names(cert, value.value):
                continue
            alone = " and no accreditation body's mark" if field == "accreditation" else ""
            yield Hit(
                f"The certificate document names IAF as its {field}{alone}. IAF neither certifies nor accredits; ask "
                f"which accreditation body (e.g. UKAS, CNAS) accredits the issuer.{_unsure(value.confidence)}",
                f"{_where(read)}: {_quote(field, value)}",
                certification=read.certification,
                document=read.index,
                severity=_severity(value.confidence),
            )


@extend_rule("WITHDRAWN_EDITION")
def withdrawn_edition_on_document(context: VerifyContext) -> Iterator[Hit]:
    """The document's standard and edition past its transition end. Left to the listing's own finding when the
    certification (listed or filled) names the same edition, and to the expiry rules when the document expired
    before the edition was withdrawn."""
    certifications = context.claims.certifications
    for read in _read_documents(context):
        cert = certifications[read.certification] if read.certification is not None else None
        standard = reading_standard(read.reading) or (standard_key(cert_standard(cert)[0]) if cert else None)
        edition = _read_edition(read.reading)
        if standard is None or edition is None or not _confident(edition):
            continue
        w = withdrawal(standard, edition.value, context.settings)
        if w is None or w.entry.invalid_after >= context.today:
            continue
        until = read.reading.valid_until
        if until is not None and until.value <= w.entry.invalid_after:
            continue
        if cert is not None and (standard_key(cert_standard(cert)[0]), cert_standard(cert)[1]) == (
            standard,
            edition.value,
        ):
            continue
        when = w.entry.invalid_after.isoformat()
        yield Hit(
            f"The certificate document is to {standard}:{edition.value}, a withdrawn edition: certificates to it "
            f"were no longer valid after {when}. Ask for a certificate to {w.entry.replaced_by}."
            f"{_unsure(edition.confidence)}",
            f"{_where(read)}: {_quote('edition', edition)}",
            certification=read.certification,
            document=read.index,
            severity=_severity(edition.confidence),
        )


__all__ = ["SURE", "number_key", "scope_overlap", "scope_words"]
