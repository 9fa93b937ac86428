"""The fetch policy against server-side request forgery, and the browser's byte limit while a page streams.

Address classification is tested without any network. The fetchers are tested against loopback servers:
loopback is refused by default, so a test that needs an "allowed" and a "blocked" host allows 127.0.0.1
exactly and leaves 127.0.0.2 (loopback too, and bindable on Linux) blocked. Outcomes are asserted, never
timings; "nothing reached the server" is asserted from the server's own request log.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpcore
import pytest
from conftest import CHROMIUM_MISSING_REASON, chromium_available, requires_browser
from test_fetch import LoopbackServer, Route, _Handler, html_route, redirect_route, serve

from monitor.config import load_config
from monitor.fetchers import Fetchers
from scrapers.fetch import BrowserFetcher, FetchedPage, FetchError, FetchSettings, HttpFetcher
from scrapers.fetch.browser import BrowserSettings, _PageGuard, find_system_chromium
from scrapers.fetch.policy import AddressCache, AddressPolicy, VettingBackend, address_category
from scrapers.fetch.politeness import HostBackoff, HostGate, PoliteFetcher, RobotsPolicy

CHROMIUM = find_system_chromium()
KINDS = ["http", pytest.param("browser", marks=[pytest.mark.browser, requires_browser])]
#: The default policy: nothing but public addresses.
STRICT = FetchSettings(timeout_s=20.0, max_page_bytes=200_000, max_redirects=5)
#: 127.0.0.1 stands in for a public host; every other loopback address (127.0.0.2) stays blocked.
ONE_HOST = AddressPolicy.make(allowed=["127.0.0.1"])
OPEN = AddressPolicy(allow_private=True)
PAGE = "<html><head><title>t</title></head><body><p>served</p></body></html>"
SECRET = "metadata-secret-7f3a"

T = TypeVar("T")


# --- classification (no network) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "category"),
    [
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # the cloud metadata service
        ("127.0.0.1", "loopback"),
        ("127.0.0.2", "loopback"),
        ("::1", "loopback"),
        ("[::1]", "loopback"),
        ("fe80::1", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("2002:7f00:1::", "loopback"),  # 6to4 of 127.0.0.1
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("100.64.0.1", "not globally routable"),  # shared address space (carrier-grade NAT)
        ("fc00::1", "private"),
        ("fec0::1", "site-local"),
        ("240.0.0.1", ""),  # reserved (Python files it under private): refused either way
        ("192.0.2.1", ""),  # documentation
        ("not-an-ip", "not an IP address"),
    ],
)
def test_non_public_addresses_are_classified(address: str, category: str) -> None:
    found = address_category(address)
    assert found is not None
    assert category in found
    assert AddressPolicy().refusal(address) is not None
    assert OPEN.refusal(address) is None


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.216.34", "64:ff9b::5db8:d822"]
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert address_category(address) is None
    assert AddressPolicy().refusal(address) is None


def test_exact_addresses_can_be_allowed() -> None:
    assert ONE_HOST.refusal("127.0.0.1") is None
    assert ONE_HOST.refusal("::ffff:127.0.0.1") is None  # the same address, mapped
    assert ONE_HOST.refusal("127.0.0.2") == "loopback"
    assert ONE_HOST.refusal("::1") == "loopback"
    assert ONE_HOST.refusal_for("localhost", ["127.0.0.1", "::1"]) == "localhost resolves to ::1, a loopback address"
    assert ONE_HOST.refusal_for("127.0.0.2", ["127.0.0.2"]) == "127.0.0.2 is a loopback address"
    with pytest.raises(ValueError):
        AddressPolicy.make(allowed=["example.com"])


def test_backend_connects_to_the_vetted_address_not_the_name() -> None:
    """What the name resolved to when it was vetted is what is connected to: a second lookup (which DNS
    rebinding would answer differently) never happens."""

    class Recording(httpcore.AsyncNetworkBackend):
        def __init__(self) -> None:
            self.hosts: list[str] = []

        async def connect_tcp(self, host: str, port: int, **options: Any) -> httpcore.AsyncNetworkStream:
            self.hosts.append(host)
            raise httpcore.ConnectError("recorded")

    async def connect(policy: AddressPolicy, host: str) -> list[str]:
        inner = Recording()
        with pytest.raises(httpcore.ConnectError):
            await VettingBackend(policy, inner).connect_tcp(host, 80)
        return inner.hosts

    both = AddressPolicy.make(allowed=["127.0.0.1", "::1"])
    hosts = asyncio.run(connect(both, "localhost"))
    assert hosts and all(ipaddress.ip_address(h).is_loopback for h in hosts)  # addresses, not "localhost"
    assert asyncio.run(connect(OPEN, "localhost")) == ["localhost"]  # unrestricted: httpx's usual path

    async def refused() -> FetchError:
        with pytest.raises(FetchError) as info:
            await VettingBackend(ONE_HOST, Recording()).connect_tcp("127.0.0.2", 80)
        return info.value

    assert asyncio.run(refused()).reason == "blocked_address"


def test_browser_guard_refuses_an_answer_from_a_blocked_address() -> None:
    """Chromium resolves hosts itself, so a response is checked for the address it really came from."""

    async def scenario() -> tuple[FetchError | None, FetchError | None]:
        events = [
            {"requestId": "1", "response": {"url": "http://a.test/", "remoteIPAddress": "93.184.216.34"}},
            {"requestId": "2", "response": {"url": "http://a.test/x", "remoteIPAddress": "169.254.169.254"}},
        ]
        guard = _PageGuard(AddressPolicy(), AddressCache(), 1000, proxied=False)
        guard._on_response(events[0])
        clean = guard.tripped.result() if guard.tripped.done() else None
        guard._on_response(events[1])
        proxied = _PageGuard(AddressPolicy(), AddressCache(), 1000, proxied=True)
        proxied._on_response(events[1])  # behind a proxy the address is the proxy's: not checked
        assert not proxied.tripped.done()
        return clean, guard.tripped.result()

    clean, error = asyncio.run(scenario())
    assert clean is None
    assert error is not None and error.reason == "blocked_address" and "169.254.169.254" in str(error)


# --- loopback servers -----------------------------------------------------------------------------------


def secret_route(h: _Handler) -> None:
    h.reply(200, f"<html><body><p>{SECRET}</p></body></html>".encode())


@contextlib.contextmanager
def two_hosts(routes: Callable[[LoopbackServer], dict[str, Route]]) -> Iterator[tuple[LoopbackServer, LoopbackServer]]:
    """``inside`` on 127.0.0.2 (blocked) serving the secret, and ``home`` on 127.0.0.1 (allowed) with
    ``routes(inside)``."""
    with serve({"/": secret_route}, host="127.0.0.2") as inside, serve(routes(inside)) as home:
        yield home, inside


def stream_route(h: _Handler) -> None:
    """An endless page without a length, 64 KiB every 20 ms: about 3 MB/s, for as long as anyone reads."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html; charset=utf-8")
    h.end_headers()
    h.wfile.write(b"<html><body>")
    chunk = b"<p>" + b"a" * 65_536 + b"</p>\n"
    while not h.server.stopping.is_set():
        h.wfile.write(chunk)
        h.wfile.flush()
        time.sleep(0.02)


