"""The IndiaMART parser on AUTHORED pages (tests/pages/indiamart: invented suppliers in the layouts IndiaMART's
public pages show, several markups per page family, one hostile and one nearly empty page), read through
``read_page`` by URL, by content (a saved file) and by platform name; detection against other platforms'
pages. The GSTINs and IECs in the pages are made up (well-formed, nobody's)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scrapers.claims import Badge, ClaimsDocument, Statement
from scrapers.extract import read_page
from scrapers.platforms.alibaba import AlibabaParser
from scrapers.platforms.base import detect_parser, get_parser
from scrapers.platforms.global_sources import GlobalSourcesParser
from scrapers.platforms.indiamart import OPENED, IndiaMartParser
from scrapers.platforms.made_in_china import MadeInChinaParser

PAGES = Path(__file__).parent / "pages" / "indiamart"
HOME_URL = "https://www.indiamart.com/rathi-polymers/"
ABOUT_URL = "https://www.indiamart.com/rathi-polymers/aboutus.html"
MOBILE_URL = "https://m.indiamart.com/sharma-spices/"
PRODUCT_URL = "https://www.indiamart.com/proddetail/pvc-pipe-2851234567.html"
MOBILE_PRODUCT_URL = "https://m.indiamart.com/proddetail/cotton-yarn-22334455.html"
LISTING_URL = "https://dir.indiamart.com/impcat/pvc-pipes.html"
SAVED = "file:///tmp/x.html"
THIS_YEAR = date.today().year
RATHI_GST = Badge(name="GST", detail="GSTIN 27AAACR5055K1Z7", source="structured")


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def parse(html: str | bytes, url: str = HOME_URL) -> ClaimsDocument:
    return IndiaMartParser().parse(html, url)  # type: ignore[arg-type]


def certs(doc: ClaimsDocument) -> list[tuple]:
    return [(c.name, c.standard, c.edition, c.kind, c.source) for c in doc.certifications]


def starts_with(items: list, expected: list) -> bool:
    """read_page lays the generic reader's findings under the parser's: the parser's come first."""
    return items[: len(expected)] == expected


# --- company pages -----------------------------------------------------------------------------------------


def test_company_home_by_url() -> None:
    html = page("company_home_2024.html")
    reading = read_page(html, HOME_URL)
    doc = reading.claims
    assert reading.status == "ok"
    assert (doc.source.platform, doc.source.page_type) == ("indiamart", "company_profile")
    assert doc.supplier.name == "Rathi Polymers Private Limited"
    assert doc.provenance["supplier.name"] == "structured"
    assert doc.supplier.country == "IN"  # the GSTIN: only India's GST system issues them
    assert doc.supplier.years_on_platform == 16  # "16 yrs" titled "IndiaMART Member Since"
    # the search filter, the other sellers' cards and the footer are not this supplier's
    assert doc.badges == [
        Badge(name="TrustSEAL Verified", source="structured"),
        Badge(name="Verified Exporter", source="structured"),
        RATHI_GST,  # shown as "GST - <number>": no "Verified" is claimed for it
    ]
    assert starts_with(certs(doc), [("ISO 9001:2015", "ISO 9001", "2015", "management_system", "structured")])
    assert doc.statements[:2] == [
        Statement(
            text="Established in the year 1995, we are an ISO 9001:2015 certified manufacturer of PVC pipes and "
            "fittings.",
            location="company_overview",
        ),
        Statement(text="Our pipes are BIS approved and conform to IS 4985.", location="company_overview"),
    ]
    own = parse(html)
    assert own.supplier.business_type is None  # "Nature of Business: more than just pipes" is About Us prose
    assert own.supplier.location is None  # the header's address line has no label


