"""The dashboard in real Chromium (Playwright sync API) against uvicorn on 127.0.0.1, over a database filled
by real browser checks of the demo marketplace (rounds 0 and 2). Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import base64
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import requires_browser

from scrapers.fetch.browser import CHROMIUM_ARGS, find_system_chromium
from tests.test_web import DemoSite, build_demo_site

#: The system Chromium, or None for Playwright's own download.
CHROMIUM = find_system_chromium()
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

pytestmark = [
    pytest.mark.browser,
    requires_browser,
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    from monitor.demo.marketplace import DemoMarketplace

    with DemoMarketplace() as market:
        yield build_demo_site(tmp_path_factory.mktemp("webb"), market, method="browser")


@pytest.fixture(scope="module")
def server(site: DemoSite) -> Iterator[str]:
    """uvicorn in a thread on an ephemeral loopback port."""
    import uvicorn

    from monitor.web.app import create_app
    from monitor.web.security import Credentials

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(site.config_path, credentials=Credentials()), log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    """Launched after the server fixture: real checks use asyncio.run, which the Playwright loop would block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS), headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.dialogs = dialogs  # type: ignore[attr-defined]
    yield pg
    context.close()


def show_evidence(page: object, text: str) -> None:
    """Wait until the sandboxed evidence iframe shows the stored page, and have Chromium paint it.

    The frame loads after the dashboard page, and Chromium does not paint a cross-origin (sandboxed) frame
    that has never been inside the viewport, so a full-page screenshot would show it empty: scroll it in.
    Playwright reads the frame from outside (CDP), so the wait works although the sandbox forbids scripts.
    """
    frame = page.locator("iframe.evidence")  # type: ignore[attr-defined]
    page.frame_locator("iframe.evidence").get_by_text(text).first.wait_for(state="visible", timeout=10_000)  # type: ignore[attr-defined]
    frame.element_handle().content_frame().wait_for_load_state("load")
    frame.scroll_into_view_if_needed()


def dark_pixels_in_evidence(page: object, png: bytes) -> int:
    """Dark (text) pixels inside the evidence iframe's box of a full-page screenshot; 0 means an empty frame.

    Chromium decodes the PNG itself (canvas), so the test needs no image library.
    """
    box = page.eval_on_selector(  # type: ignore[attr-defined]
        "iframe.evidence",
        "e => { const r = e.getBoundingClientRect(); "
        "return {x: r.left + scrollX + 2, y: r.top + scrollY + 2, w: r.width - 4, h: r.height - 4}; }",
    )
    src = "data:image/png;base64," + base64.b64encode(png).decode()
    return page.evaluate(  # type: ignore[attr-defined, no-any-return]
        """async ([src, b]) => {
            const img = new Image(); img.src = src; await img.decode();
            const canvas = document.createElement("canvas");
            canvas.width = img.width; canvas.height = img.height;
            const ctx = canvas.getContext("2d"); ctx.drawImage(img, 0, 0);
            const d = ctx.getImageData(b.x, b.y, b.w, b.h).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] < 384) n++;
            return n;
        }""",
        [src, box],
    )


def test_overview_lists_suppliers_and_hostile_name_is_text(page: object, server: str, site: DemoSite) -> None:
    from monitor.demo.scenario import demo_suppliers

    page.goto(server + "/")  # type: ignore[attr-defined]
    rows = page.locator("#suppliers tbody tr[data-supplier]")  # type: ignore[attr-defined]
    assert rows.count() == len(demo_suppliers(site.base_url))
    lumina = page.locator('tr[data-supplier="lumina-led"] td a').first  # type: ignore[attr-defined]
    assert "<script>alert(1)</script>" in lumina.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-overview.png"), full_page=True)  # type: ignore[attr-defined]
    page.goto(server + "/suppliers/lumina-led")  # type: ignore[attr-defined]
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    assert "<script>alert(1)</script>" in page.locator("h1").inner_text()  # type: ignore[attr-defined]
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_api_counts_match_overview_page(page: object, server: str) -> None:
    api = page.request.get(server + "/api/suppliers").json()  # type: ignore[attr-defined]
    page.goto(server + "/")  # type: ignore[attr-defined]
    for row in api:
        for severity, count in row["open_findings"].items():
            cell = page.locator(f'tr[data-supplier="{row["id"]}"] td[data-severity="{severity}"]')  # type: ignore[attr-defined]
            assert cell.inner_text().strip() == str(count), (row["id"], severity)


