"""The contract every platform parser fulfils, and the registry that finds one by name, URL or content.

A parser subclasses :class:`PlatformParser`; defining the subclass registers it (urlwatch style). A built-in
platform is also named in :data:`BUILTIN_PLATFORMS` with its module and hosts, so that a URL finds its parser
without importing the others (every parser module costs start-up time: its markup, regexes, bs4): adding a
platform is its module and one line there.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit

from scrapers.claims import ClaimsDocument


class UnknownPlatformError(LookupError):
    """No parser is registered under the requested name."""


@dataclass(frozen=True)
class BuiltinPlatform:
    """Where a built-in parser class is defined (imported on the platform's first use) and the host suffixes it
    serves pages from (its class's ``hosts``)."""

    module: str
    hosts: tuple[str, ...] = ()


#: The built-in platforms by name. The order is the precedence of detection by markup (a page of an unknown
#: host), as it was when every module was imported up front: ``website`` never claims markup.
BUILTIN_PLATFORMS: dict[str, BuiltinPlatform] = {
    "website": BuiltinPlatform("scrapers.generic"),
    "1688": BuiltinPlatform("scrapers.platforms.china_1688", ("1688.com",)),
    "made_in_china": BuiltinPlatform("scrapers.platforms.made_in_china", ("made-in-china.com",)),
    "global_sources": BuiltinPlatform("scrapers.platforms.global_sources", ("globalsources.com",)),
    "indiamart": BuiltinPlatform("scrapers.platforms.indiamart", ("indiamart.com",)),
    "alibaba": BuiltinPlatform("scrapers.platforms.alibaba", ("alibaba.com",)),
}


class PlatformParser(ABC):
    """Reads one marketplace's pages into a claims document.

    ``parse`` must not raise on odd HTML: it returns a document with whatever it could read (possibly
    empty) and leaves status decisions to :mod:`scrapers.classify`.
    """

    name: ClassVar[str]
    #: Host suffixes this platform serves pages from ("alibaba.com" matches "x.en.alibaba.com"). A built-in
    #: platform's come from :data:`BUILTIN_PLATFORMS`.
    hosts: ClassVar[tuple[str, ...]] = ()

    _registry: ClassVar[dict[str, type[PlatformParser]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        name = getattr(cls, "name", None)
        if not name:
            return
        builtin = BUILTIN_PLATFORMS.get(name)
        if builtin is not None and cls.__module__ == builtin.module:
            if "hosts" in cls.__dict__ and cls.hosts != builtin.hosts:
                raise TypeError(f"{cls.__qualname__}.hosts differs from BUILTIN_PLATFORMS[{name!r}]: keep them in one")
            cls.hosts = builtin.hosts
        PlatformParser._registry[name] = cls

    # --- detection -------------------------------------------------------------------------------
    @classmethod
    def matches_url(cls, url: str) -> bool:
        return host_matches(url, cls.hosts)

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


def host_matches(url: str, hosts: tuple[str, ...]) -> bool:
    """Whether the URL's host is one of ``hosts`` or below one."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in hosts)


def platform_names() -> list[str]:
    """Every platform's name, sorted, without importing a parser (config validation, listings)."""
    return sorted({*BUILTIN_PLATFORMS, *PlatformParser._registry})


def registered_parsers() -> dict[str, type[PlatformParser]]:
    """Every parser class by name; imports every built-in parser module."""
    for name in BUILTIN_PLATFORMS:
        _builtin_class(name)
    return dict(PlatformParser._registry)


def get_parser(name: str) -> PlatformParser:
    """A new parser of the named platform; imports that platform's module only."""
    cls = _builtin_class(name) if name in BUILTIN_PLATFORMS else PlatformParser._registry.get(name)
    if cls is None:
        known = ", ".join(platform_names()) or "none"
        raise UnknownPlatformError(f"unknown platform {name!r}; known platforms: {known}")
    return cls()


def detect_parser(url: str, html: str | None = None) -> PlatformParser | None:
    """Pick the parser by URL host first, then by content (saved files, mirrors, the demo marketplace).

    The host is looked up in :data:`BUILTIN_PLATFORMS`, so a page of a known host imports its parser alone;
    only markup makes the built-in parsers load, in order, until one recognises it.
    """
    for name, builtin in BUILTIN_PLATFORMS.items():
        if host_matches(url, builtin.hosts):
            return get_parser(name)
    others = [cls for name, cls in PlatformParser._registry.items() if name not in BUILTIN_PLATFORMS]
    for cls in others:
        if cls.matches_url(url):
            return cls()
    if html:
        for name in BUILTIN_PLATFORMS:
            if _builtin_class(name).matches_content(html):
                return get_parser(name)
        for cls in others:
            if cls.matches_content(html):
                return cls()
    return None


def _builtin_class(name: str) -> type[PlatformParser]:
    """The built-in parser class; importing its module registers it."""
    if name not in PlatformParser._registry:
        importlib.import_module(BUILTIN_PLATFORMS[name].module)
    return PlatformParser._registry[name]
