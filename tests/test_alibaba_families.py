"""The four Alibaba families on small synthetic snippets written here, with other values, key orders and
label variants than the real captures: the parsers must follow structure, not the samples."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import quote

import pytest

from scrapers.claims import ClaimsDocument
from scrapers.platforms.alibaba import AlibabaParser
from scrapers.platforms.base import get_parser

URL = "https://acme.en.alibaba.com/company_profile.html"


def parse(html: str, url: str = URL) -> ClaimsDocument:
    return AlibabaParser().parse(html, url)


# --- family 1: window.shopBizData -------------------------------------------------------------------

SHOP_BIZ = {
    "pageModuleMap": [
        {
            "moduleName": "certifications",
            "moduleData": {
                "items": [
                    {
                        "name": "ISO 14001:2015",
                        "category": "MANAGEMENT_SYSTEM",
                        "certId": "EMS-2022-0042",
                        "description": "Manufacture of plastic toys {and} parts",
                        "certificateValidityPeriod": "2022-01-05 ~ 2025-01-04",
                        "photo": "//img/x.jpg",
                    },
                    {"name": "EN71", "category": "PRODUCT", "certId": 12345},
                    {"name": "Social audit", "category": "AUDIT"},
                    None,
                    {"category": "PRODUCT"},
                ]
            },
        },
        {"moduleName": "tradeCapacityMarkets", "moduleData": {"markets": [{"name": "Western Europe"}, "Japan"]}},
        {
            "moduleName": "factoryCapability",
            "moduleData": {
                "cards": [
                    {"items": [{"fieldName": "staff_total_v2", "label": "Total employees", "value": "120"}]},
                    {"items": [{"fieldName": "rd_team_count", "label": "R&D engineers", "value": "9"}]},
                    "not a card",
                ]
            },
        },
        {"moduleName": "supplierPerformance", "moduleData": {"companyName": "Ningbo Toyworks Ltd.", "years": "11 yrs"}},
        {
            "moduleName": "productCategories",
            "moduleData": {"categories": [{"name": "Plastic toys"}, {"name": "Dolls"}]},
        },
    ]
}


def shop_biz_page(data: object, assignment: str = "window.shopBizData = ") -> str:
    return (
        "<html><body><div id='root'></div><script>\nvar s = '}{';\n"
        f'{assignment}{json.dumps(data)};\nwindow.after = {{"x": "}}"}};</script></body></html>'
    )


def test_shop_biz_data_follows_structure() -> None:
    doc = parse(shop_biz_page(SHOP_BIZ))
    assert doc.source.page_type == "company_profile"
    assert doc.supplier.name == "Ningbo Toyworks Ltd."
    assert doc.supplier.years_on_platform == 11
    assert doc.supplier.employees == "120"  # found by label: fieldName is new
    assert doc.supplier.main_products == ["Plastic toys", "Dolls"]
    assert doc.supplier.main_markets == ["Western Europe", "Japan"]
    iso, en71, audit = doc.certifications
    assert (iso.standard, iso.edition, iso.kind) == ("ISO 14001", "2015", "management_system")
    assert (iso.valid_from, iso.valid_until) == (date(2022, 1, 5), date(2025, 1, 4))
    assert (iso.number, en71.number) == ("EMS-2022-0042", None)  # an int certId is an internal key
    assert iso.scope == "Manufacture of plastic toys {and} parts"
    assert (en71.standard, en71.kind) == ("EN 71", "product")
    assert audit.kind == "audit"


@pytest.mark.parametrize(
    "assignment", ["window.shopBizData=", 'window["shopBizData"] = ', "var shopBizData = ", "\nshopBizData = "]
)
def test_shop_biz_data_assignment_variants(assignment: str) -> None:
    assert parse(shop_biz_page(SHOP_BIZ, assignment)).supplier.name == "Ningbo Toyworks Ltd."


@pytest.mark.parametrize(
    "data",
    [
        {"pageModuleMap": "oops"},
        {"pageModuleMap": [None, 3, {"moduleName": "certifications", "moduleData": {"items": "RoHS"}}]},
        {"pageModuleMap": [{"moduleName": "supplierPerformance", "moduleData": {"companyName": ["x"], "years": {}}}]},
        {"pageModuleMap": [{"moduleName": "factoryCapability", "moduleData": {"cards": [{"items": [None, 5]}]}}]},
        [],
    ],
)
def test_shop_biz_data_wrong_types_degrade(data: object) -> None:
    doc = parse(shop_biz_page(data))
    assert doc.certifications == []
    assert doc.supplier.name is None


def test_shop_biz_data_broken_json_degrades() -> None:
    doc = parse('<script>window.shopBizData = {"pageModuleMap": [ {"moduleName": </script>')
    assert doc.source.page_type == "unknown"
    assert not doc.has_claims()


# --- family 2: window.detailData and the product DOM --------------------------------------------------

DETAIL = {
    "nodeMap": {"module_title": {"privateData": {}}},
    "globalData": {
        "certification": [
            {
                "certType": "SYSTEM",
                "certName": "ISO 9001:2015",
                "certNo": "QMS-77-2021",
                "issuingAuthority": "Bureau Veritas Certification",
                "certValidPeriod": "2021.03.01 - 2024.02.28",
                "introduction": "Our factory is ISO 9001:2015 certified by Bureau Veritas. Welcome!",
                "imageList": ["//img/a.jpg"],
            },
            {"certName": "UL", "certNo": "E123456", "certValidPeriod": None},
        ],
        "seller": {
            "employeesCount": "51 - 100 People",
            "companyJoinYears": 9,
            "companyRegisterCountry": "VN",
            "companyBusinessType": "Manufacturer",
            "companyName": "Hanoi Cable Works JSC",
            "companyHasPassAssessment": True,
            "accountIsGoldPlusSupplier": "true",
            "baoAccountAmount": "120,000",
        },
        "product": {"subject": "CE certified power cable 3x1.5mm"},
    },
}


def test_detail_data_follows_structure() -> None:
    html = f"<script>window.detailData={json.dumps(DETAIL)}</script>"
    doc = parse(html, "https://www.alibaba.com/product-detail/cable_1.html")
    assert doc.source.page_type == "product_detail"
    s = doc.supplier
    assert (s.name, s.country, s.years_on_platform, s.employees, s.business_type) == (
        "Hanoi Cable Works JSC",
        "VN",
        9,
        "51 - 100 People",
        "Manufacturer",
    )
    badges = {b.name: b for b in doc.badges}
    assert {"Verified Supplier", "Gold Plus Supplier", "Trade Assurance"} <= set(badges)
    assert "120,000" in (badges["Trade Assurance"].detail or "")
    iso, ul = doc.certifications
    assert (iso.standard, iso.edition, iso.number, iso.issuer) == (
        "ISO 9001",
        "2015",
        "QMS-77-2021",
        "Bureau Veritas Certification",
    )
    assert (iso.valid_from, iso.valid_until) == (date(2021, 3, 1), date(2024, 2, 28))
    assert (ul.kind, ul.valid_until) == ("product", None)
    statements = {(st.text, st.location) for st in doc.statements}
    assert ("Our factory is ISO 9001:2015 certified by Bureau Veritas.", "certification_introduction") in statements
    assert ("CE certified power cable 3x1.5mm", "product_title") in statements


PRODUCT_DOM = """
<main>
 <div data-module-name="module_company"><div class="x1"><span class="company-name">
   <a title="Shenzhen Brightlamp Lighting Co., Ltd." href="#">Shenzhen Brightlamp Lighting Co., Ltd.</a></span>
   <span class="company-life">12 yrs</span><span><span class="register-country">CN </span></span></div></div>
 <div data-module-name="module_description"><p>Hello buyer.</p><p>All our lamps are CE and RoHS certified.</p></div>
 <div data-module-name="module_unifed_company_card"><h3 class="q7">Know your supplier</h3>
   <div class="a9"><a class="b1" href="//shop">Shenzhen Brightlamp Lighting Co., Ltd.</a>
     <div class="zz"><span>Manufacturer, Trading Company</span><div class="dot"></div>
       <span>12 yrs on Alibaba.com</span></div>
     <div class="yy"><img alt=""><span>Located in CN</span></div><span class="v">Verified</span></div>
   <a href="https://x.en.alibaba.com/company_profile.html">Company profile</a></div>
