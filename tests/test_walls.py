"""Anti-bot and login walls: authored pages of each vendor's wall (tests/pages/walls, two or more variants per
wall), normal pages that load the same vendor scripts and widgets, the real captured walls, and linear time on
hostile input."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import soupsieve
from bs4 import BeautifulSoup

from scrapers.claims import ClaimsDocument, PageStatus, Source, Supplier
from scrapers.classify import WALL_MARKERS, WALL_SELECTORS, classify, wall_markers
from scrapers.extract import read_page

WALLS_DIR = Path(__file__).resolve().parent / "pages" / "walls"
#: What a saved file or a mirror looks like to read_page: no marketplace host to go by.
LOCAL_URL = "http://127.0.0.1:8000/saved/page.html"
WALL_STATUSES = (PageStatus.BLOCKED, PageStatus.LOGIN_REQUIRED)
BLOCKED = PageStatus.BLOCKED
LOGIN = PageStatus.LOGIN_REQUIRED


@dataclass(frozen=True)
class Wall:
    page: str
    family: str
    status: PageStatus
    #: Exactly the markers the page must raise (all of them named in the reason).
    markers: frozenset[str]
    #: The status code the vendor serves it with; the markers must decide even when it is 200.
    http_status: int
    url: str


def wall(page: str, family: str, status: PageStatus, markers: set[str], http_status: int, url: str) -> Wall:
    return Wall(page, family, status, frozenset(markers), http_status, url)


ALIBABA_URL = "https://www.alibaba.com/product-detail/Ball-Valve_1600123456789.html"
OFFER_1688_URL = "https://detail.1688.com/offer/612345678901.html"
GS_URL = "https://www.globalsources.com/acme-valves/company-profile"
IM_URL = "https://www.indiamart.com/acme-valves/profile.html"
MIC_URL = "https://acmevalves.en.made-in-china.com/company-Acme-Valves.html"

AKAMAI = {"akamai reference", "akamai error host", "access denied title", "permission denied notice"}
KASADA = {"kasada interstitial script", "kasada bootstrap"}
SUCURI = {"sucuri access denied", "sucuri block page"}
F5 = {"f5 request rejected", "f5 support id"}

WALLS = (
    wall("akamai_access_denied_raw.html", "akamai", BLOCKED, AKAMAI, 403, MIC_URL),
    wall("akamai_access_denied_rendered.html", "akamai", BLOCKED, AKAMAI, 403, ALIBABA_URL),
    wall(
        "cloudfront_request_blocked.html",
        "cloudfront",
        BLOCKED,
        {"cloudfront request blocked", "cloudfront 403 error"},
        403,
        GS_URL,
    ),
    wall("cloudfront_geo_blocked_rendered.html", "cloudfront", BLOCKED, {"cloudfront 403 error"}, 403, GS_URL),
    wall(
        "awswaf_challenge.html",
        "aws waf",
        BLOCKED,
        {"aws waf challenge props", "aws waf empty cookie domain list"},
        202,
        IM_URL,
    ),
    wall("awswaf_captcha_rendered.html", "aws waf", BLOCKED, {"aws waf challenge props"}, 405, IM_URL),
    wall(
        "cloudflare_1020.html",
        "cloudflare 1020",
        BLOCKED,
        {"cloudflare error 1020", "cloudflare access restricted"},
        403,
        MIC_URL,
    ),
    wall(
        "cloudflare_1020_compact.html",
        "cloudflare 1020",
        BLOCKED,
        {"cloudflare error 1020", "cloudflare attention"},
        403,
        MIC_URL,
    ),
    wall(
        "cloudflare_1015.html",
        "cloudflare 1015",
        BLOCKED,
        {"cloudflare error 1015", "cloudflare rate limited", "cloudflare access restricted"},
        429,
        MIC_URL,
    ),
    wall(
        "cloudflare_1015_plain.html",
        "cloudflare 1015",
        BLOCKED,
        {"cloudflare error 1015", "cloudflare rate limited"},
        429,
        MIC_URL,
    ),
    wall("sucuri_block.html", "sucuri", BLOCKED, SUCURI, 403, GS_URL),
    wall("sucuri_cloudproxy_block.html", "sucuri", BLOCKED, SUCURI, 403, GS_URL),
    wall("sucuri_js_challenge.html", "sucuri", BLOCKED, {"sucuri cloudproxy challenge"}, 200, GS_URL),
    wall("f5_asm_rejected.html", "f5", BLOCKED, F5, 200, IM_URL),
    wall("f5_asm_rejected_styled.html", "f5", BLOCKED, F5, 200, IM_URL),
    wall("kasada_429.html", "kasada", BLOCKED, KASADA, 429, ALIBABA_URL),
    wall("kasada_429_iframe.html", "kasada", BLOCKED, KASADA, 429, ALIBABA_URL),
    wall("recaptcha_one_more_step.html", "recaptcha", BLOCKED, {"recaptcha interstitial"}, 403, GS_URL),
    wall("recaptcha_bare_rendered.html", "recaptcha", BLOCKED, {"recaptcha interstitial"}, 200, GS_URL),
    wall("hcaptcha_verify_human.html", "hcaptcha", BLOCKED, {"hcaptcha interstitial"}, 403, IM_URL),
    wall("hcaptcha_bare_rendered.html", "hcaptcha", BLOCKED, {"hcaptcha interstitial"}, 200, IM_URL),
    wall(
        "slider_1688_zh.html",
        "alibaba slider zh",
        BLOCKED,
        {"captcha interception title zh", "alibaba slider"},
        200,
        OFFER_1688_URL,
    ),
    wall("slider_taobao_untitled.html", "alibaba slider zh", BLOCKED, {"alibaba slider"}, 200, OFFER_1688_URL),
    wall("globalsources_sign_in.html", "global sources login", LOGIN, {"global sources sign-in title"}, 200, GS_URL),
    wall("globalsources_login_refresh.html", "global sources login", LOGIN, {"sign-in refresh"}, 200, GS_URL),
    wall("indiamart_sign_in.html", "indiamart login", LOGIN, {"indiamart sign-in title"}, 200, IM_URL),
    wall("indiamart_login_to_view.html", "indiamart login", LOGIN, {"login to view wall"}, 200, IM_URL),
)

#: Normal pages without any claim a parser reads, each with the vendor scripts, widgets and links it carries:
#: (strings that must be in the page, raw marker patterns that match it but must be vetoed by the marker's
#: ``confirm``). Both make sure the page really puts the markers to the test.
NORMAL_PAGES: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "normal_contact_form_captchas.html": (
        ("g-recaptcha", "/recaptcha/api2/anchor?", "h-captcha", "hcaptcha.com/captcha/v1/", "nc_1_n1z", "请按住滑块"),
        frozenset({"recaptcha interstitial", "hcaptcha interstitial", "alibaba slider"}),
    ),
    "normal_short_contact_page.html": (("g-recaptcha", "<textarea"), frozenset({"recaptcha interstitial"})),
    "normal_behind_cdns.html": (
        ("/cdn-cgi/", "akamaihd.net", "/akam/13/", "__CF$cv$params", "access denied"),
        frozenset(),
    ),
    "normal_antibot_sdks.html": (
        (
            "awsWafCookieDomainList",
            "token.awswaf.com",
            "captcha.awswaf.com",
            "challenge.js",
            "KPSDK",
            "/p.js",
            "x-kpsdk-ct",
            "AWSC/awsc.js",
            "baxiaCommon.js",
            'id="nocaptcha"',
            "sucuri",
        ),
        frozenset({"alibaba slider"}),
    ),
    "normal_sign_in_links.html": (
        ("login.globalsources.com", "my.indiamart.com", "Sign in to Global Sources", "Login to view price"),
        frozenset(),
    ),
}

#: Rows that test_classify.py and the real captured walls exercise; every other row needs an authored wall.
MARKERS_TESTED_ELSEWHERE = frozenset(
    {
        "alibaba punish component",
        "alibaba punish container",
        "alibaba rgv587 flag",
        "captcha action config",
        "captcha interception title",
        "unusual traffic notice",
        "incapsula resource",
        "incapsula incident",
        "cloudflare challenge",
        "datadome captcha",
        "perimeterx captcha",
        "login action config",
        "tmd login jump",
    }
)
NEW_SELECTORS = ("#cf-error-details",)


def page(name: str) -> str:
    return (WALLS_DIR / name).read_text(encoding="utf-8")


def no_claims(url: str = LOCAL_URL) -> ClaimsDocument:
    return ClaimsDocument(source=Source(url=url, platform="unknown", page_type="unknown"))


def with_claims(url: str = LOCAL_URL) -> ClaimsDocument:
    return ClaimsDocument(
        source=Source(url=url, platform="unknown", page_type="unknown"),
        supplier=Supplier(name="Acme Valves Co., Ltd."),
    )


def marker_names(html: str) -> set[str]:
    return {m.name for m in wall_markers(html)}


# --- the authored walls -------------------------------------------------------------------------------


def test_every_wall_has_two_variants_and_every_new_marker_an_authored_wall() -> None:
    families: dict[str, int] = {}
    for w in WALLS:
        families[w.family] = families.get(w.family, 0) + 1
    assert all(count >= 2 for count in families.values()), families
    authored = set().union(*(w.markers for w in WALLS))
    assert {m.name for m in WALL_MARKERS} - MARKERS_TESTED_ELSEWHERE <= authored
    on_disk = {p.name for p in WALLS_DIR.glob("*.html")}
    assert on_disk == {w.page for w in WALLS} | set(NORMAL_PAGES), "every page in tests/pages/walls is tested"


@pytest.mark.parametrize("w", WALLS, ids=lambda w: w.page)
def test_wall_is_classified_by_its_markers(w: Wall) -> None:
    """Served with 200 (as walls often are), the markers alone decide, and the reason names them."""
    html = page(w.page)
    assert marker_names(html) == w.markers
    verdict = classify(html, no_claims(w.url), http_status=200)
    assert verdict.status is w.status, verdict
    for name in w.markers:
        assert name in verdict.reason


@pytest.mark.parametrize("where", ["marketplace", "local"])
@pytest.mark.parametrize("w", WALLS, ids=lambda w: w.page)
def test_wall_read_end_to_end(w: Wall, where: str) -> None:
    url = w.url if where == "marketplace" else LOCAL_URL
    reading = read_page(page(w.page), url, http_status=w.http_status)
    assert reading.status is w.status, reading.classification
    assert reading.claims.status is w.status
    assert not reading.claims.has_claims()
    for name in w.markers:
        assert name in reading.classification.reason


@pytest.mark.parametrize("w", WALLS, ids=lambda w: w.page)
def test_wall_markers_on_a_page_with_supplier_data_are_ok(w: Wall) -> None:
    assert classify(page(w.page), with_claims(w.url), http_status=200).status is PageStatus.OK


# --- normal pages that load the same vendor scripts ---------------------------------------------------


@pytest.mark.parametrize("name", sorted(NORMAL_PAGES))
def test_normal_page_without_claims_is_no_wall(name: str) -> None:
    """The stricter case: no claims were read, so only the markers stand between the page and a wall."""
    html = page(name)
    must_contain, vetoed = NORMAL_PAGES[name]
    for needle in must_contain:
        assert needle.lower() in html.lower(), f"{name} was meant to contain {needle!r}"
    assert {m.name for m in WALL_MARKERS if m.pattern.search(html)} == vetoed
    assert marker_names(html) == set()
    assert classify(html, no_claims(), http_status=200).status is PageStatus.UNPARSEABLE
    for url in (LOCAL_URL, GS_URL, IM_URL, ALIBABA_URL):
        assert read_page(html, url, http_status=200).status not in WALL_STATUSES


@pytest.mark.parametrize("name", sorted(NORMAL_PAGES))
def test_normal_page_with_claims_is_ok(name: str) -> None:
    assert classify(page(name), with_claims(), http_status=200).status is PageStatus.OK


@pytest.mark.shared_pages
@pytest.mark.parametrize("name", sorted(NORMAL_PAGES))
def test_real_supplier_page_with_the_normal_pages_widgets_is_ok(name: str, shared_pages: Path) -> None:
    """A real profile that also carries the contact forms, dialogs and scripts of the normal pages."""
    real = (shared_pages / "alibaba_company_profile_legacy2018_hdradio.html").read_text("utf-8", errors="replace")
    extra = page(name)
    head = extra[extra.index("<head>") + len("<head>") : extra.index("</head>")]
    body = extra[extra.index("<body>") + len("<body>") : extra.index("</body>")]
    html = real.replace("</head>", head + "</head>", 1).replace("</body>", body + "</body>", 1)
    reading = read_page(html, "https://hdradio.en.alibaba.com/company_profile.html")
    assert reading.status is PageStatus.OK, reading.classification


def test_widget_alone_is_an_interstitial_but_not_beside_a_form() -> None:
    """The short contact page is saved by its fields; without them its reCAPTCHA is the whole page."""
    html = page("normal_short_contact_page.html")
    assert marker_names(html) == set()
    fields = re.compile(r"<input name=[^<>]*>|<input type=\"email\"[^<>]*>|<textarea[^<>]*></textarea>")
    assert len(fields.findall(html)) == 3
    bare = fields.sub("", html)
    assert marker_names(bare) == {"recaptcha interstitial"}
    assert classify(bare, no_claims(), http_status=200).status is PageStatus.BLOCKED


@pytest.mark.parametrize(
    ("heading", "blocked"),
    [
        ("One more step", True),
        ("Security check | Example B2B Marketplace", True),
        ("Verify you are human", True),
        ("安全验证", True),
        ("Security Check Equipment | X-ray Baggage Scanners", False),
        ("Stainless steel ball valves", False),
    ],
)
def test_a_long_interstitial_is_recognised_by_its_heading(heading: str, blocked: bool) -> None:
    """recaptcha_one_more_step.html has too much text to be a bare widget: its title and h1 decide."""
    html = page("recaptcha_one_more_step.html")
    assert len(BeautifulSoup(html, "lxml").get_text(" ", strip=True)) > 800
    html = html.replace("One more step | Example B2B Marketplace", heading).replace("One more step", heading)
    status = classify(html, no_claims(), http_status=200).status
    assert (status is PageStatus.BLOCKED) is blocked, status
    if not blocked:
        assert status is PageStatus.UNPARSEABLE


def test_login_to_view_counts_only_as_the_page_itself() -> None:
    html = page("indiamart_login_to_view.html")
    assert marker_names(html) == {"login to view wall"}
    # The same notice under a content heading, or on a page full of the supplier's text, is a teaser.
    under_content = html.replace('<div class="wall">', '<h1>Acme Valves, Pune</h1><div class="wall">', 1)
    assert marker_names(under_content) == set()
    long_page = html.replace("</body>", "<p>" + "Ball valves, gate valves and strainers. " * 60 + "</p></body>")
    assert marker_names(long_page) == set()


@pytest.mark.parametrize(
    ("final_url", "status"),
    [
        ("https://login.globalsources.com/sso/GeneralManager?action=Login", PageStatus.LOGIN_REQUIRED),
        ("https://my.indiamart.com/?ref=supplier", PageStatus.LOGIN_REQUIRED),
        ("https://www.indiamart.com/acme-valves/profile.html?src=redirect", PageStatus.UNPARSEABLE),
    ],
)
def test_redirect_to_a_sign_in_host(final_url: str, status: PageStatus) -> None:
    html = page("normal_sign_in_links.html")
    reading = read_page(html, IM_URL, http_status=200, final_url=final_url)
    assert reading.status is status, reading.classification
    if status is PageStatus.LOGIN_REQUIRED:
        assert final_url in reading.classification.reason


# --- the real captured walls --------------------------------------------------------------------------

REAL_WALLS = {
    "alibaba_block_punish_captcha_interception_rendered.html": (
        PageStatus.BLOCKED,
        {"alibaba punish component", "captcha action config", "unusual traffic notice", "alibaba slider"},
    ),
    "globalsources_block_incapsula_search.html": (PageStatus.BLOCKED, {"incapsula resource"}),
    "1688_block_login_wall_action_login.html": (PageStatus.LOGIN_REQUIRED, {"login action config"}),
}


@pytest.mark.shared_pages
@pytest.mark.parametrize("name", sorted(REAL_WALLS))
def test_real_captured_walls(name: str, shared_pages: Path) -> None:
    """The new rows leave the real walls as they were: no blocked row fires on the 1688 login wall."""
    html = (shared_pages / name).read_text("utf-8", errors="replace")
    status, expected = REAL_WALLS[name]
    found = marker_names(html)
    assert expected <= found
    assert {m.status for m in wall_markers(html) if not m.generic} == {status}
    for url in (LOCAL_URL, ALIBABA_URL):
        reading = read_page(html, url)
        assert reading.status is status, reading.classification
        for marker in expected:
            assert marker in reading.classification.reason


@pytest.mark.shared_pages
@pytest.mark.parametrize(
    "name",
    [
        "alibaba_company_profile_legacy2018_hdradio.html",
        "alibaba_company_profile_cpmodules2018_jinou.html",
        "alibaba_product_detail_YrayPixels_productexample.html",
        "alibaba_supplier_search_results_2018.html",
        "madeinchina_product_detail_with_supplier_block.html",
    ],
)
def test_real_content_pages_raise_no_marker(name: str, shared_pages: Path) -> None:
    """Real pages that load Alibaba's AWSC/baxia scripts and carry sign-in links and forms."""
    assert marker_names((shared_pages / name).read_text("utf-8", errors="replace")) == set()


