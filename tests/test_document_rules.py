"""Document rules: what a certificate document says against the listing and the supplier (readings built directly;
the reader itself is tested in its own files)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from monitor.demo.certificates import REFERENCE_DAY, MismatchPair
from monitor.registries import LocalRegistry, import_csv
from monitor.verify import Finding, Severity, all_rules, verify
from monitor.verify.rules._names import same_company
from monitor.verify.rules.documents import number_key, scope_overlap
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
from storage import Database, open_database
from tests.certificates_fixture import GeneratedCertificates, generated_mismatch_certificates_fixture  # noqa: F401

TODAY = date(2026, 12, 3)
SUPPLIER = "Ningbo Haoyue Textile Co., Ltd."
DOCUMENT_RULES = {
    "CERT_HOLDER_MISMATCH",
    "CERT_NUMBER_MISMATCH",
    "CERT_DATES_MISMATCH",
    "CERT_STANDARD_MISMATCH",
    "CERT_SCOPE_MISMATCH",
    "CERT_DOCUMENT_EXPIRED",
    "CERT_DOCUMENT_UNREADABLE",
}


def value(text: str, confidence: float = 0.95) -> ReadValue:
    return ReadValue(value=text, confidence=confidence)


def day(text: str, confidence: float = 0.95, printed: str | None = None) -> ReadDate:
    return ReadDate(value=date.fromisoformat(text), confidence=confidence, text=printed or text)


def reading(**changes: object) -> DocumentReading:
    """A clean reading of the supplier's genuine ISO 9001 certificate, with ``changes``."""
    fields: dict[str, object] = {
        "sha256": "a" * 64,
        "media_type": "image/jpeg",
        "method": "ocr",
        "engine": "rapidocr-onnxruntime 1.4.4",
        "holder": value("NINGBO HAOYUE TEXTILE CO.,LTD"),
        "holder_other_names": [value("宁波昊悦纺织有限公司", 0.9)],
        "standard": value("GB/T 19001-2016 idt ISO 9001:2015"),
        "edition": value("2015"),
        "number": value("12 100 45678 TMS"),
        "scope": value("Weaving and dyeing of cotton fabrics"),
        "issuer": value("TÜV SÜD Management Service GmbH"),
        "accreditation": [value("DAkkS"), value("IAF")],
        "first_issued": day("2018-03-18"),
        "issued": day("2024-03-18", printed="18.03.2024"),
        "valid_until": day("2027-03-17", printed="17.03.2027"),
        "text_confidence": 0.93,
        "text": "CERTIFICATE ...",
    }
    fields.update(changes)
    return DocumentReading(**fields)  # type: ignore[arg-type]


def listed(**changes: object) -> Certification:
    """The ISO 9001 entry as the listing shows it, complete, with ``changes``."""
    fields: dict[str, object] = {
        "name": "ISO9001:2015",
        "standard": "ISO 9001",
        "edition": "2015",
        "number": "12-100-45678-TMS",
        "issuer": "TÜV SÜD",
        "accreditation_body": "DAkkS",
        "scope": "Weaving of cotton fabrics",
        "valid_from": date(2024, 3, 18),
        "valid_until": date(2027, 3, 17),
        "kind": "management_system",
    }
    fields.update(changes)
    return Certification(**fields)  # type: ignore[arg-type]


def page(
    cert: Certification | None,
    read: DocumentReading | None,
    *,
    supplier: str = SUPPLIER,
    tied: bool = True,
    error: str | None = None,
) -> ClaimsDocument:
    certs = [cert] if cert is not None else []
    doc = CertificateDocument(
        url="https://img.example.com/iso9001.jpg",
        kind="image",
        certification=cert.name if cert is not None and tied else None,
        label="ISO 9001 certificate",
        reading=read,
        error=error,
    )
    return ClaimsDocument(
        source=Source(url="https://haoyue.en.alibaba.com/company_profile.html", platform="alibaba", page_type="x"),
        supplier=Supplier(name=supplier, country="CN"),
        certifications=certs,
        documents=[doc],
    )


