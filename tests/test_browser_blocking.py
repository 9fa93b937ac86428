"""BrowserFetcher keeps Chromium off what the parsers never need, and a reused context carries nothing from the
last page: images, fonts and media are never requested from the server (counted on a loopback server), a
context serves the next page of the same options without the last page's cookies, and a page's script still
cannot reach a refused address on a reused context. Real Chromium, real servers; outcomes, never timings."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest
from conftest import requires_browser
from test_fetch import ROOMY, ProbeParser, _Handler, html_route, probe_page, serve

from scrapers.fetch import BrowserFetcher, FetchSettings
from scrapers.fetch.browser import BrowserSettings, find_system_chromium
from scrapers.fetch.policy import AddressPolicy

CHROMIUM = find_system_chromium()
STRICT = FetchSettings(timeout_s=20.0, max_page_bytes=200_000, max_redirects=5, allow_private_addresses=False)
T = TypeVar("T")

pytestmark = [requires_browser, pytest.mark.browser]


class AnyHostProbe(ProbeParser):
    """Wants every request, as a parser for a site that renders from other hosts does: only the address
    policy stands between the page's script and another host."""

    def wants_request(self, request_url: str, page_url: str) -> bool:
        return True


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def new_fetcher(settings: FetchSettings = ROOMY, **browser: Any) -> BrowserFetcher:
    return BrowserFetcher(settings, BrowserSettings(executable_path=CHROMIUM, render_wait_s=15.0, **browser))


def script_route(h: _Handler) -> None:
    h.reply(200, b"window.app = 1;", "application/javascript")


def test_images_fonts_and_media_are_never_requested() -> None:
    """Twice, the second time on the reused context: only the page and its script reach the server. Images,
    fonts and media with a telling extension are failed by Chromium itself; an image without one (``/picture``)
    is aborted by type. Every probe settles (each load fires load or error), so the page never hangs."""
    probes = ["img:/pic.png", "img:/picture?id=3", "font:/probe.woff2", "script:/app.js"]
    head = (
        "<style>@font-face { font-family: CssFont; src: url(/css-font.ttf); }"
        " body { font-family: CssFont; background-image: url(/bg.GIF); }</style>"
        '<img src="/inline.jpg"><video src="/clip.mp4" preload="auto"></video><audio src="/a.mp3"></audio>'
    )
    routes = {"/page.html": html_route(probe_page(probes, head)), "/app.js": script_route}

    async def scenario() -> tuple[list[list[str]], dict[str, Any]]:
        fetcher = new_fetcher()
        try:
            seen = []
            with serve(routes) as home:
                for _ in range(2):
                    page = await fetcher.fetch(home.url("/page.html"), ProbeParser())
                    assert 'id="done"' in page.html, "the probes never settled"
                    seen.append(sorted(set(home.requests) - {"/favicon.ico"}))
                    home.requests.clear()
            return seen, fetcher.stats()
        finally:
            await fetcher.aclose()

    seen, stats = run(scenario())
    assert seen == [["/app.js", "/page.html"], ["/app.js", "/page.html"]]
    assert stats["launches"] == 1 and stats["spare_contexts"] == 1  # the second page reused the first's context


def test_a_reused_context_starts_without_the_last_pages_cookies() -> None:
    cookies: list[str | None] = []

    def page(h: _Handler) -> None:
        cookies.append(h.headers.get("Cookie"))
        h.reply(200, b"<html><body><p>served</p></body></html>", Set_Cookie="seen=1; Path=/")

    async def scenario() -> dict[str, Any]:
        fetcher = new_fetcher()
        try:
            with serve({"/a": page, "/b": page}) as home:
                for path in ("/a", "/b"):
                    assert "served" in (await fetcher.fetch(home.url(path))).html
            return fetcher.stats()
        finally:
            await fetcher.aclose()

    stats = run(scenario())
    assert cookies == [None, None]
    assert stats["spare_contexts"] == 1


def test_script_cannot_fetch_a_refused_address_and_no_context_is_kept() -> None:
    """127.0.0.1 is allowed, 127.0.0.2 is not: the page's own script asks 127.0.0.2 (its parser wants every
    host), twice, and 127.0.0.2 never hears of it. Under a restricted policy no context is kept for the next page:
    a request paused for vetting as its page closed would be let go into a kept context's network."""

    async def scenario() -> None:
        fetcher = new_fetcher(STRICT)
        fetcher.policy = AddressPolicy.make(allowed=["127.0.0.1"])
        try:
            with serve({"/secret": html_route("secret")}, host="127.0.0.2") as inside:
                routes = {"/page.html": html_route(probe_page([f"fetch:{inside.url('/secret')}", "script:/app.js"]))}
                with serve({**routes, "/app.js": script_route}) as home:
                    for _ in range(2):
                        page = await fetcher.fetch(home.url("/page.html"), AnyHostProbe())
                        assert 'id="done"' in page.html, "the probes never settled"
                    assert home.requests.count("/app.js") == 2
                assert inside.requests == []
            assert fetcher.stats()["spare_contexts"] == 0
        finally:
            await fetcher.aclose()

    run(scenario())
