"""Plain HTTP fetching for server-rendered pages: cheap, and the reference the browser is measured against."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx

from scrapers.documents.sniff import sniff
from scrapers.fetch.base import FetchedDocument, FetchedPage, FetchError, FetchSettings, validate_url
from scrapers.fetch.encoding import decode_html
from scrapers.fetch.policy import AddressPolicy, vetted_transport

#: What a certificate link is asked for: PDFs and pictures first, anything else accepted (and then sniffed).
DOCUMENT_ACCEPT = "application/pdf,image/avif,image/webp,image/png,image/jpeg,image/*;q=0.9,*/*;q=0.5"
#: How much of a document is enough to tell a PDF or picture from an HTML page (a PDF may start after junk).
SNIFF_BYTES = 1024
T = TypeVar("T")


def _refuse_unless_document(url: str, body: bytearray, response: httpx.Response) -> None:
    """A body that is no PDF or picture ends the fetch (its first KB tells), whatever the server called it."""
    if sniff(bytes(body[:SNIFF_BYTES])) is None:
        served = response.headers.get("content-type") or "no content type"
        raise FetchError("not_a_document", f"{url}: the answer is no PDF or picture ({served}, {len(body)} bytes)")


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
        return await self._guarded(url, self._fetch(url, started, user_agent))

    async def fetch_document(
        self,
        url: str,
        *,
        max_bytes: int,
        etag: str | None = None,
        last_modified: str | None = None,
        user_agent: str | None = None,
    ) -> FetchedDocument:
        """A certificate PDF or picture, conditionally when ``etag`` / ``last_modified`` of an earlier fetch are
        known (a 304 comes back as such, with no data).

        Refused with a ``FetchError``: an error answer (``http_error``, with its ``http_status``), a body over
        ``max_bytes`` (``too_large``, stopped as soon as it passes) and a body that is no PDF or picture by its
        first bytes (``not_a_document``: an HTML captcha served for a .png link), besides the failures of ``fetch``.
        """
        url = validate_url(url)
        started = time.monotonic()
        headers = {"Accept": DOCUMENT_ACCEPT}
        if user_agent:
            headers["User-Agent"] = user_agent
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._guarded(url, self._fetch_document(url, started, headers, max_bytes))

    async def _guarded(self, url: str, work: Coroutine[Any, Any, T]) -> T:
        """``work`` within the fetch budget, every transport error turned into a ``FetchError`` with a stable reason."""
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                return await work
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

    async def _fetch_document(
        self, url: str, started: float, headers: dict[str, str], max_bytes: int
    ) -> FetchedDocument:
        async with self._client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status >= 400:
                raise FetchError("http_error", f"{url}: HTTP {status}", http_status=status)
            body = bytearray()
            if status != 304:
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError("too_large", f"{url}: document is {int(declared)} bytes, limit {max_bytes}")
                async for chunk in response.aiter_bytes():
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise FetchError("too_large", f"{url}: document exceeds the {max_bytes}-byte limit")
                    if len(body) - len(chunk) < SNIFF_BYTES <= len(body):
                        _refuse_unless_document(url, body, response)
                _refuse_unless_document(url, body, response)
            return FetchedDocument(
                url=url,
                final_url=str(response.url),
                status=status,
                data=bytes(body),
                media_type=sniff(bytes(body)) if body else None,
                content_type=response.headers.get("content-type"),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                elapsed_ms=round((time.monotonic() - started) * 1000),
            )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> HttpFetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
