"""The Global Sources parser on AUTHORED pages (tests/pages/global_sources: invented suppliers in the layouts
Global Sources' public pages show, several markups per page family, one hostile and one nearly empty page),
read through ``read_page`` by URL, by content (a saved file) and by platform name; detection against other
platforms' pages; the real Incapsula block page when ../shared/pages is present."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scrapers.claims import Badge, ClaimsDocument, Statement
from scrapers.extract import read_page
from scrapers.platforms.alibaba import AlibabaParser
from scrapers.platforms.base import detect_parser, get_parser
from scrapers.platforms.global_sources import OPENED, GlobalSourcesParser
from scrapers.platforms.made_in_china import MadeInChinaParser

PAGES = Path(__file__).parent / "pages" / "global_sources"
PROFILE_URL = "https://www.globalsources.com/shenzhen-brightway/company-profile_6008851234567.htm"
LEGACY_URL = "https://www.globalsources.com/si/AS/Ningbo-Everbright/6008800543210/CompanyProfile.htm"
PRODUCT_URL = "https://www.globalsources.com/Power-bank/20000mAh-power-bank-1209876543p.htm"
PDTL_URL = "https://www.globalsources.com/si/AS/Ningbo-Everbright/6008800543210/pdtl/Ceramic-mug/1157654321.htm"
SAVED = "file:///tmp/x.html"
THIS_YEAR = date.today().year


BOTH_UNNAMED = [
    Badge(name="Verified Manufacturer", source="structured"),
    Badge(name="Verified Supplier", source="structured"),
]


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def parse(html: str | bytes, url: str = PROFILE_URL) -> ClaimsDocument:
    return GlobalSourcesParser().parse(html, url)  # type: ignore[arg-type]


def certs(doc: ClaimsDocument) -> list[tuple]:
    return [(c.name, c.standard, c.edition, c.number, c.issuer, c.kind, c.source) for c in doc.certifications]


def dates(doc: ClaimsDocument) -> list[tuple]:
    return [(c.name, c.valid_from, c.valid_until, c.platform_verified) for c in doc.certifications]


def starts_with(items: list, expected: list) -> bool:
    """read_page lays the generic reader's findings under the parser's: the parser's come first."""
    return items[: len(expected)] == expected


# --- company profiles ---------------------------------------------------------------------------------------


def test_current_profile_tables_by_url() -> None:
    html = page("company_profile_2024_tables.html")
    reading = read_page(html, PROFILE_URL)
    doc = reading.claims
    assert reading.status == "ok"
    assert (doc.source.platform, doc.source.page_type) == ("global_sources", "company_profile")
    s = doc.supplier
    assert s.name == "Shenzhen Brightway Power Technology Co., Ltd."
    assert (s.business_type, s.year_established, s.years_on_platform) == ("Manufacturer, Exporter", 2006, 12)
    assert (s.employees, s.annual_revenue) == ("501 - 1000 People", "US$50 Million - US$100 Million")
    assert s.main_products == ["Power Banks", "Wireless Chargers", "GaN Chargers"]  # "etc." is no product
    assert s.main_markets == ["North America 35%", "Western Europe 30%", "Japan"]  # not the introduction's line
    assert (s.location.endswith("Shenzhen, Guangdong, China"), s.country) == (True, "CN")
    assert doc.provenance["supplier.name"] == "structured"  # the supplier header
    assert doc.provenance["supplier.business_type"] == "label"
    assert doc.provenance["supplier.years_on_platform"] == "structured"
    # site menu, footer and the recommended supplier's card are not this supplier's
    assert doc.badges == [
        Badge(
            name="Verified Manufacturer",
            issuer="Intertek",
            detail="Onsite verification by Intertek",
            source="structured",
        )
    ]
    expected = [
        (
            "ISO 9001:2015",
            "ISO 9001",
            "2015",
            "12 100 45678 TMS",
            "TÜV SÜD Management Service GmbH",
            "management_system",
            "structured",
        ),
        (
            "ISO 14001:2015",
            "ISO 14001",
            "2015",
            "CN21/10234",
            "SGS United Kingdom Ltd",
            "management_system",
            "structured",
        ),
        ("amfori BSCI", "BSCI", None, None, "Intertek", "audit", "structured"),  # "-" is no number
        ("CE", "CE", None, "SZES2309001234", "Shenzhen EMTEK", "product", "structured"),
        ("UL 62368-1", "UL", None, "E512345", "UL LLC", "product", "structured"),
    ]
    assert certs(parse(html)) == expected  # the key-facts "Certifications" row repeats listed names; no patent
    assert starts_with(certs(doc), expected)
    assert "Foldable charger housing" not in [c.name for c in doc.certifications]
    assert dates(parse(html))[:2] == [
        ("ISO 9001:2015", date(2024, 3, 18), date(2027, 3, 17), None),
        ("ISO 14001:2015", date(2021, 3, 18), date(2024, 3, 17), None),
    ]
    assert [c.scope for c in doc.certifications[3:5]] == ["20000mAh Power Bank", "15W Wireless Charger"]
    assert [(d.url, d.kind, d.certification, d.label) for d in doc.documents[:2]] == [
        ("https://p.globalsources.com/cert/iso9001_brightway.jpg", "image", "ISO 9001:2015", "ISO 9001 certificate"),
        ("https://www.globalsources.com/docs/brightway-iso14001.pdf", "pdf", "ISO 14001:2015", "View"),
    ]
    assert doc.statements[0] == Statement(
        text="We are ISO 9001 certified since 2010 and all chargers are CE and FCC approved.",
        location="company_overview",
    )


