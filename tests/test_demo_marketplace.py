"""The demo marketplace, tested over real loopback HTTP: family markers, JSON round-trips, escaping,
scenario rounds (the Made-in-China.com, Global Sources, IndiaMART, 1688 and own-website suppliers' too),
block/missing pages, injected delay, concurrency and (if Chromium is there) JS rendering."""

from __future__ import annotations

import asyncio
import copy
import json
import re
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from bs4 import BeautifulSoup
from conftest import requires_browser

from monitor.changes import diff_claims
from monitor.checks import PageOutcome, sync_watch_list
from monitor.config import load_config
from monitor.demo.marketplace import DemoMarketplace
from monitor.demo.pages import cpmodules, detaildata, legacy, render_supplier, shopbizdata, templated
from monitor.demo.pages.common import module_data, script_json
from monitor.demo.runner import LOOPBACK_POLITENESS
from monitor.demo.scenario import (
    ALIBABA_FAMILIES,
    FAMILIES,
    MADE_IN_CHINA_FAMILIES,
    TEMPLATE_FAMILIES,
    Scenario,
    Supplier,
    demo_suppliers,
    demo_verify_settings,
)
from monitor.engine import check_round
from monitor.verify import verify
from scrapers.extract import read_page
from scrapers.fetch.browser import CHROMIUM_ARGS, find_system_chromium
from storage import open_database

PUNISH_MARKERS = ("<punish-component>", "<!--rgv587_flag:sm-->", 'id="baxia-punish"', "<title>Captcha Interception")
HOSTILE_RAW = "<script>alert(1)</script>"
#: The demo data's hostile display name (suppliers.toml); the tests below need it to hold markup and quotes.
HOSTILE_NAME = Scenario().supplier("lumina-led").name
#: The sentence kettlecraft's About us page gains in round 4 (rounds.toml): a claim no certificate backs.
NEW_WEBSITE_STATEMENT = next(c.append_description for c in Scenario().changes if c.supplier_id == "kettlecraft")
MIC_ID = "ruifeng-pumps"
#: One supplier per platform beyond Alibaba.com and Made-in-China.com: id -> (family, platform).
OTHER_PLATFORMS: dict[str, tuple[str, str]] = {
    "voltris-power": ("gs_company", "global_sources"),
    "nilgiri-pumps": ("indiamart_company", "indiamart"),
    "meichu-appliances": ("1688_shop", "1688"),
    "kettlecraft": ("own_website", "website"),
}


@pytest.fixture(scope="module")
def market() -> Iterator[DemoMarketplace]:
    with DemoMarketplace() as m:
        yield m


@pytest.fixture()
def client(market: DemoMarketplace) -> Iterator[httpx.Client]:
    market.set_round(0)
    with httpx.Client(base_url=market.base_url, timeout=10, follow_redirects=False) as c:
        yield c
    market.set_round(0)


def _script_object(html: str, var: str) -> Any:
    """The JSON assigned to ``window.<var>`` inside a script element."""
    soup = BeautifulSoup(html, "lxml")
    for script in soup.find_all("script"):
        text = script.string or ""
        m = re.match(rf"\s*window\.{var}\s*=\s*(.*?);?\s*$", text, re.S)
        if m:
            return json.loads(m.group(1))
    raise AssertionError(f"no window.{var} script")


def _module_data(html: str) -> dict[str, Any]:
    soup = BeautifulSoup(html, "lxml")
    return {div["module-name"]: json.loads(unquote(div["module-data"])) for div in soup.select("div[module-name]")}


def _shopsign(html: str) -> Any:
    soup = BeautifulSoup(html, "lxml")
    script = soup.select_one('script#bp-shopsign-data[type="application/json"]')
    assert script is not None
    return json.loads(script.string or "")


def _path(supplier_id: str) -> str:
    return next(str(s["url"]) for s in demo_suppliers("") if s["id"] == supplier_id)


# ---- listing and markers -------------------------------------------------------------------------------


def test_demo_suppliers_cover_four_alibaba_families_three_each_and_one_per_other_platform() -> None:
    entries = demo_suppliers("http://127.0.0.1:1/")
    assert len(entries) == 17
    assert len({e["id"] for e in entries}) == 17
    for family in ALIBABA_FAMILIES:
        assert sum(f"family:{family}" in e["tags"] for e in entries) == 3  # type: ignore[operator]
    for family in MADE_IN_CHINA_FAMILIES + TEMPLATE_FAMILIES:
        assert sum(f"family:{family}" in e["tags"] for e in entries) == 1  # type: ignore[operator]
    expected = {MIC_ID: "made_in_china", **{sid: platform for sid, (_, platform) in OTHER_PLATFORMS.items()}}
    for e in entries:
        assert e["platform"] == expected.get(str(e["id"]), "alibaba")
        assert str(e["url"]).startswith("http://127.0.0.1:1/")


def test_scenario_endpoint_lists_suppliers(market: DemoMarketplace, client: httpx.Client) -> None:
    data = client.get("/__scenario").json()
    assert data["round"] == 0
    assert [s["id"] for s in data["suppliers"]] == [s["id"] for s in market.suppliers()]
    assert {s["family"] for s in data["suppliers"]} == set(FAMILIES)
    platforms = {s["id"]: s["platform"] for s in data["suppliers"]}
    assert platforms[MIC_ID] == "made_in_china"
    assert {sid: platforms[sid] for sid in OTHER_PLATFORMS} == {sid: p for sid, (_, p) in OTHER_PLATFORMS.items()}
    assert all(s["url"].startswith(market.base_url) for s in data["suppliers"])


