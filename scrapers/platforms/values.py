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


_SHARE = re.compile(r"\s*[(（]?\s*\d+(?:\.\d+)?\s*%\s*[)）]?\s*$")


def market_names(value: Any) -> list[str]:
    """Market names from names / ``{"name": ...}`` dicts / "North America 40%, Oceania(5%)" text, shares dropped."""
    out: list[str] = []
    for item in text_list(value):
        name = _SHARE.sub("", item).strip()
        if name and name not in out:
            out.append(name)
    return out
