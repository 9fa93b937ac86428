"""The Made-in-China.com parser: the real captured product page (../shared/pages), synthetic product and
company pages written here with other values, label orders and markups than the capture, detection against
the Alibaba pages, hostile input, and one page fetched with the real Chromium from a loopback server."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import requires_browser

from scrapers.claims import Badge, ClaimsDocument, Statement
from scrapers.extract import read_page
from scrapers.platforms.alibaba import AlibabaParser
from scrapers.platforms.base import detect_parser, get_parser
from scrapers.platforms.made_in_china import MadeInChinaParser

REAL_PAGE = "madeinchina_product_detail_with_supplier_block.html"
REAL_URL = (
    "https://lurun-manholecover.en.made-in-china.com/product/NSYJteLoHRUK/China-China-Wholesales-PVC-Resin-"
    "Anti-Theft-Decorative-Fiberglass-Plastic-Resin-BMC-SMC-FRP-Square-Trench-Drain-Gratings-for-Composite.html"
)
PRODUCT_URL = "https://acme-valves.en.made-in-china.com/product/AbCdEfGhIjKl/China-Brass-Ball-Valve.html"
COMPANY_URL = "https://acme-valves.en.made-in-china.com/company-Ningbo-Acme-Valve-Co-Ltd-.html"


def parse(html: str | bytes, url: str = PRODUCT_URL) -> ClaimsDocument:
    return MadeInChinaParser().parse(html, url)  # type: ignore[arg-type]


def certs(doc: ClaimsDocument) -> list[tuple[str, str | None, str | None, str]]:
    return [(c.name, c.standard, c.edition, c.kind) for c in doc.certifications]


# --- the real page ------------------------------------------------------------------------------------


@pytest.mark.shared_pages
def test_real_product_page(shared_pages: Path) -> None:
    html = (shared_pages / REAL_PAGE).read_text(encoding="utf-8")
    reading = read_page(html, REAL_URL)
    doc = reading.claims
    assert reading.status == "ok"
    assert (doc.source.platform, doc.source.page_type) == ("made_in_china", "product_detail")
    s = doc.supplier
    assert s.name == "Shandong Lurun Plastic Industry Co., Ltd."
    # the supplier block shows the address truncated; kept as shown, and it names no country
    assert s.location == "No. 117, Zhaizi Industry Zone, Lushan Road, Zhangdian District, Zibo City, Shandong ..."
    assert s.country is None  # "Origin: China" is the product's origin, not the company's country
    assert s.business_type is None  # this block shows Address, Incoterms and Terms of Payment only
    assert (s.year_established, s.years_on_platform, s.main_products) == (None, None, [])
    # platform checks, not certifications; "Since 2017" stays the detail (no clock to count years against)
    assert doc.badges == [
        Badge(name="Secured Trading Service", source="structured"),
        Badge(name="Diamond Member", detail="Since 2017", source="structured"),
        Badge(name="Audited Supplier", source="structured"),  # "independent third-party inspection agency" names nobody
    ]
    # the product attribute "Certification: CE, ISO": names as shown, no number/issuer/dates invented
    assert certs(doc) == [("CE", "CE", None, "product"), ("ISO", None, None, "management_system")]
    assert all(c.number is c.issuer is c.valid_until is None for c in doc.certifications)
    assert {c.source for c in doc.certifications} == {"label"}  # read from the "Certification: CE, ISO" attribute row
    assert doc.statements == []  # the description claims no certification


@pytest.mark.shared_pages
def test_real_page_is_detected_by_content_and_not_taken_by_alibaba(shared_pages: Path) -> None:
    mic = (shared_pages / REAL_PAGE).read_text(encoding="utf-8")
    alibaba = (shared_pages / "alibaba_company_profile_legacy2018_hdradio.html").read_text(encoding="utf-8")
    assert MadeInChinaParser.matches_content(mic)
    assert not AlibabaParser.matches_content(mic)
    assert not MadeInChinaParser.matches_content(alibaba)
    assert isinstance(detect_parser("file:///tmp/saved.html", mic), MadeInChinaParser)
    assert isinstance(detect_parser("file:///tmp/saved.html", alibaba), AlibabaParser)
    # a saved file still knows it is a product page from its canonical link
    assert read_page(mic, "file:///tmp/saved.html").claims.source.page_type == "product_detail"


# --- a synthetic product page -------------------------------------------------------------------------

PRODUCT = """<!DOCTYPE html><html><head><title>Brass Ball Valve</title>
<meta property="og:url" content="https://acme-valves.en.made-in-china.com/product/AbCdEfGhIjKl/x.html"/>
<script>var header = {"onlineTrading": "Secured Trading Service", "auditReport": "Audited Supplier"};</script>
</head><body>
<div id="header" class="m-header"><a href="//trading.made-in-china.com/">Secured Trading Service</a></div>
<div class="sr-com-info">
  <div class="sr-comInfo-title"><div class="title-txt">
    <a href="https://acme-valves.en.made-in-china.com"
       title="Ningbo Acme &lt;script&gt;alert(1)&lt;/script&gt; Valve Co., Ltd."><span>Ningbo Acme ...</span></a>
  </div></div>
  <div class="sr-comInfo-sign">
    <div class="sign-item"><i class="item-icon"></i>
        Gold
        Member   <span class="txt-year"> Since   2011 </span></div>
    <div class="sign-item as-logo-wrap"><img alt="Audited Supplier" src="/as.png">
      <div class="tip"><p class="tip-para">Audited by SGS</p></div></div>
  </div>
  <div class="detail-infos">
    <div class="info-item"><div class="info-label">Main Products</div>
      <div class="info-fields"><a>Ball Valve</a>, <a>Gate Valve</a>; Check Valve</div></div>
    <div class="info-item"><div class="info-label"><i class="icon"></i>  business   TYPE : </div>
      <div class="info-fields">Manufacturer/Factory &amp; Trading Company</div></div>
    <div class="info-item"><div class="info-label" title="Address">Address</div>
      <div class="info-fields">No. 8 Harbour Road, Ningbo, Zhejiang, China</div></div>
  </div>