def test_aboutus_factsheet() -> None:
    doc = read_page(page("company_aboutus_factsheet.html"), ABOUT_URL).claims
    assert (doc.status, doc.source.page_type) == ("ok", "company_profile")
    s = doc.supplier
    assert (s.name, s.business_type, s.year_established) == ("Rathi Polymers Private Limited", "Manufacturer", 1995)
    assert (s.employees, s.annual_revenue) == ("26 to 50 People", "Rs. 5 - 25 Crore")  # IndiaMART's wording
    assert s.location == "Plot No. 12, MIDC, Andheri East, Mumbai - 400093, Maharashtra, India"
    assert s.country == "IN"
    assert s.main_products == ["uPVC Pipes", "CPVC Pipes", "Pipe Fittings"]
    assert s.main_markets == ["UAE", "Kenya", "Nepal"]
    assert s.years_on_platform == THIS_YEAR - 2009  # "IndiaMART Member Since: 2009"
    assert {f: doc.provenance[f"supplier.{f}"] for f in ("name", "business_type", "years_on_platform")} == {
        "name": "structured",
        "business_type": "label",
        "years_on_platform": "label",
    }
    assert doc.badges == [
        Badge(name="TrustSEAL Verified", source="structured"),
        Badge(name="Verified Exporter", detail="IEC 0395012345", source="structured"),
        RATHI_GST,
    ]
    assert starts_with(
        certs(doc),
        [
            ("ISO 9001:2015", "ISO 9001", "2015", "management_system", "label"),  # "Certified" is no part of the name
            ("ISO 14001:2015", "ISO 14001", "2015", "management_system", "label"),
            ("BIS", "BIS", None, "product", "label"),
        ],
    )
    assert all(c.number is c.issuer is c.valid_until is None for c in doc.certifications)  # names only
    assert [(d.url, d.kind, d.certification) for d in doc.documents][:2] == [
        ("https://5.imimg.com/data5/certs/rathi-iso9001.jpg", "image", "ISO 9001:2015"),  # the linked full size
        ("https://www.indiamart.com/rathi-polymers/docs/bis-licence.pdf", "pdf", "BIS"),
    ]
    assert doc.statements[0] == Statement(
        text="We hold ISO 9001:2015 and ISO 14001:2015 certificates issued by Bureau Veritas.",
        location="company_overview",
    )


def test_mobile_company_page_with_gst_verified() -> None:
    doc = read_page(page("company_mobile.html"), MOBILE_URL).claims
    assert (doc.status, doc.source.platform, doc.source.page_type) == ("ok", "indiamart", "company_profile")
    s = doc.supplier
    assert s.name == "Sharma Spices Pvt. Ltd."  # the "Company Name" row
    assert doc.provenance["supplier.name"] == "label"
    assert (s.business_type, s.employees, s.annual_revenue) == (
        "Manufacturer, Exporter",
        "Upto 10 People",
        "Upto Rs. 50 Lakh",
    )
    assert (s.year_established, s.years_on_platform) == (2008, 7)
    assert (s.location, s.country) == ("Kanpur, Uttar Pradesh", "IN")  # no country in the address; the GSTIN
    assert s.main_products == ["Turmeric Powder", "Red Chilli Powder"]
    assert doc.badges == [
        Badge(name="GST Verified", detail="GSTIN 09ABCPS1234F1Z5", source="structured"),
        Badge(name="Leading Supplier", source="structured"),
    ]
    # "N/A" is no certificate; "100% Quality Certified" names no standard
    assert starts_with(
        certs(doc), [("FSSAI", None, None, "other", "label"), ("HACCP", "HACCP", None, "management_system", "label")]
    )
    assert [c.name for c in parse(page("company_mobile.html"), MOBILE_URL).certifications] == ["FSSAI", "HACCP"]
    assert doc.statements[0] == Statement(
        text="Our spices are FSSAI certified and HACCP compliant.", location="company_overview"
    )


def test_hostile_company_page_read_by_platform_name() -> None:
    html = page("company_hostile.html")
    reading = read_page(html, "http://127.0.0.1:8080/company.html", platform="indiamart")
    doc = reading.claims
    assert (reading.status, doc.source.platform, doc.source.page_type) == ("ok", "indiamart", "company_profile")
    s = doc.supplier
    assert s.name == "Gupta <script>alert(1)</script> Traders"  # text, as shown
    assert s.business_type == "<img src=x onerror=alert(1)> Wholesaler"  # not the script's "Injected"
    assert s.annual_revenue == "Rs. 1 - 2 Crore"  # the script's " (audited)" is code
    assert s.year_established is None  # 3000
    assert s.years_on_platform is None  # "Member since 1990": before IndiaMART existed
    assert s.country is None  # a Delhi address without a country, and no well-formed GSTIN
    # the scripts', the filters' and the prose's badges and GSTINs are not the supplier's; a truncated GSTIN
    # and "Not Available" make no GST badge
    assert doc.badges == [Badge(name="Verified Supplier", source="structured")]
    assert [c.name for c in parse(html).certifications] == ["ISO 9001"]  # markup text and "Others" dropped
    assert Statement(text="Our products are ISO certified.", location="company_overview") in doc.statements


