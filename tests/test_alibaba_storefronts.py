"""The older Alibaba storefronts (issue 9 item 4): minisite home and contacts pages, free-member stores, TrustPass
pages and company-profile fragments, on pages written for these tests (tests/pages/alibaba/) in several
generations' markup, English and Chinese, GBK-encoded, truncated and hostile; and the real captures, which must
read as before."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scrapers.claims import ClaimsDocument, PageStatus
from scrapers.extract import read_page
from scrapers.fetch.encoding import codec_for, decode_html
from scrapers.platforms.alibaba import PAGE_TYPES, AlibabaParser
from scrapers.platforms.alibaba import _make_soup as make_soup
from scrapers.platforms.alibaba import storefront as storefront_module
from scrapers.platforms.alibaba._common import DocumentBuilder, LazySoup
from scrapers.platforms.alibaba.storefront import country_of, parse_storefront, storefront_page_type

ROOT = Path(__file__).resolve().parents[1]
PAGES = Path(__file__).resolve().parent / "pages" / "alibaba"
STOREFRONT_TYPES = {
    "storefront_home",
    "storefront_contacts",
    "storefront_page",
    "free_member",
    "trustpass_profile",
    "company_profile_fragment",
}


def page(name: str) -> str:
    return decode_html((PAGES / name).read_bytes())


def both_ways(html: str, url: str) -> list[ClaimsDocument]:
    """The page read with the platform detected from its address, and with the platform named."""
    return [read_page(html, url).claims, read_page(html, url, platform="alibaba").claims]


def badges(doc: ClaimsDocument) -> dict[str, tuple[str | None, str | None]]:
    return {badge.name: (badge.issuer, badge.detail) for badge in doc.badges}


# name, url, page type, supplier fields, badges {name: (issuer, detail)}, provenance
CASES: list[tuple[str, str, str, dict[str, Any], dict[str, tuple[str | None, str | None]], dict[str, str]]] = [
    (
        "storefront_home_2018.html",
        "https://brightway.en.alibaba.com/",
        "storefront_home",
        {
            "name": "Cixi Brightway Kettle Co., Ltd.",
            "business_type": "Manufacturer, Trading Company",
            "country": "CN",
            "location": None,  # the 2018 card shows the country only
            "years_on_platform": 8,
        },
        {
            "Gold Supplier": (None, "8 years"),
            "Trade Assurance": (None, "limit US $126,000"),
            "Onsite Check": (None, None),
            "Verified Supplier": ("TÜV Rheinland", "assessed by TÜV Rheinland"),
        },
        {"supplier.name": "structured", "supplier.country": "structured", "supplier.business_type": "structured"},
    ),
    (
        "storefront_home_2014.html",
        "https://lumenled.en.alibaba.com/index.html",
        "storefront_home",
        {
            "name": "Shenzhen Lumen Lighting Technology Limited",
            "business_type": "Manufacturer",
            "location": "Guangdong, China (Mainland)",
            "country": "CN",
            "years_on_platform": 5,
            "main_products": ["LED Panel Light", "LED Tube", "LED Bulb"],
            "annual_revenue": "US$10 Million - US$50 Million",
        },
        {
            "Gold Supplier": (None, "5 years"),
            "Trade Assurance": (None, None),
            "Onsite Check": (None, None),
            "Assessed Supplier": ("Bureau Veritas", "assessed by Bureau Veritas"),
        },
        {"supplier.name": "structured", "supplier.location": "label", "supplier.business_type": "label"},
    ),
    (
        "storefront_home_mobile.html",
        "https://harbortex.m.en.alibaba.com/",
        "storefront_home",
        {
            "name": "Suzhou Harbor Textile Co., Ltd.",
            "location": "Jiangsu, China",
            "country": "CN",
            "years_on_platform": 12,
        },
        {"Gold Supplier": (None, "12 years"), "Verified Supplier": ("SGS", "assessed by SGS")},
        {"supplier.name": "structured", "supplier.location": "structured"},
    ),
    (
        "storefront_contacts_2018.html",
        "https://seagullplastic.en.alibaba.com/contactinfo.html",
        "storefront_contacts",
        {
            "name": "Ningbo Seagull Plastic Products Co., Ltd.",
            "business_type": "Manufacturer",
            "location": "Zhejiang, China (Mainland)",
            "country": "CN",
            "year_established": 2009,
            "years_on_platform": 3,
        },
        {"Gold Supplier": (None, "3 years")},  # baoAccountAmount "0": no Trade Assurance
        {"supplier.name": "structured", "supplier.year_established": "label", "supplier.country": "label"},
    ),
    (
        "storefront_contacts_2011.html",
        "http://orientalstone.en.alibaba.com/contacts.html",
        "storefront_contacts",
        {
            "name": "Xiamen Oriental Stone Co., Ltd.",
            "business_type": "Manufacturer, Exporter",
            "location": "Room 1203, Block B, Huli District, Xiamen, Fujian, P.R. China",
            "country": "CN",
            "years_on_platform": 2,
        },
        {"Gold Supplier": (None, "2 years"), "A&V Check": ("Dun & Bradstreet", "verified by Dun & Bradstreet")},
        {"supplier.name": "structured", "supplier.location": "label"},
    ),
    (
        "storefront_contacts_zh.gbk.html",
        "https://rongsheng.en.alibaba.com/contactinfo.html",
        "storefront_contacts",
        {
            "name": "宁波镕盛五金制品有限公司",
            "business_type": "生产厂家",
            "location": "浙江 宁波",
            "country": "CN",
            "year_established": 2003,
            "years_on_platform": 6,
            "main_products": ["五金工具", "门锁", "合页"],
        },
        {"Gold Supplier": (None, "6 years"), "Trade Assurance": (None, None), "Onsite Check": (None, None)},
        {"supplier.name": "structured", "supplier.business_type": "label", "supplier.country": "label"},
    ),
    (
        "free_member.html",
        "https://lahorecutlery.fm.alibaba.com/company_profile.html",
        "free_member",
        {
            "name": "Lahore Cutlery Works",
            "business_type": "Manufacturer, Trading Company",
            "location": "Punjab, Pakistan",
            "country": "PK",
            "year_established": 1998,
            "main_products": ["Kitchen knives", "Scissors", "Cutlery sets"],
        },
        {},  # "Upgrade to Gold Supplier" and "Trade Assurance" offers are no badges
        {"supplier.name": "structured", "supplier.main_products": "label"},
    ),
    (
        "trustpass_av.html",
        "https://everbright.en.alibaba.com/company_profile/trustpass_profile.html?certification_type=intl_av",
        "trustpass_profile",
        {
            "name": "Foshan Everbright Furniture Co., Ltd.",
            "business_type": "Manufacturer",
            "country": "CN",
            "location": "No. 3 Furniture Avenue, Longjiang Town, Shunde, Foshan, Guangdong, China",
            "year_established": 2007,
        },
        {"A&V Check": ("Intertek", "verified by Intertek")},  # the menu's Onsite/Assessed links are no badges
        {"supplier.name": "label", "supplier.country": "label"},
    ),
    (
        "trustpass_onsite_2009.html",
        "http://goldenbridge.trustpass.alibaba.com/trustpass_profile.html?certification_type=intl_onsite",
        "trustpass_profile",
        {
            "name": "Tianjin Goldenbridge Wire Mesh Co., Ltd.",
            "business_type": "Manufacturer",
            "location": "Anping Industrial Zone, Hebei, China",
            "country": "CN",
        },
        {"Onsite Check": (None, None), "TrustPass": (None, "4 years")},
        {"supplier.name": "structured", "supplier.business_type": "label"},
    ),
    (
        "fragment_content_table.html",
        "https://flasks.en.alibaba.com/event/app/companyProfile/basicInfo.htm",
        "company_profile_fragment",
        {
            "name": None,
            "business_type": "Manufacturer, Trading Company",
            "location": "Zhejiang, China (Mainland)",
            "country": "CN",
            "employees": "51 - 100 People",
            "year_established": 2011,
            "main_products": ["Vacuum flasks", "Lunch boxes"],
        },
        {"Onsite Check": (None, None)},  # the row verified by the onsite check
        {"supplier.business_type": "structured", "supplier.year_established": "structured"},
    ),
    (
        "fragment_header_card.html",
        "https://sunrisecrafts.en.alibaba.com/event/app/header.htm",
        "company_profile_fragment",
        {
            "name": "Yiwu Sunrise Crafts Factory",
            "business_type": "Manufacturer",
            "location": "Zhejiang, China (Mainland)",
            "country": "CN",
            "years_on_platform": 4,
        },
        {"Gold Supplier": (None, "4 years"), "Trade Assurance": (None, None), "Onsite Check": (None, None)},
        {"supplier.name": "structured", "supplier.location": "structured"},
    ),
    (
        "storefront_resaved_mojibake.html",
        "https://finemould.en.alibaba.com/contactinfo.html",
        "storefront_contacts",
        {
            "name": "Dongguan Fine Precision Mould Co., Ltd.",
            "business_type": "Manufacturer",
            "location": "Guangdong, China (Mainland)",
            "country": "CN",
            "year_established": 2012,
            "years_on_platform": 7,
        },
        {"Gold Supplier": (None, "7 years"), "Trade Assurance": (None, "limit US $33,000")},
        {"supplier.name": "structured"},
    ),
]


@pytest.mark.parametrize(
    ("name", "url", "page_type", "fields", "expected_badges", "provenance"), CASES, ids=[c[0] for c in CASES]
)
def test_storefront_pages(
    name: str,
    url: str,
    page_type: str,
    fields: dict[str, Any],
    expected_badges: dict[str, tuple[str | None, str | None]],
    provenance: dict[str, str],
) -> None:
    for doc in both_ways(page(name), url):
        assert doc.status is PageStatus.OK
        assert doc.source.platform == "alibaba" and doc.source.page_type == page_type
        for field, value in fields.items():
            assert getattr(doc.supplier, field) == value, field
        assert badges(doc) == expected_badges
        assert all(badge.source == "structured" for badge in doc.badges)
        for key, source in provenance.items():
            assert doc.provenance[key] == source, key


def test_contact_people_phones_and_registered_capital_are_not_claims() -> None:
    pages = {
        "storefront_contacts_2018.html": ["Lily Zhou", "88776655", "13905741234", "lily.zhou@", "Sales Manager"],
        "storefront_contacts_2011.html": ["Wang Jun", "5551234", "oriental-stone.example"],
        "storefront_contacts_zh.gbk.html": ["陈先生", "12345678", "13800001111", "500万"],
        "trustpass_av.html": ["Grace Lin", "Huang Wei", "2,000,000", "440600000123456"],
        "storefront_home_2014.html": ["5,000,000"],
        "free_member.html": ["Imran Ali"],
    }
    for name, private in pages.items():
        doc = read_page(page(name), "https://x.en.alibaba.com/contactinfo.html").claims
        assert doc.status is PageStatus.OK and doc.supplier.name
        dumped = json.dumps(doc.to_json_dict(), ensure_ascii=False)
        for text in private:
            assert text not in dumped, (name, text)


def test_hostile_page_keeps_scripts_menus_and_hidden_markup_out() -> None:
    for doc in both_ways(page("storefront_hostile.html"), "https://bags.en.alibaba.com/"):
        assert doc.status is PageStatus.OK and doc.source.page_type == "storefront_home"
        # The escaped text is what a visitor reads; the <script> element's code is not.
        assert doc.supplier.name == "Guangzhou <script>alert(1)</script> Bags Co., Ltd."
        assert doc.supplier.business_type == "Trading Company"  # not the <style>, the comment or the <noscript>
        assert doc.supplier.location == "Guangdong, China (Mainland)" and doc.supplier.country == "CN"
        # The marketplace header's menu, a <noscript>, a <template>, the footer and a script's JSON show no badge.
        assert doc.badges == [] and doc.supplier.years_on_platform is None
        dumped = json.dumps(doc.to_json_dict())
        assert "document.cookie" not in dumped and "Evil" not in dumped


def test_truncated_fragments_never_raise_and_keep_what_arrived() -> None:
    html = page("fragment_header_card.html")
    url = "https://sunrisecrafts.en.alibaba.com/event/app/header.htm"
    name_ends = html.index("Yiwu Sunrise Crafts Factory") + len("Yiwu Sunrise Crafts Factory</span>")
    for cut in range(0, len(html), 23):
        for platform in ("auto", "alibaba"):
            doc = read_page(html[:cut], url, platform=platform).claims
            assert doc.source.platform == "alibaba"
            if cut >= name_ends:
                assert doc.status is PageStatus.OK and doc.supplier.name == "Yiwu Sunrise Crafts Factory"
                assert doc.source.page_type == "company_profile_fragment"
                assert "Gold Supplier" in badges(doc)
    table = page("fragment_content_table.html")
    for cut in range(0, len(table), 31):
        doc = read_page(table[:cut], "https://flasks.en.alibaba.com/x.htm", platform="alibaba").claims
        if "51 - 100 People</td>" in table[:cut]:
            assert doc.status is PageStatus.OK and doc.supplier.employees == "51 - 100 People"


JUNK = [
    "<",
    ">",
    '"',
    "</td>",
    "<tr>",
    "<th>",
    "Location:",
    "：",
    "&",
    "<script>",
    "</div>",
    "\x00",
    "\ufffd",
    "聽",
    "Gold Supplier",
    '<a href="?certification_type=intl_av">',
    "[",
    "由",
    "assessed by ",
    " 年",
    "<noscript>",
]


def test_the_family_itself_never_raises_on_damaged_pages() -> None:
    """The parser would swallow a family's exception (and lose its claims): call the family directly on pages
    with random damage, at every kind of address, so that a bug surfaces here."""
    rng = random.Random(4)
    for path in sorted(PAGES.iterdir()):
        html = decode_html(path.read_bytes())
        for _ in range(12):
            chars = list(html)
            for _ in range(rng.randrange(1, 25)):
                at = rng.randrange(len(chars) + 1)
                if rng.random() < 0.5:
                    chars.insert(at, rng.choice(JUNK))
                else:
                    del chars[at : at + rng.randrange(1, 40)]
            damaged = "".join(chars)
            for url in ("https://a.en.alibaba.com/contactinfo.html", "https://a.fm.alibaba.com/", "file:///x.html"):
                builder = DocumentBuilder(url=url)
                kind = storefront_page_type(damaged, url) or "storefront_page"
                parse_storefront(kind, builder, LazySoup(damaged, make_soup))
                assert builder.build().source.page_type == kind


def test_saved_pages_are_recognised_by_their_markup() -> None:
    """A saved file has no alibaba.com address: the storefront markup, the canonical link, the file name and
    the title say what it is."""
    cases = {
        # canonical link -> the minisite's home
        ("storefront_home_2014.html", "file:///saved/page.html"): "storefront_home",
        ("storefront_contacts_2018.html", "file:///saved/contactinfo.html"): "storefront_contacts",
        ("storefront_contacts_2011.html", "file:///saved/page.html"): "storefront_contacts",  # by its title
        ("trustpass_av.html", "file:///saved/page.html"): "trustpass_profile",
        ("trustpass_onsite_2009.html", "file:///saved/page.html"): "trustpass_profile",
        ("storefront_home_2018.html", "file:///saved/page.html"): "storefront_page",  # home or not: unknown
        ("fragment_header_card.html", "file:///saved/page.html"): "company_profile_fragment",
    }
    for (name, url), page_type in cases.items():
        doc = read_page(page(name), url).claims
        assert (doc.source.platform, doc.source.page_type, doc.status) == ("alibaba", page_type, PageStatus.OK), name
    # No storefront markup at all: not claimed for alibaba.com unless the operator says so.
    assert read_page(page("free_member.html"), "file:///saved/page.html").claims.source.platform != "alibaba"
    named = read_page(page("free_member.html"), "file:///saved/page.html", platform="alibaba").claims
    assert named.source.page_type == "free_member" and named.badges == []  # by its title


def test_trustpass_menu_links_are_no_badges() -> None:
    url = "https://everbright.en.alibaba.com/company_profile/trustpass_profile.html?certification_type=intl_av"
    doc = read_page(page("trustpass_av.html"), url).claims
    assert set(badges(doc)) == {"A&V Check"}
    # The same links in a storefront header (outside a TrustPass page) are the badges themselves.
    header = (
        '<html><body><div class="verify-icons"><span class="cp-name">Acme Ltd.</span>'
        '<a href="/company_profile/trustpass_profile.html?certification_type=intl_onsite"><svg></svg></a>'
        '<a href="/company_profile/trustpass_profile.html?certification_type=intl_av"><svg></svg></a>'
        "</div></body></html>"
    )
    assert set(badges(read_page(header, "https://acme.en.alibaba.com/").claims)) == {"Onsite Check", "A&V Check"}


def test_listing_pages_are_no_storefront() -> None:
    """A directory or blog page linking several suppliers' storefronts and their badges is none of them."""
    cards = "".join(
        f'<div class="item"><a class="company-name" href="https://{sub}.en.alibaba.com/">{sub} Co., Ltd.</a>'
        f'<span>Gold Supplier</span><span>8 YRS</span><a href="https://{sub}.en.alibaba.com/company_profile/'
        f'trustpass_profile.html?certification_type=intl_assessment">Assessed Supplier</a></div>'
        for sub in ("alpha", "beta", "gamma", "delta")
    )
    html = f"<html><head><title>Top kettle suppliers</title></head><body>{cards}</body></html>"
    assert storefront_page_type(html, "file:///saved/list.html") is None
    doc = read_page(html, "file:///saved/list.html", platform="alibaba").claims
    assert doc.source.page_type not in STOREFRONT_TYPES and doc.badges == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # A supplier's own sentence is no platform badge.
        ('<p class="intro">Our factory was assessed by SGS in 2019.</p>', {}),
        # The badge's words, its assessor in a caption elsewhere (Chinese).
        (
            "<span>已评估供应商</span><div><p>工厂由 SGS 评估</p></div>",
            {"Assessed Supplier": ("SGS", "assessed by SGS")},
        ),
        # The badge's link alone: no assessor shown.
        (
            '<a href="/company_profile/trustpass_profile.html?certification_type=intl_assessment"><i></i></a>',
            {"Verified Supplier": (None, None)},
        ),
        # Alibaba.com's own staff is no assessor.
        (
            "<div><span>Verified Supplier</span><p>Premises checked by Alibaba.com staff.</p></div>",
            {"Verified Supplier": (None, None)},
        ),
        # Membership years in the 2009 wording, Gold Plus in the 2019 one.
        ('<a id="gsSupplier">Gold Supplier [3<sup>rd</sup> Year]</a>', {"Gold Supplier": (None, "3 years")}),
        (
            '<span class="gold-member" title="Gold Plus Supplier">Gold Plus Supplier</span><span>9 yrs</span>',
            {"Gold Plus Supplier": (None, "9 years")},
        ),
    ],
)
def test_badge_variants(body: str, expected: dict[str, tuple[str | None, str | None]]) -> None:
    html = f'<html><body><span class="cp-name">Acme Ltd.</span>{body}</body></html>'
    assert badges(read_page(html, "https://acme.en.alibaba.com/").claims) == expected


