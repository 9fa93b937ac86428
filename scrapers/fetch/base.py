"""What every fetcher returns or raises, and the settings they share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

FetchMethod = Literal["browser", "http"]
FailureReason = Literal[
    "bad_url",
    "timeout",
    "unreachable",
    "too_large",
    "too_many_redirects",
    "browser",
    "http_error",
    "robots_disallowed",  # robots.txt forbids the page (scrapers.fetch.politeness)
    "backing_off",  # the host is being left alone after errors or a block page
    # the address is loopback, private, link-local, ... and [fetch] allow_private_addresses is off
    # (scrapers.fetch.policy); a refusal of ours, not a fault of the host: no backoff, no outage
    "blocked_address",
    # a certificate document link answered with something that is no PDF or picture by its first bytes (an HTML
    # captcha or error page served for a .png link)
    "not_a_document",
]

DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36 "
    "supplier-monitor/0.1"
)


class FetchError(Exception):
    """A page could not be fetched; ``reason`` is a stable code for check records and alerts."""

    def __init__(self, reason: FailureReason, message: str, *, http_status: int | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        #: The HTTP status of an error answer (``http_error``), when the server gave one.
        self.http_status = http_status

    def __str__(self) -> str:
        return f"{self.reason}: {self.args[0]}"


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = DEFAULT_USER_AGENT
    #: Budget for the whole fetch (navigation, rendering, body), so a trickling server cannot hold a slot.
    timeout_s: float = 30.0
    max_page_bytes: int = 8 * 1024 * 1024
    max_redirects: int = 10
    extra_headers: dict[str, str] = field(default_factory=lambda: {"Accept-Language": "en-US,en;q=0.9"})
    #: Fetch loopback, private, link-local and other non-public addresses too (scrapers.fetch.policy). Off, a
    #: supplier URL or a redirect cannot make the monitor read its own network: only for a local marketplace.
    allow_private_addresses: bool = False


@dataclass
class FetchedPage:
    url: str
    final_url: str
    status_code: int | None
    html: str
    method: FetchMethod
    elapsed_ms: int
    screenshot: bytes | None = None


@dataclass
class FetchedDocument:
    """A certificate PDF or picture fetched with plain HTTP (``fetch_document``).

    ``status`` 304: the server says the file is the one it gave with ``etag`` / ``last_modified`` before, and
    ``data`` is empty. ``media_type`` is what the bytes are (scrapers.documents.sniff), ``content_type`` what
    the server called them.
    """

    url: str
    final_url: str
    status: int
    data: bytes
    media_type: str | None
    content_type: str | None
    etag: str | None
    last_modified: str | None
    elapsed_ms: int

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def validate_url(url: str) -> str:
    """Reject what no fetcher can load, with a message that says what is wrong.

    Always a ``FetchError("bad_url")``, never a ``ValueError``: malformed IPv6 hosts, out-of-range ports
    and hosts with spaces are refused here rather than crashing a check or surfacing as a browser error.
    """
    if not isinstance(url, str):
        raise FetchError("bad_url", f"{url!r} is not a URL string")
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # parsing the port raises ValueError when it is not a number in 0..65535
    except ValueError as exc:
        raise FetchError("bad_url", f"{url!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise FetchError("bad_url", f"{url!r} is not an http(s) URL")
    if not parts.hostname:
        raise FetchError("bad_url", f"{url!r} has no host")
    if any(ch.isspace() or ord(ch) < 0x20 for ch in parts.netloc):
        raise FetchError("bad_url", f"{url!r} has spaces or control characters in its host")
    if port == 0:
        raise FetchError("bad_url", f"{url!r} has port 0")
    return url.strip()


_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*://)", re.IGNORECASE)
#: What comes after "host:" in an authority that is no user:password: a port, maybe a path.
_PORT_AND_PATH = re.compile(r"\d*(?:/.*)?", re.DOTALL)
_HOST_TAIL = re.compile(r"^(\[[0-9a-f:.]+\]|[^@/?#\s:\[\]]*)(:\d*)?(?=[/?#]|$)", re.IGNORECASE)


def redact_url(url: str) -> str:
    """The URL fit to print: any password (or a bare token before "@") replaced by ***.

    Tolerates what urlsplit does not: "@", "/", ":", "?" or "#" inside an unescaped password (SQLAlchemy accepts
    them in database URLs). The host is what follows the last "@" after which a plain host[:port] and then the
    path, query or end come. An "@" in a query or fragment ("?email=a@b.com") is no credentials; nor is one
    after "host:port?" (a password of digits only before "?" or "#" is therefore not masked).
    """
    match = _SCHEME.match(url)
    if not match:
        return url
    scheme, rest = match.group(1), url[match.end() :]
    for at in reversed([i for i, ch in enumerate(rest) if ch == "@"]):
        if not _HOST_TAIL.match(rest[at + 1 :]):
            continue
        userinfo = rest[:at]
        head = re.split(r"[?#]", userinfo, maxsplit=1)[0]
        if head != userinfo:
            # "?" or "#" before this "@": a query or fragment ("host/path?email=a@b.com", "host:8080?x=a@b"), unless
            # what precedes it is user:password ("u:p?ss@host": the password has a "?" in it).
            user_part, colon, after = head.partition(":")
            if not colon or "/" in user_part or "@" in head or _PORT_AND_PATH.fullmatch(after):
                continue
        user, sep, _password = userinfo.partition(":")
        if not sep and "/" in userinfo:
            continue  # "host/path@x": no credentials
        masked = f"{user}:***" if sep else "***"
        return f"{scheme}{masked}@{rest[at + 1 :]}"
    return url


#: A URL inside text: scheme, "://", then anything up to whitespace, a quote or an angle bracket.
_URL_IN_TEXT = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")


def mask_urls(text: str) -> str:
    """``text`` with the password of every URL in it masked (redact_url): for reasons, findings and notes shown."""
    if "@" not in text:
        return text
    return _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), text)
