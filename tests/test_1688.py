"""The 1688.com parser: shop pages (older server-rendered 诚信档案, the current client-rendered 公司档案, a
公司介绍 page in traditional characters) and offer pages (the __INIT_DATA bootstrap, __GLOBAL_DATA beside a
server-rendered seller block, a DOM-only page), all authored here in tests/pages/1688 from what 1688's public
pages show; hostile, empty and wrongly decoded input; detection against the other platforms; the real login
wall from ../shared/pages (read in place, never copied)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from scrapers.claims import Badge, ClaimsDocument, PageStatus
from scrapers.extract import read_page
from scrapers.platforms.alibaba import AlibabaParser
from scrapers.platforms.base import detect_parser, get_parser
from scrapers.platforms.china_1688 import China1688Parser, page_type_of_url
from scrapers.platforms.china_1688._facts import country_of
from scrapers.platforms.made_in_china import MadeInChinaParser

PAGES = Path(__file__).resolve().parent / "pages" / "1688"
LOCAL = "file:///tmp/x.html"
SHOP_2016 = ("shop_creditdetail_2016.html", "https://shop1436827960395.1688.com/page/creditdetail.htm")
SHOP_2024 = ("shop_creditdetail_2024.html", "https://shop1462394739127.1688.com/page/creditdetail.htm")
SHOP_TRADITIONAL = ("shop_companyinfor_traditional.html", "https://jinhua-tools.1688.com/page/companyinfor.htm")
OFFER_2023 = ("offer_init_data_2023.html", "https://detail.1688.com/offer/712345678901.html")
OFFER_2021 = ("offer_global_data_2021.html", "https://detail.1688.com/offer/623456789012.html")
OFFER_2018 = ("offer_dom_2018.html", "https://detail.1688.com/offer/548877665544.html")
HOSTILE = ("hostile_shop.html", "https://shop-test.1688.com/page/creditdetail.htm")
EMPTY = ("nearly_empty_shop.html", "https://shop1990000000001.1688.com/page/creditdetail.htm")
SUPPLIER_PAGES = [SHOP_2016, SHOP_2024, SHOP_TRADITIONAL, OFFER_2023, OFFER_2021, OFFER_2018, HOSTILE]
LOGIN_WALL = "1688_block_login_wall_action_login.html"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def read(case: tuple[str, str], url: str | None = None, **options: str) -> ClaimsDocument:
    reading = read_page(page(case[0]), url or case[1], **options)
    assert reading.status is PageStatus.OK, reading.classification
    return reading.claims


def certs(doc: ClaimsDocument) -> list[tuple]:
    return [
        (c.name, c.standard, c.edition, c.number, c.issuer, c.valid_from, c.valid_until, c.kind, c.source)
        for c in doc.certifications
    ]


def documents(doc: ClaimsDocument) -> dict[str, tuple]:
    return {d.url: (d.kind, d.certification) for d in doc.documents}


def dump(doc: ClaimsDocument) -> str:
    return json.dumps(doc.to_json_dict(), ensure_ascii=False)


# --- shop pages -------------------------------------------------------------------------------------


def test_older_credit_page_tables_badges_and_certificate_cards() -> None:
    doc = read(SHOP_2016)
    assert (doc.source.platform, doc.source.page_type) == ("1688", "shop_profile")
    s = doc.supplier
    assert s.name == "义乌市晶彩饰品有限公司"
    assert (s.business_type, s.year_established, s.years_on_platform) == ("生产厂家", 2008, 12)
    assert (s.employees, s.annual_revenue) == ("51 - 100 人", "人民币 1001 万元/年 - 5000 万元/年")
    assert (s.location, s.country) == ("中国 浙江 金华市 义乌市", "CN")  # the address says 中国
    assert s.main_products == ["发饰", "耳环", "项链", "手链"]
    assert s.main_markets == ["华东地区", "华南地区", "欧洲", "北美"]
    assert doc.badges == [
        Badge(name="诚信通", detail="12年", source="structured"),
        Badge(name="实力商家", source="structured"),
        Badge(name="深度验厂", issuer="TÜV南德", detail="由 TÜV南德 实地认证", source="structured"),
    ]
    assert certs(doc) == [
        (
            "ISO9001:2015质量管理体系认证证书",
            "ISO 9001",
            "2015",
            "12 100 45678 TMS",
            "TÜV南德意志集团",
            date(2021, 3, 1),
            date(2024, 2, 28),
            "management_system",
            "structured",
        ),
        # in a certificate card 认证机构 is the certificate's issuer, not the factory inspector
        ("CE", "CE", None, "M.2022.201.C7788", "ECM", date(2022, 5, 10), date(2027, 5, 9), "product", "structured"),
        # the "管理体系认证：ISO9001、ISO14001" row: names only
        ("ISO9001", "ISO 9001", None, None, None, None, None, "management_system", "label"),
        ("ISO14001", "ISO 14001", None, None, None, None, None, "management_system", "label"),
    ]
    found = documents(doc)
    assert found["https://cbu01.alicdn.com/img/ibank/2021/iso9001.jpg"] == ("image", "ISO9001:2015质量管理体系认证证书")
    # the lazy-loading address, not the placeholder gif; the badge icon is no document
    assert found["https://cbu01.alicdn.com/img/ibank/2022/ce.jpg"] == ("image", "CE")
    assert not any("lazy.gif" in url or "shili-icon" in url for url in found)
    assert [(st.text, st.location) for st in doc.statements] == [
        ("公司已通过ISO9001质量管理体系认证，产品远销欧美。", "company_overview")
    ]
    assert doc.provenance["supplier.name"] == "structured"  # the shop header's company-name element
    assert doc.provenance["supplier.business_type"] == "label"
    assert doc.provenance["supplier.years_on_platform"] == "structured"
    assert doc.provenance["supplier.country"] == "label"
    # the recommended supplier's card is someone else's: its name, 超级工厂 and 经销批发 are not read
    assert "东莞市别家五金有限公司" not in dump(doc) and "超级工厂" not in dump(doc) and "经销批发" not in dump(doc)


def test_current_credit_page_stacked_cards_and_certificate_table() -> None:
    doc = read(SHOP_2024)
    assert (doc.source.platform, doc.source.page_type) == ("1688", "shop_profile")
    s = doc.supplier
    assert s.name == "深圳市恒远电子科技有限公司"
    assert (s.business_type, s.year_established, s.years_on_platform) == ("生产厂家", 2012, 9)
    assert (s.employees, s.annual_revenue) == ("300人", "1000万-5000万")
    assert s.main_products == ["蓝牙耳机", "充电宝", "数据线"]
    assert s.location == "广东省深圳市宝安区福永街道凤凰工业区"
    assert s.country is None  # a province is no country: never guessed, not even on a mainland-only platform
    assert doc.badges == [
        Badge(name="超级工厂", source="structured"),
        Badge(name="源头工厂", source="structured"),
        Badge(name="诚信通", detail="9年", source="structured"),  # "诚信通" "9" "年" in three spans
        Badge(name="深度验厂", issuer="SGS", detail="由SGS实地认证", source="structured"),
    ]
    assert certs(doc) == [
        (
            "ISO 9001:2015",
            "ISO 9001",
            "2015",
            "CN21/30123",
            "SGS通标标准技术服务有限公司",
            date(2021, 8, 1),
            date(2024, 7, 31),
            "management_system",
            "structured",
        ),
        (
            "3C认证",
            "CCC",
            None,
            "2020010901234567",
            "中国质量认证中心",
            date(2020, 1, 15),
            date(2025, 1, 14),
            "product",
            "structured",
        ),
    ]
    assert documents(doc) == {
        "https://cbu01.alicdn.com/img/ibank/O1CN01cert9001.jpg": ("image", "ISO 9001:2015"),
        "https://cbu01.alicdn.com/pdf/3c-cert.pdf": ("pdf", "3C认证"),
    }
    assert [(st.text, st.location) for st in doc.statements] == [
        ("工厂通过BSCI验厂，产品通过CE、FCC认证。", "company_overview")
    ]
    # 厂房面积 is a known label without a field; the similar shops' 实力商家 is not this seller's
    assert "8000" not in dump(doc) and "实力商家" not in dump(doc) and "深圳市别家电子有限公司" not in dump(doc)


def test_company_page_in_traditional_characters() -> None:
    doc = read(SHOP_TRADITIONAL)
    assert (doc.source.platform, doc.source.page_type) == ("1688", "shop_profile")
    s = doc.supplier
    assert s.name == "金華市宏達工具製造有限公司"  # the link's title, not its truncated text
    assert (s.business_type, s.year_established, s.years_on_platform) == ("生產廠家", 2005, 6)
    assert (s.employees, s.annual_revenue) == ("101 - 200 人", "人民幣 5001萬元/年 - 1億元/年")
    assert (s.location, s.country) == ("中國 浙江 金華市 婺城區 工業園區8號", "CN")  # "地　　址：" padded label
    assert s.main_products == ["扳手", "螺絲刀", "鉗子"]
    assert s.main_markets == ["華東地區", "東南亞", "中東"]
    # canonical badge names; 诚信通 from the icon's tooltip "誠信通第6年"
    assert doc.badges == [
        Badge(name="实力商家", source="structured"),
        Badge(name="诚信通", detail="6年", source="structured"),
        Badge(name="超级工厂", source="structured"),
    ]
    assert certs(doc) == [
        # a card in traditional labels; one 有效期 date is the end of validity
        ("GS認證", "GS", None, "S 50123456 0001", "TÜV萊茵", None, date(2026, 12, 31), "product", "structured"),
        ("ISO9001", "ISO 9001", None, None, None, None, None, "management_system", "label"),
        ("GS", "GS", None, None, None, None, None, "product", "label"),
    ]
    assert documents(doc) == {"https://cbu01.alicdn.com/img/ibank/2020/gs-cert.jpg": ("image", "GS認證")}
    assert "1000萬" not in dump(doc)  # 註冊資本 is no field of the schema
    assert doc.provenance["supplier.name"] == "structured"
    assert doc.provenance["supplier.location"] == "label"


# --- offer pages ------------------------------------------------------------------------------------


def test_offer_page_reads_the_seller_from_init_data() -> None:
    doc = read(OFFER_2023)
    assert (doc.source.platform, doc.source.page_type) == ("1688", "offer_detail")
    s = doc.supplier
    assert s.name == "肇庆市恒美日化有限公司"
    assert s.business_type == "生产厂家"  # not the order component's "slsj" code
    assert s.location == "广东 肇庆"  # the seller's addr, not the logistics component's ship-from "广东省肇庆市"
    assert s.country is None
    assert (s.year_established, s.years_on_platform, s.employees) == (2012, 7, "201-300人")  # epoch ms -> 2012
    assert doc.badges == [
        Badge(name="诚信通", detail="7年", source="structured"),
        Badge(name="超级工厂", source="structured"),
        Badge(name="实力商家", source="structured"),
        Badge(name="深度验厂", issuer="必维国际检验集团", source="structured"),
    ]
    assert certs(doc) == [
        # the offer attribute "认证: CE,RoHS"; 产地 is where the product is made, not a supplier claim
        ("CE", "CE", None, None, None, None, None, "product", "structured"),
        ("RoHS", "RoHS", None, None, None, None, None, "product", "structured"),
        (
            "ISO22716化妆品良好生产规范",
            "ISO 22716",
            None,
            "GMPC-2023-0088",
            "SGS",
            date(2023, 1, 1),
            date(2026, 1, 1),
            "management_system",
            "structured",
        ),
    ]
    gmpc = "https://cbu01.alicdn.com/img/ibank/O1CN01gmpc.jpg"
    assert documents(doc) == {gmpc: ("image", "ISO22716化妆品良好生产规范")}
    assert {doc.provenance[f"supplier.{name}"] for name in ("name", "location", "business_type")} == {"structured"}
    # the recommendations component (before the seller's in the data) is other sellers'; the cross-border
    # component's target markets and country are not the seller's
    assert "别家日化厂" not in dump(doc) and "经销批发" not in dump(doc) and "苏州" not in dump(doc)
    assert s.main_markets == [] and "US" not in dump(doc)
    assert "广州" not in dump(doc)


def test_offer_page_script_data_wins_over_the_seller_block() -> None:
    doc = read(OFFER_2021)
    assert (doc.source.platform, doc.source.page_type) == ("1688", "offer_detail")
    s = doc.supplier
    assert s.name == "温州市瑞达鞋业有限公司"  # __GLOBAL_DATA, not the block's truncated "温州市瑞达鞋业有..."
    assert s.business_type == "经销批发"  # the data says so; the block's 生产厂家 comes second
    assert s.years_on_platform == 4  # "tpYear": "4"
    assert s.main_products == ["男鞋", "皮鞋", "休闲鞋"]
    assert s.location == "浙江 温州市 鹿城区"  # only the block has it
    assert (doc.provenance["supplier.name"], doc.provenance["supplier.location"]) == ("structured", "label")
    assert [b.name for b in doc.badges] == ["诚信通", "实力商家"]  # "isShili": "true" and the icon: one badge
    assert "浙江温州" not in dump(doc) and "头层牛皮" not in dump(doc)  # product attributes


def test_offer_page_without_script_data() -> None:
    doc = read(OFFER_2018)
    assert (doc.source.platform, doc.source.page_type) == ("1688", "offer_detail")
    s = doc.supplier
    assert s.name == "汕头市澄海区荣达玩具厂"
    assert (s.business_type, s.location, s.years_on_platform) == ("生产加工", "广东 汕头市 澄海区", 5)
    assert doc.badges == [
        Badge(name="诚信通", detail="5年", source="structured"),  # "诚信通" links to the service, "第5年" beside it
        Badge(name="实地认证", issuer="上海杰胜企业信用征信有限公司", source="structured"),
    ]
    assert [(st.text, st.location) for st in doc.statements] == [
        ("本厂产品均通过3C认证，符合EN71标准。", "product_description")
    ]
    # 猜你喜欢 cards are other sellers'; "想成为实力商家？" links the service, it is no badge
    assert "揭阳市别家玩具有限公司" not in dump(doc) and "实力商家" not in dump(doc)
    assert "广东汕头" not in dump(doc)  # the product's 产地


# --- detection, page types, fetch hints -----------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "page_type"),
    [
        (SHOP_2016, "shop_profile"),  # canonical link
        (SHOP_2024, "shop_profile"),  # og:url
        (SHOP_TRADITIONAL, "shop_profile"),  # no address: seller facts without offer markup
        (OFFER_2023, "offer_detail"),  # @ali/tdmod-od components
        (OFFER_2021, "offer_detail"),  # iDetailData
        (OFFER_2018, "offer_detail"),  # og:type product
    ],
)
def test_saved_pages_are_recognised_by_content(case: tuple[str, str], page_type: str) -> None:
    html = page(case[0])
    assert isinstance(detect_parser(LOCAL, html), China1688Parser)
    assert not AlibabaParser.matches_content(html)
    assert not MadeInChinaParser.matches_content(html)
    doc = read(case, LOCAL)
    assert (doc.source.platform, doc.source.page_type, doc.source.url) == ("1688", page_type, LOCAL)
    assert doc.supplier.name == read(case).supplier.name


def test_platform_option_reads_any_address() -> None:
    doc = read(SHOP_2016, "https://mirror.example.com/saved/credit.html", platform="1688")
    assert (doc.source.platform, doc.source.page_type) == ("1688", "shop_profile")  # its canonical link
    assert doc.supplier.name == "义乌市晶彩饰品有限公司"
    assert isinstance(get_parser("1688"), China1688Parser)


def test_other_marketplaces_are_not_claimed_by_a_footer_link() -> None:
    """Alibaba.com's footers link www.1688.com; that is no 1688 page."""
    footer = (
        '<html><head><link rel="canonical" href="https://kettles.en.alibaba.com/company_profile.html"></head>'
        '<body><p>Company</p><div class="footer"><a href="https://www.1688.com">1688.com</a>'
        '<a href="//www.1688.com/">阿里巴巴1688</a></div></body></html>'
    )
    assert not China1688Parser.matches_content(footer)
    assert China1688Parser.matches_content(footer.replace("www.1688.com/", "shop1.1688.com/page/creditdetail.htm"))


