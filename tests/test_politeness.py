"""Polite fetching against real loopback servers: robots.txt (RFC 9309), per-host pacing, backoff.

Servers record what reached them (paths, user agents, request start times, peak in-flight count), so the
tests prove that a refused page never left the process and that the gate's limits hold. Timing assertions
are correctness properties of the gate (a gap at least the configured delay), with small delays.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import socket
import threading
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import pytest
from conftest import requires_browser

from monitor.config import load_config
from monitor.demo.marketplace import DemoMarketplace
from monitor.fetchers import Fetchers
from scrapers.fetch import BrowserFetcher, FetchError, FetchSettings, HttpFetcher
from scrapers.fetch.base import DEFAULT_USER_AGENT
from scrapers.fetch.browser import BrowserSettings
from scrapers.fetch.politeness import (
    ROBOTS_MAX_BYTES,
    HostBackoff,
    HostGate,
    PoliteFetcher,
    RobotsPolicy,
    origin_of,
    page_outcome,
)

T = TypeVar("T")
browser_only = [pytest.mark.browser, requires_browser]
KINDS = ["http", pytest.param("browser", marks=browser_only)]
#: The test servers are on loopback, which fetchers refuse by default.
QUICK = FetchSettings(timeout_s=10.0, allow_private_addresses=True)
PAGE = "<html><head><title>Acme</title></head><body><h1>Acme Co.</h1></body></html>"


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


# --- a loopback server that remembers what reached it ---------------------------------------------------


@dataclass
class Hit:
    path: str
    user_agent: str
    started: float


@dataclass
class Site:
    """What the server answers (editable while it runs) and what it saw."""

    robots: tuple[int, str] | None = (200, "User-agent: *\nAllow: /\n")
    page_delay_s: float = 0.0
    page_status: int = 200
    #: Pages wait here for one another (up to 10 s) before answering: requests that the client lets overlap are
    #: then in flight together however the machine schedules them, and a client that serialises is caught.
    rendezvous: threading.Barrier | None = None
    hits: list[Hit] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self) -> list[str]:
        with self.lock:
            return [h.path for h in self.hits]

    def page_starts(self) -> list[float]:
        with self.lock:
            return [h.started for h in self.hits if h.path != "/robots.txt"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server: _Server

    def do_GET(self) -> None:
        site = self.server.site
        path = self.path.split("?", 1)[0]
        left = False
        with site.lock:
            site.hits.append(Hit(path, self.headers.get("User-Agent", ""), time.monotonic()))
            site.in_flight += 1
            site.max_in_flight = max(site.max_in_flight, site.in_flight)
        try:
            if path == "/robots.txt":
                if site.robots is None:
                    self._reply(404, b"not found", "text/plain")
                else:
                    self._reply(site.robots[0], site.robots[1].encode(), "text/plain; charset=utf-8")
                return
            if path == "/favicon.ico":
                self._reply(404, b"", "text/plain")
                return
            if site.rendezvous is not None:
                with contextlib.suppress(threading.BrokenBarrierError):
                    site.rendezvous.wait(timeout=10)
            if site.page_delay_s:
                time.sleep(site.page_delay_s)
            # Leave before answering: once the client has the answer it may start the next request, and
            # that one must not be counted as overlapping with this one.
            with site.lock:
                site.in_flight -= 1
            left = True
            self._reply(site.page_status, PAGE.encode(), "text/html; charset=utf-8")
        finally:
            if not left:
                with site.lock:
                    site.in_flight -= 1

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: Site) -> None:
        self.site = site
        super().__init__(("127.0.0.1", 0), _Handler)


@contextlib.contextmanager
def serve(site: Site) -> Iterator[str]:
    server = _Server(site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def recording(inner: HttpFetcher, starts: list[float]) -> HttpFetcher:
    """``inner`` noting when each fetch starts (the moment the gate lets it go)."""
    fetch = inner.fetch

    async def fetch_and_note(url: str, parser: Any = None, **options: Any) -> Any:
        starts.append(time.monotonic())
        return await fetch(url, parser, **options)

    inner.fetch = fetch_and_note  # type: ignore[method-assign]
    return inner


def check_spacing(client: list[float], server: list[float], delay: float) -> None:
    """Gaps between fetch starts are at least ``delay``: exactly at the client, and in total at the server.

    Per-request gaps seen by the server also carry each request's own delivery latency, which on a loaded
    machine varied by over 0.1 s, so the server's check is on the whole span (latency counts once there).
    """
    gaps = [b - a for a, b in itertools.pairwise(client)]
    assert min(gaps) >= delay - 0.02, gaps
    server = sorted(server)
    assert server[-1] - server[0] >= (len(server) - 1) * delay - 0.1, server


def inner_fetcher(kind: str) -> HttpFetcher | BrowserFetcher:
    if kind == "http":
        return HttpFetcher(QUICK)
    return BrowserFetcher(QUICK, BrowserSettings(render_wait_s=1.0))


def polite(
    inner: HttpFetcher | BrowserFetcher,
    *,
    robots: bool = True,
    gate: HostGate | None = None,
    backoff: HostBackoff | None = None,
    user_agent: str = DEFAULT_USER_AGENT,
    error_ttl_s: float = 600.0,
) -> PoliteFetcher:
    gate = gate or HostGate(4, 0.0)
    policy = RobotsPolicy(3600, error_ttl_s=error_ttl_s, timeout_s=5.0, gate=gate) if robots else None
    return PoliteFetcher(
        inner, robots=policy, gate=gate, backoff=backoff or HostBackoff(jitter=0), user_agent=user_agent
    )


async def close(fetcher: PoliteFetcher) -> None:
    await fetcher.inner.aclose()  # type: ignore[attr-defined]
    if fetcher.robots is not None:
        await fetcher.robots.aclose()


def robots_error(coro: Coroutine[Any, Any, Any], reason: str = "robots_disallowed") -> FetchError:
    with pytest.raises(FetchError) as info:
        run(coro)
    assert info.value.reason == reason, str(info.value)
    return info.value


# --- robots.txt -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_robots_disallow_is_honoured_by_both_methods(kind: str) -> None:
    site = Site(robots=(200, "User-agent: *\nDisallow: /private/\n"))
    with serve(site) as base:

        async def scenario() -> tuple[FetchError | None, str, str]:
            fetcher = polite(inner_fetcher(kind))
            try:
                refused: FetchError | None = None
                try:
                    await fetcher.fetch(f"{base}/private/company.html")
                except FetchError as exc:
                    refused = exc
                page = await fetcher.fetch(f"{base}/public/company.html")
                overridden = await fetcher.fetch(f"{base}/private/company.html", ignore_robots=True)
                return refused, page.html, overridden.html
            finally:
                await close(fetcher)

        refused, html, overridden = run(scenario())
    assert refused is not None and refused.reason == "robots_disallowed"
    message = str(refused)
    assert "Disallow: /private/" in message and "User-agent: *" in message
    assert "ignore_robots_txt = true" in message and "permission" in message
    assert "Acme Co." in html and "Acme Co." in overridden
    paths = site.paths()
    assert paths.count("/robots.txt") == 1  # cached for the next two fetches
    # The disallowed page reached the server only with the per-supplier override.
    assert paths.count("/private/company.html") == 1
    assert paths.index("/private/company.html") > paths.index("/public/company.html")


def test_robots_404_means_no_rules() -> None:
    site = Site(robots=None)
    with serve(site) as base:

        async def scenario() -> str:
            fetcher = polite(HttpFetcher(QUICK))
            try:
                return (await fetcher.fetch(f"{base}/anything.html")).html
            finally:
                await close(fetcher)

        assert "Acme Co." in run(scenario())
    assert site.paths() == ["/robots.txt", "/anything.html"]


def test_robots_500_disallows_for_now_and_is_retried_soon() -> None:
    site = Site(robots=(500, "oops"))
    with serve(site) as base:

        async def scenario() -> tuple[FetchError, str]:
            fetcher = polite(HttpFetcher(QUICK), error_ttl_s=0.2)
            try:
                with pytest.raises(FetchError) as info:
                    await fetcher.fetch(f"{base}/page.html")
                site.robots = (200, "User-agent: *\nAllow: /\n")  # the outage is over
                await asyncio.sleep(0.3)
                return info.value, (await fetcher.fetch(f"{base}/page.html")).html
            finally:
                await close(fetcher)

        refused, html = run(scenario())
    assert refused.reason == "robots_disallowed"
    assert "could not be fetched (HTTP 500)" in str(refused) and "RFC 9309" in str(refused)
    assert "Acme Co." in html
    assert site.paths() == ["/robots.txt", "/robots.txt", "/page.html"]


def test_unreachable_robots_disallows_and_the_host_backs_off() -> None:
    url = closed_port() + "/page.html"
    backoff = HostBackoff(30, 3600, 600, jitter=0)

    async def scenario() -> None:
        gate = HostGate(2, 0.0)
        robots = RobotsPolicy(3600, timeout_s=5.0, gate=gate, backoff=backoff)
        fetcher = PoliteFetcher(HttpFetcher(QUICK), robots=robots, gate=gate, backoff=backoff, user_agent="x")
        try:
            await fetcher.fetch(url)
        finally:
            await close(fetcher)

    refused = robots_error(scenario(), "unreachable")  # the real cause, as a plain fetch would have said
    assert "robots.txt" in str(refused) and "could not be fetched" in str(refused)
    assert backoff.retry_after(url) == pytest.approx(30, abs=5)
    # Without a backoff to pace retries, the failure is cached like a 5xx: disallowed for the error TTL.
    standalone = RobotsPolicy(3600, timeout_s=5.0)
    assert run(standalone.allowed(url, "x")) is False
    assert standalone.failure(url) == "unreachable"


def test_robots_user_agent_groups_and_the_agent_sent() -> None:
    robots = "User-agent: supplier-monitor\nDisallow: /\n\nUser-agent: *\nDisallow: /admin/\n"
    site = Site(robots=(200, robots))
    with serve(site) as base:

        async def fetch_as(user_agent: str, path: str) -> str:
            inner = HttpFetcher(FetchSettings(timeout_s=10.0, user_agent=user_agent, allow_private_addresses=True))
            fetcher = polite(inner, user_agent=user_agent)
            try:
                return (await fetcher.fetch(f"{base}{path}")).html
            finally:
                await close(fetcher)

        # Our default agent carries the product token "supplier-monitor": its own group disallows all.
        refused = robots_error(fetch_as(DEFAULT_USER_AGENT, "/page.html"))
        assert "User-agent: supplier-monitor" in str(refused) and "Disallow: /" in str(refused)
        # Another agent falls under "*": allowed except /admin/.
        assert "Acme Co." in run(fetch_as("OtherBot/1.0", "/page.html"))
        robots_error(fetch_as("OtherBot/1.0", "/admin/x.html"))
    robots_agents = [h.user_agent for h in site.hits if h.path == "/robots.txt"]
    assert DEFAULT_USER_AGENT in robots_agents and "OtherBot/1.0" in robots_agents
    assert [h.user_agent for h in site.hits if h.path == "/page.html"] == ["OtherBot/1.0"]


def test_robots_larger_than_500_kib_is_truncated() -> None:
    padding = "# filler line for a very large robots.txt\n" * (ROBOTS_MAX_BYTES // 40 + 100)
    site = Site(robots=(200, "User-agent: *\nDisallow: /early/\n" + padding + "Disallow: /late/\n"))
    with serve(site) as base:

        async def scenario() -> tuple[bool, bool]:
            policy = RobotsPolicy(3600, timeout_s=5.0)
            try:
                early = await policy.allowed(f"{base}/early/x.html", DEFAULT_USER_AGENT)
                late = await policy.allowed(f"{base}/late/x.html", DEFAULT_USER_AGENT)
                return early, late
            finally:
                await policy.aclose()

        early, late = run(scenario())
    assert early is False  # within the first 500 KiB
    assert late is True  # past the limit: not parsed


def test_crawl_delay_spaces_fetches_more_than_min_delay() -> None:
    site = Site(robots=(200, "User-agent: *\nCrawl-delay: 0.3\nAllow: /\n"))
    sent: list[float] = []
    with serve(site) as base:

        async def scenario() -> float | None:
            fetcher = polite(recording(HttpFetcher(QUICK), sent), gate=HostGate(4, 0.05))
            try:
                await asyncio.gather(*(fetcher.fetch(f"{base}/p{i}.html") for i in range(4)))
                assert fetcher.robots is not None
                return fetcher.robots.crawl_delay(f"{base}/p0.html", DEFAULT_USER_AGENT)
            finally:
                await close(fetcher)

        assert run(scenario()) == 0.3
    assert len(site.page_starts()) == 4
    check_spacing(sent, site.page_starts(), 0.3)


# --- the gate -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("limit", "delay"), [(2, 0.1), (1, 0.2)])
def test_gate_limits_concurrency_and_spaces_starts(limit: int, delay: float) -> None:
    site = Site(page_delay_s=0.3, rendezvous=threading.Barrier(limit) if limit > 1 else None)
    sent: list[float] = []
    with serve(site) as base:

        async def scenario() -> None:
            fetcher = polite(recording(HttpFetcher(QUICK), sent), robots=False, gate=HostGate(limit, delay))
            try:
                await asyncio.gather(*(fetcher.fetch(f"{base}/p{i}.html") for i in range(6)))
            finally:
                await close(fetcher)

        run(scenario())
    assert len(site.page_starts()) == 6
    assert site.max_in_flight <= limit
    if limit > 1:
        assert site.max_in_flight == limit  # the limit is reached, not just respected by serialising
    check_spacing(sent, site.page_starts(), delay)


def test_gate_is_fifo_and_per_host() -> None:
    async def scenario() -> tuple[list[int], list[str]]:
        gate = HostGate(1, 0.02)
        order: list[int] = []

        async def one(i: int) -> None:
            async with gate.slot("http://a.example/"):
                order.append(i)
                await asyncio.sleep(0.01)

        tasks = []
        for i in range(8):
            tasks.append(asyncio.create_task(one(i)))
            await asyncio.sleep(0)  # arrival order 0..7
        # A different host is not held up by a's queue nor by its delay: its slot is taken without the loop
        # turning even once, so a callback queued just before has not run yet. (No clock: load cannot matter.)
        turns: list[str] = []
        asyncio.get_running_loop().call_soon(turns.append, "the loop turned")
        async with gate.slot("http://b.example/"):
            waited = list(turns)
        await asyncio.gather(*tasks)
        return order, waited

    order, waited = run(scenario())
    assert order == list(range(8))
    assert waited == []


def test_cancelled_waiter_frees_its_place() -> None:
    async def scenario() -> bool:
        gate = HostGate(1, 0.0)
        async with gate.slot("http://a.example/"):
            waiter = asyncio.create_task(_enter(gate))
            await asyncio.sleep(0.01)
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiter
        async with asyncio.timeout(1):
            await _enter(gate)
        return gate.state()["http://a.example:80"] == {"in_flight": 0, "waiting": 0}

    assert run(scenario())


async def _enter(gate: HostGate) -> None:
    async with gate.slot("http://a.example/"):
        pass


# --- backoff --------------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_error_backoff_grows_caps_and_resets() -> None:
    clock = Clock()
    backoff = HostBackoff(30, 200, 1800, jitter=0, clock=clock)
    url = "https://shop.example/store/a"
    assert backoff.retry_after(url) is None
    delays = [backoff.record(url, "error") for _ in range(5)]
    assert delays == [30, 60, 120, 200, 200]
    assert backoff.retry_after("https://shop.example:443/other") == pytest.approx(200)  # per host
    assert backoff.retry_after("https://other.example/") is None
    clock.now += 150
    assert backoff.retry_after(url) == pytest.approx(50)
    clock.now += 60
    assert backoff.retry_after(url) is None
    backoff.record(url, "ok")
    assert backoff.record(url, "error") == 30  # the count started over


def test_block_backoff_doubles_while_blocks_continue() -> None:
    clock = Clock()
    backoff = HostBackoff(30, 7200, 1800, jitter=0, clock=clock)
    url = "https://shop.example/store/a"
    assert [backoff.record(url, "blocked") for _ in range(4)] == [1800, 3600, 7200, 7200]
    assert "4 block page(s) in a row" in backoff.explain(url)
    backoff.record(url, "ok")
    assert backoff.retry_after(url) is None
    assert backoff.record(url, "blocked") == 1800


def test_zero_backoff_switches_that_kind_of_backoff_off() -> None:
    no_block_backoff = HostBackoff(30, 7200, 0, jitter=0, clock=Clock())
    url = "http://127.0.0.1:8000/store/a"
    assert [no_block_backoff.record(url, "blocked") for _ in range(3)] == [None, None, None]
    assert no_block_backoff.retry_after(url) is None
    assert no_block_backoff.record(url, "error") == 30  # errors still back off
    no_error_backoff = HostBackoff(0, 7200, 1800, jitter=0, clock=Clock())
    assert no_error_backoff.record(url, "error") is None and no_error_backoff.retry_after(url) is None
    assert no_error_backoff.record(url, "blocked") == 1800


def test_jitter_stays_within_bounds_and_cap() -> None:
    backoff = HostBackoff(10, 100, 1800, jitter=0.2, rng=random.Random(7), clock=Clock())
    for n in range(1, 10):
        delay = backoff.record("http://h.example/", "error")
        assert delay is not None
        expected = min(100, 10 * 2 ** (n - 1))
        assert expected * 0.8 <= delay <= min(100, expected * 1.2)
    full = HostBackoff(10, 100, 1800, full_jitter=True, rng=random.Random(7), clock=Clock())
    assert all(0 <= (full.record("http://h.example/", "error") or 0) <= 100 for _ in range(10))


def test_page_outcome_mapping() -> None:
    assert page_outcome("blocked") == "blocked"
    assert page_outcome("error") == "error"
    assert page_outcome("not_found", 404) == "ok"
    assert page_outcome("login_required") == "ok"
    assert page_outcome("ok", 200) == "ok"
    assert page_outcome("unparseable", 502) == "error"


def test_polite_fetcher_backs_off_after_a_block_page_and_after_errors() -> None:
    site = Site(robots=None)
    with serve(site) as base:

        async def scenario() -> tuple[FetchError, FetchError]:
            backoff = HostBackoff(30, 3600, 600, jitter=0)
            fetcher = polite(HttpFetcher(QUICK), backoff=backoff)
            try:
                url = f"{base}/store/a.html"
                await fetcher.fetch(url)
                assert fetcher.report("http://never.fetched/", "error") is None  # refusals do not count
                assert fetcher.report(url, "blocked") == 600
                with pytest.raises(FetchError) as blocked:
                    await fetcher.fetch(f"{base}/store/b.html")
                assert fetcher.report(f"{base}/store/b.html", "error") is None  # a refusal is not an error
                assert backoff.retry_after(url) == pytest.approx(600, abs=5)
                # Network errors are recorded without the caller's help.
                dead = closed_port() + "/x.html"
                with pytest.raises(FetchError) as first:
                    await fetcher.fetch(dead, ignore_robots=True)
                assert first.value.reason == "unreachable"
                with pytest.raises(FetchError) as erred:
                    await fetcher.fetch(dead, ignore_robots=True)
                return blocked.value, erred.value
            finally:
                await close(fetcher)

        blocked, erred = run(scenario())
    assert blocked.reason == "backing_off" and "block page" in str(blocked) and "until" in str(blocked)
    assert erred.reason == "backing_off" and "failed fetch" in str(erred)
    assert site.paths() == ["/robots.txt", "/store/a.html"]  # b was never requested


def test_server_errors_count_as_errors_through_report() -> None:
    site = Site(robots=None, page_status=502)
    with serve(site) as base:

        async def scenario() -> float | None:
            fetcher = polite(HttpFetcher(QUICK), backoff=HostBackoff(30, 3600, 600, jitter=0))
            try:
                await fetcher.fetch(f"{base}/a.html")
                return fetcher.report(f"{base}/a.html", "unparseable")
            finally:
                await close(fetcher)

        assert run(scenario()) == 30


# --- wired from the config ------------------------------------------------------------------------------


def _config(tmp_path: Path, base_url: str, **politeness: Any) -> Any:
    data = {
        "database": {"url": "sqlite:///data/monitor.db"},
        "fetch": {"allow_private_addresses": True},
        "politeness": {"min_delay_per_host": "10ms", **politeness},
        "platforms": {"alibaba": {"user_agent": "PlatformBot/2.0 (supplier-monitor)"}},
        "suppliers": [{"id": "acme", "url": f"{base_url}/store/acme/company_profile.html"}],
    }
    return load_config(tmp_path / "config.toml", data=data)


@pytest.mark.parametrize("kind", KINDS)
def test_demo_marketplace_robots_disallow_through_fetchers(kind: str, tmp_path: Path) -> None:
    with DemoMarketplace(robots_txt="User-agent: *\nDisallow: /store/\n") as market:
        config = _config(tmp_path, market.base_url)
        supplier = config.suppliers[0]
        url = supplier.page_urls[0]

        async def scenario() -> tuple[FetchError, str, dict[str, Any]]:
            async with Fetchers(config) as fetchers:
                with pytest.raises(FetchError) as info:
                    await fetchers.get(kind).fetch(url, None)
                total_after_refusal = market.stats.total
                assert total_after_refusal == 1  # robots.txt only: the store page never left the process
                page = await fetchers.get(kind).fetch(url, None, ignore_robots=True)
                return info.value, page.html, fetchers.politeness_state()

        refused, html, state = run(scenario())
    assert refused.reason == "robots_disallowed"
    assert "Disallow: /store/" in str(refused) and "ignore_robots_txt = true" in str(refused)
    assert "<html" in html.lower()
    host = origin_of(url)
    assert state[host]["robots"]["state"] == "parsed"
    assert state[host]["backoff"] is None


def test_fetchers_apply_platform_user_agent_and_share_state(tmp_path: Path) -> None:
    site = Site(robots=(200, "User-agent: PlatformBot\nDisallow: /store/\n"))
    with serve(site) as base:
        config = _config(tmp_path, base)

        async def scenario() -> tuple[Fetchers, FetchError]:
            async with Fetchers(config) as fetchers:
                assert fetchers.get("http") is fetchers.get("http")  # the old call still works
                await fetchers.get("http").fetch(f"{base}/store/a.html")  # default agent: allowed
                with pytest.raises(FetchError) as info:
                    await fetchers.get("http", platform="alibaba").fetch(f"{base}/store/b.html")
                await fetchers.get("http", platform="alibaba").fetch(f"{base}/about.html")
                fetchers.report(f"{base}/about.html", "blocked")
                with pytest.raises(FetchError) as backing_off:
                    await fetchers.get("browser").fetch(f"{base}/about.html")  # same host, other method
                assert backing_off.value.reason == "backing_off"
                state = fetchers.politeness_state()[origin_of(base)]
                assert state["backoff"]["blocks"] == 1 and state["backoff"]["backing_off"]
                return fetchers, info.value

        _, refused = run(scenario())
    assert refused.reason == "robots_disallowed" and "user-agent: platformbot" in str(refused).lower()
    agents = {h.path: h.user_agent for h in site.hits}
    assert agents["/store/a.html"] == DEFAULT_USER_AGENT
    assert agents["/about.html"] == "PlatformBot/2.0 (supplier-monitor)"
    assert "/store/b.html" not in agents