def test_nearly_empty_page_is_not_ok() -> None:
    reading = read_page(page("company_nearly_empty.html"), "https://www.indiamart.com/gone-traders/")
    assert reading.claims.source.platform == "indiamart"
    assert reading.status in {"not_found", "unparseable"}
    assert not reading.claims.has_claims()


# --- product pages ------------------------------------------------------------------------------------------


def test_product_page_seller_block() -> None:
    doc = read_page(page("product_detail_2024.html"), PRODUCT_URL).claims
    assert (doc.status, doc.source.platform, doc.source.page_type) == ("ok", "indiamart", "product_detail")
    s = doc.supplier
    assert s.name == "Rathi Polymers Private Limited"  # the link's title, untruncated
    assert (s.business_type, s.annual_revenue) == ("Manufacturer", "Rs. 5 - 25 Crore")  # not the other seller's
    assert (s.years_on_platform, s.country) == (16, "IN")
    assert doc.badges == [
        Badge(name="TrustSEAL Verified", source="structured"),
        Badge(name="Verified Exporter", source="structured"),
        RATHI_GST,  # the other seller's GSTIN is theirs
    ]
    assert starts_with(
        certs(doc), [("ISI Marked", None, None, "other", "label"), ("BIS", "BIS", None, "product", "label")]
    )
    assert doc.statements[0] == Statement(
        text="The pipes are BIS certified to IS 4985.", location="product_description"
    )


def test_mobile_product_page_inline_rows() -> None:
    doc = read_page(page("product_detail_mobile.html"), MOBILE_PRODUCT_URL).claims
    assert (doc.status, doc.source.page_type) == ("ok", "product_detail")
    s = doc.supplier
    assert (s.name, s.business_type, s.location, s.country) == (
        "Bansal Textiles",
        "Trader",
        "Ludhiana, Punjab, India",
        "IN",
    )
    assert s.years_on_platform == THIS_YEAR - 2012
    assert doc.badges == [
        Badge(name="TrustSEAL Verified", source="structured"),  # an icon named "TrustSEAL"
        Badge(name="Verified Supplier", source="structured"),
        Badge(name="GST", detail="GSTIN 03AAGFB1234C1ZQ", source="structured"),
    ]
    assert starts_with([c.name for c in doc.certifications], ["OEKO-TEX", "GOTS"])


def test_ab_product_variant_in_a_saved_file() -> None:
    html = page("product_detail_saved_ab.html")
    assert isinstance(detect_parser(SAVED, html), IndiaMartParser)
    doc = read_page(html, SAVED).claims
    assert (doc.status, doc.source.platform, doc.source.page_type) == ("ok", "indiamart", "product_detail")
    s = doc.supplier
    assert (s.name, s.year_established, s.employees) == ("Surya Kitchenware Industries", 2001, "11 to 25 People")
    assert (s.location, s.country) == ("GIDC Vatva, Ahmedabad, Gujarat", "IN")
    assert doc.provenance["supplier.name"] == "label"
    assert doc.badges == [
        Badge(name="Verified Plus Supplier", source="structured"),
        Badge(name="Star Supplier", source="structured"),
        Badge(name="GST", detail="GSTIN 24AAACS9999Q1Z2", source="structured"),
    ]
    # "ISO 9001:2008 Certified Company" is a tag of a known standard; "ISI Certified" names none the reader knows
    assert starts_with(certs(doc), [("ISO 9001:2008", "ISO 9001", "2008", "management_system", "structured")])
    assert "ISI" not in [c.name for c in doc.certifications]


# --- listings -----------------------------------------------------------------------------------------------


def test_listing_of_one_supplier_is_read() -> None:
    doc = read_page(
        page("listing_single_supplier.html"), "https://dir.indiamart.com/kanpur/turmeric-powder.html"
    ).claims
    assert (doc.status, doc.source.page_type) == ("ok", "listing")
    assert (doc.supplier.name, doc.supplier.country) == ("Sharma Spices Private Limited", "IN")
    assert doc.supplier.years_on_platform == THIS_YEAR - 2019
    assert doc.badges == [
        Badge(name="TrustSEAL Verified", source="structured"),
        Badge(name="GST", detail="GSTIN 09ABCPS1234F1Z5", source="structured"),
    ]