@pytest.mark.parametrize(
    ("url", "page_type"),
    [
        ("https://acme.en.alibaba.com/", "storefront_home"),
        ("https://acme.en.alibaba.com/index.html", "storefront_home"),
        ("https://acme.m.en.alibaba.com/", "storefront_home"),
        ("https://acme.en.alibaba.com/contactinfo.html", "storefront_contacts"),
        ("https://acme.m.en.alibaba.com/contacts.html", "storefront_contacts"),
        ("https://acme.en.alibaba.com/productlist.html", "storefront_page"),
        ("https://acme.fm.alibaba.com/contactinfo.html", "free_member"),
        ("https://fm.alibaba.com/member/acme.html", "free_member"),
        ("https://acme.trustpass.alibaba.com/", "trustpass_profile"),
        (
            "https://acme.en.alibaba.com/company_profile/trustpass_profile.html?certification_type=intl_av",
            "trustpass_profile",
        ),
        ("https://www.alibaba.com/product-detail/x_1.html", None),
    ],
)
def test_page_type_by_address(url: str, page_type: str | None) -> None:
    card = '<html><body><span class="cp-name">Acme Ltd.</span></body></html>'
    assert storefront_page_type(card, url) == page_type


def test_other_families_keep_their_page_types() -> None:
    profile = (
        '<html><body><table class="content-table"><tr data-role="companyLocation"><th>Location:</th>'
        "<td>X, China</td></tr></table></body></html>"
    )
    assert storefront_page_type(profile, "https://acme.en.alibaba.com/company_profile.html") is None
    assert AlibabaParser().parse(profile, "https://acme.en.alibaba.com/company_profile.html").source.page_type == (
        "company_profile_legacy"
    )
    detail = '<div data-module-name="module_unifed_company_card"><a class="company-name">Acme</a></div>'
    assert storefront_page_type(detail, "https://www.alibaba.com/product-detail/x.html") is None