def test_legacy_si_profile_with_label_cells() -> None:
    doc = read_page(page("company_profile_legacy_si.html"), LEGACY_URL).claims
    assert (doc.status, doc.source.page_type) == ("ok", "company_profile")
    s = doc.supplier
    assert s.name == "Ningbo Everbright Imp. & Exp. Co., Ltd."
    assert (s.business_type, s.year_established) == ("Trading Company, Agent", 1998)  # not the intro's 1975
    assert (s.employees, s.annual_revenue) == ("51 - 100", "US$5 Million - US$10 Million")
    assert s.main_markets == ["Western Europe", "North America", "Middle East"]
    assert s.main_products == ["Ceramic mugs", "Glass jars", "Bamboo kitchenware"]  # "more..." dropped
    assert (s.country, s.location) == ("CN", None)
    assert s.years_on_platform == THIS_YEAR - 2009  # "Supplier since 2009", counted to this year
    assert doc.badges == [
        Badge(
            name="Verified Supplier",
            issuer="SGS",
            detail="SGS-CSTC Standards Technical Services Co., Ltd.",
            source="structured",
        )
    ]
    assert [(c.name, c.standard, c.edition, c.kind, c.source) for c in doc.certifications][:5] == [
        ("ISO 9001:2008", "ISO 9001", "2008", "management_system", "label"),
        ("QC 080000", "IECQ QC 080000", None, "management_system", "label"),
        ("LFGB", "LFGB", None, "product", "label"),
        ("FDA", "FDA", None, "product", "label"),
        ("CE", "CE", None, "product", "label"),  # "Others" is a placeholder
    ]
    assert all(c.number is c.issuer is c.valid_until is None for c in doc.certifications)
    assert doc.statements[0] == Statement(
        text="Our factory passed the BSCI audit in 2014.", location="company_overview"
    )