</main>
"""


def test_product_dom_follows_labels_not_classes() -> None:
    doc = parse(PRODUCT_DOM, "https://www.alibaba.com/product-detail/lamp_2.html")
    assert doc.source.page_type == "product_detail"
    s = doc.supplier
    assert s.name == "Shenzhen Brightlamp Lighting Co., Ltd."
    assert s.years_on_platform == 12
    assert s.country == "CN"
    assert s.business_type == "Manufacturer, Trading Company"
    assert [b.name for b in doc.badges] == ["Verified Supplier"]
    assert [st.text for st in doc.statements] == ["All our lamps are CE and RoHS certified."]
    assert doc.statements[0].location == "product_description"


def test_product_dom_card_only() -> None:
    card_only = PRODUCT_DOM.split('<div data-module-name="module_unifed_company_card">')[1]
    doc = parse('<div data-module-name="module_unifed_company_card">' + card_only.replace("12 yrs on", "3 yrs on"))
    assert (doc.supplier.name, doc.supplier.years_on_platform) == ("Shenzhen Brightlamp Lighting Co., Ltd.", 3)


# --- family 3: module-data attributes -----------------------------------------------------------------


def module_div(name: str, data: object, quote_char: str = "'", attrs_first: bool = False) -> str:
    encoded = quote(json.dumps({"gdc": {}, "mds": {"moduleData": {"data": data}}}), safe="")
    data_attr = f"module-data={quote_char}{encoded}{quote_char}"
    name_attr = f'module-name="icbu-pc-{name}"'
    attrs = (
        f"{data_attr} {name_attr}" if attrs_first else f'module-id="1" {name_attr} module-title="{name}" {data_attr}'
    )
    return f'<div {attrs} class="J_module" render="false"></div>'


def test_module_data_follows_structure() -> None:
    basic = {
        "companyDescription": {"title": "Company Description", "value": "Founded 1998.<br>We passed ISO 13485 audit."},
        "companyNumberOfEmployees": {"title": "Total Employees", "value": "101 - 200 People"},
        "companyEstablishedYear": {"value": "1998"},
        "supplierMainProducts": {"value": "Syringes, Catheters"},
        "assessmentCertCompany": {"value": {"name": "tuv", "title": "TUV Rheinland"}},
        "companyBusinessType": {"value": "Manufacturer"},
    }
    capability = {
        "productCertificateList": {
            "value": [
                {
                    "certificateName": "ISO 13485:2016",
                    "certificatNo": "MD 601234",
                    "certificateIssuedBy": "TUV SUD",
                    "certificateValidityPeriod": "2020-05-01 ~ ",
                    "hasPassed": "false",
                    "description": "Design and manufacture of syringes",
                }
            ]
        },
        "companyCertificateList": "should be a list",
    }
    shop_sign = {
        "companyName": "Jiangsu Medline Devices Co., Ltd.",
        "companyRegisterCountry": "CN",
        "companyJoinYears": "4",
        "companyHasPassAssessment": True,
        "companyHasPassOnsite": False,
        "productCertificateList": [
            {"certificateName": "ISO 13485:2016", "certificatNo": "MD 601234", "certificateIssuedBy": "TUV SUD"}
        ],
    }
    html = (
        "<html><body>"
        + module_div("cpCompanyBasicInfo", basic, quote_char='"')
        + module_div("cpCompanyCapability", capability, attrs_first=True)
        + module_div("shopSign", shop_sign)
        + "<div module-name='icbu-pc-cpNav' module-data='not%20json'></div></body></html>"
    )
    doc = parse(html)
    assert doc.source.page_type == "company_profile_modules"
    s = doc.supplier
    assert (s.name, s.country, s.years_on_platform, s.employees, s.year_established) == (
        "Jiangsu Medline Devices Co., Ltd.",
        "CN",
        4,
        "101 - 200 People",
        1998,
    )
    assert s.main_products == ["Syringes", "Catheters"]
    (cert,) = doc.certifications  # shopSign and capability list the same certificate
    assert (cert.standard, cert.edition, cert.number, cert.issuer) == ("ISO 13485", "2016", "MD 601234", "TUV SUD")
    assert (cert.valid_from, cert.valid_until, cert.platform_verified) == (date(2020, 5, 1), None, False)
    assert cert.scope == "Design and manufacture of syringes"
    badges = {b.name: b for b in doc.badges}
    assert badges["Verified Supplier"].issuer == "TUV Rheinland"
    assert "Onsite Check" not in badges
    assert [(st.text, st.location) for st in doc.statements] == [("We passed ISO 13485 audit.", "company_overview")]


# --- family 4: legacy server-rendered profile --------------------------------------------------------

LEGACY = """<html><head><title>Company Overview</title></head><body>
<script id="bp-shopsign-data" type="application/json">{"data": {"companyName": "Foshan Stoneware Ltd.",
 "companyRegisterCountry": "CN", "companyJoinYears": "3", "accountIsPaidMember": true,
 "companyCertificateList": [{"certificateName": "ISO9001:2008", "certificatNo": "12Q-0456",
   "certificateIssuedBy": "CQC", "certificateValidityPeriod": "2015-07-01 ~ 2018-06-30", "hasPassed": true}]}}