@pytest.mark.shared_pages
@pytest.mark.parametrize(
    "name",
    [
        "alibaba_company_profile_legacy2018_hdradio.html",
        "alibaba_company_profile_cpmodules2018_jinou.html",
        "alibaba_product_detail_YrayPixels_productexample.html",
        "alibaba_supplier_search_results_2018.html",
        "alibaba_block_punish_captcha_interception_rendered.html",
        "madeinchina_product_detail_with_supplier_block.html",
        "globalsources_block_incapsula_search.html",
    ],
)
def test_real_pages_of_other_platforms_are_not_claimed(shared_pages: Path, name: str) -> None:
    html = (shared_pages / name).read_text(encoding="utf-8", errors="replace")
    assert not China1688Parser.matches_content(html)
    assert not isinstance(detect_parser(LOCAL, html), China1688Parser)


@pytest.mark.shared_pages
@pytest.mark.parametrize(
    "url",
    [
        "https://s.1688.com/selloffer/offer_search.htm?keywords=socks",
        "https://detail.1688.com/offer/1.html",
        "https://shop1.1688.com/page/creditdetail.htm",
        LOCAL,
    ],
)
def test_real_login_wall_stays_login_required(shared_pages: Path, url: str) -> None:
    html = (shared_pages / LOGIN_WALL).read_text(encoding="utf-8")
    reading = read_page(html, url)
    assert reading.status is PageStatus.LOGIN_REQUIRED, reading.classification
    assert "login action config" in reading.classification.reason
    assert not reading.claims.has_claims()
    assert reading.claims.source.platform == "1688"  # its sign-in host says so, also for the saved file


