"""scrapers.documents.attach: which documents belong to a certification, and what their readings fill."""

from __future__ import annotations

from datetime import date

from scrapers.claims import (
    CertificateDocument,
    Certification,
    ClaimsDocument,
    DocumentReading,
    ReadDate,
    ReadValue,
    Source,
    Supplier,
)
from scrapers.documents.attach import FILL_CONFIDENCE, apply_readings, documents_of, standard_key


def value(text: str, confidence: float = 0.95) -> ReadValue:
    return ReadValue(value=text, confidence=confidence)


def day(text: str, confidence: float = 0.95) -> ReadDate:
    return ReadDate(value=date.fromisoformat(text), confidence=confidence, text=text)


def reading(**fields: object) -> DocumentReading:
    base: dict[str, object] = {"sha256": "0" * 64, "media_type": "image/png", "method": "ocr", "text_confidence": 0.9}
    base.update(fields)
    return DocumentReading(**base)  # type: ignore[arg-type]


def document(url: str, certification: str | None = None, read: DocumentReading | None = None) -> CertificateDocument:
    return CertificateDocument(url=url, kind="image", certification=certification, reading=read)


def claims(certifications: list[Certification], documents: list[CertificateDocument]) -> ClaimsDocument:
    return ClaimsDocument(
        source=Source(url="https://example.com/profile", platform="alibaba", page_type="company_profile"),
        supplier=Supplier(name="Ningbo Haoyue Textile Co., Ltd."),
        certifications=certifications,
        documents=documents,
    )


FULL = reading(
    holder=value("Ningbo Haoyue Textile Co., Ltd."),
    standard=value("GB/T 19001-2016 idt ISO 9001:2015"),
    edition=value("ISO 9001:2015"),
    number=value("12 100 45678 TMS"),
    scope=value("Weaving of cotton fabrics"),
    issuer=value("TÜV SÜD Management Service GmbH"),
    accreditation=[value("IAF"), value("DAkkS")],
    first_issued=day("2018-03-18"),
    issued=day("2024-03-18"),
    valid_until=day("2027-03-17"),
)


def test_standard_key_folds_national_adoptions_and_spelling() -> None:
    assert standard_key("ISO 9001") == standard_key("GB/T 19001 idt ISO 9001") == standard_key("iso9001:2015")
    assert standard_key("GB/T 19001-2016") == "ISO 9001"
    assert standard_key("GB/T 24001") == "ISO 14001"
    assert standard_key("Quality certificate") is None and standard_key("  ") is None


def test_documents_of_tied_by_name_then_by_standard() -> None:
    tied = document("https://x/a.png", certification="  iso9001:2015 ", read=reading(standard=value("ISO 14001")))
    untied_9001 = document("https://x/b.png", read=reading(standard=value("GB/T 19001 idt ISO 9001")))
    untied_14001 = document("https://x/c.png", read=reading(standard=value("ISO 14001:2015")))
    unread = document("https://x/d.png")
    doc = claims(
        [
            Certification(name="ISO9001:2015", standard="ISO 9001"),
            Certification(name="ISO 45001", standard="ISO 45001"),
        ],
        [tied, untied_9001, untied_14001, unread],
    )
    # The page ties one document to the ISO 9001 entry: that one, whatever it reads (the rules judge it).
    assert documents_of(doc, 0) == [tied]
    # Nothing tied to ISO 45001, and no untied document reads ISO 45001.
    assert documents_of(doc, 1) == []
    assert documents_of(doc, 5) == []

    untied_only = claims([Certification(name="ISO 9001 certificate")], [untied_9001, untied_14001, unread])
    assert documents_of(untied_only, 0) == [untied_9001]
    # A document tied to a name no certification has is untied.
    stray = document("https://x/e.png", certification="Quality", read=reading(standard=value("ISO 9001")))
    assert documents_of(claims([Certification(name="ISO 9001")], [stray]), 0) == [stray]


