"""A real Chromium through Playwright: one long-lived browser, contexts reused for pages of the same options.

The browser is expensive, so it is launched once and reused. Over months a browser leaks memory, so
``_BrowserPool`` relaunches it after ``recycle_after_pages`` pages or when its process tree grows past
``max_memory_mb``; new fetches wait while the old browser's contexts drain, so recycling never fails a fetch. A
browser that dies is relaunched by the next fetch.

Contexts (issue 13: a fresh context per page was much of the memory and CPU churn): a context serves up to
``context_pages`` pages fetched with the same options (user agent, headers, saved session, proxy; so per
platform, as ``monitor.fetchers`` passes them), one at a time, each in a new page that is closed after it (its
renderer, whatever it still loaded and its guard go with it); at most ``max_idle_contexts`` contexts wait between
pages. Between two pages the context's cookies are cleared, so a supplier's page does not see the cookies the
previous supplier's set. The trade-off: what is not cleared is shared by the pages of one context for its
lifetime: the HTTP cache (a script the marketplace serves to every store is fetched once, as a real browser
would), localStorage/IndexedDB of the origins its pages visit, and with a saved session (``storage_state``)
the cookies too, which stay as the server last set them rather than being reloaded from the file per page.
Contexts of different options never share anything; a context whose page failed or timed out is closed, not
reused, and so is every context under a restricted address policy (``allow_private_addresses = false``, the
default): its page's guard pauses requests for vetting, and a request paused as the page closes would be let go
into a kept context's network (``_put_back``), so there each page gets a fresh context, as before reuse.
Reusing the page too (navigating it from supplier to supplier) was measured faster but larger: its renderer
grows, and Chromium still swaps renderer processes on each navigation.

What is vetted where:

* Images, fonts and media: ``--disable-remote-fonts`` keeps web fonts from being requested at all;
  ``Network.setBlockedURLs`` on the page's guard session has Chromium fail requests for image, font and media
  file types by URL (ERR_BLOCKED_BY_CLIENT: the page sees an error event and Python never hears of them).
  ``--blink-settings=imagesEnabled=false`` is not used: an image it suppresses fires no load or error event,
  so a page waiting for one would hang. Whatever gets through (an image URL without an extension) is aborted
  by resource type in the route below.
* Playwright's route (``BrowserFetcher._filter``, one per context): every other request, the page's and its
  workers', is continued only when the parser wants it (by default the page's own origin: other hosts are
  cut) and its host's addresses pass the ``AddressPolicy`` (scrapers.fetch.policy).
* ``_PageGuard`` (a CDP session on the page per fetch): with a restricted policy every request, each redirect
  hop included (Playwright's routing never sees redirects), is paused until its host's addresses pass the
  policy and failed otherwise; a response that came from a disallowed address all the same (DNS rebinding:
  Chromium resolves on its own) fails the page; and the bytes each response brings are counted as they
  arrive, so a page streaming past ``max_page_bytes`` ends as ``too_large`` at once instead of filling memory
  until the timeout. The browser's memory is sampled every ``memory_watch_s`` while pages load, not only
  between pages.

The GPU thread and the network service run inside the browser process (``CHROMIUM_ARGS``), two processes
fewer. Memory is measured as PSS of the process tree by ``bench/browser_bench.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit

import psutil

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page, Playwright, PlaywrightContextManager, Route
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from scrapers.classify import WALL_SELECTORS
from scrapers.fetch.base import FetchedPage, FetchError, FetchSettings, validate_url
from scrapers.fetch.policy import AddressCache, AddressPolicy
from scrapers.platforms.base import PlatformParser, same_origin

log = logging.getLogger(__name__)


if not TYPE_CHECKING:

    class PlaywrightError(Exception):
        """Stands for Playwright's errors until ``async_playwright`` imports them: nothing can raise one before."""

    PlaywrightTimeoutError = PlaywrightError


def async_playwright() -> PlaywrightContextManager:
    """Playwright's entry point, imported on the first browser launch: plain-HTTP runs never load its ~80 ms of
    bindings. Its error classes replace the stand-ins above before any Playwright object exists."""
    global PlaywrightError, PlaywrightTimeoutError
    from playwright.async_api import Error as Failed
    from playwright.async_api import TimeoutError as TimedOut
    from playwright.async_api import async_playwright as playwright_entry

    PlaywrightError, PlaywrightTimeoutError = Failed, TimedOut
    return playwright_entry()


