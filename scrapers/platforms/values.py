"""Defensive access to scraped values: JSON whose types drift between page versions, text with mojibake.

Every accessor tolerates wrong types and returns ``None``/empty instead of raising, so one odd field costs that
field, never the page.
"""

from __future__ import annotations

import re
from typing import Any

from scrapers.normalize import clean_text

__all__ = [
    "MAX_LIST_ITEMS",
    "as_bool",
    "as_dict",
    "as_list",
    "as_text",
    "cert_names",
    "dig",
    "first_text",
    "market_names",
    "text_list",
]

MAX_LIST_ITEMS = 500


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value[:MAX_LIST_ITEMS]
    return []


def dig(value: Any, *keys: str | int) -> Any:
    """``value[k1][k2]...`` with ``None`` for any missing key or wrong type on the way."""
    for key in keys:
        if isinstance(key, int):
            value = value[key] if isinstance(value, list) and -len(value) <= key < len(value) else None
        else:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            return None
    return value


def as_text(value: Any) -> str | None:
    """A cleaned non-empty string from a str/number, else ``None`` (dicts with a ``value`` are unwrapped)."""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | str):
        text = clean_text(value)[:2000]
        return text or None
    return None


# Flag spellings seen in the families' JSON (English and Chinese); anything else is "the page does not say".
_TRUE_WORDS = frozenset(
    {"true", "yes", "y", "1", "verified", "passed", "pass", "是", "已验证", "已通过", "通过", "已认证"}
)
_FALSE_WORDS = frozenset(
    {"false", "no", "n", "0", "", "unverified", "not verified", "failed", "否", "未验证", "未通过"}
)


def as_bool(value: Any) -> bool | None:
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value) if value == value else None
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE_WORDS:
            return True
        if lowered in _FALSE_WORDS:
            return False
    return None


def first_text(record: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        text = as_text(record.get(key))
        if text:
            return text
    return None


def text_list(value: Any) -> list[str]:
    """Names from a list of strings / dicts with name/title/value, or a comma-separated string."""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    items: list[str] = []
    if isinstance(value, str):
        items = [clean_text(part) for part in re.split(r"[,;，；、\n]", value)]
    else:
        for item in as_list(value):
            if isinstance(item, dict):
                items.append(first_text(item, "name", "title", "categoryName", "value", "label") or "")
            else:
                items.append(as_text(item) or "")
    out: list[str] = []
    for item in items:
        if item and item not in out:
            out.append(item[:200])
    return out


_SHARE = re.compile(r"\s*[(（]?\s*(\d+(?:\.\d+)?)\s*%\s*[)）]?\s*$")


def market_names(value: Any) -> list[str]:
    """Markets from names / ``{"name": ..., "value": "40%"}`` dicts / "North America 40.00%, Oceania(5%)" text,
    each as "Name N%" with its share when the page gives one (trailing zeros dropped), else the name."""
    out: list[str] = []
    for item in as_list(value) if isinstance(value, list) else [value]:
        share = None
        if isinstance(item, dict):
            share = as_text(item.get("value") or item.get("percent") or item.get("percentage") or item.get("rate"))
        for entry in text_list([item] if isinstance(item, dict) else item):
            market = _with_share(entry, share)
            if market and market not in out:
                out.append(market)
    return out


def _with_share(entry: str, share: str | None) -> str | None:
    found = _SHARE.search(entry)
    name = (_SHARE.sub("", entry) if found else entry).strip(" ,;:")
    number = found.group(1) if found else (_SHARE.search(share).group(1) if share and _SHARE.search(share) else None)
    if not name or name.replace(".", "").isdigit():
        return None
    if number is None:
        return name
    number = number.rstrip("0").rstrip(".") if "." in number else number
    return f"{name} {number}%"


# "CE/RoHS" are two marks; "GB/T", "ISO/IEC", "ISO/TS" and "OHSAS/ OHSMS" are one name.
_CERT_SPLIT = re.compile(
    r"[,;，；、|\n]|(?<!\bGB)(?<!\bISO)(?<!\bIEC)(?<!\bOHSAS)/(?!\s*(?:T|IEC|TS|OHSMS)\b)",
    re.I,
)
_NOISE = re.compile(r"none|no|nil|n\s*/?\s*a|others?|etc\.?|-+|\.{2,}|…+", re.I)
MAX_CERT_NAME_CHARS = 100
MAX_CERT_NAMES = 50


def cert_names(value: str) -> list[str]:
    """The entries of a certification value ("ISO 9001, CE/RoHS") as shown, split on separators and between
    marks; placeholders ("Others", "...") dropped."""
    names: list[str] = []
    if _NOISE.fullmatch(clean_text(value)):
        return names  # "N/A" is a placeholder, not the marks "N" and "A"
    for part in _CERT_SPLIT.split(value):
        name = clean_text(part)
        if len(name) < 2 or _NOISE.fullmatch(name) or len(name) > MAX_CERT_NAME_CHARS:
            continue
        if name.casefold() not in (n.casefold() for n in names):
            names.append(name)
        if len(names) >= MAX_CERT_NAMES:
            break
    return names
