"""Platform parsers, one module per marketplace."""

from scrapers.platforms.base import (
    PlatformParser,
    UnknownPlatformError,
    detect_parser,
    get_parser,
    registered_parsers,
)

__all__ = ["PlatformParser", "UnknownPlatformError", "detect_parser", "get_parser", "registered_parsers"]
