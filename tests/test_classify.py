"""Page classification (ok / blocked / login_required / not_found / unparseable) on real captured pages,
near misses written for these tests, and the demo marketplace's pages fetched over loopback HTTP."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from monitor.demo.marketplace import DemoMarketplace
from monitor.demo.pages.blocks import captcha_page, empty_store_page, error_page
from monitor.demo.scenario import SPECIAL_STORES
from scrapers.claims import ClaimsDocument, PageStatus, Source
from scrapers.classify import classify, visible_text_length, wall_markers
from scrapers.extract import read_page

PAGES = Path(__file__).resolve().parents[2] / "shared" / "pages"


def needs_pages(test: object) -> object:
    """Mark a test that reads ../shared/pages; it skips, saying why, when they are not there."""
    skip = pytest.mark.skipif(not PAGES.is_dir(), reason=f"real captured pages not available at {PAGES}")
    return pytest.mark.shared_pages(skip(test))


CAPTCHA_PAGE = "alibaba_block_punish_captcha_interception_rendered.html"
INCAPSULA_PAGE = "globalsources_block_incapsula_search.html"
LOGIN_PAGE = "1688_block_login_wall_action_login.html"
SUPPLIER_PAGES = {
    "alibaba_company_profile_legacy2018_hdradio.html": "https://hdradio.en.alibaba.com/company_profile.html",
    "alibaba_company_profile_cpmodules2018_jinou.html": "https://jinou.en.alibaba.com/company_profile.html",
    "alibaba_product_detail_YrayPixels_productexample.html": (
        "https://www.alibaba.com/product-detail/Portable-Radio_1600123456789.html"
    ),
}
#: What a saved file or a mirror looks like to read_page: no marketplace host to go by.
LOCAL_URL = "http://127.0.0.1:8000/saved/page.html"


def real_page(name: str) -> str:
    path = PAGES / name
    if not path.is_file():
        pytest.skip(f"real captured page {name} not available in {PAGES}")
    return path.read_text(encoding="utf-8", errors="replace")


def no_claims(url: str = "https://example.com/x") -> ClaimsDocument:
    return ClaimsDocument(source=Source(url=url, platform="unknown", page_type="unknown"))


def filler(paragraphs: int) -> str:
    """Ordinary page text that no parser reads claims from."""
    sentence = (
        "<p>Our catalogue lists industrial valves, pipe fittings and flanges in many sizes; "
        "ask the sales team for drawings, lead times and packing details.</p>\n"
    )
    return sentence * paragraphs


# --- real block pages ---------------------------------------------------------------------------------


@needs_pages
@pytest.mark.parametrize("url", ["https://www.alibaba.com/product-detail/Men-Shirt_1601208293182.html", LOCAL_URL])
def test_real_alibaba_captcha_page_is_blocked(url: str) -> None:
    reading = read_page(real_page(CAPTCHA_PAGE), url)
    assert reading.status is PageStatus.BLOCKED
    assert reading.claims.status is PageStatus.BLOCKED
    assert not reading.claims.has_claims()
    # Every Alibaba punish marker is recognised, including the captcha config whose "action" is not its first key.
    for name in ("alibaba punish component", "alibaba punish container", "captcha action config"):
        assert name in reading.classification.reason


@needs_pages
@pytest.mark.parametrize("url", ["https://www.globalsources.com/search?query=valve", LOCAL_URL])
def test_real_incapsula_page_is_blocked(url: str) -> None:
    reading = read_page(real_page(INCAPSULA_PAGE), url)
    assert reading.status is PageStatus.BLOCKED
    assert "incapsula" in reading.classification.reason


@needs_pages
@pytest.mark.parametrize("url", ["https://s.1688.com/selloffer/offer_search.htm?keywords=socks", LOCAL_URL])
def test_real_1688_login_wall_is_login_required(url: str) -> None:
    """The login wall ends with the same <!--rgv587_flag--> as the captcha page; its action decides."""
    reading = read_page(real_page(LOGIN_PAGE), url)
    assert reading.status is PageStatus.LOGIN_REQUIRED
    assert "login action config" in reading.classification.reason


@needs_pages
@pytest.mark.parametrize("name", sorted(SUPPLIER_PAGES))
@pytest.mark.parametrize("where", ["marketplace", "local"])
def test_real_supplier_pages_are_ok(name: str, where: str) -> None:
    html = real_page(name)
    url = SUPPLIER_PAGES[name] if where == "marketplace" else LOCAL_URL
    reading = read_page(html, url)
    assert reading.status is PageStatus.OK, reading.classification
    assert reading.claims.has_claims()
    assert reading.claims.source.platform == "alibaba"


@needs_pages
def test_real_supplier_pages_with_sign_in_links_and_antibot_scripts_are_ok() -> None:
    """Normal pages carry "Sign in" links and load the baxia/AWSC scripts: none of that is a wall."""
    html = real_page("alibaba_company_profile_legacy2018_hdradio.html")
    assert re.search(r"sign in", html, re.I), "the real page was expected to have a Sign in link"
    scripts = (
        '<script src="//g.alicdn.com/AWSC/AWSC/awsc.js"></script>'
        '<script src="//g.alicdn.com/sd/baxia/2.5.0/baxiaCommon.js"></script>'
        '<div id="nocaptcha"></div><!-- captcha widget slot -->'
    )
    html = html.replace("</head>", scripts + "</head>", 1)
    reading = read_page(html, SUPPLIER_PAGES["alibaba_company_profile_legacy2018_hdradio.html"])
    assert reading.status is PageStatus.OK


# --- near misses --------------------------------------------------------------------------------------


def test_page_that_mentions_captcha_and_loads_baxia_is_not_blocked() -> None:
    html = (
        "<html><head><title>Valve parts</title>"
        '<script src="https://g.alicdn.com/AWSC/AWSC/awsc.js"></script>'
        '<script src="https://g.alicdn.com/sd/baxia/2.5.0/baxiaCommon.js"></script></head><body>'
        '<a href="https://login.alibaba.com/">Sign in</a>'
        "<p>If a captcha appears at checkout, complete the slider; baxia protects our forms.</p>"
        + filler(20)
        + "</body></html>"
    )
    assert wall_markers(html) == []
    reading = read_page(html, "https://www.alibaba.com/showroom/valve-parts.html")
    assert reading.status not in (PageStatus.BLOCKED, PageStatus.LOGIN_REQUIRED)
    assert reading.status is PageStatus.UNPARSEABLE


@needs_pages
def test_block_markers_on_a_page_with_supplier_data_are_ok() -> None:
    """Markers alone never decide: a page that still holds the supplier's data is ok."""
    html = real_page("alibaba_company_profile_cpmodules2018_jinou.html")
    injected = (
        "<punish-component></punish-component><!--rgv587_flag:sm-->"
        '<div id="baxia-punish"><div class="captcha-tips">'
        "Sorry, we have detected unusual traffic from your network.</div></div>"
    )
    html = html.replace("<body", injected + "<body", 1)
    assert {m.name for m in wall_markers(html)} >= {"alibaba punish component", "unusual traffic notice"}
    reading = read_page(html, SUPPLIER_PAGES["alibaba_company_profile_cpmodules2018_jinou.html"])
    assert reading.status is PageStatus.OK