</script>
<div class="top"><span class="join-year"><span class="value">3</span><span class="unit">YRS</span></span></div>
<table class="content-table">
 <tr><th class="col-title">员工人数:</th><td class="col-value">51 - 100 人</td><td class="col-verify"></td></tr>
 <tr data-role="companyEstablishedYear"><th class="col-title">Year Established:</th>
   <td class="col-value"><a href="#">2009 </a></td><td class="col-verify">Verified</td></tr>
 <tr><th class="col-title">Business Type:</th><td class="col-value">Trading Company</td></tr>
 <tr data-role="companyMainMarket"><th class="col-title">Top 3 Markets:</th><td class="col-value">
   <a class="market-item"><span>Oceania</span><span>40.00%</span></a>
   <a class="market-item"><span>Mid East</span><span>20.00%</span></a></td></tr>
</table>
<div class="widget-supplier-certification"><table>
 <tr><th>Verified</th><th>Available Date --- Expired Date</th><th>Certified By</th><th>Certification Name</th>
     <th>Picture</th></tr>
 <tr><td><span class="company-verified-icon"><i></i>Verified</span></td><td>2015-07-01 ~ 2018-06-30</td>
     <td>CQC</td><td>ISO9001:2008</td><td><img src="x"></td></tr>
</table></div>
<div class="widget-supplier-production-certification"><table><thead>
 <tr><th>证书名称</th><th>发证机构</th><th>认证范围</th><th>有效期</th></tr></thead><tbody>
 <tr><td>LFGB</td><td>SGS-CSTC Standards Technical Services</td><td>Stoneware plates</td>
     <td>2016.03.02 - 2019.03.01</td></tr>
 <tr><td></td><td>ignored row without a name</td></tr>
