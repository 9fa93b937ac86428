"""Decide what a fetched page is before anyone trusts its (missing) claims.

Anti-bot and login walls answer with HTTP 200, and normal pages load the same anti-bot scripts and carry
"Sign in" links. So a marker alone never decides: a page is ``blocked`` or ``login_required`` only when it
carries the wall's markers *and* none of the supplier data a real page has. One marker per table row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from scrapers.claims import ClaimsDocument, PageStatus


@dataclass(frozen=True)
class Marker:
    """A sign of a wall; ``name`` ends up in the check's reason so operators see why."""

    name: str
    status: PageStatus
    pattern: re.Pattern[str]
    #: True for a sign that every wall of a family carries (captcha *and* login): it decides the status
    #: only when no specific marker does.
    generic: bool = False


def _marker(name: str, status: PageStatus, regex: str, *, generic: bool = False) -> Marker:
    return Marker(name, status, re.compile(regex, re.IGNORECASE), generic)


#: ``window._config_ = {...}`` of an Alibaba-group wall; "action" is not necessarily its first key.
_CONFIG_ACTION = r"_config_\s*=\s*\{[^{}]{0,5000}?[\"']action[\"']\s*:\s*[\"']"


WALL_MARKERS: tuple[Marker, ...] = (
    # Alibaba group "punish" interception (captcha / slider), served with HTTP 200.
    _marker("alibaba punish component", PageStatus.BLOCKED, r"<punish-component\b"),
    _marker("alibaba punish container", PageStatus.BLOCKED, r"id=[\"']baxia-punish[\"']"),
    # The rgv587 flag ends the captcha page *and* the 1688/Taobao login wall: generic.
    _marker("alibaba rgv587 flag", PageStatus.BLOCKED, r"<!--\s*rgv587_flag", generic=True),
    _marker("captcha action config", PageStatus.BLOCKED, _CONFIG_ACTION + "captcha"),
    _marker("captcha interception title", PageStatus.BLOCKED, r"<title>\s*captcha interception"),
    _marker("unusual traffic notice", PageStatus.BLOCKED, r"detected unusual traffic from your network"),
    # Imperva / Incapsula.
    _marker("incapsula resource", PageStatus.BLOCKED, r"/_Incapsula_Resource\?"),
    _marker("incapsula incident", PageStatus.BLOCKED, r"Incapsula incident ID"),
    # Cloudflare, DataDome, PerimeterX challenge pages.
    _marker("cloudflare challenge", PageStatus.BLOCKED, r"cf-challenge|challenges\.cloudflare\.com|cf_chl_opt"),
    _marker("cloudflare attention", PageStatus.BLOCKED, r"<title>\s*(attention required|just a moment)"),
    _marker("datadome captcha", PageStatus.BLOCKED, r"captcha-delivery\.com"),
    _marker("perimeterx captcha", PageStatus.BLOCKED, r"id=[\"']px-captcha[\"']"),
    # Login walls (Alibaba group / 1688 "tmd" login jump).
    _marker("login action config", PageStatus.LOGIN_REQUIRED, _CONFIG_ACTION + "login"),
    _marker("tmd login jump", PageStatus.LOGIN_REQUIRED, r"_____tmd_____(/|%2F)page(/|%2F)login_jump"),
)

#: CSS selectors of the same walls, so a browser can stop waiting for content that will never render.
WALL_SELECTORS = ("punish-component", "#baxia-punish", "#nocaptcha", "iframe#main-iframe", "#px-captcha")

NOT_FOUND_TEXT = re.compile(
    r"(page (you requested )?(could not|cannot|can't) be found|page not found|"
    r"(store|shop|supplier|company|page) (you are looking for )?(does not|doesn't|no longer) exist|"
    r"has been (closed|removed|deleted)|店铺不存在|页面不存在|找不到页面)",
    re.IGNORECASE,
)
LOGIN_HOSTS = re.compile(r"^(login|passport|signin)\.", re.IGNORECASE)
ERROR_PATH = re.compile(r"(^|/)(error|404|notfound|not-found|not_found)([./_-]|$)", re.IGNORECASE)
_RAW_TEXT_OPEN = re.compile(r"<(script|style)\b", re.IGNORECASE)
_RAW_TEXT_CLOSE = {"script": re.compile(r"</script", re.IGNORECASE), "style": re.compile(r"</style", re.IGNORECASE)}
#: ``[^<>]`` (not ``[^>]``) keeps stripping linear on markup full of unclosed ``<``.
_TAG = re.compile(r"<[^<>]*>")
_HEADINGS = re.compile(r"<(title|h[1-3])\b[^<>]*>(.{0,500}?)</\1", re.IGNORECASE | re.DOTALL)
#: Error pages are short. On a longer page a "has been removed" is as likely a widget's ("this item has been
#: removed from your cart") and the page is a layout the parser failed to read, so only headings count there.
NOT_FOUND_MAX_TEXT_CHARS = 5000
#: A page with less visible text than this and no claims is an empty shell, not a layout we failed to read.
EMPTY_PAGE_TEXT_CHARS = 200


