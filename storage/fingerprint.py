"""Canonical JSON and the claims hash that decides whether a check saw anything new."""

from __future__ import annotations

import hashlib
import json
from typing import Any

# Fetch metadata that differs on every check but says nothing about the supplier.
_VOLATILE_SOURCE_KEYS: frozenset[str] = frozenset({"fetched_at"})


def json_dumps(value: Any) -> str:
    """JSON for storage: real UTF-8 (Chinese names stay 3 bytes, not 6-byte escapes), no NaN."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def canonical_json(value: Any) -> str:
    """Key-sorted, whitespace-free JSON: equal documents give byte-identical text."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":"))


def claims_fingerprint(claims: dict[str, Any]) -> dict[str, Any]:
    """The claims minus fetch metadata (source.fetched_at), i.e. what a change is measured on."""
    source = claims.get("source")
    if not isinstance(source, dict):
        return claims
    stripped = {k: v for k, v in source.items() if k not in _VOLATILE_SOURCE_KEYS}
    return {**claims, "source": stripped}


def claims_hash(claims: dict[str, Any]) -> str:
    """sha256 hex of the canonical JSON of the claims without source.fetched_at."""
    return hashlib.sha256(canonical_json(claims_fingerprint(claims)).encode("utf-8")).hexdigest()


def sha256_hex(data: bytes) -> str:
    """Content address of a blob."""
    return hashlib.sha256(data).hexdigest()