def judge(claims: ClaimsDocument, **kwargs: object) -> list[Finding]:
    return verify(claims, today=TODAY, **kwargs)  # type: ignore[arg-type]


def codes(findings: list[Finding], at_least: Severity = Severity.INFO) -> list[str]:
    return [f.code for f in findings if f.severity.rank >= at_least.rank]


def only(findings: list[Finding], code: str) -> Finding:
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, [(f.code, f.severity, f.message) for f in findings]
    return found[0]


# --------------------------------------------------------------------------------------------------
# a matching document raises nothing
# --------------------------------------------------------------------------------------------------


def test_the_genuine_certificate_raises_no_document_finding_and_no_high_one() -> None:
    findings = judge(page(listed(), reading()))
    assert not set(codes(findings)) & DOCUMENT_RULES, findings
    assert codes(findings, Severity.HIGH) == []


@pytest.mark.parametrize(
    ("supplier", "holder", "others"),
    [
        (SUPPLIER, "Ningbo Haoyue Textile Company Limited", []),
        (SUPPLIER, "Haoyue Textile (Ningbo) Co., Ltd.", []),
        (SUPPLIER, "NINGBO HAOYUE TEXTlLE CO .,LTD", []),  # OCR: l for I, a space before the dot
        (SUPPLIER, "Ningbo Haoyue Textle Co Ltd", []),  # OCR dropped a letter
        (SUPPLIER, "Zhejiang Ningbo Haoyue Textile Limited", []),
        (SUPPLIER, "宁波昊悦纺织有限公司", ["Ningbo Haoyue Textile Co., Ltd"]),  # Chinese first, English beside it
        ("宁波昊悦纺织有限公司", "浙江宁波昊悦纺织股份有限公司", []),
        ("昊悦纺织有限公司", "宁波昊悦纺织有限公司", []),  # the city prefix
        ("宁波昊悦纺织有限公司 Ningbo Haoyue Textile Co., Ltd.", "Ningbo Haoyue Textile Co Ltd", []),
    ],
)
def test_the_same_holder_in_other_spellings_is_the_supplier(supplier: str, holder: str, others: list[str]) -> None:
    read = reading(holder=value(holder), holder_other_names=[value(o) for o in others])
    findings = judge(page(listed(), read, supplier=supplier))
    assert "CERT_HOLDER_MISMATCH" not in codes(findings)
    assert codes(findings, Severity.HIGH) == []


def test_dates_written_differently_and_a_day_apart_are_the_same() -> None:
    read = reading(
        issued=day("2024-03-18", printed="2024年3月18日"), valid_until=day("2027-03-18", printed="March 18, 2027")
    )
    assert "CERT_DATES_MISMATCH" not in codes(judge(page(listed(), read)))
    # The listing's start date may be the first issue.
    assert "CERT_DATES_MISMATCH" not in codes(judge(page(listed(valid_from=date(2018, 3, 18)), read)))


# --------------------------------------------------------------------------------------------------
# holder
# --------------------------------------------------------------------------------------------------


def test_a_certificate_of_another_company_is_high() -> None:
    read = reading(holder=value("Ningbo Xinglong Garment Co., Ltd."), holder_other_names=[])
    finding = only(judge(page(listed(), read)), "CERT_HOLDER_MISMATCH")
    assert finding.severity is Severity.HIGH and finding.certification == 0
    assert "Ningbo Xinglong Garment Co., Ltd." in finding.evidence and SUPPLIER in finding.evidence
    assert "read from the certificate document 'ISO 9001 certificate' (OCR" in finding.evidence
    assert "confidence 0.95" in finding.evidence


@pytest.mark.parametrize(
    "holder",
    [
        "Ningbo Haoyue Import & Export Co., Ltd.",  # the trader showing its factory's certificate
        "Shenzhen Haoyue Textile Co., Ltd.",  # the same brand in another city
        "Ningbo Haoyue Garment Co., Ltd.",
    ],
)
def test_near_names_of_other_companies_are_not_the_supplier(holder: str) -> None:
    read = reading(holder=value(holder), holder_other_names=[])
    assert only(judge(page(listed(), read)), "CERT_HOLDER_MISMATCH").severity is Severity.HIGH