def test_card_layout_detected_in_a_saved_file() -> None:
    html = page("company_profile_2025_cards.html")
    assert isinstance(detect_parser(SAVED, html), GlobalSourcesParser)
    reading = read_page(html, SAVED)
    doc = reading.claims
    assert reading.status == "ok"
    assert (doc.source.platform, doc.source.page_type, doc.source.url) == ("global_sources", "company_profile", SAVED)
    s = doc.supplier
    assert (s.name, s.business_type, s.year_established) == ("Dongguan Lumina Lighting Co., Ltd.", "Manufacturer", 2011)
    assert (s.employees, s.annual_revenue) == ("201 - 500", "US$10 Million - US$50 Million")
    assert s.main_products == ["LED Panel Lights", "Downlights", "Track Lights"]
    assert s.main_markets == ["Western Europe", "Oceania"]
    assert (s.location, s.country) == ("Chang'an Town, Dongguan, Guangdong", None)  # no country named
    assert s.years_on_platform == THIS_YEAR - 2012
    assert doc.provenance["supplier.name"] == "structured"
    assert doc.provenance["supplier.main_products"] == "label"
    # each badge with the verifier its own container names
    assert doc.badges == [
        Badge(
            name="Verified Manufacturer",
            issuer="TÜV Rheinland",
            detail="Onsite check by TÜV Rheinland",
            source="structured",
        ),
        Badge(
            name="Verified Supplier",
            issuer="Dun & Bradstreet",
            detail="verified by Dun & Bradstreet",
            source="structured",
        ),
    ]
    expected = [
        ("amfori BSCI", "BSCI", None, "DBID 123456", "QIMA", "audit", "structured"),
        (
            "ISO 45001:2018",
            "ISO 45001",
            "2018",
            "45001-2023-0099",
            "Bureau Veritas Certification",
            "management_system",
            "structured",
        ),
        ("CE", "CE", None, None, "TÜV Rheinland", "product", "structured"),
    ]
    assert certs(parse(html, SAVED)) == expected  # "Registration No." of the business licence is no certificate
    assert starts_with(certs(doc), expected)
    assert dates(doc)[:3] == [
        ("amfori BSCI", None, date(2025, 6, 30), None),
        ("ISO 45001:2018", date(2023, 1, 10), date(2026, 1, 9), True),
        ("CE", None, None, None),  # "N/A"
    ]
    assert [(d.url, d.kind, d.certification) for d in doc.documents][:3] == [
        ("https://p.globalsources.com/cert/lumina-bsci.jpg", "image", "amfori BSCI"),
        ("https://www.globalsources.com/files/lumina-iso45001.pdf", "pdf", "ISO 45001:2018"),  # the canonical base
        ("https://p.globalsources.com/cert/lumina-rohs.png", "image", None),  # gallery: RoHS is not listed
    ]
    assert Statement(text="We hold CE and RoHS certificates for all lamps.", location="company_overview") in (
        doc.statements
    )


def test_hostile_profile_read_by_platform_name() -> None:
    html = page("company_profile_hostile.html")
    reading = read_page(html, "http://127.0.0.1:8080/profile.html", platform="global_sources")
    doc = reading.claims
    assert (reading.status, doc.source.platform, doc.source.page_type) == ("ok", "global_sources", "company_profile")
    s = doc.supplier
    assert s.name == 'Xiamen <script>alert("x")</script> Trading Co., Ltd.'  # text, as shown
    assert s.business_type == "<img src=x onerror=alert(1)> Trading Company"  # not the script's "Injected"
    assert s.year_established is None  # 1492
    assert s.years_on_platform is None  # "95 yrs" is longer than the marketplace exists; 2031 is in the future
    assert s.main_products == ["Toys", "Games"]  # the script's ", Weapons" is code
    assert parse(html).supplier.country is None  # "Atlantis" is no country
    # the script's and the search filter's badges are not the supplier's; the introduction's claim is prose
    assert doc.badges == [Badge(name="Verified Supplier", source="structured")]
    own = parse(html)
    assert [(c.name, c.number, c.issuer) for c in own.certifications] == [
        ("ISO 9001:2015", "<b>Q-0001</b>", "SGS"),
        ("ISO 14001:2015", "E-77", "BV"),
        ("CE", "CE-1", "TÜV SÜD"),
    ]  # the repeated header row is no certificate
    assert dates(own) == [
        ("ISO 9001:2015", None, None, False),  # 2017-13-45 ~ 9999-99-99 are no dates
        ("ISO 14001:2015", None, None, True),  # ends before it starts: neither end can be trusted
        ("CE", None, None, None),  # 1900-01-01 is a sentinel, 2027-02-30 no date
    ]
    assert Statement(text="We are ISO 9001 certified by ISO itself.", location="company_overview") in doc.statements


def test_nearly_empty_page_is_not_ok() -> None:
    url = "https://www.globalsources.com/acme/company-profile_6008800000001.htm"
    reading = read_page(page("company_profile_nearly_empty.html"), url)
    assert reading.claims.source.platform == "global_sources"
    assert reading.status in {"not_found", "unparseable"}
    assert not reading.claims.has_claims()  # chrome's "Verified Manufacturer" menu and footer are no badges