# --- selectors, needles, hostile input ----------------------------------------------------------------


def test_wall_selectors_compile_and_new_ones_match_only_walls() -> None:
    for selector in WALL_SELECTORS:
        soupsieve.compile(selector)
    for selector in NEW_SELECTORS:
        assert selector in WALL_SELECTORS
        on_walls = {w.page for w in WALLS if BeautifulSoup(page(w.page), "lxml").select_one(selector)}
        assert on_walls == {"cloudflare_1020.html", "cloudflare_1020_compact.html", "cloudflare_1015.html"}
        for name in NORMAL_PAGES:
            assert BeautifulSoup(page(name), "lxml").select_one(selector) is None


def test_needles_are_in_every_page_their_pattern_matches() -> None:
    """A needle only spares a search that cannot match: on every page the pattern matches, it is there."""
    pages = [page(w.page) for w in WALLS] + [page(name) for name in NORMAL_PAGES]
    matched: set[str] = set()
    for marker in WALL_MARKERS:
        if marker.needle is None:
            continue
        needles = (marker.needle,) if isinstance(marker.needle, str) else marker.needle
        assert all(needle == needle.lower() for needle in needles), marker.name
        for html in pages:
            if marker.pattern.search(html):
                matched.add(marker.name)
                assert marker.may_match(html.lower()), (marker.name, marker.needle)
    assert matched >= {m.name for m in WALL_MARKERS if m.needle} - MARKERS_TESTED_ELSEWHERE