def test_chinese_names_of_another_company_are_high_too() -> None:
    read = reading(holder=value("宁波鑫隆服饰有限公司"), holder_other_names=[])
    finding = only(judge(page(listed(), read, supplier="宁波昊悦纺织有限公司")), "CERT_HOLDER_MISMATCH")
    assert finding.severity is Severity.HIGH


def test_a_group_company_is_info() -> None:
    read = reading(holder=value("Zhejiang Haoyue Group Co., Ltd."), holder_other_names=[])
    claims = page(listed(), read)
    assert only(judge(claims), "CERT_HOLDER_MISMATCH").severity is Severity.HIGH
    finding = only(judge(claims, affiliates=["ZHEJIANG HAOYUE GROUP CO.,LTD", "Other Co"]), "CERT_HOLDER_MISMATCH")
    assert finding.severity is Severity.INFO
    assert "group company" in finding.message and "ZHEJIANG HAOYUE GROUP CO.,LTD" in finding.evidence


def test_a_holder_read_with_low_confidence_is_never_high() -> None:
    read = reading(holder=value("Nlngb0 Xinlong Garmnt Co", 0.41), holder_other_names=[])
    finding = only(judge(page(listed(), read)), "CERT_HOLDER_MISMATCH")
    assert finding.severity is Severity.LOW and "low confidence" in finding.message


def test_an_english_listing_and_a_chinese_only_holder_are_info() -> None:
    read = reading(holder=value("宁波鑫隆服饰有限公司"), holder_other_names=[])
    finding = only(judge(page(listed(), read)), "CERT_HOLDER_MISMATCH")
    assert finding.severity is Severity.INFO and "cannot be compared" in finding.message


def test_a_document_tied_to_no_certification_is_still_judged_for_its_holder() -> None:
    read = reading(holder=value("Other Factory Ltd"), holder_other_names=[], standard=value("ISO 45001"))
    finding = only(judge(page(listed(), read, tied=False)), "CERT_HOLDER_MISMATCH")
    assert finding.severity is Severity.HIGH and finding.certification is None


def test_a_finding_about_an_untied_document_keeps_its_identity_when_it_is_read_again_differently() -> None:
    """Evidence quotes the reader's confidence, which changes when a reader improves: the finding must not."""
    keys = set()
    for confidence in (0.97, 0.81):
        read = reading(
            holder=value("Other Factory Ltd", confidence), holder_other_names=[], standard=value("ISO 45001")
        )
        claims = page(listed(), read, tied=False)
        finding = only(judge(claims), "CERT_HOLDER_MISMATCH")
        assert finding.document == 0
        keys.add(finding.identity(claims))
    assert len(keys) == 1


def test_no_supplier_name_no_holder_finding() -> None:
    read = reading(holder=value("Other Factory Ltd"), holder_other_names=[])
    assert "CERT_HOLDER_MISMATCH" not in codes(judge(page(listed(), read, supplier="")))


# --------------------------------------------------------------------------------------------------
# the document contradicts the listing
# --------------------------------------------------------------------------------------------------


def test_number_mismatch() -> None:
    finding = only(judge(page(listed(), reading(number=value("44 100 99999 QMS")))), "CERT_NUMBER_MISMATCH")
    assert finding.severity is Severity.HIGH
    assert "'44 100 99999 QMS'" in finding.evidence and "'12-100-45678-TMS'" in finding.evidence
    # A character or two apart: a misread or an edit.
    near = only(judge(page(listed(), reading(number=value("12 100 45679 TMS")))), "CERT_NUMBER_MISMATCH")
    assert near.severity is Severity.MEDIUM
    unsure = only(judge(page(listed(), reading(number=value("44 100 99999 QMS", 0.45)))), "CERT_NUMBER_MISMATCH")
    assert unsure.severity is Severity.LOW