def test_search_listing_of_one_supplier() -> None:
    doc = read_page(page("listing_search_one_supplier.html"), "https://www.indiamart.com/search.mp?ss=bamboo").claims
    assert (doc.status, doc.source.page_type, doc.supplier.name) == ("ok", "listing", "Assam Bamboo Crafts")
    assert doc.badges == [Badge(name="Verified Exporter", source="structured")]


def test_listing_of_several_suppliers_reads_nobody() -> None:
    html = page("listing_many_suppliers.html")
    own = parse(html, LISTING_URL)
    assert (own.source.page_type, own.has_claims()) == ("listing", False)
    reading = read_page(html, LISTING_URL)
    assert reading.claims.source.page_type == "listing"
    assert reading.status != "ok"  # whose GSTIN, whose badges? nobody's in particular


# --- smaller cases ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "badges"),
    [
        ("<div><span>GST No.</span> <span>27aaacr5055k1z7</span></div>", [RATHI_GST]),  # shown lower-case
        ("<p>GSTIN: 27AAACR5055K1Z</p>", []),  # one character short
        ("<p>GST No.: 27AAACR5055K1Z7X</p>", []),  # one too many
        ("<span>GST Verified</span>", [Badge(name="GST Verified", source="structured")]),  # no number shown
        (
            "<span>GST Verified</span><p>GSTIN 27AAACR5055K1Z7</p>",
            [Badge(name="GST Verified", detail="GSTIN 27AAACR5055K1Z7", source="structured")],
        ),
        ('<div class="about-us"><p>Our GSTIN is 27AAACR5055K1Z7.</p></div>', []),  # the supplier's prose
        ("<script>var gst = 'GST 27AAACR5055K1Z7'</script>", []),
    ],
)
def test_gstin_only_when_shown_and_well_formed(html: str, badges: list[Badge]) -> None:
    doc = parse(f"<html><body>{html}</body></html>")
    assert doc.badges == badges
    assert doc.certifications == []  # an identity fact, never a certification
    assert doc.supplier.country == ("IN" if any(b.detail for b in badges) else None)


@pytest.mark.parametrize(
    ("html", "years"),
    [
        ("<p>Member since 2015</p>", THIS_YEAR - 2015),
        ("<p>IndiaMART Member Since : 8 Yrs</p>", 8),
        ("<dl><dt>Member Since</dt><dd>2011</dd></dl>", THIS_YEAR - 2011),
        ('<span title="IndiaMART Member Since">9 yrs</span>', 9),
        ("<span>9 yrs</span>", None),  # a bare count says nothing about membership
        ("<p>Warranty: 2 yrs</p>", None),
        (f"<p>Member for {THIS_YEAR - OPENED + 2} years</p>", None),  # longer than IndiaMART exists
        (f"<p>Member since {OPENED}</p>", THIS_YEAR - OPENED),
    ],
)
def test_membership_years(html: str, years: int | None) -> None:
    assert parse(html).supplier.years_on_platform == years


@pytest.mark.parametrize(
    ("url", "page_type"),
    [
        (HOME_URL, "company_profile"),
        (ABOUT_URL, "company_profile"),
        ("https://www.indiamart.com/rathi-polymers/products.html", "company_profile"),
        (MOBILE_URL, "company_profile"),
        (PRODUCT_URL, "product_detail"),
        (MOBILE_PRODUCT_URL, "product_detail"),
        (LISTING_URL, "listing"),
        ("https://www.indiamart.com/search.mp?ss=pvc", "listing"),
        ("http://127.0.0.1:8080/rathi-polymers/", "company_profile"),  # by its facts: another host's path says nothing
    ],
)
def test_page_type_by_address(url: str, page_type: str) -> None:
    doc = parse("<table><tr><td>Nature of Business</td><td>Manufacturer</td></tr></table>", url)
    assert (doc.source.page_type, doc.supplier.business_type) == (page_type, "Manufacturer")


