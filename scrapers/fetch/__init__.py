"""Getting pages: a real browser for JS-rendered pages, plain HTTP where the data is server-rendered."""

from scrapers.fetch.base import FetchedDocument, FetchedPage, FetchError, FetchSettings, validate_url
from scrapers.fetch.browser import BrowserFetcher
from scrapers.fetch.http import HttpFetcher

__all__ = [
    "BrowserFetcher",
    "FetchError",
    "FetchSettings",
    "FetchedDocument",
    "FetchedPage",
    "HttpFetcher",
    "validate_url",
]
