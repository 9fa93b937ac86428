"""The generic reader: any page's supplier facts with their provenance, under every platform parser.

Authored pages in tests/pages/website/ cover schema.org in JSON-LD, microdata and RDFa, label/value pairs in
several layouts (English and Chinese), statements outside the known blocks, certificate document links, and
the pages that must not be read (several suppliers' cards, site chrome).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from monitor.verify import verify
from scrapers.claims import Badge, ClaimsDocument, PageStatus, Source, Supplier
from scrapers.extract import read_page
from scrapers.generic import merge_under, read_generic
from scrapers.generic.labels import field_of

PAGES = Path(__file__).parent / "pages" / "website"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def read(name: str, url: str | None = None) -> ClaimsDocument:
    reading = read_page(page(name), url or f"https://supplier.example/{name}")
    return reading.claims


def texts(doc: ClaimsDocument) -> list[str]:
    return [s.text for s in doc.statements]


def test_jsonld_organization_with_labels_statements_and_documents() -> None:
    doc = read("jsonld_organization.html", "https://brightwave-kettles.example/about")
    assert (doc.status, doc.source.platform) == (PageStatus.OK, "website")
    supplier = doc.supplier
    assert supplier.name == "Ningbo Brightwave Kettles Co., Ltd."  # legalName over the short brand name
    assert (supplier.year_established, supplier.employees, supplier.country) == (2006, "101 - 200", "CN")
    assert supplier.business_type == "Manufacturer, Trading Company"
    assert supplier.main_products == ["Electric kettles", "Coffee makers"]
    assert supplier.main_markets == ["North America 35%", "Western Europe 25%", "Domestic Market 10%"]
    assert supplier.annual_revenue == "US$10 Million - US$50 Million"
    assert doc.provenance["supplier.name"] == "jsonld"
    assert doc.provenance["supplier.business_type"] == "label"
    iso = doc.certifications[0]
    assert (iso.standard, iso.edition, iso.number, iso.issuer) == (
        "ISO 9001",
        "2015",
        "CN-QMS-20931",
        "Bureau Veritas Certification",
    )
    assert (iso.valid_from, iso.valid_until, iso.source) == (date(2024, 2, 1), date(2027, 1, 31), "jsonld")
    assert [c.standard for c in doc.certifications] == ["ISO 9001", "BSCI"]  # the PDF link is no second ISO 9001
    # Sentences of the company introduction are read; the menu's, the header's, the footer's and another
    # supplier's card are not.
    assert texts(doc) == [
        "Our factory is FDA approved and every item is BSCI certified.",
        "We are an ISO certified company approved by ISO.",
    ]
    assert supplier.year_established != 1990  # the other supplier's card in the aside
    documents = {(d.url, d.kind, d.certification) for d in doc.documents}
    assert documents == {
        ("https://brightwave-kettles.example/files/BV-ISO9001-2015-certificate.pdf", "pdf", "ISO 9001:2015"),
        ("https://brightwave-kettles.example/img/cert/ce-large.jpg", "image", None),  # the large picture
    }
    assert all(d.label and "\ue001" not in d.label for d in doc.documents)


def test_statements_in_new_places_reach_the_wording_rules() -> None:
    """Issue 9: these sentences gave no statements, so no findings."""
    doc = read("jsonld_organization.html")
    rules = {f.code for f in verify(doc, today=date(2026, 12, 2))}
    assert {"FDA_APPROVAL_CLAIM", "ISO_AS_CERTIFIER"} <= rules
    product = read("product_jsonld.html")
    assert "PRODUCT_CLAIM_FROM_SYSTEM_CERT" in {f.code for f in verify(product, today=date(2026, 12, 2))}


def test_microdata_local_business_and_label_divs() -> None:
    doc = read("microdata_localbusiness.html")
    assert doc.status is PageStatus.OK
    assert doc.supplier.name == "Shenzhen Lumen Power Technology Co., Ltd."
    assert (doc.supplier.year_established, doc.supplier.employees, doc.supplier.country) == (2011, "250", "CN")
    assert doc.provenance["supplier.name"] == "microdata"
    assert doc.supplier.business_type == "Manufacturer"  # "Nature of Business" label div beside its value div
    assert doc.supplier.main_markets == ["Europe 40%", "North America 30%"]
    assert [c.name for c in doc.certifications] == ["ISO 9001", "UL", "CE", "RoHS"]  # "CE/RoHS" is two marks
    assert {c.source for c in doc.certifications} == {"label"}
    assert len(texts(doc)) == len(set(texts(doc))) == 1  # the description is read once, not per place


def test_rdfa_corporation() -> None:
    doc = read("rdfa_corporation.html")
    assert (doc.supplier.name, doc.supplier.year_established) == ("Rheinfeld Präzision GmbH", 1987)
    assert doc.provenance["supplier.name"] == "rdfa"
    assert texts(doc) == ["We are IATF 16949 certified."]


def test_chinese_labels_and_statements() -> None:
    doc = read("labels_chinese.html")
    assert doc.supplier.name == "义乌市晨光日用品有限公司"
    assert (doc.supplier.business_type, doc.supplier.year_established) == ("生产厂家", 2009)
    assert (doc.supplier.employees, doc.supplier.country) == ("51-100人", "CN")
    assert doc.supplier.main_products == ["收纳盒", "保温杯", "餐具"]
    assert "500万" not in doc.to_json_dict().__repr__()  # registered capital is not a claim
    assert [c.standard for c in doc.certifications] == ["ISO 9001", "BSCI"]
    assert texts(doc) == ["本公司于2012年通过ISO9001质量管理体系认证，产品获得欧盟CE认证。"]  # not the nav bar's


def test_unknown_layout_with_supplier_facts_is_ok_with_provenance() -> None:
    reading = read_page(page("unknown_marketplace_layout.html"), "https://tradehub.example/s/evergreen")
    doc = reading.claims
    assert reading.status is PageStatus.OK
    assert doc.supplier.name == "Hangzhou Evergreen Textile Co., Ltd."
    assert (doc.supplier.location, doc.supplier.country) == ("Zhejiang, China (Mainland)", "CN")
    assert doc.supplier.main_markets == ["North America 20%", "Western Europe 18%"]
    assert set(doc.provenance.values()) == {"label"}
    assert set(doc.provenance) == {f"supplier.{name}" for name in doc.supplier.filled_fields()}


def test_a_page_of_several_suppliers_is_not_one_suppliers_claims() -> None:
    reading = read_page(page("listing_page.html"), "https://tradehub.example/search?q=kettle")
    assert reading.status is PageStatus.UNPARSEABLE
    assert not reading.claims.has_claims()


def test_product_jsonld_names_its_manufacturer_and_product_certification() -> None:
    doc = read("product_jsonld.html")
    assert doc.supplier.name == "Zhongshan Aurora Electric Appliance Co., Ltd."
    gs = doc.certifications[0]
    assert (gs.standard, gs.number, gs.issuer, gs.kind) == ("GS", "R 50412345", "TÜV Rheinland", "product")
    assert "Every kettle is CE and GS certified." in texts(doc)


def test_the_marketplaces_own_organization_is_not_the_supplier() -> None:
    html = """<html><head><script type="application/ld+json">
    {"@type": "Organization", "name": "Alibaba.com", "url": "https://www.alibaba.com"}</script></head>
    <body><p>Year Established: 2010</p></body></html>"""
    reading = read_page(html, "https://kettles.en.alibaba.com/company_profile.html", platform="alibaba")
    assert reading.claims.supplier.name is None
    assert reading.claims.supplier.year_established == 2010
    assert reading.claims.source.platform == "alibaba"


def test_platform_values_win_field_by_field() -> None:
    platform = ClaimsDocument(
        source=Source(url="https://x.example/", platform="alibaba", page_type="company_profile"),
        supplier=Supplier(name="Platform Name Co., Ltd.", employees="51 - 100 People"),
        provenance={"supplier.name": "structured", "supplier.employees": "structured"},
    )
    generic = read_generic(page("unknown_marketplace_layout.html"), "https://x.example/")
    merged = merge_under(platform, generic)
    assert merged.supplier.name == "Platform Name Co., Ltd."
    assert merged.supplier.employees == "51 - 100 People"
    assert merged.supplier.year_established == 2003
    assert merged.provenance["supplier.name"] == "structured"
    assert merged.provenance["supplier.year_established"] == "label"
    assert merged.source == platform.source
    assert texts(merged) == texts(generic)


def test_hostile_text_stays_text() -> None:
    html = """<html><body><dl><dt>Company Name</dt><dd>&lt;script&gt;alert(1)&lt;/script&gt; Evil Co.</dd></dl>
    <p>We are <b>ISO 9001</b> certified <img src=x onerror=alert(1)>.</p></body></html>"""
    doc = read_page(html, "https://evil.example/").claims
    assert doc.supplier.name == "<script>alert(1)</script> Evil Co."  # kept as text; escaped where shown
    assert texts(doc) == ["We are ISO 9001 certified ."]


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Year Established:", "year_established"),
        ("Year of Establishment", "year_established"),
        ("成立时间：", "year_established"),
        ("Nature of Business", "business_type"),
        ("经营模式", "business_type"),
        ("Total Number of Employees", "employees"),
        ("Top 3 Markets", "main_markets"),
        ("Annual Turnover", "annual_revenue"),
        ("Management System Certification", "certifications"),
        ("Registered Capital", None),
        ("注册资本", None),
        ("Contact Person", None),
        ("Location of the factory where we make every product", None),
    ],
)
def test_label_table(label: str, field: str | None) -> None:
    assert field_of(label) == field


def test_nothing_supplier_like_is_unparseable_and_walls_stay_walls() -> None:
    plain = "<html><body>" + "<p>Just a blog post about the weather and nothing else.</p>" * 10 + "</body></html>"
    assert read_page(plain, "https://blog.example/").status is PageStatus.UNPARSEABLE
    captcha = "<html><head><title>Captcha Interception</title></head><body><punish-component></body></html>"
    assert read_page(captcha, "https://x.en.alibaba.com/").status is PageStatus.BLOCKED


@pytest.mark.shared_pages
def test_real_pages_keep_their_status(shared_pages: Path) -> None:
    """Every real captured page: the generic reader adds facts but never turns a wall or a listing into ok."""
    expected = {
        "1688_block_login_wall_action_login.html": PageStatus.LOGIN_REQUIRED,
        "alibaba_block_punish_captcha_interception_rendered.html": PageStatus.BLOCKED,
        "globalsources_block_incapsula_search.html": PageStatus.BLOCKED,
        "alibaba_supplier_search_results_2018.html": PageStatus.UNPARSEABLE,
        "alibaba_company_profile_cpmodules2018_jinou.html": PageStatus.OK,
        "alibaba_company_profile_legacy2018_hdradio.html": PageStatus.OK,
        "alibaba_product_detail_YrayPixels_productexample.html": PageStatus.OK,
        "madeinchina_product_detail_with_supplier_block.html": PageStatus.OK,
    }
    for name, status in expected.items():
        html = (shared_pages / name).read_text(encoding="utf-8", errors="replace")
        reading = read_page(html, f"file:///saved/{name}")
        assert reading.status is status, name
        assert (reading.status is PageStatus.OK) == reading.claims.has_claims(), name


def test_empty_and_placeholder_values_are_not_taken_from_elsewhere() -> None:
    """An empty table cell is no cue to take the next block (another seller's card) as the value."""
    html = """<html><body><table><tr><td>经营模式：</td><td></td></tr><tr><td>成立时间：</td><td>-</td></tr></table>
    <div class="x"><h3>猜你喜欢</h3><div>生产厂家</div><div>2010</div></div>
    <ul><li>Year Established: N/A</li><li>员工人数：暂无</li></ul></body></html>"""
    reading = read_page(html, "https://shop.example/profile")
    assert reading.claims.supplier.filled_fields() == []
    assert reading.status is not PageStatus.OK


def test_a_badge_caption_is_not_a_statement_but_a_description_is() -> None:
    """A platform's own badge caption is its check, read as a badge; the supplier's sentences are statements."""
    platform = ClaimsDocument(
        source=Source(url="https://x.example/", platform="alibaba", page_type="product_detail"),
        badges=[Badge(name="Verified Supplier", issuer="SGS", detail="Verified by SGS")],
    )
    html = """<html><body><div class="badge-box"><span>Verified by SGS</span></div>
    <div data-module-name="module_description"><p>Our factory is FDA approved and every item is BSCI certified.</p>
    </div></body></html>"""
    merged = merge_under(platform, read_generic(html, "https://x.example/"))
    assert [(s.text, s.location) for s in merged.statements] == [
        ("Our factory is FDA approved and every item is BSCI certified.", "product_description")
    ]


def test_a_half_emoji_never_makes_a_document_unstorable() -> None:
    """JSON cut through an emoji ("\\ud83d") decodes to a lone surrogate: the claims model replaces it."""
    html = '<script type="application/ld+json">{"@type": "Organization", "name": "Acme \\ud83d"}</script>'
    doc = read_page(html, "https://acme.example/").claims
    assert doc.supplier.name == "Acme \ufffd"
    json.dumps(doc.to_json_dict(), ensure_ascii=False).encode("utf-8")


def test_deeply_nested_microdata_is_skipped_not_waited_for() -> None:
    """extruct's microdata reader slows down steeply with nesting; such pages are read without it."""
    item = '<div itemscope itemtype="https://schema.org/Organization"><span itemprop="name">Nested Co</span>'
    html = "<html><body>" + item * 40 + "</div>" * 40 + "<p>Year Established: 2001</p></body></html>"
    doc = read_page(html, "https://nested.example/").claims
    assert doc.supplier.name is None  # microdata skipped
    assert doc.supplier.year_established == 2001  # the rest of the page is still read