</div>
<table><tr><th class="th-label">Material:</th><td>Brass</td></tr>
  <tr><th class="th-label">Main Markets:</th><td>Garden use</td></tr></table>
<div class="basic-info-list">
  <div class="bsc-item"><div class="bac-item-label">Certification</div>
    <div class="bac-item-value">CE/RoHS, ISO9001:2015 、 WRAS; Others, ...</div></div>
  <div class="bsc-item"><div class="bac-item-label">Origin</div><div class="bac-item-value">Taiwan</div></div>
  <div class="bsc-item"><div class="bac-item-label">Location</div><div class="bac-item-value">Outdoor, Italy</div></div>
</div>
<div class="sr-layout-content detail-desc"><div class="rich-text">
  <p>Heavy duty brass body.</p><p>Our valves are CE certified and WRAS approved.</p>
  <p>Main Markets: should not be read from a description</p></div></div>
<div class="sr-similar-product-wrap"><div class="sign-item">Diamond Member <span>Since 2009</span></div>
  <img alt="Secured Trading Service"></div>
<div class="m-footer"><span>Audited Supplier</span> <span>Secured Trading Service</span></div>
</body></html>"""


def test_synthetic_product_page() -> None:
    doc = parse(PRODUCT)
    assert (doc.source.platform, doc.source.page_type) == ("made_in_china", "product_detail")
    assert doc.source.url == PRODUCT_URL
    s = doc.supplier
    assert s.name == "Ningbo Acme <script>alert(1)</script> Valve Co., Ltd."  # kept as text, untruncated title
    assert s.business_type == "Manufacturer/Factory & Trading Company"
    assert s.location == "No. 8 Harbour Road, Ningbo, Zhejiang, China"
    assert s.country == "CN"  # from the address's end; the product's "Origin: Taiwan" is not the company
    assert s.main_products == ["Ball Valve", "Gate Valve", "Check Valve"]
    assert s.main_markets == []  # a description sentence and a product attribute are not the supplier's
    # header menu, footer and other suppliers' cards are not this supplier's badges
    assert doc.badges == [
        Badge(name="Gold Member", detail="Since 2011", source="structured"),
        Badge(name="Audited Supplier", issuer="SGS", detail="Audited by SGS", source="structured"),
    ]
    assert certs(doc) == [
        ("CE", "CE", None, "product"),
        ("RoHS", "RoHS", None, "product"),
        ("ISO9001:2015", "ISO 9001", "2015", "management_system"),
        ("WRAS", "WRAS", None, "product"),
    ]
    assert doc.statements == [
        Statement(text="Our valves are CE certified and WRAS approved.", location="product_description")
    ]


def test_product_page_without_a_supplier_block_degrades() -> None:
    html = PRODUCT.split('<div class="sr-com-info">')[0] + PRODUCT.split("</table>")[1]
    doc = parse(html)
    assert doc.source.page_type == "product_detail"
    assert doc.supplier.name is None and doc.badges == []
    assert doc.supplier.location is doc.supplier.country is None  # "Location: Outdoor, Italy" is the product's
    assert [c.name for c in doc.certifications] == ["CE", "RoHS", "ISO9001:2015", "WRAS"]


# --- a synthetic company page -------------------------------------------------------------------------

COMPANY = """<html><head>
<link rel="canonical" href="https://acme-valves.en.made-in-china.com/company-Ningbo-Acme-Valve-Co-Ltd-.html">
</head><body>
<header><a>Diamond Member</a><span>Gold Member</span></header>
<div class="shop-sign__header">
  <a class="shop-sign__header-title"><h1 class="shop-sign__header-title--text">  Ningbo Acme Valve Co., Ltd. </h1></a>
  <div class="sr-comInfo-details"><div class="detail-address"><i></i> Zhejiang, China</div></div>
  <span class="shop-sign__member-since"><span class="shop-sign__text">Diamond Member</span>
    <div class="J-member-since-tooltip" style="display:none">Diamond Member <span class="txt-year">Since 2014</span>
      <div>Suppliers with verified business licenses</div></div></span>
  <div class="shop-sign__as"><img alt="Audited Supplier"><span class="shop-sign__text">Audited Supplier</span></div>
  <span><img alt="Secured Trading Service"></span>