@pytest.mark.parametrize("read", ["12100 45678 TMS", "I2-1OO-45678-tms", "No12 100 45678 TMS", "12/100/45678/TMS"])
def test_numbers_written_differently_are_the_same(read: str) -> None:
    assert "CERT_NUMBER_MISMATCH" not in codes(judge(page(listed(), reading(number=value(read)))))


def test_number_key() -> None:
    assert number_key("Q-2O24/0001") == number_key("q 2024 0001") == "q20240001"
    assert number_key("IL-1") == number_key("11-1")


def test_values_filled_from_the_document_are_not_compared() -> None:
    # The listing has no number: the document's fills it, and is not "contradicted" by a second document.
    cert = listed(number=None)
    claims = page(cert, reading())
    second = CertificateDocument(
        url="https://img.example.com/iso9001-old.jpg",
        kind="image",
        certification=cert.name,
        reading=reading(number=value("12 100 11111 TMS", 0.7), text_confidence=0.5),
    )
    claims = claims.model_copy(update={"documents": [*claims.documents, second]})
    assert "CERT_NUMBER_MISMATCH" not in codes(judge(claims))


def test_expiry_mismatch_listing_longer_is_high_document_longer_is_medium() -> None:
    longer = only(judge(page(listed(valid_until=date(2029, 3, 17)), reading())), "CERT_DATES_MISMATCH")
    assert longer.severity is Severity.HIGH and "2029-03-17" in longer.evidence and "2027-03-17" in longer.evidence
    assert "printed '17.03.2027'" in longer.evidence
    renewed = only(judge(page(listed(valid_until=date(2026, 12, 20)), reading())), "CERT_DATES_MISMATCH")
    assert renewed.severity is Severity.MEDIUM and "renewal" in renewed.message


def test_issue_date_mismatch_is_medium() -> None:
    finding = only(judge(page(listed(valid_from=date(2023, 6, 1)), reading())), "CERT_DATES_MISMATCH")
    assert finding.severity is Severity.MEDIUM and "2023-06-01" in finding.evidence


def test_a_document_for_another_standard() -> None:
    read = reading(standard=value("ISO 14001:2015"), number=value("E-77"), scope=value("Injection moulding"))
    findings = judge(page(listed(number=None), read))
    finding = only(findings, "CERT_STANDARD_MISMATCH")
    assert finding.severity is Severity.HIGH and "ISO 14001" in finding.message
    # One finding for one fact: its number, dates and scope are not compared, nor filled in.
    assert not {"CERT_NUMBER_MISMATCH", "CERT_SCOPE_MISMATCH", "CERT_DATES_MISMATCH"} & set(codes(findings))
    assert "MISSING_CERT_NUMBER" in codes(findings)


def test_another_edition_is_medium() -> None:
    read = reading(standard=value("ISO 9001"), edition=value("2008"), valid_until=day("2018-09-14"))
    finding = only(judge(page(listed(valid_until=None), read)), "CERT_STANDARD_MISMATCH")
    assert finding.severity is Severity.MEDIUM and "ISO 9001:2008" in finding.message


def test_scope_mismatch() -> None:
    read = reading(scope=value("Injection moulding of plastic toys and packaging"))
    finding = only(judge(page(listed(), read)), "CERT_SCOPE_MISMATCH")
    assert finding.severity is Severity.MEDIUM and "plastic toys" in finding.evidence
    # A scope in another language is not compared; a wider scope covering the listed one is fine.
    for scope in ("棉织物的织造和染色", "Weaving, dyeing and finishing of cotton and linen fabrics; garment sewing"):
        assert "CERT_SCOPE_MISMATCH" not in codes(judge(page(listed(), reading(scope=value(scope)))))
    assert scope_overlap("生产棉织物", "棉织物的织造") == pytest.approx(2 / 3)  # 棉织, 织物 of 产棉, 棉织, 织物
    assert scope_overlap("塑料玩具注塑", "棉织物的织造") == 0
    assert scope_overlap("Weaving", "棉织物") is None


# --------------------------------------------------------------------------------------------------
# the document on its own
# --------------------------------------------------------------------------------------------------