# --- product pages ------------------------------------------------------------------------------------------


def test_current_product_page_supplier_block() -> None:
    html = page("product_detail_2024.html")
    doc = read_page(html, PRODUCT_URL).claims
    assert (doc.status, doc.source.platform, doc.source.page_type) == ("ok", "global_sources", "product_detail")
    s = doc.supplier
    assert s.name == "Shenzhen Brightway Power Technology Co., Ltd."  # the link's title, untruncated
    assert (s.business_type, s.years_on_platform) == ("Manufacturer", 12)  # not the other supplier's
    assert (s.location, s.country) == ("Shenzhen, China", "CN")  # "Place of Origin" is the product's
    assert s.main_products == ["Power Banks", "Wireless Chargers"]
    assert doc.provenance["supplier.name"] == "structured"
    assert doc.badges == [
        Badge(name="Verified Manufacturer", issuer="Intertek", detail="Verified by Intertek", source="structured")
    ]
    assert starts_with(
        certs(doc),
        [(name, name, None, None, None, "product", "label") for name in ("CE", "FCC", "RoHS", "PSE")],
    )
    assert doc.statements[0] == Statement(
        text="The battery cells are UL 2054 certified and the pack passed UN38.3 testing.",
        location="product_description",
    )


def test_legacy_pdtl_product_page() -> None:
    doc = read_page(page("product_detail_legacy_pdtl.html"), PDTL_URL).claims
    assert (doc.status, doc.source.page_type) == ("ok", "product_detail")  # /pdtl/ wins over /si/
    s = doc.supplier
    assert (s.name, s.business_type, s.employees) == (
        "Ningbo Everbright Imp. & Exp. Co., Ltd.",
        "Trading Company",
        "51 - 100",
    )
    assert (s.location, s.country, s.years_on_platform) == ("Ningbo, Zhejiang, China", "CN", THIS_YEAR - 2009)
    assert doc.badges == [Badge(name="Verified Supplier", source="structured")]  # no verifier named
    assert [c.name for c in doc.certifications][:3] == ["LFGB", "FDA", "Prop 65"]


def test_ab_product_variant_in_a_saved_file() -> None:
    html = page("product_detail_ab_jsonld.html")
    doc = read_page(html, SAVED).claims
    assert (doc.status, doc.source.platform, doc.source.page_type) == ("ok", "global_sources", "product_detail")
    s = doc.supplier
    assert (s.name, s.country, s.business_type) == ("Binh Duong Green Bamboo Co., Ltd.", "VN", "Manufacturer")
    assert s.years_on_platform == 7
    assert doc.provenance["supplier.name"] == "label"  # a "Company Name" row
    assert doc.provenance["supplier.years_on_platform"] == "label"
    assert doc.badges == [
        Badge(name="Verified Manufacturer", issuer="TÜV SÜD", detail="Verified by TÜV SÜD", source="structured")
    ]
    assert starts_with(
        certs(doc),
        [("FSC", "FSC", None, None, None, "product", "label"), ("CE", "CE", None, None, None, "product", "label")],
    )


# --- smaller cases ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "badges"),
    [
        (  # two badges and one page-wide phrase: which check it belongs to is unknowable
            "<span>Verified Manufacturer</span><span>Verified Supplier</span><p>Verified by SGS</p>",
            BOTH_UNNAMED,
        ),
        (  # one container shows both badges: whose verifier it names is unknowable too
            "<div><span>Verified Manufacturer</span><span>Verified Supplier</span><small>Verified by SGS</small></div>",
            BOTH_UNNAMED,
        ),
        (
            "<span>Verified Supplier</span><p>Verification conducted by Bureau Veritas</p>",
            [
                Badge(
                    name="Verified Supplier",
                    issuer="Bureau Veritas",
                    detail="Verification conducted by Bureau Veritas",
                    source="structured",
                )
            ],
        ),
        (
            "<img alt='Verified Manufacturer'><dl><dt>Verified by</dt><dd>an independent third party</dd></dl>",
            [Badge(name="Verified Manufacturer", source="structured")],  # names nobody
        ),
        ("<p>Verified by Intertek</p>", []),  # a phrase alone is no badge
        ("<label><input type=checkbox>Verified Manufacturer</label>", []),  # a search filter
        ("<nav><a>Verified Manufacturer</a></nav><footer>Verified Supplier</footer>", []),
        ("<span>Verified Manufacturers</span>", []),  # a menu's plural
        (
            "<h2>About Us</h2><p>Verified Supplier</p><p>Our factory was verified by SGS.</p>",
            [],  # the supplier's own introduction
        ),
    ],
)
def test_verification_badges_and_verifiers(html: str, badges: list[Badge]) -> None:
    assert parse(f"<html><body>{html}</body></html>").badges == badges


