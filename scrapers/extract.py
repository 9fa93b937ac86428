"""From fetched markup to a classified claims document: the one place that joins parsing and classification.

Every page is read twice over: by its platform's parser, and by the generic reader underneath, which fills
what the platform parser did not read (and reads pages of no known platform alone, as ``website``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from scrapers.claims import ClaimsDocument, PageStatus, Source
from scrapers.classify import Classification, Marker, classify, wall_markers
from scrapers.platforms.base import PlatformParser, detect_parser, get_parser

log = logging.getLogger(__name__)


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


def read_claims(html: str, url: str, parser: PlatformParser | None) -> tuple[ClaimsDocument, list[Marker] | None]:
    """The platform parser's claims over the generic reader's; the generic reader alone without a parser.
    Also the page's wall markers when they were needed (``None`` when not looked for).

    A page that carries a wall's markers is left to the platform parser: a wall quoting the URL it refused
    ("…/certificates.html") is no supplier's statement, and must stay ``blocked``. Markers only matter
    when the platform parser read nothing (a page with the supplier's data is no wall), so a page it read
    does not pay for looking.

    The generic reader is imported here, not with this module: choosing a parser before a fetch, and a check
    whose page is served as it was (its claims are the last ones, nothing is read), never need it.
    """
    from scrapers.generic import WebsiteParser, merge_under, read_generic, site_names_of

    if parser is None or isinstance(parser, WebsiteParser):
        markers = wall_markers(html)
        if markers:
            return ClaimsDocument(source=Source(url=url, platform=WebsiteParser.name, page_type="unknown")), markers
        return (parser or WebsiteParser()).parse(html, url), markers
    claims = parser.parse(html, url)
    markers = None
    if not claims.has_claims():
        markers = wall_markers(html)
        if markers:
            return claims, markers
    try:
        generic = read_generic(html, url, site_names=site_names_of(parser.hosts))
    except Exception:  # the generic reader's bug must not cost the platform parser's claims
        log.exception("generic reader failed on %s", url)
        return claims, markers
    return merge_under(claims, generic), markers


def read_page(
    html: str,
    url: str,
    *,
    platform: str = "auto",
    http_status: int | None = None,
    final_url: str | None = None,
    fetched_at: datetime | None = None,
) -> PageReading:
    """Parse and classify one page. Never raises on page content; an unknown platform name does raise.

    An HTTP error answer (4xx/5xx) is never ``ok``; other than a 404/410 its document carries no claims.
    """
    if not isinstance(html, str):
        html = bytes(html).decode("utf-8", errors="replace") if isinstance(html, bytes | bytearray) else ""
    parser = choose_parser(final_url or url, html, platform)
    claims, markers = read_claims(html, url, parser)
    claims.source.url = url
    claims.source.fetched_at = fetched_at
    redirected_to = final_url if final_url and final_url != url else None
    verdict = classify(html, claims, http_status=http_status, final_url=redirected_to, markers=markers)
    if verdict.status is not PageStatus.OK and http_status not in (404, 410) and claims.has_claims():
        # What an error answer shows (a header, a stale copy) is nobody's claim: like a wall's document, it
        # carries none. A 404/410 keeps what the error page showed, as evidence (see docs/claims-schema.md).
        claims = ClaimsDocument(source=claims.source)
    claims.status = verdict.status
    return PageReading(claims=claims, classification=verdict)