def test_apply_readings_fills_only_empty_fields_with_confidence() -> None:
    listed = Certification(name="ISO 9001", standard="ISO 9001", number="N/A", valid_until=date(2027, 3, 17))
    doc = claims([listed], [document("https://x/a.pdf", certification="ISO 9001", read=FULL)])
    before = doc.model_dump()
    filled = apply_readings(doc)
    assert doc.model_dump() == before  # the input is never touched
    cert = filled.certifications[0]
    assert cert.number == "12 100 45678 TMS"  # "N/A" is no number
    assert cert.issuer == "TÜV SÜD Management Service GmbH"
    assert cert.accreditation_body == "DAkkS"  # the IAF MLA mark beside it is not an accreditation body
    assert cert.edition == "2015"
    assert cert.scope == "Weaving of cotton fabrics"
    assert cert.valid_from == date(2024, 3, 18)  # the current issue, not the first
    assert cert.valid_until == date(2027, 3, 17)  # listed: kept
    assert cert.from_document == {
        "number": 0.95,
        "issuer": 0.95,
        "accreditation_body": 0.95,
        "edition": 0.95,
        "scope": 0.95,
        "valid_from": 0.95,
    }
    assert apply_readings(filled) == filled  # idempotent
    assert apply_readings(apply_readings(doc)).to_json_dict() == filled.to_json_dict()


def test_listed_values_are_never_overwritten() -> None:
    listed = Certification(
        name="ISO 9001", number="OTHER-1", issuer="SGS", valid_from=date(2020, 1, 1), valid_until=date(2023, 1, 1)
    )
    filled = apply_readings(claims([listed], [document("https://x/a.pdf", read=FULL)]))
    cert = filled.certifications[0]
    assert (cert.number, cert.issuer, cert.valid_from, cert.valid_until) == (
        "OTHER-1",
        "SGS",
        date(2020, 1, 1),
        date(2023, 1, 1),
    )
    assert set(cert.from_document) == {"accreditation_body", "edition", "scope"}


def test_low_confidence_and_unreadable_readings_fill_nothing() -> None:
    unsure = reading(
        number=value("Q-1", FILL_CONFIDENCE - 0.01),
        issuer=value("SGS", FILL_CONFIDENCE),
        issued=day("2024-01-01", 0.2),
        first_issued=day("2021-01-01", 0.8),
        accreditation=[value("IAF")],
    )
    cert = apply_readings(claims([Certification(name="ISO 9001")], [document("u", "ISO 9001", unsure)]))
    result = cert.certifications[0]
    assert result.number is None and result.issuer == "SGS"
    assert result.valid_from == date(2021, 1, 1)  # the issue date was unsure, the first issue date was not
    assert result.accreditation_body is None  # IAF alone is no accreditation body
    assert result.from_document == {"issuer": FILL_CONFIDENCE, "valid_from": 0.8}

    blank = reading(method="none", number=value("Q-1"))
    nothing = reading(text="Lorem ipsum")  # text, but no certificate field
    for read in (blank, nothing):
        out = apply_readings(claims([Certification(name="ISO 9001")], [document("u", "ISO 9001", read)]))
        assert out.certifications[0].from_document == {} and out.certifications[0].number is None


def test_a_document_for_another_standard_fills_nothing_and_the_best_document_wins() -> None:
    other = reading(standard=value("ISO 14001"), number=value("E-1"), issuer=value("BV"))
    doc = claims([Certification(name="ISO 9001")], [document("u", "ISO 9001", other)])
    assert apply_readings(doc).certifications[0].number is None

    poor = reading(standard=value("ISO 9001"), number=value("POOR-1"))
    doc = claims([Certification(name="ISO 9001")], [document("a", "ISO 9001", poor), document("b", "ISO 9001", FULL)])
    assert apply_readings(doc).certifications[0].number == "12 100 45678 TMS"
    # Untied documents answer a certification by their standard.
    doc = claims([Certification(name="ISO 9001:2015 Certificate")], [document("c", None, FULL)])
    assert apply_readings(doc).certifications[0].number == "12 100 45678 TMS"