</div>
<table class="basic-info">
  <tr><th>Main Markets:</th><td>North America, Western Europe, Southeast Asia/Mideast</td></tr>
  <tr><th><span>Year of Establishment</span>:</th><td>2008-11-20</td></tr>
  <tr><th>Number of Employees:</th><td>51~200 People</td></tr>
  <tr><th>Management System Certification:</th><td>ISO 9001, ISO 14001, OHSAS/ OHSMS 18001, HSE</td></tr>
  <tr><th>Registered Capital:</th><td>5,000,000 RMB</td></tr>
  <tr><th>Annual Output Value:</th><td>US$10 Million - US$50 Million</td></tr>
  <tr><th>OEM/ODM Availability:</th><td>Yes</td></tr>
  <tr><th>Main Products:</th><td></td></tr>
</table>
<ul><li><strong>Business Type</strong>: Manufacturer/Factory</li><li>经营模式：工厂</li></ul>
<dl><dt>Audit Report</dt><dd>Inspected by TÜV Rheinland on site</dd></dl>
<h2>Company Introduction</h2>
<div><p>Founded in 2008.</p><p>We have passed ISO 9001 certification in 2010.</p></div>
<h3>Certificates</h3><div>ISO 9001 certificate image</div>
</body></html>"""


def test_synthetic_company_page() -> None:
    doc = parse(COMPANY, COMPANY_URL)
    assert doc.source.page_type == "company_profile"
    s = doc.supplier
    assert s.name == "Ningbo Acme Valve Co., Ltd."
    assert s.business_type == "Manufacturer/Factory"  # the English row comes before the Chinese one
    assert (s.location, s.country) == ("Zhejiang, China", "CN")
    assert s.year_established == 2008
    assert s.employees == "51~200 People"
    assert s.annual_revenue == "US$10 Million - US$50 Million"
    assert s.main_markets == ["North America", "Western Europe", "Southeast Asia/Mideast"]
    assert s.main_products == []  # the row is there but empty; the next row is not its value
    assert s.years_on_platform is None
    assert doc.badges == [
        Badge(name="Diamond Member", detail="Since 2014", source="structured"),
        Badge(
            name="Audited Supplier", issuer="TÜV Rheinland", detail="Inspected by TÜV Rheinland", source="structured"
        ),
        Badge(name="Secured Trading Service", source="structured"),
    ]
    assert certs(doc) == [
        ("ISO 9001", "ISO 9001", None, "management_system"),
        ("ISO 14001", "ISO 14001", None, "management_system"),
        ("OHSAS/ OHSMS 18001", None, None, "management_system"),  # the row's label decides the kind
        ("HSE", None, None, "management_system"),
    ]
    assert doc.statements == [
        Statement(text="We have passed ISO 9001 certification in 2010.", location="company_overview")
    ]


def test_company_page_with_chinese_labels_and_member_years() -> None:
    html = """<html><body>
    <div class="info-item"><div class="info-label">公司名称：</div>
      <div class="info-fields">宁波某某阀门有限公司</div></div>
    <table><tr><th>主营产品</th><td>球阀、闸阀</td></tr><tr><th>成立时间</th><td>2005年</td></tr>
    <tr><th>管理体系认证</th><td>ISO9001</td></tr><tr><th>地址</th><td>中国浙江省宁波市</td></tr></table>
    <div class="sign-item">金牌会员 <em>6 yrs</em></div></body></html>"""
    doc = parse(html, "http://127.0.0.1:8000/showroom/")
    assert doc.source.page_type == "company_profile"  # no telling URL: supplier facts without product markup
    s = doc.supplier
    assert (s.name, s.year_established, s.location) == ("宁波某某阀门有限公司", 2005, "中国浙江省宁波市")
    assert (s.main_products, s.country, s.years_on_platform) == (["球阀", "闸阀"], "CN", 6)
    assert doc.badges == [Badge(name="Gold Member", source="structured")]
    assert certs(doc) == [("ISO9001", "ISO 9001", None, "management_system")]


SHOWROOM = """<html><body>
<div class="company-profile"><div class="company-desc"><h2 class="title">COMPANY PROFILE</h2>
  <div class="desc">Acme Pumps<br>1. Founded: 1999<br>Main Products: whatever we feel like<br>
  5. Certified: ISO9001 amfori BSCI<br>We hold CE and UL certificates for all motors.</div></div></div>