FAMILY_MARKERS: dict[str, tuple[str, ...]] = {
    "shopbizdata": (
        "window.shopBizData = ",
        'data-module-name="certifications"',
        'data-module-name="factoryCapability"',
    ),
    "detaildata": (
        "window.detailData = ",
        'data-module-name="module_unifed_company_card"',
        'data-module-name="module_company"',
    ),
    "cpmodules": ('module-name="icbu-pc-cpCompanyBasicInfo"', "module-data='", 'module-name="icbu-pc-shopSign"'),
    "legacy": ('<table class="content-table">', 'id="bp-shopsign-data"', 'data-role="companyNumberOfEmployees"'),
    "mic_company": (
        '<meta property="og:site_name" content="Made-in-China.com">',
        '<div class="sr-comInfo-sign">',
        "<th>Management System Certification:</th>",
    ),
    "gs_company": (
        '<meta property="og:site_name" content="Global Sources">',
        '<table class="facts">',
        "<th>Certificate Name</th><th>Certificate No.</th>",
    ),
    "indiamart_company": (
        '<meta property="og:site_name" content="IndiaMART InterMESH Ltd.">',
        "<td>Nature of Business</td>",
        "<td>GST No.</td>",
    ),
    "1688_shop": (
        '<meta property="og:site_name" content="阿里巴巴1688">',
        '<div class="label">经营模式</div>',
        "<th>证书名称</th>",
    ),
    "own_website": ('<script type="application/ld+json">', '"hasCertification":', 'class="company-intro"'),
}


@pytest.mark.parametrize("entry", demo_suppliers(""), ids=lambda e: str(e["id"]))
def test_every_supplier_page_is_200_with_family_markers(client: httpx.Client, entry: dict[str, Any]) -> None:
    r = client.get(entry["url"])
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    family = next(t for t in entry["tags"] if t.startswith("family:")).split(":", 1)[1]
    for marker in FAMILY_MARKERS[family]:
        assert marker in r.text, marker
    # Normal Alibaba pages reference the anti-bot loaders and have a Sign in link, but no punish markers.
    if family in ALIBABA_FAMILIES:
        assert "/AWSC/AWSC/awsc.js" in r.text and "baxia" in r.text and ">Sign in<" in r.text
    elif family == "own_website":
        assert "Sign In" not in r.text and "AWSC" not in r.text  # a company site: no marketplace account
    elif family == "1688_shop":
        assert ">请登录<" in r.text and "AWSC" not in r.text
    else:
        assert ">Sign In<" in r.text and "AWSC" not in r.text  # another site: none of Alibaba's loaders
    assert not any(m in r.text for m in PUNISH_MARKERS)


def test_shopbizdata_sections_are_empty_in_served_html(client: httpx.Client) -> None:
    soup = BeautifulSoup(client.get(_path("haoyu-valves")).text, "lxml")
    box = soup.select_one('div[data-module-name="certifications"]')
    assert box is not None and box.get_text(strip=True) == "" and not box.find_all(True)


# ---- JSON round-trips ----------------------------------------------------------------------------------


def test_shopbizdata_object_round_trips(market: DemoMarketplace, client: httpx.Client) -> None:
    for sid in ("haoyu-valves", "lumina-led", "brightpath-textiles"):
        data = _script_object(client.get(_path(sid)).text, "shopBizData")
        supplier = market.scenario.supplier(sid)
        assert data == shopbizdata.shop_biz_data(supplier)
        modules = {m["moduleName"]: m["moduleData"] for m in data["pageModuleMap"]}
        assert [i["name"] for i in modules["certifications"]["items"]] == [c.name for c in supplier.certificates]
        assert modules["supplierPerformance"]["companyName"] == supplier.name
        assert set(modules["certifications"]["items"][0]) == {
            "name",
            "category",
            "certId",
            "description",
            "certificateValidityPeriod",
            "photo",
        }


def test_detaildata_object_round_trips(market: DemoMarketplace, client: httpx.Client) -> None:
    for sid in ("kangda-medical", "everstar-tools", "sunrise-ceramics"):
        html = client.get(_path(sid)).text
        data = _script_object(html, "detailData")
        supplier = market.scenario.supplier(sid)
        assert data == detaildata.detail_data(supplier, market.base_url)
        seller = data["globalData"]["seller"]
        assert seller["companyName"] == supplier.name
        assert seller["companyProfileUrl"] == f"{market.base_url}/store/{sid}/company_profile.html"
        certs = data["globalData"]["certification"]
        assert [c["certName"] for c in certs] == [c.name for c in supplier.certificates]
        assert set(certs[0]) >= {"certName", "certNo", "certType", "certValidPeriod", "issuingAuthority"}
        soup = BeautifulSoup(html, "lxml")
        link = soup.select_one('div[data-module-name="module_company"] .company-name a')
        assert link is not None and link.get_text() == supplier.name and link["title"] == supplier.name
        card = soup.select_one('div[data-module-name="module_unifed_company_card"]')
        assert card is not None and f"{supplier.join_years} yrs on Alibaba.com" in card.get_text()


