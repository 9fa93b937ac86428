"""The one severity scale. Findings, claim changes and alerts are graded on it, recipients filter by it
(``min_severity``), and every list, digest and chart orders by it.

Storage keeps severities as the plain strings below and does not order them: ranking is this module's job.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")


class Severity(StrEnum):
    """Worst first: the members' order is the order in which every view lists them."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse: critical 4 down to info 0."""
        return _RANKS[self]

    @classmethod
    def parse(cls, value: object) -> Severity | None:
        """The severity ``value`` names, or None for anything off the scale (older data, hostile payloads)."""
        return cls(value) if isinstance(value, str) and value in _RANKS else None

    @classmethod
    def rank_of(cls, value: object) -> int:
        """The rank of a stored or received severity. A value off the scale ranks as ``info``: an alert from an
        older or newer version is still delivered to recipients who take everything, and listed with info."""
        return _RANKS.get(value, 0) if isinstance(value, str) else 0


_RANKS: dict[str, int] = {s.value: len(Severity) - 1 - i for i, s in enumerate(Severity)}


def worst_first(items: Iterable[T], severity: Callable[[T], object]) -> list[T]:
    """``items`` sorted worst severity first; a stable sort, so items of one severity keep their order."""
    return sorted(items, key=lambda item: -Severity.rank_of(severity(item)))


def counts_by_severity(counts: Mapping[str, int]) -> dict[str, int]:
    """Every severity of the scale, worst first, with its count in ``counts`` (0 when absent); off-scale keys
    follow, so nothing counted is dropped."""
    ordered = {s.value: int(counts.get(s.value, 0)) for s in Severity}
    ordered.update({k: int(v) for k, v in counts.items() if k not in ordered})
    return ordered