@pytest.mark.parametrize(
    ("url", "page_type"),
    [
        ("https://detail.1688.com/offer/712345678901.html", "offer_detail"),
        ("https://detail.1688.com/offer/712345678901.html?spm=a26352.13672862", "offer_detail"),
        ("https://shop1436827960395.1688.com/page/creditdetail.htm", "shop_profile"),
        ("https://jinhua-tools.1688.com/page/companyinfor.htm", "shop_profile"),
        ("https://jinhua-tools.1688.com/", "shop_profile"),
        ("https://s.1688.com/selloffer/offer_search.htm?keywords=socks", None),
        ("https://www.1688.com/", None),
        ("https://login.1688.com/member/signin.htm", None),
        ("https://shop1.1688.com/page/offerdetail_unknown.html", None),
        ("https://detail.1688.com.evil.example/offer/1.html", None),
        ("not a url", None),
    ],
)
def test_page_type_by_address(url: str, page_type: str | None) -> None:
    assert page_type_of_url(url) == page_type


def test_fetch_hints() -> None:
    parser = China1688Parser()
    offer, shop = OFFER_2023[1], SHOP_2024[1]
    # offer pages serve the seller in the HTML (the bootstrap object); shop pages render it with scripts
    assert parser.data_in_html(offer) and not parser.data_in_html(shop)
    assert parser.ready_selector(offer) is None
    selector = parser.ready_selector(shop)
    assert selector is not None and '[class*="company-name"]' in selector
    # the shop's data APIs and Alibaba's script CDN are let through; other third parties are not
    assert parser.wants_request("https://h5api.m.1688.com/h5/mtop.x/1.0/", shop)
    assert parser.wants_request("https://g.alicdn.com/code/npm/@ali/winport-pc/index.js", shop)
    assert not parser.wants_request("https://www.google-analytics.com/collect", shop)
    assert not parser.wants_request("https://evil1688.com/x.js", shop)