#: Flags that keep a headless Chromium from phoning home (refused here) and from needing a sandbox as root.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-quic",
    # Memory (issue 13): the GPU thread runs inside the browser process instead of a process of its own. No
    # --enable-features / --disable-features / --blink-settings here: Chromium keeps only the last of each, and
    # Playwright passes its own.
    "--in-process-gpu",
    # Web fonts are never requested (FontFace.load() still settles, so no page waits on one). Images are not
    # switched off the same way (--blink-settings=imagesEnabled=false): an image that is never loaded never
    # fires load or error either, and a page waiting for one would hang. See BLOCKED_URL_PATTERNS.
    "--disable-remote-fonts",
)
#: File types no parser needs, blocked by Chromium itself (``Network.setBlockedURLs``: the request fails with
#: ERR_BLOCKED_BY_CLIENT, the page sees an error event, and no interception round trip reaches Python).
BLOCKED_EXTENSIONS = (
    *("png", "jpg", "jpeg", "gif", "webp", "avif", "bmp", "ico", "svg", "tif", "tiff"),
    *("woff", "woff2", "ttf", "otf", "eot"),
    *("mp4", "webm", "m4v", "mov", "mp3", "m4a", "ogg", "oga", "wav", "flac", "m3u8", "mpd"),
)
BLOCKED_URL_PATTERNS = tuple(
    {"urlPattern": f"*://*:*/*.{ext}", "block": True} for base in BLOCKED_EXTENSIONS for ext in {base, base.upper()}
)
SYSTEM_CHROMIUMS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
#: Aborted if they are requested all the same (the launch flags above keep images and fonts from being asked for).
BLOCKED_RESOURCE_TYPES = frozenset(
    {"image", "font", "media", "texttrack", "manifest", "ping", "prefetch", "cspviolationreport"}
)
#: Budget for launching Chromium and opening a context, outside the page's own ``timeout_s``.
BROWSER_START_TIMEOUT_S = 60.0
#: Budget for closing a context or a browser; a hung one is abandoned (the browser is killed).
CLOSE_TIMEOUT_S = 10.0
#: One response may bring ``max_page_bytes``; all of a page's responses together this many times that.
PAGE_BYTES_FACTOR = 8
#: A browser whose memory passes ``max_memory_mb`` while pages load is recycled once they are done; past this
#: many times ``max_memory_mb`` the pages loading are aborted (``too_large``) so that it can be recycled now.
MEMORY_ABORT_FACTOR = 2

RecycleReason = Literal["pages", "memory"]


def find_system_chromium() -> str | None:
    """The system Chromium if there is one; None means Playwright's own download."""
    for candidate in SYSTEM_CHROMIUMS:
        if Path(candidate).exists():
            return candidate
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return found


@dataclass(frozen=True)
class BrowserSettings:
    executable_path: str | None = None  # None: system Chromium if present, else Playwright's
    headless: bool = True
    #: How long to wait for the parser's ready selector after the DOM is loaded.
    render_wait_s: float = 5.0
    screenshots: bool = False
    storage_state: str | None = None
    proxy: str | None = None
    #: Relaunch Chromium after this many pages: a browser that runs for weeks leaks memory.
    recycle_after_pages: int = 500
    #: ... or once the RSS of its process tree passes this (summed RSS; shared pages count more than once).
    max_memory_mb: int = 1500
    #: Memory is sampled every this many pages or after this many seconds, not per page (it walks /proc).
    memory_check_every_pages: int = 20
    memory_check_every_s: float = 30.0
    #: ... and every this many seconds while pages load (one sample serves every page in flight); 0: never.
    memory_watch_s: float = 2.0
    #: A context (and its one page) serves this many pages of the same options before it is closed; 1: a
    #: fresh context per page. Cookies are cleared between pages unless a saved session is loaded.
    context_pages: int = 50
    #: Contexts kept open between pages, over all option sets (the least recently used is closed first).
    max_idle_contexts: int = 4


@dataclass(eq=False)
class _Generation:
    """One launched Chromium and the number of fetches that hold a context on it."""

    browser: Browser
    in_flight: int = 0
    #: Set once a recycle is due: new fetches wait until ``idle`` and then get a new browser.
    retire_reason: RecycleReason | None = None
    idle: asyncio.Event = field(default_factory=asyncio.Event)
    #: Contexts between pages, least recently used first; they die with the browser.
    spare: list[_Slot] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.idle.set()


@dataclass(frozen=True)
class _Target:
    """The page a context is loading now: what its route handler filters against."""

    url: str
    parser: PlatformParser | None
    guard: _PageGuard


@dataclass(eq=False)
class _Slot:
    """A context reused for the pages of one set of context options (``key``), one page at a time.

    Its route handler is installed once and filters against ``target``, the page loading now; between
    pages ``target`` is None and anything the context still asks for is aborted.
    """

    key: tuple[Any, ...]
    context: BrowserContext
    keeps_cookies: bool
    #: The page of the fetch now using the context (a new page per fetch; closed after it).
    page: Page | None = None
    pages: int = 0
    target: _Target | None = None


