"""The Alibaba parser on real captured pages (../shared/pages): what a buyer would expect to read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scrapers.claims import ClaimsDocument
from scrapers.extract import read_page
from scrapers.platforms.alibaba import AlibabaParser
from scrapers.platforms.base import detect_parser

PAGES = Path(__file__).resolve().parents[2] / "shared" / "pages"

pytestmark = [
    pytest.mark.shared_pages,
    pytest.mark.skipif(not PAGES.is_dir(), reason=f"real captured pages not available at {PAGES}"),
]


def page(name: str) -> str:
    path = PAGES / name
    if not path.is_file():
        pytest.skip(f"real captured page {name} not available")
    return path.read_text(encoding="utf-8")


def in_script(variable: str, json_file: str) -> str:
    """The sanitized JSON captures as they sit in a real page: ``window.<variable> = {...};``."""
    return (
        '<html><head><link rel="canonical" href="https://x.en.alibaba.com/company_profile.html"></head><body>'
        f"<script>var a = 1;\nwindow.{variable} = {page(json_file)};\nwindow.other = {{}};</script>"
        "</body></html>"
    )


def parse(html: str, url: str = "https://supplier.en.alibaba.com/company_profile.html") -> ClaimsDocument:
    return AlibabaParser().parse(html, url)


def by_number(doc: ClaimsDocument, number: str):
    matches = [c for c in doc.certifications if c.number == number]
    assert len(matches) == 1, [c.number for c in doc.certifications]
    return matches[0]


def test_module_data_profile() -> None:
    doc = parse(page("alibaba_company_profile_cpmodules2018_jinou.html"))
    assert doc.source.platform == "alibaba"
    assert doc.source.page_type == "company_profile_modules"
    assert doc.source.fetched_at is None
    assert doc.status == "ok"
    s = doc.supplier
    assert s.name == "Chongqing Jinou Science&Technology Development Co., Ltd."
    assert s.business_type == "Manufacturer, Trading Company"
    assert s.country == "CN"
    assert s.year_established == 2000
    assert s.years_on_platform == 10
    assert s.employees == "11 - 50 People"
    assert "Bluetooth Modules" in s.main_products
    assert s.main_markets[0] == "Domestic Market"

    # the verified ISO 9001 entry expired on 2018-09-15; an unverified one with another number sits beside it
    verified = by_number(doc, "03816Q21441R0S")
    assert (verified.standard, verified.kind, verified.source) == ("ISO 9001", "management_system", "structured")
    assert verified.valid_from == date(2017, 6, 13)
    assert verified.valid_until == date(2018, 9, 15)
    assert verified.platform_verified is True
    assert verified.scope and verified.scope.startswith("Design and production of electronic products")
    unverified = by_number(doc, "03816Q21441R05")
    assert unverified.platform_verified is False
    assert unverified.issuer == "WSF"
    expired = by_number(doc, "03413Q2014ROM")
    assert expired.valid_until == date(2016, 1, 31)
    assert expired.issuer == "BEIJING HANGXIE CERTIFICATION CENTER CO., LET."

    # shopSign and cpCompanyCapability list the same certificates: each appears once
    assert len(doc.certifications) == 3 + 19
    pairs = [(c.name, c.number) for c in doc.certifications]
    assert len(pairs) == len(set(pairs))
    assert len([c for c in doc.certifications if c.standard == "ISO 9001"]) == 3
    ce = by_number(doc, "AT 50036319 0001")
    assert (ce.name, ce.kind, ce.issuer, ce.valid_from, ce.valid_until) == (
        "CE",
        "product",
        "TUV Rheinland",
        date(2003, 12, 19),
        None,
    )

    badges = {b.name: b for b in doc.badges}
    assert badges["Verified Supplier"].issuer == "SGS Group"
    assert "Onsite Check" in badges
    assert badges["Trade Assurance"].detail and "43,000" in badges["Trade Assurance"].detail


def test_legacy_profile() -> None:
    doc = parse(page("alibaba_company_profile_legacy2018_hdradio.html"))
    assert doc.source.page_type == "company_profile_legacy"
    s = doc.supplier
    assert s.name == "Quanzhou Chierda Electronic Telecom Co., Ltd."
    assert s.business_type == "Manufacturer"
    assert s.location == "Fujian, China (Mainland)"
    assert s.employees == "301 - 500 People"
    assert s.annual_revenue == "US$5 Million - US$10 Million"
    assert s.year_established == 2004
    assert s.years_on_platform == 6
    assert "walkie talkie" in s.main_products

    iso = by_number(doc, "10118Q10026ROS")
    assert iso.issuer == "Bei Jing Zhong LianTian Run Certification Center"
    assert (iso.valid_from, iso.valid_until) == (date(2018, 1, 2), date(2021, 1, 1))
    assert iso.platform_verified is True
    assert iso.scope == "two way radio"
    fcc = by_number(doc, "OA8CD-528")
    assert (fcc.kind, fcc.valid_from, fcc.valid_until, fcc.platform_verified) == (
        "product",
        date(2012, 6, 27),
        None,
        True,
    )
    testlab = by_number(doc, "12-113158")
    assert testlab.issuer == "TESTLAB"
    assert testlab.platform_verified is False
    # the widget tables repeat the JSON certificates: merged, not doubled
    assert len(doc.certifications) == 5
    assert len([c for c in doc.certifications if c.name == "CE"]) == 3

    badges = {b.name: b for b in doc.badges}
    assert badges["Gold Supplier"].detail == "6 years"
    assert "Onsite Check" in badges
    assert "84,000" in (badges["Trade Assurance"].detail or "")
    assert "Verified Supplier" not in badges  # companyHasPassAssessment is false on this page
    # the GBK mojibake nbsp does not leak into any text
    dumped = str(doc.to_json_dict())
    assert "\u807d" not in dumped and "\xa0" not in dumped


def test_shop_biz_data_profile() -> None:
    doc = parse(in_script("shopBizData", "alibaba_profile_shopBizData_sanitized_vct-connect.json"))
    assert doc.source.page_type == "company_profile"
    assert doc.supplier.name == "Dongguan Xuan De Le Clothing Co., Ltd."
    assert doc.supplier.employees == "43"
    assert doc.supplier.years_on_platform == 6
    assert "North America" in doc.supplier.main_markets
    names = [c.name for c in doc.certifications]
    assert names == ["RoHS", "GCC", "ISO 1833", "AZO", "RoHS", "CPSIA"]
    rohs = doc.certifications[0]
    assert (rohs.standard, rohs.kind, rohs.platform_verified) == ("RoHS", "product", None)
    assert doc.certifications[2].standard == "ISO 1833"


def test_product_detail_data() -> None:
    doc = parse(
        in_script("detailData", "alibaba_product_detailData_sanitized_vct-connect.json"),
        "https://www.alibaba.com/product-detail/x_1600147809763.html",
    )
    assert doc.source.page_type == "product_detail"
    s = doc.supplier
    assert (s.name, s.business_type, s.country, s.years_on_platform) == (
        "Lanxi Beauty Clothing Firm",
        "Trading Company",
        "CN",
        6,
    )
    # the sanitized capture carries no verification flag: no badge may be invented
    assert doc.badges == []


def test_product_detail_dom() -> None:
    doc = parse(
        page("alibaba_product_detail_YrayPixels_productexample.html"),
        "https://www.alibaba.com/product-detail/x_1600691082191.html",
    )
    assert doc.source.page_type == "product_detail"
    s = doc.supplier
    assert s.name == "Quanzhou Zhenben Network Technology Co., Ltd."
    assert s.business_type == "Trading Company"
    assert s.years_on_platform == 6
    assert s.country == "CN"
    # "Verified purchase" in reviews is not a Verified Supplier badge
    assert all(b.name != "Verified Supplier" for b in doc.badges)


@pytest.mark.parametrize(
    "name",
    [
        "alibaba_company_profile_cpmodules2018_jinou.html",
        "alibaba_company_profile_legacy2018_hdradio.html",
        "alibaba_product_detail_YrayPixels_productexample.html",
    ],
)
def test_real_pages_are_recognised(name: str) -> None:  # their parse time: bench/run.py
    html = page(name)
    assert AlibabaParser.matches_content(html)
    parser = detect_parser("file:///saved.html", html)
    assert isinstance(parser, AlibabaParser)
    doc = parser.parse(html, "u")
    assert doc.has_claims()


@pytest.mark.parametrize(
    "name",
    [
        "madeinchina_product_detail_with_supplier_block.html",
        "globalsources_block_incapsula_search.html",
        "1688_block_login_wall_action_login.html",
    ],
)
def test_other_platforms_are_not_claimed(name: str) -> None:
    html = page(name)
    assert not AlibabaParser.matches_content(html)
    doc = parse(html)
    assert doc.source.page_type == "unknown"
    assert not doc.has_claims()


def test_captcha_page_yields_no_claims() -> None:
    doc = parse(page("alibaba_block_punish_captcha_interception_rendered.html"))
    assert not doc.has_claims()
    assert doc.source.page_type == "unknown"


@pytest.mark.shared_pages
def test_certificate_pictures_are_recorded_as_documents(shared_pages: Path) -> None:
    """The module-data certificates' photos become documents[] tied to their certificate, for the reader."""
    html = (shared_pages / "alibaba_company_profile_cpmodules2018_jinou.html").read_text(encoding="utf-8")
    doc = read_page(html, "https://cqjinou.en.alibaba.com/company_profile.html").claims
    structured = [d for d in doc.documents if d.source == "structured"]
    assert structured, "no certificate photo recorded"
    names = {c.name for c in doc.certifications}
    assert all(d.kind == "image" and d.url.startswith("https://") and d.certification in names for d in structured)
    assert "ISO9001" in {d.certification for d in structured}
