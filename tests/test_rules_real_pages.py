"""The rules on real captured pages (../shared/pages, read in place): the findings a buyer would expect."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from monitor.verify import Finding, Severity, verify
from scrapers.claims import ClaimsDocument
from scrapers.extract import read_page

PAGES = Path(__file__).resolve().parents[2] / "shared" / "pages"
TODAY = date(2026, 11, 26)

pytestmark = [
    pytest.mark.shared_pages,
    pytest.mark.skipif(not PAGES.is_dir(), reason=f"real captured pages not available at {PAGES}"),
]


def page(name: str) -> str:
    path = PAGES / name
    if not path.is_file():
        pytest.skip(f"real captured page {name} not available")
    return path.read_text(encoding="utf-8", errors="replace")


def read(name: str, url: str = "https://supplier.en.alibaba.com/company_profile.html") -> ClaimsDocument:
    return read_page(page(name), url).claims


def in_script(variable: str, json_file: str) -> str:
    """The sanitized JSON captures as they sit in a real page: ``window.<variable> = {...};``."""
    return (
        '<html><head><link rel="canonical" href="https://x.en.alibaba.com/company_profile.html"></head><body>'
        f"<script>window.{variable} = {page(json_file)};</script></body></html>"
    )


def on_number(findings: list[Finding], claims: ClaimsDocument, number: str) -> set[str]:
    return {
        f.code
        for f in findings
        if f.certification is not None and claims.certifications[f.certification].number == number
    }


def test_module_data_profile_jinou() -> None:
    claims = read("alibaba_company_profile_cpmodules2018_jinou.html")
    findings = verify(claims, today=TODAY)
    # the verified ISO 9001 entry, valid 2017-06-13 ~ 2018-09-15, issuer typed as "Other"
    verified = on_number(findings, claims, "03816Q21441R0S")
    assert {"EXPIRED", "MISSING_ISSUER", "NO_EDITION", "MISSING_ACCREDITATION"} <= verified
    assert "UNVERIFIED_BY_PLATFORM" not in verified
    # the hasPassed=false ISO 9001 entries
    for number in ("03413Q2014ROM", "03816Q21441R05"):
        codes = on_number(findings, claims, number)
        assert {"EXPIRED", "UNVERIFIED_BY_PLATFORM", "UNKNOWN_CERTIFICATION_BODY"} <= codes
    # test reports valid to 2049 are not expired; CE from TÜV Rheinland is not asked for a number or issuer
    assert "EXPIRED" not in on_number(findings, claims, "12627A-JOBLE02")
    assert not {"MISSING_ISSUER", "MISSING_CERT_NUMBER", "UNKNOWN_CERTIFICATION_BODY"} & on_number(
        findings, claims, "AT 50036319 0001"
    )
    # nothing claims ISO as certifier or FDA on this page
    assert not {"ISO_AS_CERTIFIER", "FDA_APPROVAL_CLAIM", "REGISTRY_INACTIVE"} & {f.code for f in findings}


def test_legacy_profile_hdradio() -> None:
    claims = read("alibaba_company_profile_legacy2018_hdradio.html")
    findings = verify(claims, today=TODAY)
    iso = on_number(findings, claims, "10118Q10026ROS")
    assert {"EXPIRED", "UNKNOWN_CERTIFICATION_BODY", "NO_EDITION", "MISSING_ACCREDITATION"} <= iso
    assert "UNVERIFIED_BY_PLATFORM" not in iso  # the page marks it verified
    assert "UNVERIFIED_BY_PLATFORM" in on_number(findings, claims, "B16081820")
    for f in findings:
        cert = claims.certifications[f.certification] if f.certification is not None else None
        if cert is not None and cert.standard in ("CE", "FCC"):
            # open-ended product grants: neither expired nor missing a number
            assert f.code not in {"EXPIRED", "MISSING_CERT_NUMBER", "MISSING_VALIDITY"}, f


def test_legacy_profile_is_not_expired_at_the_time_it_was_captured() -> None:
    claims = read("alibaba_company_profile_legacy2018_hdradio.html")
    assert "EXPIRED" not in {f.code for f in verify(claims, today=date(2018, 6, 1))}


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("alibaba_block_punish_captcha_interception_rendered.html", "https://www.alibaba.com/product-detail/x.html"),
        ("1688_block_login_wall_action_login.html", "https://detail.1688.com/offer/1.html"),
        ("globalsources_block_incapsula_search.html", "https://www.globalsources.com/search"),
    ],
)
def test_block_pages_give_no_findings(name: str, url: str) -> None:
    claims = read(name, url)
    assert claims.status != "ok"
    assert verify(claims, today=TODAY) == []


def test_product_detail_page_without_certificates() -> None:
    claims = read(
        "alibaba_product_detail_YrayPixels_productexample.html", "https://www.alibaba.com/product-detail/x.html"
    )
    assert [f for f in verify(claims, today=TODAY) if f.severity.rank > Severity.INFO.rank] == []


@pytest.mark.parametrize(
    ("variable", "json_file"),
    [
        ("shopBizData", "alibaba_profile_shopBizData_sanitized_vct-connect.json"),
        ("detailData", "alibaba_product_detailData_sanitized_vct-connect.json"),
    ],
)
def test_data_object_captures_verify_deterministically(variable: str, json_file: str) -> None:
    claims = read_page(in_script(variable, json_file), "https://x.en.alibaba.com/company_profile.html").claims
    first = verify(claims, today=TODAY)
    assert first == verify(claims, today=TODAY)
    for f in first:
        assert f.message and f.rule_source


def test_current_profile_product_certificates_are_only_low() -> None:
    """The 2026 shopBizData capture lists test-report categories without numbers: worth a question, no more."""
    html = in_script("shopBizData", "alibaba_profile_shopBizData_sanitized_vct-connect.json")
    claims = read_page(html, "https://x.en.alibaba.com/company_profile.html").claims
    findings = verify(claims, today=TODAY)
    assert findings and max(f.severity.rank for f in findings) <= Severity.LOW.rank
    # RoHS is a manufacturer's declaration: no certificate number demanded
    assert not [f for f in findings if claims.certifications[f.certification].standard == "RoHS"]