@pytest.mark.parametrize(
    ("html", "years"),
    [
        ("<p>8 yrs with Global Sources</p>", 8),
        ("<p><b>8</b> years with Global Sources</p>", 8),
        ("<div>Supplier since 2015</div>", THIS_YEAR - 2015),
        ("<p>On Global Sources: with Global Sources since 2001</p>", THIS_YEAR - 2001),
        ("<dl><dt>Years with Global Sources</dt><dd>11</dd></dl>", 11),
        ("<p>Your trusted supplier since 1998</p>", None),  # a tagline, no membership
        (f"<p>{THIS_YEAR - OPENED + 2} yrs with Global Sources</p>", None),  # longer than the marketplace exists
        (f"<p>{THIS_YEAR - OPENED + 1} yrs with Global Sources</p>", THIS_YEAR - OPENED + 1),
        ("<p>Warranty: 2 yrs</p>", None),
    ],
)
def test_years_with_global_sources(html: str, years: int | None) -> None:
    assert parse(html).supplier.years_on_platform == years


@pytest.mark.parametrize(
    ("url", "page_type"),
    [
        (PROFILE_URL, "company_profile"),
        ("https://www.globalsources.com/acme/homepage_6008800000001.htm", "company_profile"),
        ("https://www.globalsources.com/si/AS/Acme/6008800000001/Homepage.htm", "company_profile"),
        (PRODUCT_URL, "product_detail"),
        (PDTL_URL, "product_detail"),
        ("https://www.globalsources.com/gsol/I/Power-bank/p/sm/1146435893.htm", "product_detail"),
        ("http://127.0.0.1:8080/product-detail/x.html", "company_profile"),  # another host's path says nothing
    ],
)
def test_page_type_by_address(url: str, page_type: str) -> None:
    doc = parse("<table><tr><th>Business Type</th><td>Manufacturer</td></tr></table>", url)
    assert (doc.source.page_type, doc.supplier.business_type) == (page_type, "Manufacturer")


def test_registry_hosts_and_fetch_hints() -> None:
    parser = get_parser("global_sources")
    assert isinstance(parser, GlobalSourcesParser)
    assert isinstance(detect_parser(PRODUCT_URL), GlobalSourcesParser)
    assert isinstance(detect_parser("https://globalsources.com/x"), GlobalSourcesParser)
    for url in ("https://globalsources.com.evil.example/", "https://notglobalsources.com/", "https://x.alibaba.com/"):
        assert not GlobalSourcesParser.matches_url(url)
    assert parser.data_in_html(PROFILE_URL) is True
    assert parser.ready_selector(PROFILE_URL) is None
    assert parser.wants_request("https://www.globalsources.com/_Incapsula_Resource?x=1", PROFILE_URL)
    assert not parser.wants_request("https://www.google-analytics.com/collect", PROFILE_URL)


@pytest.mark.parametrize(
    "name",
    [
        "company_profile_2024_tables.html",
        "company_profile_legacy_si.html",
        "company_profile_2025_cards.html",
        "product_detail_2024.html",
        "product_detail_legacy_pdtl.html",
        "product_detail_ab_jsonld.html",
    ],
)
def test_own_pages_detected_by_content_and_not_by_others(name: str) -> None:
    html = page(name)
    assert GlobalSourcesParser.matches_content(html)
    assert not AlibabaParser.matches_content(html)
    assert not MadeInChinaParser.matches_content(html)
    assert isinstance(detect_parser(SAVED, html), GlobalSourcesParser)


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body>Find us on Global Sources and globalsources.com</body></html>",
        '<a href="https://www.globalsources.com/acme/homepage_1.htm">our Global Sources store</a>',
        '<img src="https://p.globalsources.com/cert/x.jpg">',  # a picture hosted there, not the site
        '<link rel="canonical" href="https://globalsources.com.evil.example/x">',
        '<link rel="canonical" href="https://lurun.en.made-in-china.com/product/x.html">',
        '<meta property="og:site_name" content="Made-in-China.com">',
        "<script>window.detailData = {}</script>",
    ],
)
def test_not_global_sources_content(html: str) -> None:
    assert not GlobalSourcesParser.matches_content(html)


