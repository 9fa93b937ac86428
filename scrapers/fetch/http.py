"""Plain HTTP fetching for server-rendered pages: cheap, and the reference the browser is measured against."""

from __future__ import annotations

import asyncio
import time

import httpx

from scrapers.fetch.base import FetchedPage, FetchError, FetchSettings, validate_url
from scrapers.fetch.encoding import decode_html
from scrapers.fetch.policy import AddressPolicy, vetted_transport


class HttpFetcher:
    """Every connection, redirect hops included, goes to an address the ``AddressPolicy`` allows (by default
    the settings' ``allow_private_addresses``); ``policy`` replaces it (tests allow single addresses).

    The client's transport is the vetted one, so proxy environment variables (HTTP_PROXY, ...) are not read:
    a proxy is configured with ``proxy`` ([fetch] proxy) only.
    """

    method = "http"

    def __init__(
        self, settings: FetchSettings | None = None, *, proxy: str | None = None, policy: AddressPolicy | None = None
    ) -> None:
        self.settings = settings or FetchSettings()
        self.policy = policy or AddressPolicy(self.settings.allow_private_addresses)
        self._client = httpx.AsyncClient(
            transport=vetted_transport(self.policy, proxy=proxy),
            follow_redirects=True,
            max_redirects=self.settings.max_redirects,
            timeout=httpx.Timeout(self.settings.timeout_s),
            headers={"User-Agent": self.settings.user_agent, **self.settings.extra_headers},
        )

    async def fetch(self, url: str, parser: object | None = None, *, user_agent: str | None = None) -> FetchedPage:
        """``user_agent`` overrides the configured one for this request (per-platform settings)."""
        url = validate_url(url)
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                return await self._fetch(url, started, user_agent)
        except FetchError as exc:
            if exc.reason == "blocked_address":  # from the connection of the page or of a redirect hop
                raise FetchError(exc.reason, f"{url}: {exc.args[0]}") from None
            raise
        except TimeoutError:
            raise FetchError("timeout", f"no complete answer from {url} within {self.settings.timeout_s:g}s") from None
        except httpx.TooManyRedirects:
            raise FetchError("too_many_redirects", f"more than {self.settings.max_redirects} redirects") from None
        except httpx.TimeoutException:
            raise FetchError("timeout", f"{url} timed out") from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise FetchError("unreachable", f"{url}: {exc or type(exc).__name__}") from None
        except httpx.InvalidURL as exc:
            raise FetchError("bad_url", f"{url}: {exc}") from None
        except httpx.HTTPError as exc:
            raise FetchError("http_error", f"{url}: {exc or type(exc).__name__}") from None

    async def _fetch(self, url: str, started: float, user_agent: str | None = None) -> FetchedPage:
        limit = self.settings.max_page_bytes
        headers = {"User-Agent": user_agent} if user_agent else None
        async with self._client.stream("GET", url, headers=headers) as response:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise FetchError("too_large", f"page is {int(declared)} bytes, limit {limit}")
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > limit:
                    raise FetchError("too_large", f"page exceeds the {limit}-byte limit")
            html = decode_html(body, response.charset_encoding)
            return FetchedPage(
                url=url,
                final_url=str(response.url),
                status_code=response.status_code,
                html=html,
                method="http",
                elapsed_ms=round((time.monotonic() - started) * 1000),
            )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> HttpFetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
