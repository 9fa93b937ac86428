"""Plain HTTP fetching for server-rendered pages: cheap, and the reference the browser is measured against."""

from __future__ import annotations

import asyncio
import re
import time

import httpx

from scrapers.fetch.base import FetchedPage, FetchError, FetchSettings, validate_url

#: ``<meta charset="gbk">`` or ``<meta http-equiv="Content-Type" content="text/html; charset=gbk">``.
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def _declared_charset(head: bytes) -> str | None:
    """The charset the page declares in a meta tag, as a browser would use it when the header has none."""
    match = _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def _codec(label: str) -> str:
    """Browsers read GB2312/GBK labels as GB18030 (a superset); Python's gb2312 codec would garble GBK text."""
    return "gb18030" if label.lower().replace("_", "-") in ("gb2312", "gbk", "x-gbk", "gb-2312") else label


class HttpFetcher:
    method = "http"

    def __init__(self, settings: FetchSettings | None = None, *, proxy: str | None = None) -> None:
        self.settings = settings or FetchSettings()
        self._client = httpx.AsyncClient(
            follow_redirects=True,
            max_redirects=self.settings.max_redirects,
            timeout=httpx.Timeout(self.settings.timeout_s),
            headers={"User-Agent": self.settings.user_agent, **self.settings.extra_headers},
            proxy=proxy,
        )

    async def fetch(self, url: str, parser: object | None = None, *, user_agent: str | None = None) -> FetchedPage:
        """``user_agent`` overrides the configured one for this request (per-platform settings)."""
        url = validate_url(url)
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                return await self._fetch(url, started, user_agent)
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
            encoding = _codec(response.charset_encoding or _declared_charset(bytes(body[:4096])) or "utf-8")
            try:
                html = body.decode(encoding, errors="replace")
            except LookupError:
                html = body.decode("utf-8", errors="replace")
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