def test_an_expired_document_under_a_current_listing() -> None:
    read = reading(issued=day("2021-03-18"), valid_until=day("2024-03-17"))
    findings = judge(page(listed(valid_from=date(2021, 3, 18)), read))
    expired = only(findings, "CERT_DOCUMENT_EXPIRED")
    assert expired.severity is Severity.HIGH and "2024-03-17" in expired.message
    assert "listing: valid until 2027-03-17" in expired.evidence
    assert only(findings, "CERT_DATES_MISMATCH").severity is Severity.HIGH  # and the listing is false
    assert "EXPIRED" not in codes(findings)


def test_an_expired_document_and_no_listed_expiry_is_one_finding() -> None:
    # The document fills the listing's expiry: EXPIRED reports it (saying it was read from the document);
    # CERT_DOCUMENT_EXPIRED stays silent for the same fact.
    read = reading(issued=day("2021-03-18"), valid_until=day("2024-03-17"))
    findings = judge(page(listed(valid_from=None, valid_until=None), read))
    expired = only(findings, "EXPIRED")
    assert "read from the certificate document" in expired.evidence and "valid_until (0.95)" in expired.evidence
    assert "CERT_DOCUMENT_EXPIRED" not in codes(findings)
    # Listing and document both expired: EXPIRED alone.
    findings = judge(page(listed(valid_until=date(2024, 3, 17)), read))
    assert "EXPIRED" in codes(findings) and "CERT_DOCUMENT_EXPIRED" not in codes(findings)


def test_an_expired_document_beside_the_current_one_is_low() -> None:
    claims = page(listed(), reading())
    old = CertificateDocument(
        url="https://img.example.com/old.jpg",
        kind="image",
        certification=claims.certifications[0].name,
        reading=reading(issued=day("2018-03-18"), valid_until=day("2021-03-17")),
    )
    claims = claims.model_copy(update={"documents": [*claims.documents, old]})
    assert only(judge(claims), "CERT_DOCUMENT_EXPIRED").severity is Severity.LOW


@pytest.mark.parametrize(
    ("read", "error"),
    [
        (reading(method="none", holder=None, number=None, text=""), None),
        (
            DocumentReading(
                sha256="b" * 64, media_type="image/png", method="ocr", text="~~ ::: ~~", text_confidence=0.2
            ),
            None,
        ),
        (None, "unreadable: truncated JPEG"),
    ],
)
def test_an_unreadable_document_is_info_only(read: DocumentReading | None, error: str | None) -> None:
    findings = judge(page(listed(), read, error=error))
    finding = only(findings, "CERT_DOCUMENT_UNREADABLE")
    assert finding.severity is Severity.INFO and finding.certification == 0
    assert codes(findings, Severity.LOW) == []  # the complete listing is otherwise fine


def test_a_document_that_could_not_be_fetched_is_not_unreadable() -> None:
    assert "CERT_DOCUMENT_UNREADABLE" not in codes(judge(page(listed(), None, error="http_error: HTTP 404")))


# --------------------------------------------------------------------------------------------------
# the listing rules on what the document says
# --------------------------------------------------------------------------------------------------


def test_iso_as_issuer_on_the_document() -> None:
    read = reading(issuer=value("International Organization for Standardization"))
    finding = only(judge(page(listed(), read)), "ISO_AS_CERTIFIER")
    assert finding.severity is Severity.HIGH and "read from the certificate document" in finding.evidence
    # Filled into an empty issuer: still one finding.
    findings = judge(page(listed(issuer=None), read))
    assert "read from the certificate document" in only(findings, "ISO_AS_CERTIFIER").evidence


def test_iaf_alone_on_the_document() -> None:
    findings = judge(page(listed(accreditation_body=None), reading(accreditation=[value("IAF")])))
    finding = only(findings, "IAF_AS_ACCREDITOR")
    assert finding.severity is Severity.HIGH and "no accreditation body's mark" in finding.message
    assert "IAF_AS_ACCREDITOR" not in codes(judge(page(listed(), reading(accreditation=[value("IAF"), value("CNAS")]))))
    unsure = judge(page(listed(), reading(accreditation=[value("IAF", 0.55)])))
    assert only(unsure, "IAF_AS_ACCREDITOR").severity is Severity.LOW