def test_cpmodules_attributes_round_trip(market: DemoMarketplace, client: httpx.Client) -> None:
    for sid in ("jiahe-electronics", "xinlong-hardware", "orient-packaging"):
        html = client.get(_path(sid)).text
        decoded = _module_data(html)
        supplier = market.scenario.supplier(sid)
        expected = cpmodules.module_datas(supplier, market.base_url)
        assert set(decoded) == set(expected)
        for name, envelope in decoded.items():
            assert envelope["mds"]["moduleData"]["data"] == expected[name]
            assert envelope["mds"]["moduleName"] == name
        certs = decoded["icbu-pc-cpCompanyCapability"]["mds"]["moduleData"]["data"]["companyCertificateList"]["value"]
        assert [c["certificateName"] for c in certs] == [c.name for c in supplier.company_certificates]
        assert all("certificatNo" in c and "certificateNo" not in c for c in certs)
        # the raw attribute is single-quoted and holds no quote, < or & (all percent-encoded)
        for raw in re.findall(r"module-data='([^']*)'", html):
            assert not set(raw) & set("\"'<>&")


def test_legacy_shopsign_and_tables_round_trip(market: DemoMarketplace, client: httpx.Client) -> None:
    for sid in ("hengtai-machinery", "fuda-garments", "greenleaf-foods"):
        html = client.get(_path(sid)).text
        supplier = market.scenario.supplier(sid)
        assert _shopsign(html) == legacy.shop_sign(supplier)
        assert '"\\/company_profile.html"' in html  # slashes escaped like the real page
        soup = BeautifulSoup(html, "lxml")
        row = soup.select_one('table.content-table tr[data-role="companyNumberOfEmployees"]')
        assert row is not None
        assert row.select_one("th.col-title").get_text(strip=True) == "Total Employees:"  # type: ignore[union-attr]
        assert row.select_one("td.col-value").get_text(strip=True) == supplier.employees  # type: ignore[union-attr]
        for widget, certs in (
            ("div.widget-supplier-certification", supplier.company_certificates),
            ("div.widget-supplier-production-certification", supplier.product_certificates),
        ):
            rows = soup.select(f"{widget} tbody tr")
            assert [r.select_one("td.col_2").get_text(strip=True) for r in rows] == [c.name for c in certs]  # type: ignore[union-attr]
            assert [r.select_one("td.col_6").get_text() for r in rows] == [c.validity_period for c in certs]  # type: ignore[union-attr]
            headers = [th.get_text(strip=True) for th in soup.select(f"{widget} thead th")] if certs else []
            if certs:
                assert "Available Date --- Expired Date" in headers and "Certified By" in headers


# ---- escaping ------------------------------------------------------------------------------------------


def test_hostile_name_is_escaped_and_parses_back(market: DemoMarketplace, client: httpx.Client) -> None:
    assert HOSTILE_RAW in HOSTILE_NAME and '"' in HOSTILE_NAME and "&" in HOSTILE_NAME  # the data is still hostile
    html = client.get(_path("lumina-led")).text
    assert HOSTILE_RAW not in html
    assert "</script> &" not in html
    soup = BeautifulSoup(html, "lxml")
    assert soup.title is not None and soup.title.get_text() == f"Company Overview - {HOSTILE_NAME}"
    data = _script_object(html, "shopBizData")
    assert data["pageModuleMap"][0]["moduleData"]["companyName"] == HOSTILE_NAME
    # the page's scripts are intact: data script + renderer + the two loaders
    assert len(soup.find_all("script")) == 4


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_escapes_hostile_values(market: DemoMarketplace, family: str) -> None:
    """Any value in any family may be hostile: render each family with hostile name, cert and text."""
    own = {family: sid for sid, (family, _) in OTHER_PLATFORMS.items()}
    supplier = copy.deepcopy(
        market.scenario.supplier(
            {"detaildata": "everstar-tools", "mic_company": MIC_ID, **own}.get(family, "hengtai-machinery")
        )
    )
    evil = '</script><!--<script>alert(1)</script>\' & "q" \u2028'
    supplier.name = HOSTILE_NAME
    supplier.description = evil
    supplier.certificates[0].name = evil
    supplier.certificates[0].issuer = evil
    # A certificate picture too (the IndiaMART gallery shows the certificate's name in its alt text).
    supplier.certificates[0].photo = supplier.certificates[0].photo or "/files/demo/certificate.png"
    if supplier.product is not None:
        supplier.product.subject = evil
    html = render_supplier(supplier, "http://127.0.0.1:1", family)  # type: ignore[arg-type]
    assert HOSTILE_RAW not in html and "</script><!--" not in html
    soup = BeautifulSoup(html, "lxml")
    if family == "shopbizdata":
        data = _script_object(html, "shopBizData")
        assert data == shopbizdata.shop_biz_data(supplier)
    elif family == "detaildata":
        assert _script_object(html, "detailData") == detaildata.detail_data(supplier, "http://127.0.0.1:1")
        assert soup.select_one("div[data-module-name=module_company] .company-name a").get_text() == HOSTILE_NAME  # type: ignore[union-attr]
    elif family == "mic_company":
        assert soup.select_one("h1.shop-sign__header-title--text").get_text() == HOSTILE_NAME  # type: ignore[union-attr]
        assert soup.select_one(".intro-content").get_text() == evil  # type: ignore[union-attr]
        row = next(tr for tr in soup.select("table.company-info-table tr") if "Management System" in tr.get_text())
        assert row.td.get_text() == f"{evil}, ISO 14001"  # type: ignore[union-attr]
    elif family in TEMPLATE_FAMILIES:
        _assert_template_page_escapes(soup, family, supplier, evil)
    elif family == "cpmodules":
        decoded = _module_data(html)
        assert decoded["icbu-pc-shopSign"]["mds"]["moduleData"]["data"]["companyName"] == HOSTILE_NAME
        assert soup.select_one(".dc-detail").get_text() == evil  # type: ignore[union-attr]
    else:
        assert _shopsign(html)["data"]["companyName"] == HOSTILE_NAME
        assert soup.select_one(".cp-name").get_text() == HOSTILE_NAME  # type: ignore[union-attr]
        assert soup.select_one("div.widget-supplier-certification td.col_2").get_text(strip=True) == evil.strip()  # type: ignore[union-attr]