</tbody></table></div>
<div class="company-description company-description-full">Foshan Stoneware was set up in 2009.
 Our plates are LFGB approved and we passed the BSCI audit.</div>
</body></html>"""


def test_legacy_follows_structure() -> None:
    doc = parse(LEGACY)
    assert doc.source.page_type == "company_profile_legacy"
    s = doc.supplier
    assert (s.name, s.employees, s.year_established, s.business_type, s.years_on_platform) == (
        "Foshan Stoneware Ltd.",
        "51 - 100 人",
        2009,
        "Trading Company",
        3,
    )
    assert s.main_markets == ["Oceania", "Mid East"]
    iso, lfgb = doc.certifications  # the table row merges into the JSON entry
    assert (iso.standard, iso.edition, iso.number, iso.issuer, iso.platform_verified) == (
        "ISO 9001",
        "2008",
        "12Q-0456",
        "CQC",
        True,
    )
    assert (lfgb.kind, lfgb.issuer, lfgb.scope, lfgb.valid_from, lfgb.valid_until, lfgb.platform_verified) == (
        "product",
        "SGS-CSTC Standards Technical Services",
        "Stoneware plates",
        date(2016, 3, 2),
        date(2019, 3, 1),
        None,  # this table has no Verified column
    )
    assert {b.name: b.detail for b in doc.badges}["Gold Supplier"] == "3 years"
    assert [st.text for st in doc.statements] == ["Our plates are LFGB approved and we passed the BSCI audit."]


def test_legacy_with_broken_shop_sign_still_reads_the_dom() -> None:
    broken = LEGACY.replace('{"data": {"companyName"', '{"data": {companyName')
    doc = parse(broken)
    assert doc.supplier.name is None
    assert doc.supplier.year_established == 2009
    assert [c.name for c in doc.certifications] == ["ISO9001:2008", "LFGB"]


# --- contract, detection and robustness --------------------------------------------------------------


def test_registry_and_detection() -> None:
    parser = get_parser("alibaba")
    assert isinstance(parser, AlibabaParser)
    assert AlibabaParser.matches_url("https://acme.en.alibaba.com/company_profile.html")
    assert not AlibabaParser.matches_url("https://notalibaba.com/")
    for html in (
        shop_biz_page(SHOP_BIZ),
        f"<script>window.detailData={json.dumps(DETAIL)}</script>",
        PRODUCT_DOM,
        module_div("shopSign", {}),
        LEGACY,
        '<link rel="canonical" href="https://www.alibaba.com/product-detail/x.html">',
    ):
        assert AlibabaParser.matches_content(html)
    for html in ("<html><body>Alibaba is a company</body></html>", '<a href="https://www.alibaba.com/">x</a>', ""):
        assert not AlibabaParser.matches_content(html)
    assert parser.ready_selector("https://www.alibaba.com/product-detail/x_1.html")
    assert parser.ready_selector(URL) is None


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<<<>>>",
        "<html><body><table class='content-table'><tr><th>",
        "<div module-name='icbu-pc-x' module-data='%7B%22mds%22%3A",
        '<script>window.detailData = {"globalData": {"seller": [1, 2]}};</script>',
        '<script>window.detailData = {"globalData": {"certification": {"certName": 5}}};</script>',
        "<script id='bp-shopsign-data' type='application/json'>null</script><table class='content-table'></table>",
        '<script>window.shopBizData = {"pageModuleMap": [{"moduleName": "certifications", '
        '"moduleData": {"items": [{"name": "CE", "certificateValidityPeriod": 12}]}}]};</script>',
    ],
)
def test_malformed_pages_never_raise(html: str) -> None:
    doc = parse(html)
    assert doc.source.platform == "alibaba"
    assert doc.status == "ok"


@pytest.mark.timeout(120)  # a hang guard without a clock in the test; parse speed is measured in bench/
def test_bytes_and_huge_pages_are_handled() -> None:
    assert parse(LEGACY.encode()).supplier.name == "Foshan Stoneware Ltd."  # type: ignore[arg-type]
    huge = LEGACY.replace("</body>", "<p>" + "filler text " * 1_000_000 + "</p></body>")
    doc = parse(huge)
    assert doc.supplier.name == "Foshan Stoneware Ltd."


def test_unknown_page() -> None:
    doc = parse("<html><body><h1>Hello</h1></body></html>")
    assert doc.source.page_type == "unknown"
    assert doc.source.fetched_at is None
    assert not doc.has_claims()


@pytest.mark.timeout(120)  # a hang guard, not a speed assertion: the scan used to be quadratic here
def test_thousands_of_repeated_data_assignments_do_not_stall_parsing() -> None:
    from scrapers.extract import read_page

    html = "<html><script>" + ('window.shopBizData = {"a": [' * 20000) + "</script></html>"
    reading = read_page(html, "https://x.en.alibaba.com/company_profile.html")
    assert reading.status.value in {"not_found", "unparseable"}
    assert reading.claims.certifications == []