def _options_key(options: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two contexts interchangeable: user agent, headers, saved session, proxy."""
    headers, proxy = options.get("extra_http_headers"), options.get("proxy")
    return (
        options.get("user_agent"),
        tuple(sorted(headers.items())) if headers else None,
        options.get("storage_state"),
        tuple(sorted(proxy.items())) if proxy else None,
    )


class _BrowserPool:
    """Owns the Playwright driver and the one Chromium: launch, lease, recycle, crash cleanup.

    All state changes happen under ``_lock``, so fetches queue in order behind a launch or a drain.
    Invariant: when ``_launch`` runs no live browser of ours exists, so every Chromium under our driver
    process is a leftover (of a crash, a failed launch or a hung close) and is killed.
    """

    def __init__(self) -> None:
        self._playwright: Playwright | None = None
        self._driver: psutil.Process | None = None  # Playwright's node process; Chromium runs under it
        self._current: _Generation | None = None
        self._lock = asyncio.Lock()
        self.launches = 0
        self.crashes = 0
        self.pages_since_launch = 0
        self.pages_total = 0
        self.recycles: Counter[str] = Counter()
        self.last_rss_mb: float | None = None
        self._pages_at_sample = 0
        self._sampled_at = 0.0
        self._sampling = asyncio.Lock()

    @property
    def browser(self) -> Browser | None:
        return self._current.browser if self._current else None

    async def acquire(self, bs: BrowserSettings) -> _Generation:
        """A running browser with this fetch counted in it; the caller must ``release`` it."""
        async with self._lock:
            gen = self._current
            if gen is not None and not gen.browser.is_connected():
                log.warning("Chromium died; relaunching it")
                self.crashes += 1
                await self._drop(gen)  # its contexts are failing already: nothing to drain
                gen = None
            if gen is not None and gen.retire_reason is not None:
                # Holding the lock here is the point: fetches that arrive now queue behind us.
                await gen.idle.wait()
                if not gen.browser.is_connected():
                    self.crashes += 1  # died while draining: its last fetches failed, the queue did not
                log.info("recycling Chromium (%s) after %d pages", gen.retire_reason, self.pages_since_launch)
                await self._drop(gen)
                gen = None
            if gen is None:
                gen = self._current = await self._launch(bs)
            self.pages_since_launch += 1
            self.pages_total += 1
            if self.pages_since_launch >= bs.recycle_after_pages:
                self._retire(gen, "pages")
            elif self._memory_check_due(bs) and await self._memory_mb() > bs.max_memory_mb:
                self._retire(gen, "memory")
            # Counted last, with no await before the caller's try/finally: a cancelled fetch cannot leak a lease.
            gen.in_flight += 1
            gen.idle.clear()
            return gen

    def is_current(self, gen: _Generation) -> bool:
        """Whether ``gen`` is the live browser new pages go to (not retiring, not dead)."""
        return self._current is gen and gen.retire_reason is None and gen.browser.is_connected()

    def release(self, gen: _Generation) -> None:
        """Synchronous, so that a cancelled fetch cannot skip it and stall a drain forever."""
        gen.in_flight -= 1
        if gen.in_flight <= 0:
            gen.in_flight = 0
            gen.idle.set()

    async def discard_if_dead(self, gen: _Generation) -> bool:
        """After a failed ``new_context``: True (and the browser gone) when the browser, not the options, failed.

        ``is_connected()`` turns False only once Playwright has noticed the disconnect, so a browser killed
        just before a fetch still looks alive; a bare context that cannot be opened tells.
        """
        async with self._lock:
            if self._current is not gen:
                return True  # someone else already replaced it
            if gen.browser.is_connected():
                try:
                    async with asyncio.timeout(CLOSE_TIMEOUT_S):
                        probe = await gen.browser.new_context()
                        await probe.close()
                    return False
                except (PlaywrightError, TimeoutError):
                    pass
            self.crashes += 1
            await self._drop(gen)
            return True

    async def memory_now(self, max_age_s: float) -> float:
        """The browser's RSS in MB, sampled afresh unless a sample younger than ``max_age_s`` exists."""
        async with self._sampling:
            if self.last_rss_mb is not None and time.monotonic() - self._sampled_at < max_age_s:
                return self.last_rss_mb
            return await self._memory_mb()

    def retire(self, gen: _Generation, reason: RecycleReason) -> None:
        """Recycle ``gen`` once its fetches are done (a no-op when it is already being retired)."""
        self._retire(gen, reason)

    def _retire(self, gen: _Generation, reason: RecycleReason) -> None:
        if gen.retire_reason is None:
            gen.retire_reason = reason
            self.recycles[reason] += 1

    def _memory_check_due(self, bs: BrowserSettings) -> bool:
        return (
            self.pages_total - self._pages_at_sample >= bs.memory_check_every_pages
            or time.monotonic() - self._sampled_at >= bs.memory_check_every_s
        )

    async def _memory_mb(self) -> float:
        self._pages_at_sample, self._sampled_at = self.pages_total, time.monotonic()
        rss = await asyncio.to_thread(lambda: _tree_rss(self._browser_processes()))
        self.last_rss_mb = rss / 2**20
        return self.last_rss_mb

    def _browser_processes(self) -> list[psutil.Process]:
        """Chromium processes under our driver (under this Python process if the driver is unknown)."""
        root = self._driver if self._driver is not None else psutil.Process(os.getpid())
        try:
            children = root.children(recursive=True)
        except psutil.Error:
            return []
        found = []
        for proc in children:
            with contextlib.suppress(psutil.Error):
                if "chrom" in proc.name().lower() and proc.status() != psutil.STATUS_ZOMBIE:
                    found.append(proc)
        return found

    def _kill_strays(self) -> None:
        """SIGKILL every Chromium under our driver; only called when none of ours should be running."""
        if self._driver is None:
            return  # without our own driver we cannot tell our Chromium from another fetcher's
        strays = self._browser_processes()
        for proc in strays:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        if strays:
            log.warning("killed %d leftover Chromium processes", len(strays))

    async def _reap_strays(self) -> None:
        """Kill leftovers and give the driver a moment to reap them, so they are really gone."""
        self._kill_strays()
        procs = self._browser_processes()
        if procs:
            await asyncio.to_thread(psutil.wait_procs, procs, 3)

    async def _start_driver(self) -> Playwright:
        if self._playwright is not None and (self._driver is None or self._driver.is_running()):
            return self._playwright
        await self._stop_driver()  # a driver that died takes its connection with it: start afresh
        me = psutil.Process(os.getpid())
        before = {child.pid for child in me.children()}
        try:
            self._playwright = await async_playwright().start()
        except Exception as exc:  # the driver itself: a broken install, no memory for node, ...
            raise FetchError("browser", f"cannot start the Playwright driver: {exc}") from None
        new = [child for child in me.children() if child.pid not in before]
        # Another fetcher starting at the same moment would make this ambiguous; then no stray-killing.
        self._driver = new[0] if len(new) == 1 else None
        return self._playwright

    async def _stop_driver(self) -> None:
        playwright, self._playwright, self._driver = self._playwright, None, None
        if playwright is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(CLOSE_TIMEOUT_S):
                    await playwright.stop()

    async def _launch(self, bs: BrowserSettings) -> _Generation:
        playwright = await self._start_driver()
        await self._reap_strays()
        executable = bs.executable_path or find_system_chromium()
        try:
            async with asyncio.timeout(BROWSER_START_TIMEOUT_S):
                browser = await playwright.chromium.launch(
                    executable_path=executable, headless=bs.headless, args=list(CHROMIUM_ARGS)
                )
        except PlaywrightError as exc:
            self._kill_strays()
            hint = "install Chromium (apt-get install chromium) or run `python -m playwright install chromium`"
            raise FetchError("browser", f"cannot launch Chromium ({executable or 'bundled'}): {exc}; {hint}") from None
        except TimeoutError:
            self._kill_strays()
            raise FetchError("browser", f"Chromium did not start within {BROWSER_START_TIMEOUT_S:g}s") from None
        except BaseException:
            self._kill_strays()  # cancelled half-way: the process may exist without anyone owning it
            raise
        self.launches += 1
        self.pages_since_launch = 0
        self._pages_at_sample, self._sampled_at = self.pages_total, time.monotonic()
        return _Generation(browser)

    async def _drop(self, gen: _Generation) -> None:
        """Close a browser (dead or drained) and make sure nothing of it keeps running."""
        if self._current is gen:
            self._current = None
        try:
            with contextlib.suppress(PlaywrightError, TimeoutError):
                async with asyncio.timeout(CLOSE_TIMEOUT_S):
                    await gen.browser.close()
        finally:
            self._kill_strays()

    async def aclose(self) -> None:
        async with self._lock:
            if self._current is not None:
                await self._drop(self._current)
            await self._reap_strays()
            await self._stop_driver()

    def stats(self) -> dict[str, Any]:
        gen = self._current
        return {
            "running": gen is not None and gen.browser.is_connected(),
            "launches": self.launches,
            "pages_since_launch": self.pages_since_launch,
            "pages_total": self.pages_total,
            "in_flight": gen.in_flight if gen else 0,
            "spare_contexts": len(gen.spare) if gen else 0,
            "recycles": sum(self.recycles.values()),
            "recycle_reasons": dict(self.recycles),
            "recycle_pending": gen.retire_reason if gen else None,
            "crashes": self.crashes,
            "last_rss_mb": round(self.last_rss_mb, 1) if self.last_rss_mb is not None else None,
        }


def _tree_rss(procs: list[psutil.Process]) -> int:
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            total += proc.memory_info().rss
    return total


def _proxy_option(proxy: str | None) -> dict[str, str] | None:
    """Playwright's proxy dict; credentials in the URL (http://user:pass@host:port) move to their own keys."""
    if not proxy:
        return None
    if "://" not in proxy:
        return {"server": proxy}
    parts = urlsplit(proxy)
    if parts.username is None:
        return {"server": proxy}
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    server = f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")
    return {"server": server, "username": unquote(parts.username), "password": unquote(parts.password or "")}


class _PageGuard:
    """Watches one page while it loads, through a CDP session of its own; ``tripped`` gets the first breach.

    * Every request the page makes, redirect hops included, is paused (``Fetch.requestPaused``) until its
      host's addresses are vetted, and failed when the policy refuses one. A refused main document trips the
      guard (``blocked_address``); other refused requests are only failed, like requests to other hosts.
    * Every response's ``remoteIPAddress`` is checked: one from a disallowed address (Chromium resolved the
      host differently than we did) trips the guard, so nothing it said reaches the page's evidence. Behind
      a proxy the address is the proxy's, so only the check before the request applies.
    * The bytes of each response are counted as they arrive (``Network.dataReceived``, decoded size): one
      response past ``limit``, or all of them past ``PAGE_BYTES_FACTOR * limit``, trips it (``too_large``).

    With an unrestricted policy only the byte count runs, and requests are not paused at all.
    """

    def __init__(
        self, policy: AddressPolicy, addresses: AddressCache, limit: int, *, proxied: bool, page_url: str = ""
    ) -> None:
        self.page_url = page_url
        self.policy = policy
        self.addresses = addresses
        self.limit = limit
        self.proxied = proxied
        self.tripped: asyncio.Future[FetchError] = asyncio.get_running_loop().create_future()
        #: Set when the main document (or a redirect hop of it) was refused.
        self.blocked_document: FetchError | None = None
        self.total_bytes = 0
        self._received: dict[str, int] = {}
        self._urls: dict[str, str] = {}
        self._main_frame: str | None = None
        self._cdp: Any = None
        #: Set by ``release``: the page is done, every request it still makes is failed unvetted.
        self._released = False
        #: ``_on_paused`` handlers still deciding: each must answer its request before the page closes.
        self._deciding: set[asyncio.Task[Any]] = set()

    def trip(self, error: FetchError) -> None:
        if not self.tripped.done():
            self.tripped.set_result(error)

    async def attach(self, context: BrowserContext, page: Page) -> None:
        cdp = self._cdp = await context.new_cdp_session(page)
        cdp.on("Network.responseReceived", self._on_response)
        cdp.on("Network.dataReceived", self._on_data)
        # No response bodies are kept for this session (Playwright's own session keeps what it needs).
        await cdp.send("Network.enable", {"maxTotalBufferSize": 0, "maxResourceBufferSize": 0})
        if not _blocked_by_url(self.page_url):  # a page that is itself a picture is loaded all the same
            await _block_urls(cdp)
        if not self.policy.unrestricted:
            tree = await cdp.send("Page.getFrameTree")
            self._main_frame = tree["frameTree"]["frame"]["id"]
            cdp.on("Fetch.requestPaused", self._on_paused)
            await cdp.send("Fetch.enable", {"patterns": [{"urlPattern": "*", "requestStage": "Request"}]})

    async def refusal(self, url: str) -> str | None:
        return await self.addresses.refusal(self.policy, url)

    def refused(self, url: str, why: str, *, document: bool) -> None:
        error = self.policy.blocked(url, why)
        log.info("not requested by the browser: %s", error)
        if document:
            self.blocked_document = self.blocked_document or error
            self.trip(error)

    async def release(self) -> None:
        """Before the page is closed: every paused request gets its answer first.

        A CDP session that goes away lets the requests it paused continue, and the context has its network until it
        is closed: a redirect hop of a script's request, paused while its host was being vetted, could then reach
        the address it was about to be refused. Requests paused from now on are failed unvetted."""
        self._released = True
        while self._deciding:
            await asyncio.gather(*self._deciding, return_exceptions=True)

    async def _on_paused(self, event: dict[str, Any]) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._deciding.add(task)
        try:
            await self._decide(event)
        finally:
            if task is not None:
                self._deciding.discard(task)

    async def _decide(self, event: dict[str, Any]) -> None:
        request_id, url = event["requestId"], event["request"]["url"]
        try:
            why = "the page is done" if self._released else await self.refusal(url)
        except Exception as exc:  # fail closed: a request whose host could not be vetted does not go out
            why = f"its address could not be checked ({type(exc).__name__}: {exc})"
        document = event.get("resourceType") == "Document" and event.get("frameId") == self._main_frame
        try:
            if why is None:
                await self._cdp.send("Fetch.continueRequest", {"requestId": request_id})
            else:
                self.refused(url, why, document=document)
                await self._cdp.send("Fetch.failRequest", {"requestId": request_id, "errorReason": "BlockedByClient"})
        except PlaywrightError:
            pass  # the page closed meanwhile

    def _on_response(self, event: dict[str, Any]) -> None:
        response = event.get("response") or {}
        url = str(response.get("url", ""))
        self._urls[event.get("requestId", "")] = url
        remote = response.get("remoteIPAddress")
        if remote and not self.proxied and not self.policy.unrestricted:
            why = self.policy.refusal(str(remote))
            if why is not None:
                self.trip(self.policy.blocked(url, f"answered from {remote}, a {why} address"))

    def _on_data(self, event: dict[str, Any]) -> None:
        request_id = event.get("requestId", "")
        size = int(event.get("dataLength") or 0)
        got = self._received[request_id] = self._received.get(request_id, 0) + size
        self.total_bytes += size
        if got > self.limit:
            what = self._urls.get(request_id) or "a response"
            self.trip(FetchError("too_large", f"{what} passed the {self.limit}-byte limit while loading"))
        elif self.total_bytes > PAGE_BYTES_FACTOR * self.limit:
            self.trip(
                FetchError(
                    "too_large",
                    f"the page's responses passed {PAGE_BYTES_FACTOR} x the {self.limit}-byte limit while loading",
                )
            )


class BrowserFetcher:
    """Chromium fetches; requests go only to addresses the ``AddressPolicy`` allows (by default the settings'
    ``allow_private_addresses``; ``policy`` replaces it, as tests do to allow single addresses)."""

    method = "browser"

    def __init__(
        self,
        settings: FetchSettings | None = None,
        browser: BrowserSettings | None = None,
        *,
        policy: AddressPolicy | None = None,
    ) -> None:
        self.settings = settings or FetchSettings()
        self.browser_settings = browser or BrowserSettings()
        self._policy = policy
        self._addresses = AddressCache()
        self._pool = _BrowserPool()
        self._missing_states: set[str] = set()

    @property
    def policy(self) -> AddressPolicy:
        """The address policy of the next fetch (read on every fetch, like the settings)."""
        return self._policy or AddressPolicy(self.settings.allow_private_addresses)

    @policy.setter
    def policy(self, policy: AddressPolicy | None) -> None:
        """Replace the policy (None: back to the settings' ``allow_private_addresses``)."""
        self._policy = policy

    @property
    def launches(self) -> int:
        return self._pool.launches

    @property
    def pages_since_launch(self) -> int:
        return self._pool.pages_since_launch

    @property
    def recycles(self) -> dict[str, int]:
        """Recycles so far by reason ("pages", "memory")."""
        return dict(self._pool.recycles)

    @property
    def _browser(self) -> Browser | None:
        """The current browser, for tests that close it from outside."""
        return self._pool.browser

    def stats(self) -> dict[str, Any]:
        """Counters for a status command: launches, pages, recycles by reason, crashes, last sampled RSS."""
        return self._pool.stats()

    async def fetch(
        self,
        url: str,
        parser: PlatformParser | None = None,
        *,
        user_agent: str | None = None,
        proxy: str | None = None,
        storage_state: str | None = None,
    ) -> FetchedPage:
        """Load ``url`` in a context of these options (reused, or fresh); the keyword options override the
        settings for this page only (per-platform proxies, user agents and saved sessions)."""
        url = validate_url(url)
        options = self._context_options(user_agent, proxy, storage_state)
        # Starting (or restarting) Chromium, and waiting for a recycle, is not part of the page's budget: a cold
        # launch on a busy host must not time the page out.
        gen, slot = await self._open_slot(options)
        served = False
        try:
            page = await self._load(gen, slot, url, parser, proxied=options["proxy"] is not None)
            served = True
            return page
        finally:
            await self._put_back(gen, slot, served=served)

    async def _load(
        self, gen: _Generation, slot: _Slot, url: str, parser: PlatformParser | None, *, proxied: bool
    ) -> FetchedPage:
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                limit = self.settings.max_page_bytes
                guard = _PageGuard(self.policy, self._addresses, limit, proxied=proxied, page_url=url)
                slot.target = _Target(url, parser, guard)
                return await self._guarded(gen, slot, url, parser, started, guard)
        except TimeoutError:
            raise FetchError("timeout", f"{url} did not load within {self.settings.timeout_s:g}s") from None

    def _context_options(self, user_agent: str | None, proxy: str | None, storage_state: str | None) -> dict[str, Any]:
        bs = self.browser_settings
        return {
            "user_agent": user_agent or self.settings.user_agent,
            "extra_http_headers": self.settings.extra_headers,
            "storage_state": self._usable_state(storage_state or bs.storage_state),
            "proxy": _proxy_option(proxy or bs.proxy),
            "service_workers": "block",
        }

    def _usable_state(self, path: str | None) -> str | None:
        """A saved session that does not exist (yet) is skipped: the page loads logged out, with one warning."""
        if not path:
            return None
        if Path(path).exists():
            self._missing_states.discard(path)
            return path
        if path not in self._missing_states:
            self._missing_states.add(path)
            log.warning("storage state %s does not exist; fetching without a saved session", path)
        return None

    async def _open_slot(self, options: dict[str, Any]) -> tuple[_Generation, _Slot]:
        """A context of these options (a spare one, or a new one) with a new page, on a live browser; a browser
        found dead is relaunched once. The caller must ``_put_back`` it."""
        key = _options_key(options)
        for attempt in (1, 2):
            gen = await self._pool.acquire(self.browser_settings)
            slot = _take_spare(gen, key)
            try:
                async with asyncio.timeout(BROWSER_START_TIMEOUT_S):
                    if slot is None:
                        slot = await self._new_slot(gen, key, options)
                    slot.page = await slot.context.new_page()
            except (PlaywrightError, TimeoutError) as exc:
                if slot is not None:
                    await _close_context(slot.context)
                self._pool.release(gen)
                message = str(exc).splitlines()[0] if str(exc) else "no answer in time"
                if attempt == 1 and await self._pool.discard_if_dead(gen):
                    log.warning("browser context failed, relaunching Chromium: %s", message)
                    continue
                raise FetchError("browser", f"browser context failed: {message}") from None
            except BaseException:
                if slot is not None:
                    await _close_context(slot.context)
                self._pool.release(gen)
                raise
            slot.pages += 1
            return gen, slot
        raise AssertionError("unreachable")

    async def _new_slot(self, gen: _Generation, key: tuple[Any, ...], options: dict[str, Any]) -> _Slot:
        context = await gen.browser.new_context(**options)
        slot = _Slot(key, context, keeps_cookies=options["storage_state"] is not None)
        try:
            await context.route("**/*", lambda route: self._filter(route, slot))
        except BaseException:
            await _close_context(context)
            raise
        return slot

    async def _put_back(self, gen: _Generation, slot: _Slot, *, served: bool) -> None:
        """After a page: its page is closed, and a context whose page was served is kept (without the cookies
        it was given, unless it holds a saved session) for the next page of its options; any other is closed.
        The lease is released in every case."""
        guard, slot.target = (slot.target.guard if slot.target is not None else None), None
        try:
            await _settle(guard)
            bs = self.browser_settings
            reusable = slot.pages < bs.context_pages and bs.max_idle_contexts > 0 and self._pool.is_current(gen)
            # Under a restricted policy a context is never kept: a request Chromium paused for vetting just as the
            # page closed (its event still on the way to us) is let go when the guard's session detaches, and a
            # kept context would still have the network to send it. Closing the context takes that network away.
            # (Unrestricted, nothing is paused, so there is nothing to let go.)
            keep = served and reusable and (guard.policy if guard else self.policy).unrestricted
            if keep:
                keep = await self._clear(slot)
            if keep:
                gen.spare.append(slot)
                while len(gen.spare) > bs.max_idle_contexts:
                    await _close_context(gen.spare.pop(0).context)
            else:
                await _close_context(slot.context)
        finally:
            self._pool.release(gen)

    async def _clear(self, slot: _Slot) -> bool:
        """Close the page (what it still loaded stops, its renderer and guard go with it) and clear the
        cookies; False when that fails (the context is closed then)."""
        page, slot.page = slot.page, None
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT_S):
                if page is not None:
                    await page.close()
                if not slot.keeps_cookies:
                    await slot.context.clear_cookies()
            return True
        except (PlaywrightError, TimeoutError):
            return False

    async def _guarded(
        self,
        gen: _Generation,
        slot: _Slot,
        url: str,
        parser: PlatformParser | None,
        started: float,
        guard: _PageGuard,
    ) -> FetchedPage:
        """The page, unless the guard or the memory watch trips first: then their error (the caller closes
        the context, which ends the page's loading)."""
        work = asyncio.ensure_future(self._fetch(slot, url, parser, started, guard))
        watching = self.browser_settings.memory_watch_s > 0
        watch = asyncio.ensure_future(self._watch_memory(gen, guard)) if watching else None
        try:
            await asyncio.wait([work, guard.tripped], return_when=asyncio.FIRST_COMPLETED)
        finally:
            tasks = [task for task in (work, watch) if task is not None]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if guard.tripped.done():
            raise guard.tripped.result()
        return work.result()

    async def _watch_memory(self, gen: _Generation, guard: _PageGuard) -> None:
        """Sample the browser's memory while the page loads: past ``max_memory_mb`` the browser is recycled
        after its pages, past ``MEMORY_ABORT_FACTOR`` times that the page is aborted."""
        bs = self.browser_settings
        while True:
            await asyncio.sleep(bs.memory_watch_s)
            mb = await self._pool.memory_now(bs.memory_watch_s)
            if mb > bs.max_memory_mb:
                self._pool.retire(gen, "memory")
            limit = bs.max_memory_mb * MEMORY_ABORT_FACTOR
            if mb > limit:
                message = f"Chromium grew to {mb:.0f} MB while the page loaded (limit {limit} MB)"
                guard.trip(FetchError("too_large", message))
                return

    async def _fetch(
        self, slot: _Slot, url: str, parser: PlatformParser | None, started: float, guard: _PageGuard
    ) -> FetchedPage:
        bs = self.browser_settings
        page = slot.page
        assert page is not None
        try:
            await guard.attach(slot.context, page)
            try:
                response = await page.goto(url, wait_until="domcontentloaded", timeout=self.settings.timeout_s * 1000)
            except PlaywrightTimeoutError:
                raise FetchError("timeout", f"{url} did not load within {self.settings.timeout_s:g}s") from None
            except PlaywrightError as exc:
                if guard.blocked_document is not None:
                    raise guard.blocked_document from None
                raise _navigation_error(url, exc) from None
            hops = _redirect_hops(response)
            if hops > self.settings.max_redirects:
                raise FetchError("too_many_redirects", f"{hops} redirects, limit {self.settings.max_redirects}")
            selector = parser.ready_selector(url) if parser else None
            if selector:
                selector = ", ".join((selector, *WALL_SELECTORS))
                try:
                    await page.wait_for_selector(selector, timeout=bs.render_wait_s * 1000, state="attached")
                except PlaywrightTimeoutError:
                    pass  # blocked and empty pages never render it; classification decides later
            html = await page.content()
            if len(html.encode("utf-8", errors="replace")) > self.settings.max_page_bytes:
                raise FetchError("too_large", f"page exceeds the {self.settings.max_page_bytes}-byte limit")
            screenshot = await page.screenshot(full_page=True, type="png") if bs.screenshots else None
            return FetchedPage(
                url=url,
                final_url=page.url,
                status_code=response.status if response else None,
                html=html,
                method="browser",
                elapsed_ms=round((time.monotonic() - started) * 1000),
                screenshot=screenshot,
            )
        except PlaywrightError as exc:
            raise FetchError("browser", f"{url}: {exc}") from None

    async def _filter(self, route: Route, slot: _Slot) -> None:
        """Let a request through or abort it. The guard's CDP session vets the page's own requests before
        this runs; vetting here again (cached) covers requests of workers, which that session does not see.
        Between pages (no ``target``) everything is aborted."""
        request, target = route.request, slot.target
        wanted = (
            target is not None and request.resource_type not in BLOCKED_RESOURCE_TYPES and _wanted(request.url, target)
        )
        if target is not None and wanted:
            try:
                why = await target.guard.refusal(request.url)
            except Exception as exc:  # fail closed, and never leave the request hanging
                why = f"its address could not be checked ({type(exc).__name__}: {exc})"
            if why is not None:
                wanted = False
                document = request.is_navigation_request() and _in_main_frame(request)
                target.guard.refused(request.url, why, document=document)
        try:
            if wanted:
                await route.continue_()
            else:
                await route.abort()
        except PlaywrightError:
            pass  # page closed while the request was in flight

    async def aclose(self) -> None:
        """Close the browser and the driver, killing any Chromium left behind; a later fetch starts afresh."""
        await self._pool.aclose()

    async def __aenter__(self) -> BrowserFetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _blocked_by_url(url: str) -> bool:
    return urlsplit(url).path.rsplit(".", 1)[-1].lower() in BLOCKED_EXTENSIONS


