"""Certification-claim rules: for every code a case that fires and a near miss that must not."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.verify import RegistryLookup, Severity, VerifySettings, all_rules, verify
from monitor.verify.bodies_data import (
    BodyListError,
    accreditation_bodies,
    certification_bodies,
    load_certification_bodies,
    resolve_accreditation_body,
    resolve_certification_body,
    withdrawn_editions,
)
from monitor.verify.findings import Finding
from monitor.verify.rules._text import prepare
from monitor.verify.rules.registry import company_key
from scrapers.claims import Badge, Certification, ClaimsDocument, Source, Statement, Supplier

TODAY = date(2026, 11, 26)


def clean_cert(**changes: Any) -> Certification:
    """A clean, complete, current, accredited certificate; ``changes`` spoil one thing at a time."""
    fields: dict[str, Any] = {
        "name": "ISO 9001:2015",
        "standard": "ISO 9001",
        "edition": "2015",
        "number": "CN25/1234",
        "issuer": "SGS",
        "accreditation_body": "UKAS",
        "scope": "Design and manufacture of two-way radios",
        "valid_from": date(2025, 1, 10),
        "valid_until": date(2028, 1, 9),
        "platform_verified": True,
        "kind": "management_system",
    }
    fields.update(changes)
    return Certification(**fields)


def doc(
    certs: list[Certification] | None = None,
    statements: list[str] | None = None,
    badges: list[Badge] | None = None,
    supplier: str = "Foo Electronics Co., Ltd.",
) -> ClaimsDocument:
    return ClaimsDocument(
        source=Source(url="https://foo.en.alibaba.com/company_profile.html", platform="alibaba", page_type="profile"),
        supplier=Supplier(name=supplier),
        certifications=certs or [],
        statements=[Statement(text=t, location="company_overview") for t in statements or []],
        badges=badges or [],
    )


def run(claims: ClaimsDocument, **kwargs: Any) -> list[Finding]:
    return verify(claims, today=kwargs.pop("today", TODAY), **kwargs)


def codes(claims: ClaimsDocument, **kwargs: Any) -> set[str]:
    return {f.code for f in run(claims, **kwargs)}


# --------------------------------------------------------------------------------------------------
# the clean certificate
# --------------------------------------------------------------------------------------------------


def test_clean_certificate_gives_nothing_above_info() -> None:
    claims = doc([clean_cert()], ["ISO 9001:2015 certified by SGS, accredited by UKAS, cert no. CN25/1234"])
    above_info = [f for f in run(claims) if f.severity is not Severity.INFO]
    assert above_info == []


def test_every_rule_has_explanation_and_source() -> None:
    for code, r in all_rules().items():
        assert r.explanation and len(r.explanation) > 60, code
        assert r.source and r.title, code
        assert code.isupper()


# --------------------------------------------------------------------------------------------------
# statements: (code, fires, near miss)
# --------------------------------------------------------------------------------------------------

STATEMENT_CASES = [
    ("ISO_AS_CERTIFIER", "Our factory is certified by ISO.", "Our factory is ISO 9001:2015 certified by SGS."),
    ("ISO_AS_CERTIFIER", "ISO approved manufacturer since 2005.", "ISO 9001:2015 approved by BSI since 2005."),
    ("ISO_AS_CERTIFIER", "我们的质量体系由ISO认证", "我们通过了ISO9001:2015认证，证书由SGS颁发"),
    ("ISO_AS_CERTIFIER", "持有ISO颁发的证书", "持有SGS颁发的ISO9001证书"),
    ("ISO_AS_CERTIFIER", "本公司经国际标准化组织认证", "本公司通过国际标准化组织ISO9001:2015标准认证，证书由SGS颁发"),
    ("ISO_AS_CERTIFIER", "获得国际标准化组织颁发的证书", "获得SGS颁发的ISO 9001:2015证书"),
    ("VAGUE_ISO_CLAIM", "We are an ISO certified company.", "We are an ISO 9001:2015 certified company."),
    ("VAGUE_ISO_CLAIM", "公司通过ISO认证", "公司通过ISO9001:2015认证"),
    ("VAGUE_ISO_CLAIM", "We have ISO certification.", "We have ISO/IEC 27001:2022 certification."),
    ("FAMILY_NOT_CERTIFIABLE", "ISO 9000 certified factory.", "ISO 9001:2015 certified factory."),
    ("FAMILY_NOT_CERTIFIABLE", "We hold an ISO 14000 certificate.", "We hold an ISO 14001:2015 certificate."),
    ("PRODUCT_CLAIM_FROM_SYSTEM_CERT", "We sell ISO 9001 certified products.", "Our plant is ISO 9001:2015 certified."),
    (
        "PRODUCT_CLAIM_FROM_SYSTEM_CERT",
        "Product quality guaranteed by ISO 9001:2015.",
        "The management system governing the manufacture of this product is ISO 9001:2015 certified.",
    ),
    ("PRODUCT_CLAIM_FROM_SYSTEM_CERT", "本产品通过ISO9001认证", "公司质量管理体系通过ISO9001认证"),
    (
        "PRODUCT_CLAIM_FROM_SYSTEM_CERT",
        "All our products are ISO9001:2015 certified.",
        "All our products are CE certified.",
    ),
    ("IAF_AS_ACCREDITOR", "Our certificate is accredited by IAF.", "Accredited by UKAS, an IAF MLA signatory."),
    ("IAF_AS_ACCREDITOR", "IAF certified factory, ISO 9001:2015.", "ISO 9001:2015, UKAS accredited (IAF member)."),
    ("IAF_AS_ACCREDITOR", "证书由IAF认可", "证书由CNAS认可"),
    ("NO_EDITION", "We are ISO 9001 certified.", "We are ISO 9001:2015 certified."),
    ("NOT_A_CERTIFICATION", "We are BSCI certified.", "Our latest amfori BSCI audit (rating B) was in March."),
    ("NOT_A_CERTIFICATION", "We passed SMETA in 2024.", "We are a Sedex member and share SMETA audit reports."),
    ("NOT_A_CERTIFICATION", "工厂通过BSCI认证", "工厂通过BSCI验厂审核"),
    (
        "FDA_APPROVAL_CLAIM",
        "Our masks are FDA approved.",
        "Our facility is FDA registered, registration no. 3012345678.",
    ),
    ("FDA_APPROVAL_CLAIM", "We have FDA certificate for the gloves.", "Materials comply with FDA 21 CFR 177.2600."),
    ("FDA_APPROVAL_CLAIM", "产品通过美国FDA认证", "产品符合FDA 21 CFR 177.2600要求"),
    (
        "PLATFORM_CHECK_AS_CERTIFICATION",
        "We are an SGS certified supplier.",
        "Our ISO 9001:2015 certificate is from SGS.",
    ),
    (
        "PLATFORM_CHECK_AS_CERTIFICATION",
        "We are a Verified Supplier certified by SGS.",
        "We are a Verified Supplier; our ISO 9001:2015 certificate is from SGS.",
    ),
    (
        "PLATFORM_CHECK_AS_CERTIFICATION",
        "Certified as an Audited Supplier by TUV Rheinland.",
        "Audited Supplier (onsite check by TUV Rheinland), ISO 9001:2015 certified by BSI.",
    ),
    (
        "PLATFORM_CHECK_AS_CERTIFICATION",
        "Certified by Alibaba.com since 2012.",
        "We have sold on Alibaba.com since 2012.",
    ),
    ("ACCREDITED_COMPANY_WORDING", "We are ISO 9001:2015 accredited.", "Our laboratory is ISO/IEC 17025 accredited."),
    ("ISO_LOGO", "ISO logo on every carton, ISO 9001:2015 certified.", "BSI mark on our ISO 9001:2015 certificate."),
    ("FSC_WITHOUT_CODES", "We are FSC certified.", "FSC certified, licence FSC-C123456, certificate SGSHK-COC-012345."),
    ("UL_WITHOUT_FILE_NUMBER", "All cables are UL listed.", "All cables are UL listed, UL file E123456."),
    ("WITHDRAWN_EDITION", "We are OHSAS 18001 certified.", "We are ISO 45001:2018 certified."),
    ("WITHDRAWN_EDITION", "ISO/TS 16949 certified supplier of brake parts.", "IATF 16949:2016 certified brake parts."),
    ("WITHDRAWN_EDITION", "We passed ISO9001:2008 certification.", "We passed ISO9001:2015 certification."),
    ("UNSUPPORTED_TEXT_CLAIM", "We are ISO 14001:2015 certified.", "We have CE certificates for all products."),
]


@pytest.mark.parametrize(("code", "fires", "near_miss"), STATEMENT_CASES)
def test_statement_rule_fires_and_near_miss_does_not(code: str, fires: str, near_miss: str) -> None:
    assert code in codes(doc(statements=[fires])), fires
    assert code not in codes(doc(statements=[near_miss])), near_miss


def test_statement_finding_points_at_the_statement_and_quotes_it() -> None:
    claims = doc(statements=["Founded 1999.", "Our masks are FDA approved."])
    (finding,) = [f for f in run(claims) if f.code == "FDA_APPROVAL_CLAIM"]
    assert finding.statement == 1 and finding.certification is None
    assert "FDA approved" in finding.evidence
    assert "registration" in finding.message and "ask" in finding.message.lower()
    assert "807.39" in finding.rule_source


@pytest.mark.parametrize(
    ("text", "standard", "edition"),
    [
        ("ISO9001 certified", "ISO 9001", None),
        ("ISO-9001:2015 certified", "ISO 9001", "2015"),
        ("ISO 9001-2015 certified", "ISO 9001", "2015"),
        ("ＩＳＯ９００１：２０１５认证", "ISO 9001", "2015"),
        ("通过ISO14001:2015环境管理体系认证", "ISO 14001", "2015"),
        ("ISO/IEC 27001:2022 certified", "ISO/IEC 27001", "2022"),
        ("IATF16949 certified", "IATF 16949", None),
    ],
)
def test_normalised_variants_are_read_as_standards(text: str, standard: str, edition: str | None) -> None:
    (mention,) = prepare(text).mentions
    assert (mention.standard, mention.edition) == (standard, edition)


@pytest.mark.parametrize("text", ["ISO-9001:2015 certified products", "ISO 9001-2015 certified goods"])
def test_product_claim_on_normalised_variants(text: str) -> None:
    assert "PRODUCT_CLAIM_FROM_SYSTEM_CERT" in codes(doc(statements=[text]))


def test_vague_claim_not_doubled_by_iso_as_certifier() -> None:
    found = codes(doc(statements=["由ISO认证"]))
    assert "ISO_AS_CERTIFIER" in found and "VAGUE_ISO_CLAIM" not in found


def test_platform_wording_echoing_a_badge() -> None:
    badges = [Badge(name="Verified Supplier", issuer="TÜV Rheinland", detail="assessed by TÜV Rheinland")]
    assert "PLATFORM_CHECK_AS_CERTIFICATION" in codes(
        doc(statements=["Our company is certified by TUV."], badges=badges)
    )
    # the same words with a real standard are an ordinary certificate claim
    near = doc(statements=["ISO 9001:2015 certified by TÜV Rheinland."], badges=badges)
    assert "PLATFORM_CHECK_AS_CERTIFICATION" not in codes(near)
    # without an assessment badge the sentence is not about a marketplace check
    assert "PLATFORM_CHECK_AS_CERTIFICATION" not in codes(doc(statements=["Our company is certified by TUV."]))


def test_unsupported_text_claim_respects_listed_certificates() -> None:
    listed = doc([clean_cert()], ["We are ISO 9001 certified and ISO 14001:2015 certified."])
    findings = [f for f in run(listed) if f.code == "UNSUPPORTED_TEXT_CLAIM"]
    assert len(findings) == 1 and "ISO 14001" in findings[0].message
    gbt = doc([clean_cert(name="GB/T 19001-2016", standard="GB/T 19001", edition="2016")], ["ISO 9001:2015 certified."])
    assert "UNSUPPORTED_TEXT_CLAIM" not in codes(gbt)


def test_no_edition_not_doubled_for_the_same_standard() -> None:
    claims = doc([clean_cert(name="ISO 9001", edition=None)], ["We are ISO 9001 certified.", "ISO 9001 since 2010."])
    found = [f for f in run(claims) if f.code == "NO_EDITION"]
    assert len(found) == 1 and found[0].certification == 0


# --------------------------------------------------------------------------------------------------
# structured certificates: (code, spoiled fields, near-miss fields)
# --------------------------------------------------------------------------------------------------

CERT_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("MISSING_CERT_NUMBER", {"number": None}, {"number": "CN25/1234"}),
    ("MISSING_CERT_NUMBER", {"number": "  "}, {"number": "Q-1"}),
    ("MISSING_ISSUER", {"issuer": None}, {"issuer": "SGS"}),
    ("MISSING_ISSUER", {"issuer": "Other"}, {"issuer": "Bureau Veritas Certification"}),
    ("MISSING_ISSUER", {"issuer": "ISO"}, {"issuer": "ISOQAR"}),
    ("MISSING_ISSUER", {"issuer": "IAF"}, {"issuer": "DNV"}),
    ("MISSING_VALIDITY", {"valid_until": None}, {}),
    ("MISSING_VALIDITY", {"valid_from": None}, {}),
    ("EXPIRED", {"valid_from": date(2023, 11, 1), "valid_until": TODAY - timedelta(days=1)}, {"valid_until": TODAY}),
    ("EXPIRING_SOON", {"valid_until": TODAY + timedelta(days=30)}, {"valid_until": TODAY + timedelta(days=61)}),
    ("IMPLAUSIBLE_VALIDITY", {"valid_from": date(2028, 2, 1)}, {}),
    ("IMPLAUSIBLE_VALIDITY", {"valid_from": date(2026, 12, 1), "valid_until": date(2029, 11, 30)}, {}),
    ("IMPLAUSIBLE_VALIDITY", {"valid_from": date(2024, 1, 1), "valid_until": date(2029, 1, 1)}, {}),
    ("WITHDRAWN_EDITION", {"name": "ISO 9001:2008", "edition": "2008"}, {"name": "ISO 9001:2015"}),
    ("WITHDRAWN_EDITION", {"name": "OHSAS 18001", "standard": "OHSAS 18001", "edition": None}, {}),
    (
        "WITHDRAWN_EDITION",
        {"name": "ISO/IEC 27001:2013", "standard": "ISO/IEC 27001", "edition": "2013"},
        {"name": "ISO/IEC 27001:2022", "standard": "ISO/IEC 27001", "edition": "2022"},
    ),
    ("WITHDRAWN_EDITION", {"name": "ISO 14001:1996", "standard": "ISO 14001", "edition": "1996"}, {}),
    (
        "EXPIRY_AFTER_TRANSITION",
        {"name": "ISO 9001:2008", "edition": "2008", "valid_from": date(2016, 1, 1), "valid_until": date(2019, 1, 1)},
        {"name": "ISO 9001:2008", "edition": "2008", "valid_from": date(2016, 1, 1), "valid_until": date(2018, 9, 15)},
    ),
    ("UNKNOWN_CERTIFICATION_BODY", {"issuer": "Beijing Global Star Certification Co., Ltd."}, {}),
    ("UNKNOWN_CERTIFICATION_BODY", {"issuer": "CNAS"}, {"issuer": "TÜV Rheinland (China) Ltd."}),
    ("UNACCREDITED_BODY", {"accreditation_body": "NACI"}, {"accreditation_body": "GAB"}),
    ("UNACCREDITED_BODY", {"accreditation_body": "National Accreditation Center of Iran"}, {"accreditation_body": "X"}),
    ("ACCREDITATION_NOT_CONFIRMED", {"accreditation_body": "Global Star Accreditation Board"}, {}),
    ("MISSING_ACCREDITATION", {"accreditation_body": None}, {"accreditation_body": "CNAS"}),
    ("MISSING_ACCREDITATION", {"accreditation_body": "N/A"}, {"accreditation_body": "DAkkS"}),
    ("NO_EDITION", {"name": "ISO 9001", "edition": None}, {"name": "FSSC 22000", "standard": "FSSC 22000"}),
    ("ISO_AS_CERTIFIER", {"issuer": "ISO"}, {"issuer": "SGS"}),
    ("IAF_AS_ACCREDITOR", {"accreditation_body": "IAF"}, {"accreditation_body": "UKAS"}),
    ("IAF_AS_ACCREDITOR", {"accreditation_body": "International Accreditation Forum"}, {}),
    ("VAGUE_ISO_CLAIM", {"name": "ISO", "standard": None, "edition": None}, {}),
    ("FAMILY_NOT_CERTIFIABLE", {"name": "ISO 9000", "standard": "ISO 9000", "edition": None}, {}),
    ("PRODUCT_CLAIM_FROM_SYSTEM_CERT", {"kind": "product"}, {"kind": "management_system"}),
    ("PRODUCT_CLAIM_FROM_SYSTEM_CERT", {"name": "ISO 9001:2015 product certificate"}, {}),
    ("NOT_A_CERTIFICATION", {"name": "BSCI", "standard": "BSCI", "kind": "audit"}, {"name": "BSCI audit report"}),
    (
        "FDA_APPROVAL_CLAIM",
        {"name": "FDA Certificate", "standard": "FDA", "kind": "product"},
        {"name": "FDA Registration"},
    ),
    ("PLATFORM_CHECK_AS_CERTIFICATION", {"name": "Verified Supplier", "standard": None}, {}),
    ("UNVERIFIED_BY_PLATFORM", {"platform_verified": False}, {"platform_verified": None}),
    ("IATF_WITHOUT_USI", {"name": "IATF 16949:2016", "standard": "IATF 16949", "edition": "2016", "number": "A1"}, {}),
    ("FSC_WITHOUT_CODES", {"name": "FSC", "standard": "FSC", "kind": "product", "number": "123"}, {}),
    ("UL_WITHOUT_FILE_NUMBER", {"name": "UL", "standard": "UL", "kind": "product", "number": "123"}, {}),
]
# Near misses named like the spoiled case need the rest of the spoiled fields back for a fair comparison.
NEAR_BASE = {
    "FDA_APPROVAL_CLAIM": {"standard": "FDA", "kind": "product"},
    "NOT_A_CERTIFICATION": {"standard": "BSCI", "kind": "audit"},
    "IATF_WITHOUT_USI": {
        "name": "IATF 16949:2016",
        "standard": "IATF 16949",
        "edition": "2016",
        "number": "IATF 0312345",
    },
    "FSC_WITHOUT_CODES": {"name": "FSC", "standard": "FSC", "kind": "product", "number": "FSC-C123456"},
    "UL_WITHOUT_FILE_NUMBER": {"name": "UL", "standard": "UL", "kind": "product", "number": "E123456"},
}


@pytest.mark.parametrize(("code", "spoiled", "near"), CERT_CASES)
def test_certificate_rule_fires_and_near_miss_does_not(code: str, spoiled: dict, near: dict) -> None:
    fired = [f for f in run(doc([clean_cert(**spoiled)])) if f.code == code]
    assert fired and fired[0].certification == 0, spoiled
    assert fired[0].message and fired[0].evidence and fired[0].rule_source
    assert code not in codes(doc([clean_cert(**{**NEAR_BASE.get(code, {}), **near})])), near


def test_withdrawn_iso_9001_2015_only_when_settings_say_so() -> None:
    claims = doc([clean_cert()])
    assert "WITHDRAWN_EDITION" not in codes(claims)
    past = VerifySettings(iso9001_2015_transition_end=date(2026, 9, 30))
    assert "WITHDRAWN_EDITION" in codes(claims, settings=past)
    future = VerifySettings(iso9001_2015_transition_end=date(2029, 9, 30))
    assert "WITHDRAWN_EDITION" not in codes(claims, settings=future)


def test_withdrawn_edition_leaves_certificates_that_expired_earlier_to_expired() -> None:
    old = clean_cert(name="ISO 9001:2008", edition="2008", valid_from=date(2014, 1, 1), valid_until=date(2016, 12, 31))
    found = codes(doc([old]))
    assert "EXPIRED" in found and "WITHDRAWN_EDITION" not in found


def test_expiring_soon_days_setting() -> None:
    claims = doc([clean_cert(valid_until=TODAY + timedelta(days=80))])
    assert "EXPIRING_SOON" not in codes(claims)
    assert "EXPIRING_SOON" in codes(claims, settings=VerifySettings(expiring_soon_days=90))


def test_unverified_accreditation_status_is_not_unaccredited() -> None:
    findings = run(doc([clean_cert(accreditation_body="GAB")]))
    assert "UNACCREDITED_BODY" not in {f.code for f in findings}
    (note,) = [f for f in findings if f.code == "ACCREDITATION_NOT_CONFIRMED"]
    assert note.severity is Severity.INFO


def test_missing_accreditation_is_a_question() -> None:
    (finding,) = [f for f in run(doc([clean_cert(accreditation_body=None)])) if f.code == "MISSING_ACCREDITATION"]
    assert finding.severity is Severity.LOW
    assert "Ask" in finding.message and "fake" not in finding.message.lower()


@pytest.mark.parametrize(
    ("number", "issuer", "expected"),
    [
        (None, None, set()),  # CE is the manufacturer's own declaration: no number or issuer demanded
        ("", "Other", set()),
    ],
)
def test_ce_self_declaration_is_not_asked_for_a_certificate(
    number: str | None, issuer: str | None, expected: set
) -> None:
    ce = Certification(name="CE", standard="CE", kind="product", number=number, issuer=issuer)
    assert codes(doc([ce])) & {"MISSING_CERT_NUMBER", "MISSING_ISSUER", "MISSING_VALIDITY"} == expected


def test_other_product_certificates_get_low_severity_completeness() -> None:
    fcc = Certification(name="FCC", standard="FCC", kind="product", number=None, issuer="Other")
    found = {f.code: f.severity for f in run(doc([fcc]))}
    assert found["MISSING_CERT_NUMBER"] is Severity.LOW
    assert found["MISSING_ISSUER"] is Severity.LOW
    assert "MISSING_VALIDITY" not in found


def test_expired_honours_are_low() -> None:
    award = Certification(name="Top Ten Brand", kind="other", valid_until=date(2011, 5, 18))
    (finding,) = [f for f in run(doc([award])) if f.code == "EXPIRED"]
    assert finding.severity is Severity.LOW


# --------------------------------------------------------------------------------------------------
# bodies data
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("issuer", "body"),
    [
        ("TUV Rheinland", "TÜV Rheinland"),
        ("TÜV Rheinland (China) Ltd.", "TÜV Rheinland"),
        ("tuv-rheinland", "TÜV Rheinland"),
        ("TÜV SÜD Management Service GmbH", "TÜV SÜD"),
        ("SGS-CSTC Standards Technical Services Co., Ltd.", "SGS"),
        ("sgs united kingdom ltd", "SGS"),
        ("Bureau Veritas Certification (Beijing)", "Bureau Veritas"),
        ("BV Certification", "Bureau Veritas"),
        ("Lloyd's Register Quality Assurance", "LRQA"),
        ("DNV GL Business Assurance", "DNV"),
        ("Kiwa Nederland BV", None),  # Dutch company suffix, not Bureau Veritas
        ("Beijing Hangxie Certification Center", None),
        ("TUV", None),  # which TÜV?
    ],
)
def test_certification_body_aliases(issuer: str, body: str | None) -> None:
    resolved = resolve_certification_body(issuer)
    assert (resolved.name if resolved else None) == body


@pytest.mark.parametrize(
    ("name", "acronym"),
    [
        ("UKAS", "UKAS"),
        ("United Kingdom Accreditation Service", "UKAS"),
        ("CNAS C123-M", "CNAS"),
        ("中国合格评定国家认可委员会", "CNAS"),
        ("Deutsche Akkreditierungsstelle GmbH", "DAkkS"),
        ("JAS-ANZ", "JAS-ANZ"),
        ("n/a", None),
        ("Sa", None),
    ],
)
def test_accreditation_body_resolution(name: str, acronym: str | None) -> None:
    resolved = resolve_accreditation_body(name)
    assert (resolved.acronym if resolved else None) == acronym


def test_data_files_are_sourced() -> None:
    assert all(b.source for b in certification_bodies())
    assert all(b.source and b.iaf_mla_status in {"yes", "no", "unverified"} for b in accreditation_bodies())
    rows = [r for entries in withdrawn_editions().values() for r in entries]
    assert rows and all(r.source.startswith("http") for r in rows)
    assert "2015" not in {r.edition for r in withdrawn_editions()["ISO 9001"]}


# --------------------------------------------------------------------------------------------------
# registries
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    number: str | None = "CN25/1234"
    holder: str | None = "FOO ELECTRONICS COMPANY LIMITED"
    standard: str | None = "ISO 9001:2015"
    edition: str | None = None
    certification_body: str | None = "SGS United Kingdom Ltd"
    accreditation_body: str | None = "UKAS"
    status: str | None = "Active"
    valid_from: date | None = date(2025, 1, 10)
    valid_until: date | None = date(2028, 1, 9)
    scope: str | None = None
    source: str = "test registry"


class FakeRegistry:
    name = "test-registry"

    def __init__(self, record: Record | None = None, error: str | None = None) -> None:
        self.record, self.error = record, error

    def lookup(self, certification: Certification, supplier_name: str | None) -> RegistryLookup:
        return RegistryLookup(self.name, record=self.record, error=self.error)


REGISTRY_CASES = [
    ("REGISTRY_NOT_FOUND", FakeRegistry(None), FakeRegistry(Record())),
    ("REGISTRY_MISMATCH", FakeRegistry(Record(holder="Bar Trading Co., Ltd.")), FakeRegistry(Record())),
    ("REGISTRY_MISMATCH", FakeRegistry(Record(number="CN25/9999")), FakeRegistry(Record(number="cn25-1234"))),
    ("REGISTRY_MISMATCH", FakeRegistry(Record(standard="ISO 14001:2015")), FakeRegistry(Record(standard="ISO9001"))),
    ("REGISTRY_MISMATCH", FakeRegistry(Record(certification_body="BSI")), FakeRegistry(Record(certification_body="x"))),
    ("REGISTRY_INACTIVE", FakeRegistry(Record(status="Suspended")), FakeRegistry(Record(status="active"))),
    ("REGISTRY_INACTIVE", FakeRegistry(Record(status="Withdrawn")), FakeRegistry(Record(status="Valid"))),
    ("REGISTRY_INACTIVE", FakeRegistry(Record(status="cancelled")), FakeRegistry(Record(status=None))),
    ("REGISTRY_INACTIVE", FakeRegistry(Record(status=None, valid_until=date(2024, 1, 1))), FakeRegistry(Record())),
    ("REGISTRY_UNAVAILABLE", FakeRegistry(error="429 Too many requests"), FakeRegistry(Record())),
]


@pytest.mark.parametrize(("code", "fires", "near"), REGISTRY_CASES)
def test_registry_rules(code: str, fires: FakeRegistry, near: FakeRegistry) -> None:
    claims = doc([clean_cert()])
    found = {f.code: f for f in run(claims, registries=[fires])}
    assert code in found
    assert code not in codes(claims, registries=[near])


def test_registry_severities_and_errors() -> None:
    claims = doc([clean_cert()])
    by_code = {f.code: f.severity for f in run(claims, registries=[FakeRegistry(Record(status="Suspended"))])}
    assert by_code["REGISTRY_INACTIVE"] is Severity.CRITICAL
    not_found = run(claims, registries=[FakeRegistry(None)])
    assert [f.severity for f in not_found] == [Severity.INFO]
    errored = run(claims, registries=[FakeRegistry(error="timeout")])
    assert all(f.severity is Severity.INFO for f in errored)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Foo Electronics Co., Ltd.", "FOO ELECTRONICS COMPANY LIMITED"),
        (
            "Chongqing Jinou Science&Technology Development Co., Ltd.",
            "Chongqing Jinou Science & Technology Development",
        ),
        ("Müller GmbH", "Muller"),
        ("重庆金欧科技发展有限公司", "重庆金欧科技发展"),
    ],
)
def test_company_names_compare_tolerantly(a: str, b: str) -> None:
    assert company_key(a) == company_key(b)


# --------------------------------------------------------------------------------------------------
# determinism and identity
# --------------------------------------------------------------------------------------------------


def _messy_doc(reverse: bool = False) -> ClaimsDocument:
    certs = [
        clean_cert(),
        clean_cert(name="ISO 14001:2004", standard="ISO 14001", edition="2004", number=None, issuer="Other"),
        Certification(name="CE", standard="CE", kind="product", platform_verified=False, valid_until=date(2020, 1, 1)),
        clean_cert(name="OHSAS 18001", standard="OHSAS 18001", edition=None, accreditation_body=None),
    ]
    return doc(
        list(reversed(certs)) if reverse else certs,
        ["We are ISO certified.", "FDA approved masks.", "ISO 9001 certified products"],
    )


def test_verify_is_deterministic() -> None:
    first = run(_messy_doc())
    assert first == run(_messy_doc())
    assert [f.model_dump() for f in first] == [f.model_dump() for f in run(_messy_doc())]


def test_identity_is_stable_when_certificate_order_changes() -> None:
    forward, backward = _messy_doc(), _messy_doc(reverse=True)
    ids_forward = sorted(f.identity(forward) for f in run(forward))
    ids_backward = sorted(f.identity(backward) for f in run(backward))
    assert ids_forward == ids_backward
    assert len(set(ids_forward)) == len(ids_forward)


# --------------------------------------------------------------------------------------------------
# the operator's own certification bodies ([verify] certification_bodies)
# --------------------------------------------------------------------------------------------------

LOCAL_BODIES = (
    "name,aliases,source\n"
    "China Quality Certification Centre,CQC;中国质量认证中心,CNCA directory entry checked by purchasing 2026-11\n"
    "Beijing Global Star Certification,Global Star,audit visit report 2026-10\n"
)


def test_operator_bodies_are_recognised_beside_the_bundled_list(tmp_path: Path) -> None:
    path = tmp_path / "bodies.csv"
    path.write_text(LOCAL_BODIES, encoding="utf-8")
    settings = VerifySettings(certification_bodies=load_certification_bodies(path))
    for issuer in ("Beijing Global Star Certification Co., Ltd.", "CQC", "中国质量认证中心"):
        claims = doc([clean_cert(issuer=issuer)])
        assert "UNKNOWN_CERTIFICATION_BODY" in codes(claims)  # the bundled list alone does not know it
        assert "UNKNOWN_CERTIFICATION_BODY" not in codes(claims, settings=settings), issuer
    # Bundled bodies still count, and a body on neither list is still reported.
    assert "UNKNOWN_CERTIFICATION_BODY" not in codes(doc([clean_cert(issuer="SGS")]), settings=settings)
    assert "UNKNOWN_CERTIFICATION_BODY" in codes(doc([clean_cert(issuer="Star Cert Ltd")]), settings=settings)


def test_operator_bodies_count_when_comparing_with_a_registry(tmp_path: Path) -> None:
    path = tmp_path / "bodies.csv"
    path.write_text(LOCAL_BODIES, encoding="utf-8")
    settings = VerifySettings(certification_bodies=load_certification_bodies(path))
    claims = doc([clean_cert(issuer="CQC")])
    other = FakeRegistry(Record(certification_body="Beijing Global Star Certification Co., Ltd."))
    same = FakeRegistry(Record(certification_body="China Quality Certification Centre"))
    assert "REGISTRY_MISMATCH" in codes(claims, settings=settings, registries=[other])
    assert "REGISTRY_MISMATCH" not in codes(claims, settings=settings, registries=[same])


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("title,source\nX,y\n", "missing column(s) name"),
        ("name,aliases,source\nStar Cert,,\n", "line 2: 'Star Cert' has no source"),
        ("name,aliases,source\n,,,\n!!!,,because\n", "line 3: the name is empty"),
    ],
)
def test_operator_body_list_errors_name_the_line(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "bodies.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BodyListError, match=re.escape(error)):
        load_certification_bodies(path)