def test_withdrawn_edition_on_the_document() -> None:
    read = reading(standard=value("ISO 9001:2008"), edition=value("2008"), valid_until=day("2019-12-01"))
    # The listing names no edition: the document's fills it, and WITHDRAWN_EDITION fires once, saying so.
    findings = judge(page(listed(name="ISO 9001", edition=None, valid_until=None), read))
    finding = only(findings, "WITHDRAWN_EDITION")
    assert "read from the certificate document" in finding.evidence
    # The listing claims 2015, the document is 2008: the document's own finding, beside the edition mismatch.
    findings = judge(page(listed(valid_until=None), read))
    assert "ISO 9001:2008" in only(findings, "WITHDRAWN_EDITION").message
    assert "read from the certificate document" in only(findings, "WITHDRAWN_EDITION").evidence
    assert "CERT_STANDARD_MISMATCH" in codes(findings)
    # Expired before the edition was withdrawn: left to the expiry rules.
    old = reading(standard=value("ISO 9001:2008"), edition=value("2008"), valid_until=day("2017-01-01"))
    assert "WITHDRAWN_EDITION" not in codes(judge(page(listed(valid_until=None), old)))


# --------------------------------------------------------------------------------------------------
# filling: MISSING_* fall away, registries are asked with the number read
# --------------------------------------------------------------------------------------------------


def test_the_document_answers_the_missing_findings() -> None:
    bare = Certification(name="ISO 9001", standard="ISO 9001", kind="management_system")
    without = codes(judge(page(bare, None)))
    assert {"MISSING_CERT_NUMBER", "MISSING_ISSUER", "MISSING_VALIDITY", "MISSING_ACCREDITATION"} <= set(without)
    with_document = judge(page(bare, reading()))
    assert not {"MISSING_CERT_NUMBER", "MISSING_ISSUER", "MISSING_VALIDITY", "MISSING_ACCREDITATION"} & set(
        codes(with_document)
    )
    assert codes(with_document, Severity.MEDIUM) == []
    # A number read with low confidence does not answer it.
    unsure = judge(page(bare, reading(number=value("12 100 45678 TMS", 0.3))))
    assert "MISSING_CERT_NUMBER" in codes(unsure)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    try:
        yield database
    finally:
        database.dispose()


def test_the_registry_is_asked_with_the_number_read(db: Database, tmp_path: Path) -> None:
    csv = tmp_path / "registry.csv"
    csv.write_text(
        "number,holder,standard,edition,certification_body,status,valid_from,valid_until\n"
        "Q-2024/0001,Cixi Other Factory Co Ltd,ISO 9001,2015,TÜV SÜD,active,2024-03-18,2027-03-17\n",
        encoding="utf-8",
    )
    import_csv(db, csv)
    registries = [LocalRegistry(db)]
    bare = Certification(name="ISO 9001", standard="ISO 9001", kind="management_system")
    # Without the document: asked by the supplier's name, which the registry does not know.
    assert "REGISTRY_NOT_FOUND" in codes(judge(page(bare, None), registries=registries))
    # With it: asked with the number read, which belongs to another company.
    read = reading(number=value("Q-2024/0001"))
    findings = judge(page(bare, read), registries=registries)
    mismatch = only(findings, "REGISTRY_MISMATCH")
    assert "number Q-2024/0001" in mismatch.evidence and "Cixi Other Factory" in mismatch.message
    assert "REGISTRY_NOT_FOUND" not in codes(findings)


# --------------------------------------------------------------------------------------------------
# the catalogue
# --------------------------------------------------------------------------------------------------