@pytest.fixture(scope="module")
def shared_browser(loop: asyncio.AbstractEventLoop) -> Iterator[BrowserFetcher]:
    if not chromium_available():
        pytest.skip(CHROMIUM_MISSING_REASON)
    fetcher = BrowserFetcher(STRICT, BrowserSettings(executable_path=CHROMIUM, render_wait_s=2.0))
    yield fetcher
    loop.run_until_complete(fetcher.aclose())


@pytest.fixture()
def fetch(request: pytest.FixtureRequest, run: Callable[[Coroutine[Any, Any, Any]], Any]) -> Callable[..., Any]:
    """fetch(kind, url, policy=None, settings=STRICT) -> FetchedPage; None: the settings' own policy."""

    def do(kind: str, url: str, policy: AddressPolicy | None = None, settings: FetchSettings = STRICT) -> FetchedPage:
        if kind == "http":

            async def go() -> FetchedPage:
                async with HttpFetcher(settings, policy=policy) as fetcher:
                    return await fetcher.fetch(url)

            return run(go())
        browser: BrowserFetcher = request.getfixturevalue("shared_browser")
        saved = browser.settings
        browser.settings, browser.policy = settings, policy
        try:
            return run(browser.fetch(url))
        finally:
            browser.settings, browser.policy = saved, None

    return do


def fetch_error(fetch: Callable[..., Any], *args: Any, **kwargs: Any) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(*args, **kwargs)
    return info.value


