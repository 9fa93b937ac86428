"""Fetchers built from the config, created on first use and closed together.

A run that only needs plain HTTP never starts Chromium, and one browser serves every check of a run.
"""

from __future__ import annotations

from monitor.config import Config
from scrapers.fetch import BrowserFetcher, FetchSettings, HttpFetcher
from scrapers.fetch.browser import BrowserSettings


class Fetchers:
    def __init__(self, config: Config) -> None:
        fetch, browser = config.fetch, config.browser
        self.fetch_settings = FetchSettings(
            user_agent=fetch.user_agent,
            timeout_s=fetch.timeout.total_seconds(),
            max_page_bytes=fetch.max_page_bytes,
            max_redirects=fetch.max_redirects,
        )
        self.browser_settings = BrowserSettings(
            executable_path=browser.executable_path,
            headless=browser.headless,
            render_wait_s=browser.render_wait.total_seconds(),
            screenshots=browser.screenshots,
            storage_state=browser.storage_state,
            proxy=fetch.proxy,
        )
        self._browser: BrowserFetcher | None = None
        self._http: HttpFetcher | None = None

    def get(self, method: str) -> BrowserFetcher | HttpFetcher:
        if method == "http":
            if self._http is None:
                self._http = HttpFetcher(self.fetch_settings, proxy=self.browser_settings.proxy)
            return self._http
        if self._browser is None:
            self._browser = BrowserFetcher(self.fetch_settings, self.browser_settings)
        return self._browser

    async def aclose(self) -> None:
        if self._browser is not None:
            await self._browser.aclose()
            self._browser = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> Fetchers:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