def test_acknowledge_survives_reload(page: object, server: str) -> None:
    page.goto(server + "/findings?supplier=xinlong-hardware")  # type: ignore[attr-defined]
    row = page.locator("#findings tbody tr[data-finding]").first  # type: ignore[attr-defined]
    fid = row.get_attribute("data-finding")
    row.locator("input[name=note]").fill("asked the supplier for the CE certificate")
    row.locator("button[value=acknowledge]").click()
    page.wait_for_load_state()  # type: ignore[attr-defined]
    page.reload()  # type: ignore[attr-defined]
    state = page.locator(f'tr[data-finding="{fid}"] .state')  # type: ignore[attr-defined]
    assert state.inner_text() == "acknowledged"
    assert "local operator" in page.locator(f'tr[data-finding="{fid}"] .history').inner_text()  # type: ignore[attr-defined]


def test_diff_shows_valid_until_change(page: object, server: str) -> None:
    page.goto(server + "/suppliers/jiahe-electronics")  # type: ignore[attr-defined]
    show_evidence(page, "Dongguan Jiahe Electronics")
    ARTIFACTS.mkdir(exist_ok=True)
    png = page.screenshot(path=str(ARTIFACTS / "web-supplier-jiahe-electronics.png"), full_page=True)  # type: ignore[attr-defined]
    assert dark_pixels_in_evidence(page, png) > 500, "the screenshot shows an empty evidence frame"
    page.locator("form[action$='/diff'] button").click()  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r"/diff\?"))  # type: ignore[attr-defined]
    row = page.locator("#diff tr.change", has=page.locator("td.field", has_text="valid_until"))  # type: ignore[attr-defined]
    assert row.locator("td.from").inner_text() == "2027-03-17"
    assert row.locator("td.to").inner_text() == "2025-03-17"


def test_post_without_csrf_is_refused(page: object, server: str) -> None:
    page.goto(server + "/findings")  # type: ignore[attr-defined]
    status = page.evaluate(  # type: ignore[attr-defined]
        """async (url) => (await fetch(url, {method: "POST", body: new URLSearchParams({note: "x"})})).status""",
        server + "/findings/1/acknowledge",
    )
    assert status == 403
    response = page.request.post(server + "/watchlist/jiahe-electronics/pause", form={"x": "1"})  # type: ignore[attr-defined]
    assert response.status == 403


def test_evidence_frame_is_sandboxed(page: object, server: str) -> None:
    page.goto(server + "/suppliers/lumina-led")  # type: ignore[attr-defined]
    frame = page.locator("iframe.evidence")  # type: ignore[attr-defined]
    assert frame.get_attribute("sandbox") == ""
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_watchlist_ticks_a_recipient(page: object, server: str, site: DemoSite) -> None:
    """Tick a recipient for one supplier in real Chromium: config.toml names it, and the tick survives reload."""
    from tests.test_web import add_test_recipients, recipient_suppliers

    if "Valve buyers" not in recipient_suppliers(site.config_path):
        add_test_recipients(site.config_path)
    page.goto(server + "/watchlist")  # type: ignore[attr-defined]
    row = page.locator('tr[data-supplier="everstar-tools"]')  # type: ignore[attr-defined]
    ops = row.get_by_role("checkbox", name="Ops")
    assert ops.is_checked() and ops.is_disabled()  # "*": cannot be unticked for one supplier
    box = row.get_by_role("checkbox", name="Valve buyers")
    assert not box.is_checked()
    box.check()
    with page.expect_navigation():  # type: ignore[attr-defined]
        row.get_by_role("button", name="Save").click()
    assert page.locator("p.error").count() == 0  # type: ignore[attr-defined]
    page.reload()  # type: ignore[attr-defined]
    row = page.locator('tr[data-supplier="everstar-tools"]')  # type: ignore[attr-defined]
    assert row.get_by_role("checkbox", name="Valve buyers").is_checked()
    assert row.get_by_role("checkbox", name="Ops").is_checked()
    lists = recipient_suppliers(site.config_path)
    assert lists["Valve buyers"] == ["jiahe-electronics", "everstar-tools"] and lists["Ops"] == ["*"]
    assert "# the list's own comment" in site.config_path.read_text(encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-watchlist.png"), full_page=True)  # type: ignore[attr-defined]