<div class="company-info"><div class="info-block auth"><div class="title">Authentication</div><div class="content">
  <div class="item"><div class="text">
    <span class="item-l"> Business Type </span> : <span class="item-v"> Manufacturer/Factory </span></div></div>
  <div class="item"><div class="text"><span class="item-l">Main Products</span> :
    <span class="item-v"><a>Pumps</a> , <a>Motors</a><form><input type="hidden" value="x"></form></span></div></div>
  <div class="item"><div class="text">
    <span class="item-l">Year of Establishment</span> : <span class="item-v">2012-03-04</span></div></div>
</div></div></div></body></html>"""


def test_showroom_fact_block_and_introduction_prose() -> None:
    doc = parse(SHOWROOM, "https://acme-pumps.en.made-in-china.com/")
    assert doc.source.page_type == "company_profile"  # a showroom home shows the profile
    s = doc.supplier
    assert (s.business_type, s.main_products) == ("Manufacturer/Factory", ["Pumps", "Motors"])
    assert s.year_established == 2012  # "1. Founded: 1999" is the introduction's prose, not the field
    assert doc.certifications == []  # nor is "Certified: ..." a structured certificate entry
    assert doc.statements == [
        Statement(text="Certified: ISO9001 amfori BSCI", location="company_overview"),  # "5." is split off
        Statement(text="We hold CE and UL certificates for all motors.", location="company_overview"),
    ]


@pytest.mark.parametrize(
    ("html", "badges"),
    [
        (
            '<img alt="Audited Supplier"><dl><dt>Audited by</dt><dd>Bureau Veritas (BV)</dd></dl>',
            [Badge(name="Audited Supplier", issuer="Bureau Veritas", source="structured")],
        ),
        (
            "<dl><dt>Inspection Company:</dt><dd>an independent third-party agency</dd></dl>"
            '<img alt="Audited Supplier">',
            [Badge(name="Audited Supplier", source="structured")],  # names nobody
        ),
        (
            "<span>Audited Supplier</span><p>Download the TÜV SÜD audit report</p>",
            [Badge(name="Audited Supplier", issuer="TÜV SÜD", detail="TÜV SÜD audit", source="structured")],
        ),
        (
            '<span>Audited Supplier</span><div class="rich-text">Our products were inspected by SGS.</div>',
            [
                Badge(name="Audited Supplier", source="structured")
            ],  # the supplier's own description is no platform check
        ),
        ("<p>Audited by SGS</p>", []),  # no badge, no audit row: a sentence alone is not the platform's check
        ('<ul class="m-header-option-list"><li>Audited Supplier</li><li>Gold Member</li></ul>', []),
        ('<div class="menu"><a href="//trading.made-in-china.com/"><span>Secured Trading Service</span></a></div>', []),
    ],
)
def test_audit_issuer_only_where_named(html: str, badges: list[Badge]) -> None:
    assert parse(html, COMPANY_URL).badges == badges


@pytest.mark.parametrize(
    ("rows", "country"),
    [
        ("<dt>Address</dt><dd>Room 5, Harbour Tower, Kowloon, Hong Kong, China</dd>", "HK"),
        ("<dt>Address</dt><dd>No. 5 China Town Road, Shenzhen, Guangdong</dd>", None),  # a street, no country
        ("<dt>Address</dt><dd>Lot 9, Binh Duong, Vietnam</dd>", "VN"),
        ("<dt>Country/Region</dt><dd>China (Mainland)</dd><dt>Address</dt><dd>Hanoi, Vietnam</dd>", "CN"),
    ],
)
def test_country_only_where_the_page_names_it(rows: str, country: str | None) -> None:
    assert parse(f"<dl>{rows}</dl>", COMPANY_URL).supplier.country == country


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2008-11-20", 2008), ("Since 1998", 1998), ("20081", None), ("1492", None), ("12", None), ("Unknown", None)],
)
def test_absurd_years_are_dropped(value: str, expected: int | None) -> None:
    doc = parse(f"<dl><dt>Year Established</dt><dd>{value}</dd><dt>Company Name</dt><dd>X Ltd.</dd></dl>")
    assert doc.supplier.year_established == expected
    assert doc.supplier.name == "X Ltd."


def test_inline_rows_and_hostile_text_stay_text() -> None:
    html = (
        "<div><p>Business Type: &lt;img src=x onerror=alert(1)&gt; Trading Company<br>"
        "Main Products: <a>Pumps</a>, <a>Motors</a></p>"
        "<p><b>Certification:</b> FDA, BSCI</p>"
        "<script>document.write('<div class=info-label>Company Name</div><div>Injected</div>')</script></div>"
    )
    doc = parse(html)
    assert doc.supplier.business_type == "<img src=x onerror=alert(1)> Trading Company"
    assert doc.supplier.main_products == ["Pumps", "Motors"]
    assert doc.supplier.name is None  # markup inside a script is code, not page text
    assert certs(doc) == [("FDA", "FDA", None, "product"), ("BSCI", "BSCI", None, "audit")]


# --- detection, registry and robustness -----------------------------------------------------------------


def test_registry_hosts_and_hints() -> None:
    parser = get_parser("made_in_china")
    assert isinstance(parser, MadeInChinaParser)
    assert isinstance(detect_parser(PRODUCT_URL), MadeInChinaParser)  # by host, no content needed
    assert isinstance(detect_parser("https://www.made-in-china.com/showroom/acme", "<html></html>"), MadeInChinaParser)
    for url in ("https://made-in-china.com.evil.example/", "https://notmade-in-china.com/", "https://x.alibaba.com/"):
        assert not MadeInChinaParser.matches_url(url)
    assert parser.data_in_html(PRODUCT_URL) is True
    assert parser.ready_selector(PRODUCT_URL) is None  # server-rendered: nothing to wait for


@pytest.mark.parametrize(
    ("url", "page_type"),
    [
        (PRODUCT_URL, "product_detail"),
        ("https://acme.en.made-in-china.com/prod_AbCdEf_GhIj.html", "product_detail"),
        (COMPANY_URL, "company_profile"),
        ("https://acme.en.made-in-china.com/company-info.html", "company_profile"),
        ("https://acme.en.made-in-china.com/product-list-1.html", "company_profile"),  # a showroom page
        ("http://127.0.0.1:8080/saved.html", "company_profile"),
    ],
)
def test_page_type_by_address_then_markup(url: str, page_type: str) -> None:
    html = '<div class="sr-comInfo-title"><div class="title-txt"><a title="Acme Co.">Acme</a></div></div>'
    doc = parse(html, url)
    assert (doc.source.page_type, doc.supplier.name) == (page_type, "Acme Co.")


@pytest.mark.parametrize(
    "html",
    [
        '<link rel="canonical" href="https://acme.en.made-in-china.com/company-Acme.html">',
        '<link href="//acme.en.made-in-china.com/" rel="canonical">',
        '<meta property="og:url" content="https://acme.en.made-in-china.com/product/x.html"/>',
        '<meta property="og:site_name" content="Made-in-China.com"/>',
        '<div class="sr-comInfo-sign com-place-two"></div>',
        '<script src="https://www.micstatic.com/common/js/libs/jquery.js"></script>',
    ],
)
def test_content_markers(html: str) -> None:
    assert MadeInChinaParser.matches_content(html)
    assert not AlibabaParser.matches_content(html)


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body>We sell on Made-in-China.com and Alibaba</body></html>",
        '<a href="https://www.made-in-china.com/">our store</a>',
        '<link rel="canonical" href="https://made-in-china.com.evil.example/x">',
        '<link rel="canonical" href="https://www.alibaba.com/product-detail/x.html">',
        "<script>window.detailData = {}</script>",
    ],
)
def test_not_made_in_china_content(html: str) -> None:
    assert not MadeInChinaParser.matches_content(html)


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<<<>>>",
        "\x00\x01\ufffd garbage \udcff",
        "<div class='info-label'>Business Type",
        "<div class='info-label'>Business Type</div>",
        "<tr><th>Certification</th><td>" + "CE," * 10_000 + "</td></tr>",
        "<div>" * 3000 + "Diamond Member" + "</div>" * 3000,
        "<span>Company Name:</span>" * 2000,
        '<img alt="Audited Supplier"><p>audited by ' + "x" * 100_000 + "</p>",
    ],
)
def test_malformed_input_never_raises(html: str) -> None:
    doc = parse(html)
    assert doc.source.platform == "made_in_china"
    assert len(doc.certifications) <= 50


@pytest.mark.timeout(120)  # a hang guard: the page is capped and every walk is bounded; speed: bench/
def test_bytes_unknown_and_huge_pages() -> None:
    assert parse(PRODUCT.encode()).supplier.business_type == "Manufacturer/Factory & Trading Company"
    empty = parse("<html><body><h1>Hello</h1></body></html>", "http://127.0.0.1/x")
    assert (empty.source.page_type, empty.has_claims()) == ("unknown", False)
    huge = PRODUCT.replace("<table>", "<p>" + "filler text " * 1_000_000 + "</p><table>")
    doc = parse(huge)
    assert doc.supplier.name == "Ningbo Acme <script>alert(1)</script> Valve Co., Ltd."


def test_read_page_on_garbage_is_classified_not_raised() -> None:
    reading = read_page("\x00<<not html", PRODUCT_URL)
    assert reading.claims.source.platform == "made_in_china"
    assert reading.status in {"not_found", "unparseable"}


# --- end to end through the real browser -----------------------------------------------------------------

LIVE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Widget</title>
<meta property="og:site_name" content="Made-in-China.com"/></head><body>
<div class="sr-comInfo-title"><div class="title-txt">
  <a title="Xiamen Loopback Widgets Co., Ltd.">Xiamen ...</a></div></div>
<div class="sr-comInfo-sign"><div class="sign-item">Diamond Member <span class="txt-year">Since 2020</span></div></div>
<div class="info-item"><div class="info-label">Business Type</div><div class="info-fields">Trading Company</div></div>
<div class="bsc-item"><div class="bac-item-label">Certification</div><div class="bac-item-value">FCC</div></div>
<script>
  document.body.insertAdjacentHTML("beforeend",
    '<div class="sr-similar-product-wrap"><div class="sign-item">Audited Supplier</div></div>');
</script>
</body></html>"""


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = LIVE_PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def loopback_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/item/widget.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@requires_browser
@pytest.mark.browser
def test_browser_fetch_and_read_by_content() -> None:
    from scrapers.fetch import BrowserFetcher, FetchSettings

    async def fetch(url: str):
        fetcher = BrowserFetcher(FetchSettings(timeout_s=30.0, max_page_bytes=1_000_000, allow_private_addresses=True))
        try:
            return await fetcher.fetch(url, detect_parser(url))
        finally:
            await fetcher.aclose()

    with loopback_server() as url:
        assert detect_parser(url) is None  # 127.0.0.1: only the content can tell
        page = asyncio.run(fetch(url))
    assert page.method == "browser"
    assert "sr-similar-product-wrap" in page.html  # the script ran in Chromium
    reading = read_page(page.html, url, platform="auto", http_status=page.status_code, final_url=page.final_url)
    doc = reading.claims
    assert reading.status == "ok"
    assert (doc.source.platform, doc.source.page_type) == ("made_in_china", "product_detail")  # attribute markup
    assert doc.supplier.name == "Xiamen Loopback Widgets Co., Ltd."
    assert doc.supplier.business_type == "Trading Company"
    assert doc.badges == [
        Badge(name="Diamond Member", detail="Since 2020", source="structured")
    ]  # not the injected card's badge
    assert certs(doc) == [("FCC", "FCC", None, "product")]