def _assert_template_page_escapes(soup: BeautifulSoup, family: str, supplier: Supplier, evil: str) -> None:
    """The hostile name, text and certificate come back as text in the template families' own elements, and
    the only script is the website's JSON-LD, which parses back to what was meant."""
    name, intro, cert = {
        "gs_company": ("h1.sup-name", ".company-intro p", "table.cert-table td"),
        "indiamart_company": (".cmp-head h1", ".aboutus-text p", ".cert-gallery img"),
        "1688_shop": (".company-header .company-name", ".intro .text", "table.cert-table td"),
        "own_website": ("footer p", ".company-intro p", "ul.certs a"),
    }[family]
    assert HOSTILE_NAME in soup.select_one(name).get_text()  # type: ignore[union-attr]
    assert soup.select_one(intro).get_text() == evil  # type: ignore[union-attr]
    shown = soup.select_one(cert)
    assert shown is not None and evil in (shown.get_text() or str(shown.get("alt")))
    scripts = soup.find_all("script")
    if family == "own_website":
        assert len(scripts) == 1 and scripts[0]["type"] == "application/ld+json"
        assert json.loads(scripts[0].string) == templated.organization_json_ld(supplier, "http://127.0.0.1:1")
        assert json.loads(scripts[0].string)["legalName"] == HOSTILE_NAME
    else:
        assert scripts == []


def test_escaping_helpers() -> None:
    obj = {"a": "</script><!-- & \u2028 ~'\"", "b": ["中文", 1]}
    text = script_json(obj)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == obj
    assert json.loads(script_json(obj, escape_slash=True)) == obj
    encoded = module_data(obj)
    assert not set(encoded) & set("\"'<>&~")
    assert json.loads(unquote(encoded)) == obj


# ---- rounds --------------------------------------------------------------------------------------------


def _employees_value(html: str) -> str:
    data = _script_object(html, "shopBizData")
    cards = next(m for m in data["pageModuleMap"] if m["moduleName"] == "factoryCapability")["moduleData"]["cards"]
    return next(i["value"] for c in cards for i in c["items"] if i["fieldName"] == "employee_count")


def _cp_certs(html: str, list_name: str) -> list[dict[str, Any]]:
    data = _module_data(html)["icbu-pc-cpCompanyCapability"]["mds"]["moduleData"]["data"]
    return data[list_name]["value"]


def test_round_1_employees_change_and_captcha(market: DemoMarketplace, client: httpx.Client) -> None:
    assert _employees_value(client.get(_path("haoyu-valves")).text) == "96"
    market.scenario.round = 1
    assert _employees_value(client.get(_path("haoyu-valves")).text) == "135"
    r = client.get(_path("kangda-medical"))
    assert r.status_code == 200
    for marker in (*PUNISH_MARKERS, 'class="captcha-tips"', 'id="nocaptcha"'):
        assert marker in r.text, marker
    assert "Sorry, we have detected unusual traffic from your network." in r.text
    config = _script_object(r.text, "_config_")
    assert config["action"] == "captcha"
    assert "detailData" not in r.text and "Sign in" not in r.text
    # other suppliers are unaffected by the captcha
    assert client.get(_path("everstar-tools")).status_code == 200


def test_round_2_claims_back_after_captcha_and_cert_changes(market: DemoMarketplace, client: httpx.Client) -> None:
    before = _script_object(client.get(_path("kangda-medical")).text, "detailData")
    jiahe_before = _cp_certs(client.get(_path("jiahe-electronics")).text, "companyCertificateList")
    assert jiahe_before[0]["certificateValidityPeriod"] == "2024-03-18 ~ 2027-03-17"
    assert "CE" in [
        c["certificateName"] for c in _cp_certs(client.get(_path("xinlong-hardware")).text, "productCertificateList")
    ]
    market.set_round(2)
    assert _script_object(client.get(_path("kangda-medical")).text, "detailData") == before
    jiahe = _cp_certs(client.get(_path("jiahe-electronics")).text, "companyCertificateList")
    assert jiahe[0]["certificateName"] == "ISO 9001:2015"
    assert jiahe[0]["certificateValidityPeriod"] == "2024-03-18 ~ 2025-03-17"
    names = [
        c["certificateName"] for c in _cp_certs(client.get(_path("xinlong-hardware")).text, "productCertificateList")
    ]
    assert names == ["RoHS"]


