"""Fetchers built from the config, created on first use and closed together, always behind the polite layer.

A run that only needs plain HTTP never starts Chromium, and one browser serves every check of a run. Both
methods hit the same marketplaces, so they share one robots.txt cache, one per-host gate and one per-host
backoff: switching from HTTP to the browser never doubles the load on a host or escapes a backoff. Both, and
robots.txt, fetch only from addresses ``[fetch] allow_private_addresses`` allows (scrapers.fetch.policy).

Given a ``politeness`` store (``storage.DatabasePoliteness(db)``), that state is shared with every other process
on the same database: backoffs, the spacing of fetches per host and robots.txt (scrapers.fetch.politeness says
how, and what happens when the database fails).
"""

from __future__ import annotations

from typing import Any

from monitor.config import Config, PlatformConfig
from scrapers.fetch import BrowserFetcher, FetchSettings, HttpFetcher
from scrapers.fetch.browser import BrowserSettings
from scrapers.fetch.policy import AddressPolicy
from scrapers.fetch.politeness import (
    GuardedStore,
    HostBackoff,
    HostGate,
    PoliteFetcher,
    PolitenessStore,
    RobotsPolicy,
    guarded,
)


class Fetchers:
    def __init__(self, config: Config, politeness: PolitenessStore | None = None) -> None:
        fetch, browser, polite = config.fetch, config.browser, config.politeness
        self.config = config
        self.fetch_settings = FetchSettings(
            user_agent=fetch.user_agent,
            timeout_s=fetch.timeout.total_seconds(),
            max_page_bytes=fetch.max_page_bytes,
            max_redirects=fetch.max_redirects,
            allow_private_addresses=fetch.allow_private_addresses,
        )
        self.address_policy = AddressPolicy(fetch.allow_private_addresses)
        self.browser_settings = BrowserSettings(
            executable_path=browser.executable_path,
            headless=browser.headless,
            render_wait_s=browser.render_wait.total_seconds(),
            screenshots=browser.screenshots,
            storage_state=browser.storage_state,
            proxy=fetch.proxy,
            recycle_after_pages=browser.recycle_after_pages,
            max_memory_mb=browser.max_memory_mb,
        )
        #: One guard for the three pieces: a database outage is told once, and all three fall back together.
        self.politeness: GuardedStore | None = guarded(politeness)
        self.gate = HostGate(
            polite.max_concurrency_per_host, polite.min_delay_per_host.total_seconds(), store=self.politeness
        )
        self.backoff = HostBackoff(
            polite.backoff_base.total_seconds(),
            polite.backoff_max.total_seconds(),
            polite.block_backoff.total_seconds(),
            store=self.politeness,
        )
        self.robots: RobotsPolicy | None = (
            RobotsPolicy(
                polite.robots_cache_ttl.total_seconds(),
                timeout_s=self.fetch_settings.timeout_s,
                gate=self.gate,
                backoff=self.backoff,
                address_policy=self.address_policy,
                store=self.politeness,
            )
            if polite.obey_robots_txt
            else None
        )
        self._browser: BrowserFetcher | None = None
        #: One HttpFetcher (one httpx client, one connection pool) per proxy.
        self._http: dict[str | None, HttpFetcher] = {}
        self._polite: dict[tuple[str, str | None], PoliteFetcher] = {}

    def _platform(self, platform: str | None) -> PlatformConfig:
        return self.config.platforms.get(platform or "", PlatformConfig())

    def get(self, method: str, *, platform: str | None = None) -> PoliteFetcher:
        """The polite fetcher for ``method`` ("http"; anything else is the browser) with the platform's
        proxy, user agent and saved session (``[platforms.<name>]``) applied to each fetch."""
        key = ("http" if method == "http" else "browser", platform)
        polite = self._polite.get(key)
        if polite is not None:
            return polite
        settings = self._platform(platform)
        proxy = settings.proxy or self.config.fetch.proxy
        user_agent = settings.user_agent or self.fetch_settings.user_agent
        # Only what the platform overrides is passed per call; the defaults live in the fetchers' settings.
        options: dict[str, Any] = {}
        if settings.user_agent:
            options["user_agent"] = settings.user_agent
        inner: BrowserFetcher | HttpFetcher
        if key[0] == "http":
            inner = self._http_fetcher(proxy)
        else:
            inner = self._browser_fetcher()
            if settings.proxy:
                options["proxy"] = settings.proxy
            if settings.storage_state:
                options["storage_state"] = settings.storage_state
        polite = PoliteFetcher(
            inner,
            robots=self.robots,
            gate=self.gate,
            backoff=self.backoff,
            user_agent=user_agent,
            proxy=proxy,
            options=options,
        )
        self._polite[key] = polite
        return polite

    def _http_fetcher(self, proxy: str | None) -> HttpFetcher:
        fetcher = self._http.get(proxy)
        if fetcher is None:
            fetcher = self._http[proxy] = HttpFetcher(self.fetch_settings, proxy=proxy)
        return fetcher

    def _browser_fetcher(self) -> BrowserFetcher:
        if self._browser is None:
            self._browser = BrowserFetcher(self.fetch_settings, self.browser_settings)
        return self._browser

    def report(self, url: str, status: str) -> float | None:
        """How a page fetched through ``get(...)`` was classified; a block page or error backs off its host.

        Reporting a fetch that raised is a no-op (failures are recorded when they happen). With a politeness
        store the backoff is written in the background; ``flush`` waits for it.
        """
        return self.backoff.report(url, status)

    async def flush(self) -> None:
        """Wait until the backoffs recorded so far are in the politeness store (no-op without one)."""
        await self.backoff.flush()

    def politeness_state(self) -> dict[str, dict[str, Any]]:
        """Per host (``scheme://host:port``): backoff, robots.txt and gate state, for a status command."""
        parts = {
            "backoff": self.backoff.state(),
            "robots": self.robots.state() if self.robots is not None else {},
            "gate": self.gate.state(),
        }
        hosts = sorted({origin for part in parts.values() for origin in part})
        return {origin: {name: part.get(origin) for name, part in parts.items()} for origin in hosts}

    async def shared_politeness_state(self) -> dict[str, dict[str, Any]]:
        """``politeness_state()`` with backoff and robots.txt as the store holds them for every process (this
        process's own view when there is no store or it fails); the gate is always this process's."""
        parts = {
            "backoff": await self.backoff.shared_state(),
            "robots": await self.robots.shared_state() if self.robots is not None else {},
            "gate": self.gate.state(),
        }
        hosts = sorted({origin for part in parts.values() for origin in part})
        return {origin: {name: part.get(origin) for name, part in parts.items()} for origin in hosts}

    async def aclose(self) -> None:
        await self.backoff.flush()
        self._polite.clear()
        if self._browser is not None:
            await self._browser.aclose()
            self._browser = None
        fetchers, self._http = list(self._http.values()), {}
        for fetcher in fetchers:
            await fetcher.aclose()
        if self.robots is not None:
            await self.robots.aclose()

    async def __aenter__(self) -> Fetchers:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