def test_demo_supplier_page_with_captcha_markers_is_ok() -> None:
    with DemoMarketplace() as market:
        url = market.suppliers()[0]["url"]
        html = httpx.get(str(url), timeout=10).text
    html = html.replace("</body>", "<!--rgv587_flag:sm--><punish-component></punish-component></body>")
    assert read_page(html, str(url)).status is PageStatus.OK


@pytest.mark.parametrize("status", [404, 410])
def test_http_404_is_not_found_whatever_the_body(status: int) -> None:
    body = "<html><body>" + filler(30) + "</body></html>"
    reading = read_page(body, "https://acme.en.alibaba.com/company_profile.html", http_status=status)
    assert reading.status is PageStatus.NOT_FOUND
    assert str(status) in reading.classification.reason


def test_redirect_to_error_page_is_not_found() -> None:
    reading = read_page(
        error_page(),
        "http://127.0.0.1:8000/store/ghost/company_profile.html",
        http_status=200,
        final_url="http://127.0.0.1:8000/error.html",
    )
    assert reading.status is PageStatus.NOT_FOUND
    # Even a chatty error page at an error path is not found, not unparseable.
    chatty = "<html><body><h1>Oops</h1>" + filler(60) + "</body></html>"
    verdict = classify(chatty, no_claims(), http_status=200, final_url="https://www.alibaba.com/error.html")
    assert verdict.status is PageStatus.NOT_FOUND


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<html><head><title>Alibaba.com</title></head><body></body></html>",
        empty_store_page("vacant-store"),
        "<html><body><div id='root'></div><script>" + "var x = 1;" * 500 + "</script></body></html>",
    ],
    ids=["empty", "bare", "demo-empty-store", "script-only"],
)
def test_empty_200_shell_is_not_found(html: str) -> None:
    reading = read_page(html, "https://acme.en.alibaba.com/company_profile.html", http_status=200)
    assert reading.status is PageStatus.NOT_FOUND