def _mic_row(html: str, label: str) -> str | None:
    """The value of one label/value row of the Made-in-China showroom's company table."""
    soup = BeautifulSoup(html, "lxml")
    for row in soup.select("table.company-info-table tr"):
        if row.th is not None and row.th.get_text(strip=True) == f"{label}:":
            return row.td.get_text(strip=True) if row.td is not None else None
    return None


def test_made_in_china_showroom_is_read_by_its_parser_and_loses_iso14001_in_round_2(
    market: DemoMarketplace, client: httpx.Client
) -> None:
    html = client.get(_path(MIC_ID)).text
    assert _mic_row(html, "Management System Certification") == "ISO 9001, ISO 14001"
    # Detected by content on the loopback host (no platform given), read as a company page.
    url = market.base_url + _path(MIC_ID)
    reading = read_page(html, url)
    doc = reading.claims
    assert reading.status.value == "ok"
    assert (doc.source.platform, doc.source.page_type) == ("made_in_china", "company_profile")
    assert doc.supplier.name == market.scenario.supplier(MIC_ID).name
    assert [(b.name, b.issuer, b.detail) for b in doc.badges] == [
        ("Diamond Member", None, "Since 2016"),
        ("Audited Supplier", "SGS", None),
        ("Secured Trading Service", None, None),
    ]
    assert [c.standard for c in doc.certifications] == ["ISO 9001", "ISO 14001"]
    # The introduction sells the management-system certificate as product quality.
    codes = {f.code for f in verify(doc, today=date(2026, 11, 26))}
    assert "PRODUCT_CLAIM_FROM_SYSTEM_CERT" in codes
    market.set_round(1)
    assert client.get(_path(MIC_ID)).text == html  # nothing scripted for round 1
    market.set_round(2)
    later = client.get(_path(MIC_ID)).text
    assert _mic_row(later, "Management System Certification") == "ISO 9001"
    assert [c.standard for c in read_page(later, url).claims.certifications] == ["ISO 9001"]
    # Each family has its own paths: the showroom is not an Alibaba store, and the other way round.
    assert client.get(f"/store/{MIC_ID}/company_profile.html").status_code == 404
    assert client.get("/showroom/hengtai-machinery/company-info.html").status_code == 404
    assert client.get("/showroom/no-such-showroom/company-info.html").status_code == 302


# ---- Global Sources, IndiaMART, 1688 and an own website --------------------------------------------------

#: The page type each parser gives its demo page (the generic reader has no page types of its own).
PAGE_TYPES = {"global_sources": "company_profile", "indiamart": "company_profile", "1688": "shop_profile",
              "website": "unknown"}  # fmt: skip


@pytest.mark.parametrize("round_no", range(5))
@pytest.mark.parametrize("sid", OTHER_PLATFORMS)
def test_other_platform_pages_read_ok_with_their_platform_in_every_round(
    market: DemoMarketplace, client: httpx.Client, sid: str, round_no: int
) -> None:
    """Detected by content on the loopback host (no platform given) and read by the configured parser alike."""
    market.set_round(round_no)
    url = market.base_url + _path(sid)
    response = client.get(url)
    assert response.status_code == 200
    platform = OTHER_PLATFORMS[sid][1]
    for configured in ("auto", platform):
        reading = read_page(response.text, url, platform=configured, http_status=200)
        assert reading.status.value == "ok", (configured, reading.classification.reason)
        assert (reading.claims.source.platform, reading.claims.source.page_type) == (platform, PAGE_TYPES[platform])
        assert reading.claims.supplier.name == market.scenario.supplier(sid).name


def _claims(client: httpx.Client, market: DemoMarketplace, sid: str) -> Any:
    url = market.base_url + _path(sid)
    return read_page(client.get(url).text, url).claims


def test_global_sources_and_indiamart_pages_carry_their_platform_badges(
    market: DemoMarketplace, client: httpx.Client
) -> None:
    gs = _claims(client, market, "voltris-power")
    assert [(b.name, b.issuer) for b in gs.badges] == [("Verified Manufacturer", "Intertek")]
    assert gs.supplier.years_on_platform == 9
    assert [(c.standard, c.number) for c in gs.certifications] == [
        ("ISO 9001", "12 100 58231 TMS"),
        ("ISO 14001", "CN25/20417"),
        ("CE", "DEMO-CE-VT-2309"),
    ]
    im = _claims(client, market, "nilgiri-pumps")
    assert [(b.name, b.detail) for b in im.badges] == [
        ("TrustSEAL Verified", None),
        ("Verified Exporter", None),
        ("GST", "GSTIN 33AADCN4821K1Z3"),
    ]
    assert (im.supplier.country, im.supplier.employees) == ("IN", "26 to 50 People")
    assert [c.standard for c in im.certifications] == ["ISO 9001", "BIS"]