@dataclass(frozen=True)
class Classification:
    status: PageStatus
    reason: str


def wall_markers(html: str) -> list[Marker]:
    return [m for m in WALL_MARKERS if m.pattern.search(html)]


def visible_text(html: str) -> str:
    """The page's text without tags, scripts and styles, whitespace collapsed.

    Linear in the page size even for broken markup (an unclosed ``<script`` hides the rest of the page, as
    it does in a browser), so a malformed page cannot stall a check.
    """
    parts: list[str] = []
    pos = 0
    while (opening := _RAW_TEXT_OPEN.search(html, pos)) is not None:
        parts.append(html[pos : opening.start()])
        closing = _RAW_TEXT_CLOSE[opening.group(1).lower()].search(html, opening.end())
        if closing is None:
            pos = len(html)
            break
        pos = closing.start()  # the closing tag itself goes with the other tags
    parts.append(html[pos:])
    return " ".join(_TAG.sub(" ", " ".join(parts)).split())


def visible_text_length(html: str) -> int:
    return len(visible_text(html))


def says_not_found(html: str) -> bool:
    """The page says the store/page does not exist: in its title or a heading, or anywhere in a short page."""
    headings = _TAG.sub(" ", " ".join(m.group(2) for m in _HEADINGS.finditer(html)))
    if NOT_FOUND_TEXT.search(headings):
        return True
    text = visible_text(html)
    return len(text) <= NOT_FOUND_MAX_TEXT_CHARS and NOT_FOUND_TEXT.search(text) is not None


def classify(
    html: str,
    claims: ClaimsDocument,
    *,
    http_status: int | None = None,
    final_url: str | None = None,
) -> Classification:
    """Status of a fetched page given what the parser could read from it.

    Never raises on page content; bytes are decoded as UTF-8 (with replacement characters).
    """
    if isinstance(html, bytes | bytearray | memoryview):
        html = bytes(html).decode("utf-8", errors="replace")
    elif not isinstance(html, str):
        html = ""
    if http_status in (404, 410):
        return Classification(PageStatus.NOT_FOUND, f"HTTP {http_status}")
    if claims.has_claims():
        return Classification(PageStatus.OK, "supplier data present")

    markers = wall_markers(html)
    # A generic marker (rgv587 flag) is on captcha and login walls alike: the specific ones say which it is.
    decisive = [m for m in markers if not m.generic] or markers
    for status in (PageStatus.BLOCKED, PageStatus.LOGIN_REQUIRED):
        if any(m.status is status for m in decisive):
            hits = [m.name for m in markers if m.status is status or m.generic]
            return Classification(status, "no supplier data; " + ", ".join(hits))
    if final_url and LOGIN_HOSTS.match(urlsplit(final_url).hostname or ""):
        return Classification(PageStatus.LOGIN_REQUIRED, f"redirected to sign-in page {final_url}")
    if http_status in (401, 407):
        return Classification(PageStatus.LOGIN_REQUIRED, f"HTTP {http_status}")
    if http_status in (403, 429, 503):
        return Classification(PageStatus.BLOCKED, f"HTTP {http_status} without supplier data")
    if final_url and ERROR_PATH.search(urlsplit(final_url).path):
        return Classification(PageStatus.NOT_FOUND, f"redirected to error page {final_url}")
    if says_not_found(html[:200_000]):
        return Classification(PageStatus.NOT_FOUND, "page says it does not exist")
    if visible_text_length(html) < EMPTY_PAGE_TEXT_CHARS:
        return Classification(PageStatus.NOT_FOUND, "empty page without supplier data")
    return Classification(PageStatus.UNPARSEABLE, "page has content but no claims the parser recognises")
