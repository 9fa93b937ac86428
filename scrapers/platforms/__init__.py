"""Platform parsers, one module per marketplace."""

from scrapers.platforms.base import (
    BUILTIN_PLATFORMS,
    BuiltinPlatform,
    PlatformParser,
    UnknownPlatformError,
    detect_parser,
    get_parser,
    platform_names,
    registered_parsers,
)

__all__ = [
    "BUILTIN_PLATFORMS",
    "BuiltinPlatform",
    "PlatformParser",
    "UnknownPlatformError",
    "detect_parser",
    "get_parser",
    "platform_names",
    "registered_parsers",
]