def test_registry_hosts_and_fetch_hints() -> None:
    parser = get_parser("indiamart")
    assert isinstance(parser, IndiaMartParser)
    for url in (HOME_URL, MOBILE_URL, LISTING_URL, "https://indiamart.com/x/"):
        assert isinstance(detect_parser(url), IndiaMartParser), url
    for url in ("https://indiamart.com.evil.example/", "https://notindiamart.com/", "https://www.tradeindia.com/"):
        assert not IndiaMartParser.matches_url(url)
    assert parser.data_in_html(HOME_URL) is True
    assert parser.ready_selector(HOME_URL) is None
    assert not parser.wants_request("https://5.imimg.com/data5/x.jpg", HOME_URL)  # off the page's origin


@pytest.mark.parametrize(
    "name",
    [
        "company_home_2024.html",
        "company_aboutus_factsheet.html",
        "company_mobile.html",
        "product_detail_2024.html",
        "product_detail_mobile.html",
        "product_detail_saved_ab.html",
        "listing_single_supplier.html",
        "listing_search_one_supplier.html",
    ],
)
def test_own_pages_detected_by_content_and_not_by_others(name: str) -> None:
    html = page(name)
    assert IndiaMartParser.matches_content(html)
    for other in (AlibabaParser, MadeInChinaParser, GlobalSourcesParser):
        assert not other.matches_content(html), other.name
    assert isinstance(detect_parser(SAVED, html), IndiaMartParser)


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><body>Also on IndiaMART: indiamart.com/rathi-polymers</body></html>",
        '<a href="https://www.indiamart.com/rathi-polymers/">Our IndiaMART store</a>',
        '<img src="https://5.imimg.com/data5/x.jpg">',  # a picture hosted there, not the site
        '<link rel="canonical" href="https://indiamart.com.evil.example/x">',
        '<link rel="canonical" href="https://www.globalsources.com/x/homepage_1.htm">',
        '<meta property="og:site_name" content="Global Sources">',
        '<div class="sr-comInfo-title"></div>',
    ],
)
def test_not_indiamart_content(html: str) -> None:
    assert not IndiaMartParser.matches_content(html)


@pytest.mark.shared_pages
def test_real_pages_of_other_platforms_are_not_claimed(shared_pages: Path) -> None:
    for name in (
        "madeinchina_product_detail_with_supplier_block.html",
        "alibaba_company_profile_legacy2018_hdradio.html",
        "alibaba_product_detail_YrayPixels_productexample.html",
        "globalsources_block_incapsula_search.html",
    ):
        assert not IndiaMartParser.matches_content((shared_pages / name).read_text(encoding="utf-8")), name


def test_sign_in_wall_is_not_taken_for_a_supplier() -> None:
    html = "<html><head><title>Sign In to IndiaMART</title></head><body><form><input name=mobile></form></body></html>"
    reading = read_page(html, HOME_URL, final_url="https://my.indiamart.com/")
    assert (reading.claims.source.platform, reading.status) == ("indiamart", "login_required")


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<<<>>>",
        "\x00\x01\ufffd garbage \udcff",
        "<td>Nature of Business",
        "<span>TrustSEAL Verified</span>" * 3000,
        "<div>" * 3000 + "Verified Exporter" + "</div>" * 3000,
        "<p>GST " + "27AAACR5055K1Z7" * 5000 + "</p>",
        "<p>Member since " + "9" * 10_000 + "</p>",
        "<tr><td>Certification</td><td>" + "ISO 9001, " * 5000 + "</td></tr>",
        "<span>" + "ISO 9001 " * 2000 + "Certified</span>",
        "".join(f'<a href="https://www.indiamart.com/c{i}/">C{i}</a>' for i in range(3000)),
    ],
)
def test_malformed_input_never_raises(html: str) -> None:
    doc = parse(html, LISTING_URL)
    assert doc.source.platform == "indiamart"
    assert len(doc.certifications) <= 100 and len(doc.badges) <= 8
    assert parse(html).source.platform == "indiamart"


def test_bytes_and_non_text_input() -> None:
    html = page("product_detail_2024.html")
    assert parse(html.encode("utf-8"), PRODUCT_URL).supplier.name == "Rathi Polymers Private Limited"
    assert parse(None, PRODUCT_URL).has_claims() is False  # type: ignore[arg-type]
    assert not IndiaMartParser.matches_content(None)  # type: ignore[arg-type]
