"""The contract every platform parser fulfils, and the registry that finds one by name, URL or content.

A parser subclasses :class:`PlatformParser`; defining the subclass registers it (urlwatch style), so
adding a platform touches one module.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar
from urllib.parse import urlsplit

from scrapers.claims import ClaimsDocument


class UnknownPlatformError(LookupError):
    """No parser is registered under the requested name."""


class PlatformParser(ABC):
    """Reads one marketplace's pages into a claims document.

    ``parse`` must not raise on odd HTML: it returns a document with whatever it could read (possibly
    empty) and leaves status decisions to :mod:`scrapers.classify`.
    """

    name: ClassVar[str]
    #: Host suffixes this platform serves pages from ("alibaba.com" matches "x.en.alibaba.com").
    hosts: ClassVar[tuple[str, ...]] = ()

    _registry: ClassVar[dict[str, type[PlatformParser]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "name", None):
            PlatformParser._registry[cls.name] = cls

    # --- detection -------------------------------------------------------------------------------
    @classmethod
    def matches_url(cls, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == h or host.endswith("." + h) for h in cls.hosts)

    @classmethod
    def matches_content(cls, html: str) -> bool:
        """True when the markup is recognisably this platform's (used for saved files and demo hosts)."""
        return False

    # --- fetching hints ------------------------------------------------------------------------
    def wants_request(self, request_url: str, page_url: str) -> bool:
        """Whether the browser should let a sub-request through; everything off the page's origin is cut."""
        return same_origin(request_url, page_url)

    def data_in_html(self, url: str) -> bool:
        """Whether the served HTML can carry the claims (embedded JSON, server-rendered tables), so that
        plain HTTP is worth trying before the browser."""
        return False

    def ready_selector(self, url: str) -> str | None:
        """A CSS selector that appears once client-side rendering has put the claims in the DOM."""
        return None

    # --- reading -------------------------------------------------------------------------------
    @abstractmethod
    def parse(self, html: str, url: str) -> ClaimsDocument:
        """Read every claim the page holds. Never raises on malformed markup."""


def same_origin(url: str, other: str) -> bool:
    """Same scheme, host and port (default ports filled in), as a browser defines an origin."""

    def origin(value: str) -> tuple[str, str | None, int | None]:
        parts = urlsplit(value)
        try:
            port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
        except ValueError:
            port = None
        return parts.scheme, parts.hostname, port

    return origin(url) == origin(other)


def registered_parsers() -> dict[str, type[PlatformParser]]:
    _load_builtin_platforms()
    return dict(PlatformParser._registry)


def get_parser(name: str) -> PlatformParser:
    parsers = registered_parsers()
    try:
        return parsers[name]()
    except KeyError:
        known = ", ".join(sorted(parsers)) or "none"
        raise UnknownPlatformError(f"unknown platform {name!r}; known platforms: {known}") from None


def detect_parser(url: str, html: str | None = None) -> PlatformParser | None:
    """Pick the parser by URL host first, then by content (saved files, mirrors, the demo marketplace)."""
    parsers = registered_parsers()
    for cls in parsers.values():
        if cls.matches_url(url):
            return cls()
    if html:
        for cls in parsers.values():
            if cls.matches_content(html):
                return cls()
    return None


def _load_builtin_platforms() -> None:
    # Importing the modules registers their parsers.
    import scrapers.generic
    import scrapers.platforms.china_1688
    import scrapers.platforms.global_sources
    import scrapers.platforms.indiamart
    import scrapers.platforms.made_in_china  # noqa: F401
    from scrapers.platforms import alibaba  # noqa: F401