#: Starts of the new rows' patterns repeated without ever completing: a backtracking regex would take hours.
HOSTILE = (
    "Reference #18.",
    "Reference&#32;&#35;18&#46;6c1a2b3d&#46;",
    "You don't have permission to access \"",
    "could not be satisfied. <br> ",
    "403 ERROR</h1> <h2> ",
    "gokuProps = ",
    "awsWafCookieDomainList = [ ",
    "Error code: </span> <span> ",
    'cf-error-code" ',
    "Sucuri WebSite Firewall - ",
    "The requested URL was rejected. <b> ",
    "/ips.js?",
    "/ips.js?a",
    "KPSDK.start = ",
    'class="g-recaptcha ',
    "<input ",
    "<h1>",
    "<h2><span>",
    '<meta content="0;url=',
    "<title>Sign in to ",
    "<title>IndiaMART - ",
    "<title>验证码拦截",
    "请按住滑块",
)


# No clock in the test: a quadratic blow-up (minutes to hours at this size) is stopped by pytest-timeout, and
# speed is measured in bench/.
@pytest.mark.timeout(120)
@pytest.mark.parametrize("fragment", HOSTILE)
def test_hostile_input_takes_linear_time(fragment: str) -> None:
    # The widget and slider at the end make the confirm steps (text, headings, fields) run as well.
    html = fragment * (400_000 // len(fragment)) + ' <div class="g-recaptcha h-captcha" id="nc_1_n1z"></div>'
    wall_markers(html)
    verdict = classify(html, no_claims(), http_status=200)
    assert verdict.status in set(PageStatus)
