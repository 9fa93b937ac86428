"""From fetched markup to a classified claims document: the one place that joins parsing and classification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from scrapers.claims import ClaimsDocument, PageStatus, Source
from scrapers.classify import Classification, classify
from scrapers.platforms.base import PlatformParser, detect_parser, get_parser


@dataclass(frozen=True)
class PageReading:
    claims: ClaimsDocument
    classification: Classification

    @property
    def status(self) -> PageStatus:
        return self.classification.status


def choose_parser(url: str, html: str | None = None, platform: str = "auto") -> PlatformParser | None:
    """The parser named by the operator, or the one whose hosts or markup match."""
    if platform and platform != "auto":
        return get_parser(platform)
    return detect_parser(url, html)


def read_page(
    html: str,
    url: str,
    *,
    platform: str = "auto",
    http_status: int | None = None,
    final_url: str | None = None,
    fetched_at: datetime | None = None,
) -> PageReading:
    """Parse and classify one page. Never raises on page content; an unknown platform name does raise."""
    parser = choose_parser(final_url or url, html, platform)
    if parser is None:
        claims = ClaimsDocument(source=Source(url=url, platform="unknown", page_type="unknown"))
    else:
        claims = parser.parse(html, url)
    claims.source.url = url
    claims.source.fetched_at = fetched_at
    redirected_to = final_url if final_url and final_url != url else None
    verdict = classify(html, claims, http_status=http_status, final_url=redirected_to)
    if parser is None and verdict.status is PageStatus.UNPARSEABLE:
        verdict = Classification(PageStatus.UNPARSEABLE, "no parser recognises this page's platform")
    claims.status = verdict.status
    return PageReading(claims=claims, classification=verdict)