@pytest.mark.shared_pages
def test_real_pages_of_other_platforms_are_not_claimed(shared_pages: Path) -> None:
    for name in (
        "madeinchina_product_detail_with_supplier_block.html",
        "alibaba_company_profile_legacy2018_hdradio.html",
        "alibaba_product_detail_YrayPixels_productexample.html",
        "1688_block_login_wall_action_login.html",
    ):
        assert not GlobalSourcesParser.matches_content((shared_pages / name).read_text(encoding="utf-8")), name


@pytest.mark.shared_pages
def test_real_incapsula_block_page_is_blocked(shared_pages: Path) -> None:
    html = (shared_pages / "globalsources_block_incapsula_search.html").read_text(encoding="utf-8")
    reading = read_page(html, PRODUCT_URL)
    assert (reading.claims.source.platform, reading.status) == ("global_sources", "blocked")
    assert not parse(html, PRODUCT_URL).has_claims()


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<<<>>>",
        "\x00\x01\ufffd garbage \udcff",
        "<th>Business Type",
        "<span>Verified Manufacturer</span>" * 3000,
        "<div>" * 3000 + "Verified Supplier" + "</div>" * 3000,
        "<table><tr><th>Certificate</th><th>Certificate No.</th></tr>" + "<tr><td>CE</td><td>1</td></tr>" * 5000,
        "<div><h4>ISO 9001</h4>" + "<p>Certificate No.: 1</p>" * 3000 + "</div>",
        "<h2>Company Introduction</h2>" + "<p>We are ISO 9001 certified.</p>" * 5000,
        "<p>Supplier since " + "9" * 10_000 + "</p><p>" + "8" * 10_000 + " yrs with Global Sources</p>",
    ],
)
def test_malformed_input_never_raises(html: str) -> None:
    doc = parse(html)
    assert doc.source.platform == "global_sources"
    assert len(doc.certifications) <= 100 and len(doc.badges) <= 2 and len(doc.statements) <= 50


def test_bytes_and_non_text_input() -> None:
    html = page("product_detail_2024.html")
    assert parse(html.encode("utf-8"), PRODUCT_URL).supplier.name == "Shenzhen Brightway Power Technology Co., Ltd."
    assert parse(None, PRODUCT_URL).has_claims() is False  # type: ignore[arg-type]
    assert not GlobalSourcesParser.matches_content(None)  # type: ignore[arg-type]


def test_certificate_cards_take_their_kind_from_the_section() -> None:
    html = (
        "<h2>Product Certificates</h2>"
        "<div><h4>Certificate of Conformity</h4><p>Certificate No.: COC-1</p><p>Issued by: CTI</p></div>"
        "<div><h4>Energy Label Certificate</h4><p>Certificate No.: EL-2</p><p>Valid until: 2027-01-31</p></div>"
    )
    doc = parse(html)
    assert [(c.name, c.number, c.kind) for c in doc.certifications] == [
        ("Certificate of Conformity", "COC-1", "product"),
        ("Energy Label Certificate", "EL-2", "product"),  # the card before it is no section heading
    ]
    assert [c.valid_until for c in doc.certifications] == [None, date(2027, 1, 31)]


@pytest.mark.parametrize(
    "url",
    ["https://www.globalsources.com/searchList/suppliers?keyWord=power%20bank", SAVED],
)
def test_list_of_several_suppliers_reads_nobody(url: str) -> None:
    html = page("search_results_listing.html")
    own = parse(html, url)
    assert (own.source.page_type, own.has_claims()) == ("listing", False)
    reading = read_page(html, url)
    assert (reading.claims.source.platform, reading.claims.source.page_type) == ("global_sources", "listing")
    assert reading.status != "ok"  # whose badges, whose years? nobody's in particular