def test_page_types_are_listed() -> None:
    assert set(PAGE_TYPES) >= STOREFRONT_TYPES


@pytest.mark.parametrize(
    ("place", "country"),
    [
        ("Zhejiang, China (Mainland)", "CN"),
        ("China (Mainland)", "CN"),
        ("Xiamen, Fujian, P.R. China", "CN"),
        ("Guangdong China (Mainland)", "CN"),
        ("中国浙江省宁波市鄞州区", "CN"),
        ("Kowloon, Hong Kong, China", "HK"),
        ("Taipei, Taiwan", "TW"),
        ("Punjab, Pakistan", "PK"),
        ("Zhejiang", None),
        ("浙江 宁波", None),
        ("", None),
    ],
)
def test_country_of_a_place(place: str, country: str | None) -> None:
    assert country_of(place) == country


def test_a_failing_storefront_reader_costs_only_its_own_claims(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("storefront bug")

    html = page("storefront_contacts_2018.html")
    url = "https://seagullplastic.en.alibaba.com/contactinfo.html"
    monkeypatch.setattr(storefront_module, "read_card", broken)
    doc = AlibabaParser().parse(html, url)
    # The legacy family still read the header's shopSign JSON.
    assert doc.supplier.name == "Ningbo Seagull Plastic Products Co., Ltd." and doc.source.page_type == (
        "storefront_contacts"
    )
    assert doc.supplier.year_established is None  # the storefront's label rows were lost with it
    monkeypatch.setattr("scrapers.platforms.alibaba.storefront_page_type", broken)
    doc = AlibabaParser().parse(html, url)
    assert doc.supplier.name == "Ningbo Seagull Plastic Products Co., Ltd."
    assert doc.source.page_type == "company_profile_legacy"


# --- encodings -------------------------------------------------------------------------------------------------

GBK_NAME = "宁波镕盛五金制品有限公司"  # 镕 is in GBK, not in GB2312


def test_gbk_page_reads_through_its_meta_charset() -> None:
    raw = (PAGES / "storefront_contacts_zh.gbk.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # the stored file really is GBK
    assert GBK_NAME in decode_html(raw)
    # Bytes handed straight to the reader are decoded leniently: never a crash.
    doc = read_page(raw, "https://rongsheng.en.alibaba.com/contactinfo.html").claims  # type: ignore[arg-type]
    assert doc.source.page_type == "storefront_contacts"


@pytest.mark.parametrize(
    ("body", "declared", "expected"),
    [
        (f'<meta charset="gbk"><p>{GBK_NAME}</p>'.encode("gb18030"), None, GBK_NAME),
        (
            f'<meta http-equiv="Content-Type" content="text/html; charset=GB2312"><p>{GBK_NAME}</p>'.encode("gbk"),
            None,
            GBK_NAME,
        ),
        (f"<p>{GBK_NAME}</p>".encode("gbk"), "gbk", GBK_NAME),  # the HTTP header's charset
        (f"<p>{GBK_NAME} 浙江, China</p>".encode("gb18030"), None, GBK_NAME),  # undeclared GBK
        (f'<meta charset="gbk"><p>{GBK_NAME}</p>'.encode(), None, GBK_NAME),  # re-saved as UTF-8, stale meta
        (f'<meta charset="utf-8"><p>{GBK_NAME}</p>'.encode("gbk"), None, GBK_NAME),  # re-saved as GBK, stale meta
        (f"<p>{GBK_NAME}</p>".encode() + b"\xff", None, GBK_NAME),  # one stray byte: still UTF-8
        ("<p>Café Crème, Zürich</p>".encode() + b"\xe9t", None, "Café Crème, Zürich"),  # not GB18030 either
        ("\ufeff<p>café</p>".encode(), "iso-8859-1", "café"),  # a byte-order mark decides
        ('<meta charset="latin1"><p>caf\xe9</p>'.encode("latin-1"), None, "café"),
        (b'<meta charset="x-no-such-charset"><p>plain</p>', None, "plain"),
        (b'<meta charset="base64"><p>plain</p>', None, "plain"),
    ],
)
def test_decode_html(body: bytes, declared: str | None, expected: str) -> None:
    assert expected in decode_html(body, declared)


def test_decode_html_never_raises() -> None:
    rng = random.Random(20261202)
    for size in (0, 1, 7, 100, 5000):
        for declared in (None, "gbk", "utf-8", "utf-16", "shift_jis", "nonsense"):
            body = bytes(rng.randrange(256) for _ in range(size))
            assert isinstance(decode_html(b'<meta charset="gb2312">' + body, declared), str)
    assert codec_for("GB_2312") == "gb18030" and codec_for("x-gbk") == "gb18030" and codec_for("rot13") is None


def test_cli_extract_reads_a_saved_gbk_page(tmp_path: Path) -> None:
    saved = tmp_path / "contactinfo.html"
    saved.write_bytes((PAGES / "storefront_contacts_zh.gbk.html").read_bytes())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("SUPPLIER_MONITOR_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "extract", str(saved), "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=240,
    )
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["status"] == "ok" and doc["source"]["platform"] == "alibaba"
    assert doc["source"]["page_type"] == "storefront_contacts"
    assert doc["supplier"]["name"] == GBK_NAME and doc["supplier"]["country"] == "CN"


# --- the real captures read as before --------------------------------------------------------------------------

REAL = {
    "alibaba_company_profile_legacy2018_hdradio.html": (
        "company_profile_legacy",
        "Quanzhou Chierda Electronic Telecom Co., Ltd.",
        {"Onsite Check", "Gold Supplier", "Trade Assurance"},
    ),
    "alibaba_company_profile_cpmodules2018_jinou.html": (
        "company_profile_modules",
        "Chongqing Jinou Science&Technology Development Co., Ltd.",
        {"Verified Supplier", "Onsite Check", "Gold Supplier", "Trade Assurance"},
    ),
    "alibaba_product_detail_YrayPixels_productexample.html": (
        "product_detail",
        "Quanzhou Zhenben Network Technology Co., Ltd.",
        set(),
    ),
}


def test_real_pages_read_as_before(shared_pages: Path) -> None:
    for path in sorted(shared_pages.glob("alibaba_*.html")):
        html = path.read_text(encoding="utf-8", errors="replace")
        for platform in ("auto", "alibaba"):
            reading = read_page(html, path.resolve().as_uri(), platform=platform)
            doc = reading.claims
            assert doc.source.page_type not in STOREFRONT_TYPES, path.name
            if path.name in REAL:
                page_type, name, expected = REAL[path.name]
                assert reading.status is PageStatus.OK and doc.source.platform == "alibaba"
                assert doc.source.page_type == page_type and doc.supplier.name == name
                assert set(badges(doc)) == expected, path.name
            elif "block" in path.name:
                assert reading.status is PageStatus.BLOCKED
            elif "search_results" in path.name:
                assert doc.badges == [] and doc.supplier.name is None  # a list of suppliers, not one
    # At a minisite's own address the legacy profile is still the legacy family's.
    legacy = (shared_pages / "alibaba_company_profile_legacy2018_hdradio.html").read_text(errors="replace")
    doc = read_page(legacy, "https://hdradio.en.alibaba.com/company_profile.html").claims
    assert doc.source.page_type == "company_profile_legacy" and doc.supplier.location == "Fujian, China (Mainland)"