# --- both fetchers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_is_refused_by_default(kind: str, host: str, fetch: Callable[..., Any]) -> None:
    """By address and by a name that resolves to it: refused before anything is sent."""
    with serve({"/page.html": html_route(PAGE)}) as server:
        error = fetch_error(fetch, kind, server.url("/page.html", host=host))
        assert error.reason == "blocked_address"
        assert "loopback" in str(error) and "allow_private_addresses" in str(error)
        assert server.requests == []
        # The control: with the flag on, the same server is fetched.
        page = fetch(kind, server.url("/page.html", host=host), settings=FetchSettings(allow_private_addresses=True))
    assert page.status_code == 200 and "served" in page.html


@pytest.mark.parametrize("kind", KINDS)
def test_redirect_to_a_blocked_address_is_refused(kind: str, fetch: Callable[..., Any]) -> None:
    """An allowed host redirecting to a blocked one: the hop is refused and never reaches it."""

    def routes(inside: LoopbackServer) -> dict[str, Route]:
        return {
            "/hop": redirect_route(lambda _: inside.url("/latest/meta-data")),
            "/hop-home": redirect_route(lambda _: "/page.html"),
            "/page.html": html_route(PAGE),
        }

    with two_hosts(routes) as (home, inside):
        page = fetch(kind, home.url("/hop-home"), ONE_HOST)  # the control: a redirect at home is followed
        assert page.final_url == home.url("/page.html") and "served" in page.html
        error = fetch_error(fetch, kind, home.url("/hop"), ONE_HOST)
    assert error.reason == "blocked_address"
    assert "127.0.0.2" in str(error) and SECRET not in str(error)
    assert "/hop" in home.requests
    assert inside.requests == []


@pytest.mark.parametrize("kind", KINDS)
def test_page_on_a_blocked_address_is_refused(kind: str, fetch: Callable[..., Any]) -> None:
    with two_hosts(lambda inside: {}) as (_home, inside):
        assert fetch_error(fetch, kind, inside.url("/"), ONE_HOST).reason == "blocked_address"
    assert inside.requests == []


@requires_browser
@pytest.mark.browser
def test_browser_sub_request_redirected_to_a_blocked_address_never_reaches_it(fetch: Callable[..., Any]) -> None:
    """Playwright's routing does not see redirects; the page's own script fetching a same-origin URL that
    redirects inside is stopped at the hop, and the page still loads without the secret."""
    script = (
        "<script>fetch('/leak').then(r => r.text()).then(t => document.body.append(t), () => {})"
        ".finally(() => { var d = document.createElement('div'); d.id = 'done'; document.body.append(d); });"
        "</script>"
    )

    def routes(inside: LoopbackServer) -> dict[str, Route]:
        return {
            "/page.html": html_route(f"<html><body><p>served</p>{script}</body></html>"),
            "/leak": redirect_route(lambda _: inside.url("/latest/meta-data")),
        }

    with two_hosts(routes) as (home, inside):
        page = fetch("browser", home.url("/page.html"), ONE_HOST)
        # The request the script made was routed (and its hop refused) before the page was read.
        deadline = time.monotonic() + 10
        while "/leak" not in home.requests and time.monotonic() < deadline:
            time.sleep(0.05)
    assert "served" in page.html and SECRET not in page.html
    assert inside.requests == []


def test_robots_txt_is_not_fetched_from_a_blocked_address_and_nothing_backs_off(tmp_path: Path) -> None:
    """Through Fetchers, as the checker fetches: robots.txt, the page and the host's backoff."""
    with serve({"/robots.txt": html_route("User-agent: *\nAllow: /\n"), "/page.html": html_route(PAGE)}) as server:
        url = server.url("/page.html")

        def config(**fetch: Any) -> Any:
            data = {"database": {"url": "sqlite:///x.db"}, "fetch": fetch, "suppliers": [{"id": "a", "url": url}]}
            return load_config(tmp_path / "config.toml", data=data)

        async def scenario(**fetch: Any) -> tuple[FetchedPage | FetchError, dict[str, Any]]:
            async with Fetchers(config(**fetch)) as fetchers:
                try:
                    outcome: FetchedPage | FetchError = await fetchers.get("http").fetch(url)
                except FetchError as exc:
                    outcome = exc
                return outcome, fetchers.backoff.state()

        refused, backoff = asyncio.run(scenario())
        assert isinstance(refused, FetchError) and refused.reason == "blocked_address"
        assert server.requests == []  # not even robots.txt
        assert backoff == {}  # a refusal of ours is no trouble of the host's
        page, _ = asyncio.run(scenario(allow_private_addresses=True))
    assert isinstance(page, FetchedPage) and page.status_code == 200
    assert server.requests == ["/robots.txt", "/page.html"]