# --- hostile, empty and wrongly decoded input --------------------------------------------------------


def test_hostile_page() -> None:
    doc = read(HOSTILE)
    s = doc.supplier
    # the script element is not text; escaped markup is text, kept as shown (zero-width space dropped)
    assert s.name == "<script>alert(1)</script>宁波恶意测试有限公司"
    assert "pwned" not in dump(doc) and "color:red" not in dump(doc)
    assert s.business_type == "生产厂家"
    assert s.location == "浙江 宁波 海曙区"
    assert s.year_established is None  # 3025年
    assert s.years_on_platform is None  # 诚信通 99 年: longer than 1688 exists
    assert doc.badges == [Badge(name="诚信通", detail="99年", source="structured")]  # as shown
    # impossible dates, 长期有效, "无" and "暂无" placeholders give nothing; wrong JSON types cost nothing
    assert [(c.name, c.number, c.valid_from, c.valid_until) for c in doc.certifications] == [
        ("ISO9001", None, None, None),
        ("ISO14001", None, None, None),
    ]


def test_nearly_empty_shop_is_not_ok() -> None:
    for url in (EMPTY[1], LOCAL):
        reading = read_page(page(EMPTY[0]), url)
        assert reading.status is PageStatus.NOT_FOUND, reading.classification
        assert not reading.claims.has_claims()
        assert reading.claims.source.platform == "1688"


