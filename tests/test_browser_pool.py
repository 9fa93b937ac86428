"""BrowserFetcher's long-running behaviour against a real Chromium and loopback servers: recycling after N
pages or past a memory limit, recovery when Chromium is killed (with fetches queued), no Chromium left
behind, and per-call user agent, storage state and proxy. Outcomes are asserted, never timings."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import threading
from collections.abc import Callable, Coroutine, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import psutil
import pytest
from conftest import chromium_descendants, requires_browser

from scrapers.fetch import BrowserFetcher, FetchError, FetchSettings
from scrapers.fetch.browser import BrowserSettings, _proxy_option, find_system_chromium

#: The system Chromium, or None for Playwright's own download (as BrowserSettings resolves it).
CHROMIUM = find_system_chromium()
ROOMY = FetchSettings(timeout_s=20.0, max_page_bytes=200_000, max_redirects=5, allow_private_addresses=True)
PAGE = b"<html><head><title>t</title></head><body><p id='marker'>served</p></body></html>"

T = TypeVar("T")


# --- loopback servers ---------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server: Recorder

    def do_GET(self) -> None:
        self.server.record(self.path, dict(self.headers.items()))
        if self.path.startswith("/slow"):
            self.server.release.wait(60)  # held until the test lets go (or gives up)
        body = self.server.body
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser that asked was killed

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Recorder(ThreadingHTTPServer):
    """Answers every GET with one page and records the request line's target and headers.

    Used as a plain server and as an HTTP proxy: a proxy is sent the absolute URI (GET http://host/path).
    """

    daemon_threads = True

    def __init__(self, body: bytes = PAGE) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.body = body
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.release = threading.Event()
        self._lock = threading.Lock()

    def record(self, target: str, headers: dict[str, str]) -> None:
        if target.endswith("/favicon.ico"):
            return  # Chromium's own request after a page loads, sooner or later: not one a fetch asked for
        with self._lock:
            self.requests.append((target, headers))

    def targets(self) -> list[str]:
        with self._lock:
            return [target for target, _ in self.requests]

    def url(self, path: str = "/page") -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


@contextlib.contextmanager
def serve(body: bytes = PAGE) -> Iterator[Recorder]:
    server = Recorder(body)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- helpers ------------------------------------------------------------------------------------------


def leftover_chromium(before: set[int]) -> set[int]:
    """Chromium processes started since ``before`` that are still alive, after letting them exit."""
    procs = []
    for pid in chromium_descendants() - before:
        with contextlib.suppress(psutil.Error):
            procs.append(psutil.Process(pid))
    _, alive = psutil.wait_procs(procs, timeout=5)
    return {proc.pid for proc in alive if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE}


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def new_fetcher(**browser: Any) -> BrowserFetcher:
    return BrowserFetcher(ROOMY, BrowserSettings(executable_path=CHROMIUM, render_wait_s=2.0, **browser))


async def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll until ``condition`` holds; the deadline is only a guard against hanging, not an assertion on speed."""
    for _ in range(600):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def assert_served(page: Any) -> None:
    assert page.status_code == 200
    assert "served" in page.html


# --- recycling ----------------------------------------------------------------------------------------


@requires_browser
@pytest.mark.browser
def test_recycles_after_k_pages_without_failing_a_fetch() -> None:
    before = chromium_descendants()

    async def scenario() -> tuple[list[Any], dict[str, Any]]:
        fetcher = new_fetcher(recycle_after_pages=3)
        try:
            with serve() as server:
                pages = [await fetcher.fetch(server.url("/page?1"))]
                # Pages 2 and 3 share the first browser; page 4 waits for them to drain, then gets a new one.
                pages += await asyncio.gather(*(fetcher.fetch(server.url(f"/page?{i}")) for i in (2, 3, 4)))
                pages += await asyncio.gather(*(fetcher.fetch(server.url(f"/page?{i}")) for i in (5, 6, 7)))
                assert len(server.requests) == 7
            return pages, fetcher.stats()
        finally:
            await fetcher.aclose()

    pages, stats = run(scenario())
    assert len(pages) == 7
    for page in pages:
        assert_served(page)
    assert stats["launches"] == 3
    assert stats["recycles"] == 2 and stats["recycle_reasons"] == {"pages": 2}
    assert stats["pages_total"] == 7 and stats["pages_since_launch"] == 1
    assert stats["crashes"] == 0
    assert leftover_chromium(before) == set()


@requires_browser
@pytest.mark.browser
def test_recycles_past_the_memory_limit() -> None:
    before = chromium_descendants()

    async def scenario() -> tuple[list[Any], BrowserFetcher]:
        fetcher = new_fetcher(max_memory_mb=1, memory_check_every_pages=1)
        try:
            with serve() as server:
                pages = [await fetcher.fetch(server.url()) for _ in range(2)]
                pages += await asyncio.gather(*(fetcher.fetch(server.url()) for _ in range(2)))
            return pages, fetcher
        finally:
            await fetcher.aclose()

    pages, fetcher = run(scenario())
    for page in pages:
        assert_served(page)
    stats = fetcher.stats()
    assert fetcher.recycles.get("memory", 0) >= 1 and "pages" not in fetcher.recycles
    assert stats["launches"] >= 2
    assert stats["last_rss_mb"] is not None and stats["last_rss_mb"] > 1
    assert leftover_chromium(before) == set()


@requires_browser
@pytest.mark.browser
def test_memory_is_not_sampled_per_page() -> None:
    """With the default sampling interval a handful of pages never trigger a sample (nor a recycle)."""

    async def scenario() -> dict[str, Any]:
        fetcher = new_fetcher(max_memory_mb=1, memory_check_every_pages=1000, memory_check_every_s=3600)
        try:
            with serve() as server:
                for _ in range(3):
                    assert_served(await fetcher.fetch(server.url()))
            return fetcher.stats()
        finally:
            await fetcher.aclose()

    stats = run(scenario())
    assert stats["launches"] == 1 and stats["recycles"] == 0 and stats["last_rss_mb"] is None


# --- crashes ------------------------------------------------------------------------------------------


@requires_browser
@pytest.mark.browser
@pytest.mark.parametrize("queued", ["behind_a_recycle", "after_the_kill"])
def test_killed_chromium_fails_only_its_own_fetches(queued: str) -> None:
    """Two fetches are on the page when Chromium is SIGKILLed: they fail with reason "browser". Two more
    fetches (queued behind a pending recycle, or started right after the kill, before Playwright noticed)
    succeed on a relaunched browser, and nothing of either browser is left after aclose()."""
    before = chromium_descendants()

    async def scenario() -> tuple[list[Any], dict[str, Any]]:
        fetcher = new_fetcher(recycle_after_pages=2 if queued == "behind_a_recycle" else 500)
        try:
            with serve() as server:
                on_page = [asyncio.create_task(fetcher.fetch(server.url(f"/slow?{i}"))) for i in (1, 2)]
                await wait_for(lambda: len(server.requests) == 2, "both slow requests to reach the server")
                waiting: list[asyncio.Task[Any]] = []
                if queued == "behind_a_recycle":
                    assert fetcher.stats()["recycle_pending"] == "pages"
                    waiting = [asyncio.create_task(fetcher.fetch(server.url(f"/page?{i}"))) for i in (3, 4)]
                    await asyncio.sleep(0.2)  # let them queue; the outcome is the same if they have not yet
                    assert not any(task.done() for task in waiting)
                ours = chromium_descendants() - before
                assert ours, "no Chromium process found for this fetcher"
                for pid in ours:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                if queued == "after_the_kill":
                    waiting = [asyncio.create_task(fetcher.fetch(server.url(f"/page?{i}"))) for i in (3, 4)]
                results = await asyncio.gather(*on_page, *waiting, return_exceptions=True)
                results.append(await fetcher.fetch(server.url("/page?5")))
            return results, fetcher.stats()
        finally:
            await fetcher.aclose()

    results, stats = run(scenario())
    for failed in results[:2]:
        assert isinstance(failed, FetchError), failed
        assert failed.reason == "browser", failed
    for page in results[2:]:
        assert not isinstance(page, BaseException), page
        assert_served(page)
    if queued == "behind_a_recycle":
        # The relaunch served pages 3 and 4, which made a recycle due again: page 5 got a third browser.
        assert stats["launches"] == 3 and stats["recycle_reasons"] == {"pages": 2}
    else:
        assert stats["launches"] == 2 and stats["crashes"] == 1 and stats["recycles"] == 0
    assert leftover_chromium(before) == set()


@requires_browser
@pytest.mark.browser
def test_aclose_leaves_no_chromium_and_a_later_fetch_starts_afresh() -> None:
    before = chromium_descendants()

    async def scenario() -> None:
        fetcher = new_fetcher()
        with serve() as server:
            assert_served(await fetcher.fetch(server.url()))
            await fetcher.aclose()
            assert leftover_chromium(before) == set()
            assert_served(await fetcher.fetch(server.url()))
            assert fetcher.launches == 2
            await fetcher.aclose()

    run(scenario())
    assert leftover_chromium(before) == set()


# --- per-call context options -------------------------------------------------------------------------


@requires_browser
@pytest.mark.browser
def test_per_call_user_agent_and_storage_state(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    state = tmp_path / "session.json"
    cookie = {
        "name": "session",
        "value": "s3cret",
        "domain": "127.0.0.1",
        "path": "/",
        "expires": -1,
        "httpOnly": False,
        "secure": False,
        "sameSite": "Lax",
    }
    state.write_text(json.dumps({"cookies": [cookie], "origins": []}))
    missing = str(tmp_path / "not-saved-yet.json")

    async def scenario() -> list[dict[str, str]]:
        fetcher = new_fetcher()
        try:
            with serve() as server:
                await fetcher.fetch(server.url("/ua"), user_agent="probe-agent/1.0")
                await fetcher.fetch(server.url("/default"))
                await fetcher.fetch(server.url("/state"), storage_state=str(state))
                await fetcher.fetch(server.url("/missing1"), storage_state=missing)
                await fetcher.fetch(server.url("/missing2"), storage_state=missing)
                return [headers for _, headers in server.requests]
        finally:
            await fetcher.aclose()

    with caplog.at_level(logging.WARNING, logger="scrapers.fetch.browser"):
        ua, default, with_state, missing1, missing2 = run(scenario())
    assert ua["User-Agent"] == "probe-agent/1.0"
    assert default["User-Agent"] == ROOMY.user_agent  # the override was for that call only
    assert "session=s3cret" in with_state.get("Cookie", "")
    assert "Cookie" not in default and "Cookie" not in missing1 and "Cookie" not in missing2
    warnings = [r for r in caplog.records if "not-saved-yet.json" in r.getMessage()]
    assert len(warnings) == 1  # a missing saved session is warned about once, not per page


@requires_browser
@pytest.mark.browser
def test_per_call_proxy() -> None:
    """Chromium takes a proxy per context: the proxy (a recording stdlib server) is sent the absolute URI
    of a host that does not resolve, answers it itself, and a call without the proxy goes direct."""
    proxied_body = PAGE.replace(b"served", b"served via proxy")

    async def scenario() -> tuple[Any, Any, list[str], list[str]]:
        fetcher = new_fetcher()
        try:
            with serve(proxied_body) as proxy, serve() as direct:
                via = await fetcher.fetch("http://supplier.invalid/shop", proxy=proxy.url("/").rstrip("/"))
                plain = await fetcher.fetch(direct.url())
                return via, plain, proxy.targets(), direct.targets()
        finally:
            await fetcher.aclose()

    via, plain, proxy_targets, direct_targets = run(scenario())
    assert via.status_code == 200 and "served via proxy" in via.html
    assert proxy_targets == ["http://supplier.invalid/shop"]
    assert_served(plain)
    assert "via proxy" not in plain.html
    assert direct_targets == ["/page"]


def test_proxy_credentials_move_out_of_the_url() -> None:
    assert _proxy_option(None) is None
    assert _proxy_option("proxy.example:3128") == {"server": "proxy.example:3128"}
    assert _proxy_option("http://proxy.example:3128") == {"server": "http://proxy.example:3128"}
    assert _proxy_option("http://us%40r:p%3Ass@proxy.example:3128") == {
        "server": "http://proxy.example:3128",
        "username": "us@r",
        "password": "p:ss",
    }