async def _block_urls(cdp: Any) -> None:
    """Have Chromium fail requests for images, fonts and media by URL (what has no telling extension, such as
    ``/img?id=3``, is still aborted by type in ``BrowserFetcher._filter``)."""
    try:
        await cdp.send("Network.setBlockedURLs", {"urlPatterns": list(BLOCKED_URL_PATTERNS)})
    except PlaywrightError:  # a Chromium before urlPatterns (2025): the older wildcard form
        urls = [f"*.{p['urlPattern'].rsplit('.', 1)[1]}*" for p in BLOCKED_URL_PATTERNS]
        await cdp.send("Network.setBlockedURLs", {"urls": urls})


def _wanted(url: str, target: _Target) -> bool:
    """Whether the page being loaded needs ``url``: its parser decides, by default its own origin only."""
    return target.parser.wants_request(url, target.url) if target.parser else same_origin(url, target.url)


async def _close_context(context: BrowserContext) -> None:
    try:
        async with asyncio.timeout(CLOSE_TIMEOUT_S):
            await context.close()
    except (PlaywrightError, TimeoutError):
        pass  # the browser died under us; the next fetch relaunches it


def _take_spare(gen: _Generation, key: tuple[Any, ...]) -> _Slot | None:
    """The most recently used spare context of these options that is still usable, taken off the list."""
    for i in range(len(gen.spare) - 1, -1, -1):
        slot = gen.spare[i]
        if slot.key == key:
            del gen.spare[i]
            return slot
    return None