def test_placeholders_menus_and_other_sellers_are_no_claims() -> None:
    """Parser level: an empty profile shell with "-"/"暂无" values, the top bar's 实力商家 link and a 猜你喜欢
    card read nothing of the seller."""
    html = page(EMPTY[0]).replace('class="recommend-offers"', 'class="guess-you-like"')
    html = html.replace("<th>经营模式：</th><td></td>", "<th>经营模式：</th><td>-</td>")
    html = html.replace("<th>公司名称：</th><td></td>", "<th>公司名称：</th><td>暂无</td>")
    assert "guess-you-like" in html and "<td>-</td>" in html and "<td>暂无</td>" in html
    doc = China1688Parser().parse(html, EMPTY[1])
    assert not doc.has_claims(), doc


def test_introduction_sentences_are_not_badges_and_inspectors_need_a_badge() -> None:
    intro = (
        '<html><body><div class="company-name">宁波测试电器有限公司</div>'
        '<div class="company-intro">我们是诚信通10年老店，已通过ISO9001认证。</div>'
        "<div><div>公司简介</div><div>本公司是实力商家，诚信通8年。</div></div>"
        "<p>认证机构：上海某某征信有限公司</p></body></html>"
    )
    doc = China1688Parser().parse(intro, "https://nbtest.1688.com/page/companyinfor.htm")
    assert doc.badges == []  # sentences are prose; a bare 认证机构 beside no inspection badge is not assigned
    assert doc.supplier.years_on_platform is None
    assert [st.text for st in doc.statements] == ["我们是诚信通10年老店，已通过ISO9001认证。"]
    phrase = intro.replace("<p>认证机构：上海某某征信有限公司</p>", "<p>由 SGS 实地认证</p>")
    doc = China1688Parser().parse(phrase, "https://nbtest.1688.com/page/companyinfor.htm")
    assert doc.badges == [Badge(name="实地认证", issuer="SGS", detail="由 SGS 实地认证", source="structured")]