def test_1688_shop_and_own_website_pages_carry_their_claims(market: DemoMarketplace, client: httpx.Client) -> None:
    shop = _claims(client, market, "meichu-appliances")
    assert [(b.name, b.issuer) for b in shop.badges] == [
        ("实力商家", None),
        ("超级工厂", None),
        ("诚信通", None),
        ("深度验厂", "SGS"),
    ]
    assert [(c.standard, c.issuer) for c in shop.certifications] == [
        ("ISO 9001", "中国质量认证中心"),
        ("ISO 45001", "中国质量认证中心"),
        ("CCC", "中国质量认证中心"),
    ]
    site = _claims(client, market, "kettlecraft")
    assert [(c.standard, c.number, c.source) for c in site.certifications] == [
        ("ISO 9001", "DEMO-QMS-KC-2024-118", "jsonld")
    ]
    assert [s.text for s in site.statements] == ["We are an ISO certified company approved by ISO."]
    assert "ISO_AS_CERTIFIER" in {f.code for f in verify(site, today=date(2026, 11, 26))}
    [document] = site.documents
    assert (document.kind, document.certification) == ("pdf", "ISO 9001:2015")
    pdf = client.get(document.url)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and b"SYNTHETIC DEMO DOCUMENT" in pdf.content
    # Only a website supplier has files, and only the ones that exist.
    assert client.get("/sites/voltris-power/files/ISO-9001-2015-certificate.pdf").status_code == 404
    assert client.get("/sites/kettlecraft/files/no-such-file.pdf").status_code == 404
    assert client.get("/sites/kettlecraft/files/..%2F..%2Fscenario.pdf").status_code == 404


def _rounds_over_http(tmp_path: Path, ids: set[str]) -> list[dict[str, PageOutcome]]:
    """Rounds 0-4 of the real check pipeline (plain HTTP: every page here is server-rendered) over ``ids``."""
    with DemoMarketplace() as market:
        config = load_config(
            tmp_path / "demo.toml",
            data={
                "database": {"url": f"sqlite:///{tmp_path / 'demo.db'}"},
                "fetch": {"method": "http", "timeout": "20s", "allow_private_addresses": True},
                "politeness": LOOPBACK_POLITENESS,
                "verify": demo_verify_settings(),
                "suppliers": [s for s in demo_suppliers(market.base_url) if s["id"] in ids],
            },
        )
        rounds: list[dict[str, PageOutcome]] = []
        with open_database(config.database.url) as db:
            sync_watch_list(db, config)
            for round_no in range(5):
                market.set_round(round_no)
                outcomes = asyncio.run(check_round(config, db, config.suppliers))
                rounds.append({o.supplier_id: o for o in outcomes})
        return rounds


def test_other_platform_scenario_changes_are_detected_as_the_right_kind(tmp_path: Path) -> None:
    rounds = _rounds_over_http(tmp_path, set(OTHER_PLATFORMS))
    change_round = {"nilgiri-pumps": 2, "voltris-power": 3, "meichu-appliances": 4, "kettlecraft": 4}
    for round_no, outcomes in enumerate(rounds):
        assert {sid: o.status for sid, o in outcomes.items()} == dict.fromkeys(OTHER_PLATFORMS, "ok")
        for sid, o in outcomes.items():
            assert o.changed == (round_no in (0, change_round[sid])), (sid, round_no)
            if round_no != change_round[sid]:
                assert o.changes == [], (sid, round_no)
    nilgiri = rounds[2]["nilgiri-pumps"]
    assert [(c.kind, c.key) for c in nilgiri.changes] == [("numeric_changed", "supplier:employees")]
    assert nilgiri.claims is not None and nilgiri.claims.supplier.employees == "51 to 100 People"
    voltris = rounds[3]["voltris-power"]
    assert [(c.kind, c.subject) for c in voltris.changes] == [("badge_lost", "Verified Manufacturer")]
    meichu = rounds[4]["meichu-appliances"]
    assert [c.kind for c in meichu.changes] == ["certification_removed"]
    assert "ISO 45001" in meichu.changes[0].subject
    # A new sentence is no claim-level change of its own: it is a new snapshot whose new finding says what
    # is wrong with it (ISO 14001 claimed in the text, no such certificate listed).
    site = rounds[4]["kettlecraft"]
    assert site.claims is not None and NEW_WEBSITE_STATEMENT in [s.text for s in site.claims.statements]
    assert site.findings_update is not None
    assert [(f.code, f.statement) for f in site.findings_update.new] == [
        ("UNSUPPORTED_TEXT_CLAIM", NEW_WEBSITE_STATEMENT)
    ]


def test_other_platform_changes_happen_in_their_round_only(market: DemoMarketplace) -> None:
    """The served pages, read round by round: each supplier's claims differ only where its change is."""
    scenario = Scenario()
    for sid, expected in (
        ("nilgiri-pumps", {2: "numeric_changed"}),
        ("voltris-power", {3: "badge_lost"}),
        ("meichu-appliances", {4: "certification_removed"}),
    ):
        url = market.base_url + _path(sid)
        docs = [read_page(render_supplier(scenario.supplier(sid, r), market.base_url), url).claims for r in range(6)]
        kinds = {r: [c.kind for c in diff_claims(docs[r - 1], docs[r])] for r in range(1, 6)}
        assert {r: k for r, k in kinds.items() if k} == {r: [kind] for r, kind in expected.items()}, sid


