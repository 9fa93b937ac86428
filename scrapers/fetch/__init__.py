"""Getting pages: a real browser for JS-rendered pages, plain HTTP where the data is server-rendered.

The two fetchers load on first use (``from scrapers.fetch import HttpFetcher`` works as before): a command that
only needs ``FetchError`` does not pay for httpx or the browser pool.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapers.fetch.base import FetchedDocument, FetchedPage, FetchError, FetchSettings, validate_url

if TYPE_CHECKING:
    from scrapers.fetch.browser import BrowserFetcher
    from scrapers.fetch.http import HttpFetcher

_LAZY = {"BrowserFetcher": "scrapers.fetch.browser", "HttpFetcher": "scrapers.fetch.http"}

__all__ = [
    "BrowserFetcher",
    "FetchError",
    "FetchSettings",
    "FetchedDocument",
    "FetchedPage",
    "HttpFetcher",
    "validate_url",
]


def __getattr__(name: str) -> Any:
    """The fetcher classes, imported when first asked for."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