def test_large_unrelated_page_is_unparseable() -> None:
    html = "<html><head><title>Industrial valves</title></head><body>" + filler(3000) + "</body></html>"
    assert len(html) > 300_000
    reading = read_page(html, "https://acme.en.alibaba.com/company_profile.html", http_status=200)
    assert reading.status is PageStatus.UNPARSEABLE
    unknown = read_page(html, "https://www.example.org/catalogue.html", http_status=200)
    assert unknown.status is PageStatus.UNPARSEABLE


def test_stray_not_found_phrase_in_a_large_page_is_still_unparseable() -> None:
    """A page full of content that the parser cannot read must not pass for a vanished store just because a
    widget says "this item has been removed from your cart"."""
    html = (
        "<html><head><title>Acme Valves - company profile</title></head><body>"
        + filler(200)
        + '<div class="mini-cart">This item has been removed from your cart.</div>'
        + filler(200)
        + "</body></html>"
    )
    reading = read_page(html, "https://acme.en.alibaba.com/company_profile.html", http_status=200)
    assert reading.status is PageStatus.UNPARSEABLE
    # ... while a real "does not exist" page, short or titled so, is not found.
    titled = "<html><head><title>Page Not Found</title></head><body>" + filler(200) + "</body></html>"
    assert read_page(titled, "https://acme.en.alibaba.com/x.html").status is PageStatus.NOT_FOUND
    short = "<html><body><p>Sorry, the store you are looking for does not exist.</p>" + filler(3) + "</body></html>"
    assert read_page(short, "https://acme.en.alibaba.com/x.html").status is PageStatus.NOT_FOUND


def test_http_status_walls_without_data() -> None:
    body = "<html><body>" + filler(10) + "</body></html>"
    assert classify(body, no_claims(), http_status=403).status is PageStatus.BLOCKED
    assert classify(body, no_claims(), http_status=429).status is PageStatus.BLOCKED
    assert classify(body, no_claims(), http_status=401).status is PageStatus.LOGIN_REQUIRED
    login = classify(body, no_claims(), http_status=200, final_url="https://login.alibaba.com/newlogin/icbuLogin.htm")
    assert login.status is PageStatus.LOGIN_REQUIRED


def test_demo_captcha_page_is_blocked() -> None:
    html = captcha_page("/store/x/company_profile.html", "127.0.0.1:8000")
    reading = read_page(html, "http://127.0.0.1:8000/store/x/company_profile.html")
    assert reading.status is PageStatus.BLOCKED
    assert "captcha action config" in reading.classification.reason


MALFORMED = {
    "unclosed-tags": "<html><head><title>x</ti<body><div <<<>>> <table><tr><td data-role='companyLocation'>"
    + "<div>" * 5000,
    "unclosed-script": "<html><body><p>hello</p><script>var a = '" + "<p>x " * 50_000,
    "unclosed-lt": "<p " * 100_000,
    "unclosed-comment": "<!--" + "a" * 100_000,
    "truncated-data-object": '<html><script>window.shopBizData = {"pageModuleMap": [{"moduleName": ',
    "truncated-module-data": '<div module-name="icbu-pc-cpCertificates" module-data=\'%7B%22mds%22%3A%7B',
    "nul-bytes": "\x00" * 5000,
    "lone-surrogates-ish": "\ufffd\ufeff\u202e" * 2000,
}


# No clock in the test: a quadratic blow-up (minutes at these sizes) is stopped by pytest-timeout, and speed is
# measured in bench/.
@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_html_does_not_crash(name: str) -> None:
    html = MALFORMED[name]
    for url in ("https://acme.en.alibaba.com/company_profile.html", LOCAL_URL):
        reading = read_page(html, url, http_status=200)
        assert reading.status in set(PageStatus)
        assert reading.claims.status is reading.status


