"""Fetching certificate documents (HttpFetcher.fetch_document, PoliteFetcher.fetch_document) from a real loopback
server: conditional requests and 304, magic-byte checks, size limits, error answers, address policy, robots.txt
and host backoff."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest
from document_site import DocumentSite, Resource

from scrapers.fetch import FetchError, FetchSettings, HttpFetcher
from scrapers.fetch.policy import AddressPolicy
from scrapers.fetch.politeness import HostBackoff, HostGate, PoliteFetcher, RobotsPolicy

Run = Callable[[Coroutine[Any, Any, Any]], Any]
PDF = b"%PDF-1.7\n" + b"certificate body " * 400
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000
CAPTCHA = b"<!DOCTYPE html><html><body><h1>Please slide to verify</h1>" + b" " * 3000 + b"</body></html>"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def site() -> Iterator[DocumentSite]:
    server = DocumentSite()
    server.resources.update(
        {
            "/cert.pdf": Resource(PDF, "application/pdf", etag='"v1"'),
            "/cert.png": Resource(PNG, "application/octet-stream"),
            "/captcha.png": Resource(CAPTCHA, "image/png"),
            "/big.pdf": Resource(PDF * 50, "application/pdf"),
            "/streamed.pdf": Resource(PDF * 50, "application/pdf", length=-1),
            "/gone.png": Resource(b"not here", "text/plain", status=404),
            "/broken.png": Resource(b"oops", "text/plain", status=503),
            "/robots.txt": Resource(b"User-agent: *\nDisallow: /private/\n", "text/plain"),
            "/private/cert.pdf": Resource(PDF, "application/pdf"),
        }
    )
    yield server
    server.close()


@pytest.fixture(scope="module")
def http(run: Run) -> Iterator[HttpFetcher]:
    fetcher = HttpFetcher(FetchSettings(timeout_s=10, allow_private_addresses=True))
    yield fetcher
    run(fetcher.aclose())


def polite(http: HttpFetcher, **options: Any) -> PoliteFetcher:
    gate, backoff = HostGate(4, 0), HostBackoff(base_s=60, jitter=0)
    robots = RobotsPolicy(timeout_s=10, gate=gate, backoff=backoff, address_policy=http.policy)
    return PoliteFetcher(http, robots=robots, gate=gate, backoff=backoff, user_agent="cert-test", options=options)


def test_a_document_is_fetched_with_its_validators_and_a_second_fetch_is_conditional(
    run: Run, site: DocumentSite, http: HttpFetcher
) -> None:
    first = run(http.fetch_document(site.url("/cert.pdf"), max_bytes=MB))
    assert (first.status, first.data, first.media_type) == (200, PDF, "application/pdf")
    assert (first.content_type, first.etag, first.final_url) == ("application/pdf", '"v1"', site.url("/cert.pdf"))
    assert not first.not_modified

    again = run(http.fetch_document(site.url("/cert.pdf"), max_bytes=MB, etag=first.etag))
    assert again.not_modified and again.data == b"" and again.etag == '"v1"'
    assert site.conditional["/cert.pdf"] == 1

    # A server label that says nothing: the bytes decide.
    picture = run(http.fetch_document(site.url("/cert.png"), max_bytes=MB))
    assert (picture.media_type, picture.content_type) == ("image/png", "application/octet-stream")


def test_an_html_page_served_for_a_picture_link_is_not_a_document(
    run: Run, site: DocumentSite, http: HttpFetcher
) -> None:
    with pytest.raises(FetchError) as caught:
        run(http.fetch_document(site.url("/captcha.png"), max_bytes=MB))
    assert caught.value.reason == "not_a_document"
    assert "image/png" in str(caught.value)


@pytest.mark.parametrize("path", ["/big.pdf", "/streamed.pdf"])
def test_a_document_over_max_bytes_is_refused(run: Run, site: DocumentSite, http: HttpFetcher, path: str) -> None:
    """Announced too large, or streamed without a length: refused once past the limit, not read to the end."""
    with pytest.raises(FetchError) as caught:
        run(http.fetch_document(site.url(path), max_bytes=len(PDF) * 2))
    assert caught.value.reason == "too_large"
    fits = run(http.fetch_document(site.url(path), max_bytes=len(PDF) * 50))
    assert fits.data == PDF * 50


@pytest.mark.parametrize(("path", "status"), [("/gone.png", 404), ("/broken.png", 503)])
def test_error_answers_are_refused_with_their_status(
    run: Run, site: DocumentSite, http: HttpFetcher, path: str, status: int
) -> None:
    with pytest.raises(FetchError) as caught:
        run(http.fetch_document(site.url(path), max_bytes=MB))
    assert (caught.value.reason, caught.value.http_status) == ("http_error", status)


def test_loopback_documents_are_refused_without_allow_private_addresses(run: Run, site: DocumentSite) -> None:
    port = site.server.server_address[1]
    strict = HttpFetcher(FetchSettings(timeout_s=10), policy=AddressPolicy.make(False, allowed=["127.0.0.1"]))
    try:
        assert run(strict.fetch_document(site.url("/cert.pdf"), max_bytes=MB)).data == PDF  # the allowed address
        hits = site.hits["/cert.pdf"]
        with pytest.raises(FetchError) as caught:
            run(strict.fetch_document(f"http://127.0.0.2:{port}/cert.pdf", max_bytes=MB))
        assert caught.value.reason == "blocked_address"
        with pytest.raises(FetchError) as caught:
            run(strict.fetch_document(f"http://[::ffff:127.0.0.3]:{port}/cert.pdf", max_bytes=MB))
        assert caught.value.reason == "blocked_address"
        assert site.hits["/cert.pdf"] == hits
    finally:
        run(strict.aclose())


def test_the_polite_layer_asks_robots_txt_sends_the_platform_user_agent_and_backs_off_only_for_host_trouble(
    run: Run, site: DocumentSite, http: HttpFetcher
) -> None:
    fetcher = polite(http, user_agent="platform-agent/1.0")
    document = run(fetcher.fetch_document(site.url("/cert.png"), max_bytes=MB))
    assert document.data == PNG and site.user_agents[-1] == "platform-agent/1.0"

    with pytest.raises(FetchError) as caught:
        run(fetcher.fetch_document(site.url("/private/cert.pdf"), max_bytes=MB))
    assert caught.value.reason == "robots_disallowed" and site.hits["/private/cert.pdf"] == 0
    assert run(fetcher.fetch_document(site.url("/private/cert.pdf"), max_bytes=MB, ignore_robots=True)).data == PDF

    # A missing document is that document's problem; the host is not left alone.
    with pytest.raises(FetchError):
        run(fetcher.fetch_document(site.url("/gone.png"), max_bytes=MB))
    assert fetcher.backoff.retry_after(site.url("/cert.png")) is None
    # A 5xx is the host's trouble: its next fetches are refused until the backoff ends.
    with pytest.raises(FetchError):
        run(fetcher.fetch_document(site.url("/broken.png"), max_bytes=MB))
    hits = site.hits["/cert.png"]
    with pytest.raises(FetchError) as caught:
        run(fetcher.fetch_document(site.url("/cert.png"), max_bytes=MB))
    assert caught.value.reason == "backing_off" and site.hits["/cert.png"] == hits


def test_the_polite_layer_refuses_to_fetch_documents_through_a_fetcher_without_fetch_document() -> None:
    class PagesOnly:
        method = "browser"

        async def fetch(self, url: str, parser: Any = None, **options: Any) -> Any:
            raise AssertionError("not called")

    fetcher = PoliteFetcher(PagesOnly(), robots=None, gate=HostGate(), backoff=HostBackoff(), user_agent="x")
    with pytest.raises(TypeError, match="plain HTTP"):
        asyncio.run(fetcher.fetch_document("https://example.com/a.pdf", max_bytes=MB))