@pytest.mark.browser
@requires_browser
def test_other_platform_pages_read_ok_with_the_browser_in_round_1(tmp_path: Path) -> None:
    """The demo's own way (real Chromium): the 1688 shop page even waits for its rendered company block."""
    with DemoMarketplace() as market:
        market.set_round(1)
        config = load_config(
            tmp_path / "demo.toml",
            data={
                "database": {"url": f"sqlite:///{tmp_path / 'demo.db'}"},
                "fetch": {"method": "browser", "timeout": "20s", "allow_private_addresses": True},
                "politeness": LOOPBACK_POLITENESS,
                "verify": demo_verify_settings(),
                "suppliers": [s for s in demo_suppliers(market.base_url) if s["id"] in OTHER_PLATFORMS],
            },
        )
        with open_database(config.database.url) as db:
            sync_watch_list(db, config)
            outcomes = asyncio.run(check_round(config, db, config.suppliers))
    read = {o.supplier_id: (o.status, o.fetch_method, o.claims.source.platform if o.claims else None) for o in outcomes}
    assert read == {sid: ("ok", "browser", platform) for sid, (_, platform) in OTHER_PLATFORMS.items()}


def test_round_3_badge_lost_and_store_missing(market: DemoMarketplace, client: httpx.Client) -> None:
    html = client.get(_path("hengtai-machinery")).text
    assert "gold-supplier-sign" in html and "icbu-icon-gs-year" in html
    assert _shopsign(html)["data"]["accountIsPaidMember"] is True
    market.set_round(3)
    html = client.get(_path("hengtai-machinery")).text
    assert "gold-supplier-sign" not in html and "icbu-icon-gs-year" not in html
    assert _shopsign(html)["data"]["accountIsPaidMember"] is False
    assert "assessed by SGS" in html and "Onsite Check" in html  # the other badges stay
    r = client.get(_path("brightpath-textiles"))
    assert r.status_code == 302
    assert r.headers["location"] == f"{market.base_url}/error.html"
    followed = client.get(_path("brightpath-textiles"), follow_redirects=True)
    assert followed.status_code == 200 and "does not exist" in followed.text
    assert "shopBizData" not in followed.text


def test_round_4_store_closed_and_later_rounds_keep_state(market: DemoMarketplace, client: httpx.Client) -> None:
    market.set_round(4)
    r = client.get(_path("greenleaf-foods"))
    assert r.status_code == 200
    assert "Greenleaf" not in r.text and "bp-shopsign-data" not in r.text and "content-table" not in r.text
    round4 = {e["id"]: client.get(e["url"]).text for e in demo_suppliers("")}
    market.set_round(9)
    for sid, html in round4.items():
        later = client.get(_path(sid))
        if sid == "brightpath-textiles":
            assert later.status_code == 302
            continue
        # captcha tokens differ per response; no captcha here, so pages are identical
        assert later.text == html, sid


def test_round_over_http(market: DemoMarketplace, client: httpx.Client) -> None:
    assert client.post("/__scenario/round", data={"n": "2"}).json() == {"round": 2}
    assert market.round == 2
    assert client.post("/__scenario/round?n=3").json() == {"round": 3}
    assert client.post("/__scenario/round", json={"n": 1}).json() == {"round": 1}
    assert client.post("/__scenario/round", content=b"4").json() == {"round": 4}
    assert client.get("/__scenario").json()["round"] == 4
    assert client.post("/__scenario/round", data={"n": "x"}).status_code == 400
    assert client.post("/__scenario/round").status_code == 400
    assert market.round == 4


def test_scenario_rejects_bad_rounds() -> None:
    s = Scenario()
    with pytest.raises(ValueError):
        s.round = -1
    with pytest.raises(ValueError):
        s.round = True
    s.set_round(2)
    assert s.round == 2


# ---- special pages -------------------------------------------------------------------------------------


def test_special_stores_and_paths(market: DemoMarketplace, client: httpx.Client) -> None:
    r = client.get("/store/ghost-trading/company_profile.html")
    assert r.status_code == 302 and r.headers["location"].endswith("/error.html")
    assert client.get("/store/no-such-store-at-all/company_profile.html").status_code == 302
    vacant = client.get("/store/vacant-store/company_profile.html")
    assert vacant.status_code == 200 and "shopBizData" not in vacant.text and "Sign in" in vacant.text
    blocked = client.get("/store/blocked-demo/company_profile.html")
    assert blocked.status_code == 200 and all(m in blocked.text for m in PUNISH_MARKERS)
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and "Allow: /" in robots.text
    js = client.get("/AWSC/AWSC/awsc.js")
    assert js.status_code == 200 and js.text == ""
    assert client.get("/static/img/x.png").headers["content-type"] == "image/png"
    assert client.get("/nowhere").status_code == 404
    assert client.get("/product-detail/hengtai-machinery.html").status_code == 404
    # a product supplier's companyProfileUrl resolves to a profile page
    assert "window.shopBizData" in client.get("/store/kangda-medical/company_profile.html").text
    assert client.head(_path("hengtai-machinery")).status_code == 200


def test_custom_robots_txt() -> None:
    with DemoMarketplace(robots_txt="User-agent: *\nDisallow: /\n") as m:
        assert "Disallow: /" in httpx.get(m.base_url + "/robots.txt").text