def test_polite_fetcher_does_not_back_off_after_a_refusal() -> None:
    """A refused address is not a network failure: retrying at once is refused the same way, not skipped."""
    with serve({"/page.html": html_route(PAGE)}) as server:

        async def scenario() -> list[str]:
            backoff = HostBackoff(30, 3600, 600, jitter=0)
            robots = RobotsPolicy(3600, timeout_s=5.0, backoff=backoff, address_policy=AddressPolicy())
            inner = HttpFetcher(STRICT)
            fetcher = PoliteFetcher(inner, robots=robots, gate=HostGate(2, 0), backoff=backoff, user_agent="x")
            reasons = []
            try:
                for _ in range(2):
                    with pytest.raises(FetchError) as info:
                        await fetcher.fetch(server.url("/page.html"))
                    reasons.append(info.value.reason)
            finally:
                await inner.aclose()
                await robots.aclose()
            assert backoff.retry_after(server.url("/page.html")) is None
            return reasons

        assert asyncio.run(scenario()) == ["blocked_address", "blocked_address"]
    assert server.requests == []


@pytest.mark.parametrize("kind", KINDS)
def test_through_a_proxy_the_target_is_vetted_before_it_is_sent(
    kind: str, run: Callable[..., Any], request: pytest.FixtureRequest
) -> None:
    """The proxy connects, not us: the target is resolved here and refused before the proxy hears of it. The
    proxy's own address (loopback here) is the operator's choice and is not vetted; a name that does not
    resolve here is left to the proxy."""
    proxy_routes = {"http://supplier.invalid/shop": html_route(PAGE), "http://127.0.0.2": secret_route}
    with serve(proxy_routes) as proxy:
        proxy_url = proxy.url("/").rstrip("/")

        async def go(url: str) -> FetchedPage:
            if kind == "http":
                async with HttpFetcher(STRICT, proxy=proxy_url) as fetcher:
                    return await fetcher.fetch(url)
            browser: BrowserFetcher = request.getfixturevalue("shared_browser")
            return await browser.fetch(url, proxy=proxy_url)

        page = run(go("http://supplier.invalid/shop"))
        assert "served" in page.html
        with pytest.raises(FetchError) as info:
            run(go("http://127.0.0.2:8080/latest/meta-data"))
        assert info.value.reason == "blocked_address"
    assert proxy.requests == ["http://supplier.invalid/shop"]


# --- the browser's byte and memory limits while a page loads -------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_endless_streamed_page_is_too_large(kind: str, fetch: Callable[..., Any]) -> None:
    """Bytes are counted while they arrive: an endless page ends as too_large, long before the timeout
    (which would be the answer if the limit applied only to the finished page)."""
    settings = FetchSettings(timeout_s=60.0, max_page_bytes=1_000_000, allow_private_addresses=True)
    with serve({"/stream": stream_route}) as server:
        error = fetch_error(fetch, kind, server.url("/stream"), settings=settings)
    assert error.reason == "too_large"


@requires_browser
@pytest.mark.browser
def test_browser_memory_is_watched_while_a_page_loads(run: Callable[..., Any]) -> None:
    """A browser past its memory limit while a page loads: recycled after the page, and aborted when it
    passes the hard limit (here the limit is 1 MB, which any Chromium passes)."""
    trickle = {"/slow": stream_route}
    settings = FetchSettings(timeout_s=60.0, max_page_bytes=10**12, allow_private_addresses=True)
    browser = BrowserSettings(executable_path=CHROMIUM, max_memory_mb=1, memory_watch_s=0.2)

    async def scenario(url: str) -> tuple[FetchError, dict[str, int]]:
        fetcher = BrowserFetcher(settings, browser)
        try:
            with pytest.raises(FetchError) as info:
                await fetcher.fetch(url)
            return info.value, fetcher.recycles
        finally:
            await fetcher.aclose()

    with serve(trickle) as server:
        error, recycles = run(scenario(server.url("/slow")))
    assert error.reason == "too_large" and "MB" in str(error)
    assert recycles.get("memory", 0) >= 1