@pytest.mark.parametrize("size", [0, 1, 1000, 300_000])
def test_binary_garbage_does_not_crash(size: int) -> None:
    blob = random.Random(size).randbytes(size)
    for html in (blob, blob.decode("latin-1"), blob.decode("utf-8", errors="replace")):
        reading = read_page(html, "https://acme.en.alibaba.com/company_profile.html", http_status=200)  # type: ignore[arg-type]
        assert reading.status in set(PageStatus)
        assert not reading.claims.has_claims()
        verdict = classify(html, no_claims(), http_status=200)  # type: ignore[arg-type]
        assert verdict.status in set(PageStatus)


def test_visible_text_ignores_scripts_styles_and_tags() -> None:
    html = (
        "<html><head><style>p{color:red}</style><script>var s = '<p>not text</p>';</script></head>"
        "<body><h1>Hi <b>there</b></h1><SCRIPT type='x'>hidden()</SCRIPT>tail</body></html>"
    )
    assert visible_text_length(html) == len("Hi there tail")
    assert visible_text_length("<p>text<script>never closed " + "x" * 1000) == len("text")


# --- the demo marketplace over HTTP -------------------------------------------------------------------


@pytest.fixture(scope="module")
def market() -> Iterator[DemoMarketplace]:
    with DemoMarketplace() as m:
        yield m


def fetch_and_read(client: httpx.Client, url: str) -> tuple[httpx.Response, PageStatus, str]:
    response = client.get(url)
    reading = read_page(response.text, url, http_status=response.status_code, final_url=str(response.url))
    return response, reading.status, reading.classification.reason


@pytest.fixture()
def client(market: DemoMarketplace) -> Iterator[httpx.Client]:
    market.set_round(0)
    with httpx.Client(timeout=15, follow_redirects=True, trust_env=False) as c:
        yield c
    market.set_round(0)


def test_demo_every_supplier_ok_in_round_0(market: DemoMarketplace, client: httpx.Client) -> None:
    suppliers = market.suppliers()
    assert len(suppliers) >= 10
    for s in suppliers:
        response, status, reason = fetch_and_read(client, str(s["url"]))
        assert response.status_code == 200
        assert status is PageStatus.OK, (s["id"], reason)


def test_demo_kangda_blocked_in_round_1_only(market: DemoMarketplace, client: httpx.Client) -> None:
    market.set_round(1)
    for s in market.suppliers():
        response, status, reason = fetch_and_read(client, str(s["url"]))
        assert response.status_code == 200  # the captcha page is served with 200, as the real one is
        expected = PageStatus.BLOCKED if s["id"] == "kangda-medical" else PageStatus.OK
        assert status is expected, (s["id"], reason)
    market.set_round(2)
    kangda = next(s for s in market.suppliers() if s["id"] == "kangda-medical")
    assert fetch_and_read(client, str(kangda["url"]))[1] is PageStatus.OK


def test_demo_later_rounds_missing_and_closed_stores(market: DemoMarketplace, client: httpx.Client) -> None:
    market.set_round(4)
    by_id = {s["id"]: str(s["url"]) for s in market.suppliers()}
    response, status, _ = fetch_and_read(client, by_id["brightpath-textiles"])
    assert response.url.path == "/error.html" and status is PageStatus.NOT_FOUND
    response, status, _ = fetch_and_read(client, by_id["greenleaf-foods"])
    assert response.status_code == 200 and status is PageStatus.NOT_FOUND


@pytest.mark.parametrize("path", ["/store/{id}/company_profile.html", "/product-detail/{id}.html"])
def test_demo_special_stores(market: DemoMarketplace, client: httpx.Client, path: str) -> None:
    assert set(SPECIAL_STORES) == {"ghost-trading", "vacant-store", "blocked-demo"}
    expected = {
        "ghost-trading": PageStatus.NOT_FOUND,
        "vacant-store": PageStatus.NOT_FOUND,
        "blocked-demo": PageStatus.BLOCKED,
        "no-such-store": PageStatus.NOT_FOUND,
    }
    for store, want in expected.items():
        url = market.base_url + path.format(id=store)
        response, status, reason = fetch_and_read(client, url)
        assert status is want, (store, reason)
        if store in ("ghost-trading", "no-such-store"):
            assert [r.status_code for r in response.history] == [302]
            assert response.url.path == "/error.html"
        else:
            assert response.status_code == 200 and not response.history


def test_demo_unknown_path_404_is_not_found(market: DemoMarketplace, client: httpx.Client) -> None:
    response, status, reason = fetch_and_read(client, market.base_url + "/no/such/page")
    assert response.status_code == 404
    assert status is PageStatus.NOT_FOUND and "404" in reason