@pytest.mark.parametrize("case", [*SUPPLIER_PAGES, EMPTY], ids=lambda case: case[0])
@pytest.mark.parametrize(
    "decode",
    [
        lambda text: text.encode("gb18030").decode("latin-1"),  # a GBK page read as Latin-1
        lambda text: text.encode("gb18030").decode("utf-8", errors="replace"),  # ... as UTF-8
        lambda text: text.encode("utf-8").decode("gbk", errors="replace"),  # a UTF-8 page read as GBK
        lambda text: text + "\udcff\x00\x01\ufffe",  # lone surrogate, NUL, control and non-characters
    ],
    ids=["gbk-as-latin1", "gbk-as-utf8", "utf8-as-gbk", "control-characters"],
)
def test_wrongly_decoded_pages_do_not_crash(case: tuple[str, str], decode) -> None:
    reading = read_page(decode(page(case[0])), case[1])
    assert reading.claims.source.platform == "1688"
    assert reading.claims.source.page_type == page_type_of_url(case[1])
    reading.claims.to_json_dict()
    if case is OFFER_2023:  # the script data's ASCII survives any decoding
        assert "GMPC-2023-0088" in [c.number for c in reading.claims.certifications]


@pytest.mark.parametrize(
    "html",
    [
        None,
        "",
        b"",
        "   ",
        b"\xff\xfe\x00<html>",
        '<?xml version="1.0" encoding="gbk"?><html><body>公司名称：测试</body></html>',
        "<" * 100_000,
        "<div>" * 50_000,
        "<script>window.__INIT_DATA = {" + '"a":{' * 50_000,
        "<script>var iDetailConfig = JSON.parse('{\\\"companyName\\\": 5}');</script>",
        "<table>" + "<tr><th>证书名称：</th><td>ISO9001</td></tr>" * 2_000 + "</table>",
    ],
)
def test_odd_input_never_raises(html: object) -> None:
    doc = China1688Parser().parse(html, "https://x.1688.com/page/creditdetail.htm")  # type: ignore[arg-type]
    assert doc.source.platform == "1688"
    assert doc.source.page_type == "shop_profile"


def test_bytes_are_read_as_utf8() -> None:
    doc = China1688Parser().parse(page(SHOP_2016[0]).encode("utf-8"), SHOP_2016[1])  # type: ignore[arg-type]
    assert doc.supplier.name == "义乌市晶彩饰品有限公司"


@pytest.mark.parametrize(
    ("address", "country"),
    [
        ("中国 浙江 金华市 义乌市", "CN"),
        ("中國 浙江 金華市", "CN"),
        ("广东省深圳市宝安区", None),
        ("浙江 宁波", None),
        ("香港九龙旺角", "HK"),
        ("中国台湾 台北市", "TW"),
        ("No. 8 Gongye Road, Yiwu, Zhejiang, China", "CN"),
        ("", None),
    ],
)
def test_country_only_where_the_address_names_it(address: str, country: str | None) -> None:
    assert country_of(address) == country


def test_script_object_reader_is_shared_with_alibaba() -> None:
    from scrapers.platforms.alibaba import _common
    from scrapers.platforms.scripts import extract_js_object

    assert _common.extract_js_object is extract_js_object
    assert extract_js_object('<script>window.__INIT_DATA = {"a": 1};</script>', "__INIT_DATA") == {"a": 1}
