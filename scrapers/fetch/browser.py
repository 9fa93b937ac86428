"""A real Chromium through Playwright: one long-lived browser, a fresh context per page.

Contexts are cheap and isolate cookies between suppliers; the browser is expensive, so it is launched
once and relaunched only when it dies. Everything the parser does not need (images, fonts, media and
requests to other hosts) is aborted, which keeps pages fast and keeps the browser off the network.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.async_api import Browser, BrowserContext, Playwright, Route, async_playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

from scrapers.classify import WALL_SELECTORS
from scrapers.fetch.base import FetchedPage, FetchError, FetchSettings, validate_url
from scrapers.platforms.base import PlatformParser, same_origin

log = logging.getLogger(__name__)

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
)
SYSTEM_CHROMIUMS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
BLOCKED_RESOURCE_TYPES = frozenset({"image", "font", "media"})
#: Budget for launching Chromium and opening a context, outside the page's own ``timeout_s``.
BROWSER_START_TIMEOUT_S = 60.0


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


class BrowserFetcher:
    method = "browser"

    def __init__(self, settings: FetchSettings | None = None, browser: BrowserSettings | None = None) -> None:
        self.settings = settings or FetchSettings()
        self.browser_settings = browser or BrowserSettings()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._lock = asyncio.Lock()
        self.launches = 0

    async def _ensure_browser(self) -> Browser:
        async with self._lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            if self._playwright is None:
                self._playwright = await async_playwright().start()
            executable = self.browser_settings.executable_path or find_system_chromium()
            try:
                self._browser = await self._playwright.chromium.launch(
                    executable_path=executable,
                    headless=self.browser_settings.headless,
                    args=list(CHROMIUM_ARGS),
                )
            except PlaywrightError as exc:
                hint = "install Chromium (apt-get install chromium) or run `python -m playwright install chromium`"
                raise FetchError(
                    "browser", f"cannot launch Chromium ({executable or 'bundled'}): {exc}; {hint}"
                ) from None
            self.launches += 1
            return self._browser

    async def fetch(self, url: str, parser: PlatformParser | None = None) -> FetchedPage:
        url = validate_url(url)
        # Starting (or restarting) Chromium is not part of the page's budget: a cold launch on a busy host
        # must not time the page out, and cancelling a launch half-way would orphan the browser process.
        try:
            async with asyncio.timeout(BROWSER_START_TIMEOUT_S):
                context = await self._new_context()
        except TimeoutError:
            raise FetchError("browser", f"Chromium did not answer within {BROWSER_START_TIMEOUT_S:g}s") from None
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                return await self._fetch(context, url, parser, started)
        except TimeoutError:
            raise FetchError("timeout", f"{url} did not load within {self.settings.timeout_s:g}s") from None
        finally:
            try:
                await context.close()
            except PlaywrightError:
                pass  # the browser died under us; the next fetch relaunches it

    async def _new_context(self) -> BrowserContext:
        """A fresh context; a browser that died since the last fetch is relaunched once.

        ``is_connected()`` turns False only once Playwright has noticed the disconnect, so a browser killed
        just before this fetch still looks alive: the failing ``new_context`` is what tells.
        """
        bs = self.browser_settings
        for attempt in (1, 2):
            browser = await self._ensure_browser()
            try:
                return await browser.new_context(
                    user_agent=self.settings.user_agent,
                    extra_http_headers=self.settings.extra_headers,
                    storage_state=bs.storage_state if bs.storage_state and Path(bs.storage_state).exists() else None,
                    proxy={"server": bs.proxy} if bs.proxy else None,
                    service_workers="block",
                )
            except PlaywrightError as exc:
                if attempt == 2:
                    raise FetchError("browser", f"browser context failed: {exc}") from None
                log.warning("browser context failed, relaunching Chromium: %s", str(exc).splitlines()[0])
                await self._discard(browser)
        raise AssertionError("unreachable")

    async def _discard(self, browser: Browser) -> None:
        async with self._lock:
            if self._browser is browser:
                self._browser = None
        with contextlib.suppress(PlaywrightError, TimeoutError):
            async with asyncio.timeout(5):
                await browser.close()

    async def _fetch(
        self, context: BrowserContext, url: str, parser: PlatformParser | None, started: float
    ) -> FetchedPage:
        bs = self.browser_settings
        try:
            await context.route("**/*", lambda route: self._filter(route, url, parser))
            page = await context.new_page()
            try:
                response = await page.goto(url, wait_until="domcontentloaded", timeout=self.settings.timeout_s * 1000)
            except PlaywrightTimeoutError:
                raise FetchError("timeout", f"{url} did not load within {self.settings.timeout_s:g}s") from None
            except PlaywrightError as exc:
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

    async def _filter(self, route: Route, page_url: str, parser: PlatformParser | None) -> None:
        request = route.request
        wanted = request.resource_type not in BLOCKED_RESOURCE_TYPES and (
            parser.wants_request(request.url, page_url) if parser else same_origin(request.url, page_url)
        )
        try:
            if wanted:
                await route.continue_()
            else:
                await route.abort()
        except PlaywrightError:
            pass  # page closed while the request was in flight

    async def aclose(self) -> None:
        if self._browser is not None:
            with contextlib.suppress(PlaywrightError):
                await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None

    async def __aenter__(self) -> BrowserFetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


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