def test_rules_are_registered_with_plain_explanations_and_sources() -> None:
    rules = all_rules()
    assert set(rules) >= DOCUMENT_RULES
    assert rules["CERT_DOCUMENT_UNREADABLE"].severity is Severity.INFO
    for code in DOCUMENT_RULES:
        assert rules[code].explanation.count(" ") > 20 and "ask" in rules[code].explanation.casefold()
        assert rules[code].source
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(root)}
    env.pop("SUPPLIER_MONITOR_DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-m", "monitor", "rules", "--json"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    listed_codes = [r["code"] for r in json.loads(out.stdout)]
    assert set(listed_codes) >= DOCUMENT_RULES
    assert len(listed_codes) == len(set(listed_codes))  # extended rules stay one entry


def test_same_company_is_none_across_scripts() -> None:
    assert same_company("Ningbo Haoyue Textile Co., Ltd.", "宁波昊悦纺织有限公司") is None
    assert same_company("宁波昊悦纺织有限公司", "深圳昊悦纺织有限公司") is False


# --------------------------------------------------------------------------------------------------
# end to end: generated certificates read by the real reader
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def read_pairs(
    generated_mismatch_certificates: GeneratedCertificates,
) -> dict[str, tuple[MismatchPair, DocumentReading]]:
    """Three generated certificates read once by the real reader (OCR costs seconds each on a busy machine)."""
    from scrapers.documents import read_document

    read = {}
    for pair in generated_mismatch_certificates.pairs:
        if pair.kind in ("match", "holder", "expired"):
            data = generated_mismatch_certificates.path(pair.case).read_bytes()
            read[pair.kind] = (pair, read_document(data))
    return read


def listing_page(pair: MismatchPair, read: DocumentReading, **changes: object) -> ClaimsDocument:
    """The supplier's page for ``pair``'s listing, its certificate document tied to the claim."""
    listing = pair.listing
    fields: dict[str, object] = {
        "name": listing.certification,
        "number": listing.number,
        "issuer": listing.issuer,
        "scope": listing.scope,
        "valid_from": listing.valid_from,
        "valid_until": listing.valid_until,
        "kind": "management_system",
    }
    fields.update(changes)
    return page(Certification(**fields), read, supplier=listing.supplier_name)  # type: ignore[arg-type]


def test_real_reading_of_the_genuine_certificate_raises_nothing_high(read_pairs: dict) -> None:
    pair, read = read_pairs["match"]
    findings = verify(listing_page(pair, read), today=REFERENCE_DAY)
    assert codes(findings, Severity.HIGH) == [], findings
    assert not set(codes(findings, Severity.LOW)) & DOCUMENT_RULES, findings
    # A marketplace listing with the name alone: the document answers number, issuer and dates.
    bare = verify(
        listing_page(pair, read, number=None, issuer=None, valid_from=None, valid_until=None), today=REFERENCE_DAY
    )
    assert not {"MISSING_CERT_NUMBER", "MISSING_ISSUER", "MISSING_VALIDITY"} & set(codes(bare))
    assert codes(bare, Severity.HIGH) == [], bare


def test_real_reading_of_a_borrowed_certificate(read_pairs: dict) -> None:
    pair, read = read_pairs["holder"]
    finding = only(verify(listing_page(pair, read), today=REFERENCE_DAY), "CERT_HOLDER_MISMATCH")
    assert finding.severity is Severity.HIGH and "Jiahe" in finding.message and "Haoyu" in finding.evidence


def test_real_reading_of_an_expired_certificate(read_pairs: dict) -> None:
    pair, read = read_pairs["expired"]
    assert pair.case.valid_until is not None and pair.case.valid_until < REFERENCE_DAY
    # Listed as current: the document's own dates say otherwise.
    current = listing_page(pair, read, valid_until=REFERENCE_DAY.replace(year=REFERENCE_DAY.year + 2))
    findings = verify(current, today=REFERENCE_DAY)
    assert only(findings, "CERT_DOCUMENT_EXPIRED").severity is Severity.HIGH
    assert "CERT_HOLDER_MISMATCH" not in codes(findings)  # 杭州美厨… beside its English name: the supplier
    # Listed without dates: the document's expiry fills the claim and EXPIRED says so, once.
    findings = verify(listing_page(pair, read, valid_from=None, valid_until=None), today=REFERENCE_DAY)
    assert "read from the certificate document" in only(findings, "EXPIRED").evidence
    assert "CERT_DOCUMENT_EXPIRED" not in codes(findings)