# ---- delay and concurrency -----------------------------------------------------------------------------


def test_delay_ms_delays_pages_but_not_control() -> None:
    with DemoMarketplace(delay_ms=300) as m:
        start = time.monotonic()
        assert httpx.get(m.base_url + _path("haoyu-valves")).status_code == 200
        assert time.monotonic() - start >= 0.29
        assert httpx.get(m.base_url + "/__scenario").status_code == 200


def test_concurrent_requests_are_served_in_parallel() -> None:
    n = 8
    # Each request is held 1 s; the clients are made before the barrier, so after it each thread only sends
    # (a client's set-up costs tens of ms of GIL time, and eight of them in a row would stagger the requests).
    with DemoMarketplace(delay_ms=1000) as m:
        barrier = threading.Barrier(n)
        statuses: list[int] = []

        def fetch(i: int) -> None:
            with httpx.Client(timeout=20) as client:
                barrier.wait()
                statuses.append(client.get(m.base_url + _path("hengtai-machinery")).status_code)

        threads = [threading.Thread(target=fetch, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert statuses == [200] * n
        assert m.stats.max_in_flight >= n // 2
        assert m.stats.total == n


def test_server_lifecycle() -> None:
    m = DemoMarketplace()
    with pytest.raises(RuntimeError):
        _ = m.base_url
    m.start()
    try:
        assert m.base_url.startswith("http://127.0.0.1:") and m.port > 0
        assert httpx.get(m.base_url + "/").status_code == 200
    finally:
        m.stop()
    assert not m.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{m.port}/", timeout=2)


# ---- browser -------------------------------------------------------------------------------------------


@pytest.mark.browser
@requires_browser
def test_browser_renders_shopbizdata_certifications(market: DemoMarketplace) -> None:
    from playwright import sync_api

    market.set_round(0)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=find_system_chromium(),  # None: Playwright's own Chromium
            headless=True,
            args=list(CHROMIUM_ARGS),
        )
        try:
            page = browser.new_page()
            page.route(
                "**/*",
                lambda route: route.continue_() if route.request.url.startswith(market.base_url) else route.abort(),
            )
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for sid in ("haoyu-valves", "lumina-led"):
                page.goto(market.base_url + _path(sid))
                page.wait_for_selector("html[data-rendered=true]", timeout=10_000)
                names = page.locator('[data-module-name="certifications"] .cert-name').all_inner_texts()
                assert names == [c.name for c in market.scenario.supplier(sid).certificates]
                heading = page.locator("#company-name").text_content()
                assert heading == market.scenario.supplier(sid).name
            assert dialogs == []  # the hostile name was shown as text, never executed
        finally:
            browser.close()


def test_supplier_dataclass_paths() -> None:
    s: Supplier = Scenario().supplier("kangda-medical")
    assert s.path == "/product-detail/kangda-medical.html"
    assert Scenario().supplier("jiahe-electronics").path == "/store/jiahe-electronics/company_profile.html"
    assert Scenario().supplier(MIC_ID).path == f"/showroom/{MIC_ID}/company-info.html"
    assert (Scenario().supplier(MIC_ID).platform, s.platform) == ("made_in_china", "alibaba")
    assert {sid: Scenario().supplier(sid).path for sid in OTHER_PLATFORMS} == {
        "voltris-power": "/gs/voltris-power/company-profile.htm",
        "nilgiri-pumps": "/im/nilgiri-pumps/aboutus.html",
        "meichu-appliances": "/1688/meichu-appliances/page/creditdetail.htm",
        "kettlecraft": "/sites/kettlecraft/about-us.html",
    }


def test_glitches_misbehave_once_each_then_the_page_returns() -> None:
    import httpx

    from monitor.demo.marketplace import DemoMarketplace

    with DemoMarketplace() as market:
        url = f"{market.base_url}/store/xinlong-hardware/company_profile.html"
        normal = httpx.get(url).text
        market.glitch("xinlong-hardware", "drop_certificate", "server_error")
        dropped = httpx.get(url)
        assert dropped.status_code == 200 and dropped.text != normal
        assert httpx.get(url).status_code == 503
        assert httpx.get(url).text == normal
        control = httpx.post(f"{market.base_url}/__scenario/glitch?store=xinlong-hardware&kind=captcha")
        assert control.json() == {"queued": ["captcha"]}
        assert "Captcha Interception" in httpx.get(url).text
        assert httpx.post(f"{market.base_url}/__scenario/glitch?store=x&kind=nonsense").status_code == 400


def test_a_client_hanging_up_mid_response_is_not_a_server_error(capfd: pytest.CaptureFixture[str]) -> None:
    import socket
    import struct

    with DemoMarketplace(delay_ms=300) as m:
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", m.port)) as conn:
                conn.sendall(f"GET {_path('haoyu-valves')} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
                # Reset (not a polite FIN) while the server still waits out the delay: its write then fails.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # Each request waits out the delay, then its write fails: wait until all three have been through that.
        deadline = time.monotonic() + 60
        while not (m.stats.total >= 3 and m.stats.in_flight == 0) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert m.stats.total >= 3 and m.stats.in_flight == 0
        assert httpx.get(m.base_url + _path("haoyu-valves")).status_code == 200  # still serving
    assert "Traceback" not in capfd.readouterr().err