def _in_main_frame(request: Any) -> bool:
    try:
        return request.frame.parent_frame is None
    except PlaywrightError:
        return False  # a worker's request has no frame


async def _settle(guard: _PageGuard | None) -> None:
    """Before the page closes, the requests its guard paused get their answers (for at most CLOSE_TIMEOUT_S)."""
    if guard is not None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CLOSE_TIMEOUT_S):
                await guard.release()


def _redirect_hops(response: object) -> int:
    hops = 0
    request = getattr(response, "request", None)
    while request is not None and request.redirected_from is not None:
        hops += 1
        request = request.redirected_from
    return hops


def _navigation_error(url: str, exc: PlaywrightError) -> FetchError:
    text = str(exc)
    if "ERR_TOO_MANY_REDIRECTS" in text:
        return FetchError("too_many_redirects", f"{url}: endless redirect chain")
    if any(code in text for code in ("ERR_NAME_NOT_RESOLVED", "ERR_CONNECTION", "ERR_ADDRESS", "ERR_INTERNET")):
        return FetchError("unreachable", f"{url}: {text.splitlines()[0]}")
    if "ERR_TIMED_OUT" in text:
        return FetchError("timeout", f"{url}: {text.splitlines()[0]}")
    return FetchError("browser", f"{url}: {text.splitlines()[0]}")
