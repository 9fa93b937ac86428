"""The alert: one event a person may act on, with a stable id that receivers can deduplicate on.

The same event always gets the same id (derived from what happened, not from when it was noticed), so
a check that is re-run after a crash produces ids the outbox already holds, and nothing is sent twice.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AlertKind(StrEnum):
    CLAIM_CHANGE = "claim_change"
    FINDING = "finding"
    FINDING_RESOLVED = "finding_resolved"
    CHECK_FAILING = "check_failing"
    RECOVERED = "recovered"
    LAYOUT_CHANGED = "layout_changed"
    #: The daemon's checks were not running for longer than scheduler.stall_after (monitor.alerts.stall).
    CHECKS_STALLED = "checks_stalled"
    #: "and 37 more": one check's alerts beyond [alerts] max_messages_per_check for a recipient, told in one
    #: message (monitor.alerts.compose.limit_messages); each of them is stored and listed as well.
    SUMMARY = "summary"

    @property
    def for_operators(self) -> bool:
        """Operational alerts go to operators only; buyers get what suppliers claim."""
        return self in (
            AlertKind.CHECK_FAILING,
            AlertKind.RECOVERED,
            AlertKind.LAYOUT_CHANGED,
            AlertKind.CHECKS_STALLED,
        )


class AlertSupplier(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str | None
    name: str | None
    url: str | None


class Alert(BaseModel):
    """The webhook body and the stored outbox payload (JSON field names are a public contract)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    kind: AlertKind
    severity: str  # a monitor.severity.Severity value
    supplier: AlertSupplier
    title: str
    details: dict[str, Any] = Field(default_factory=dict)
    observed_at: datetime

    def payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def alert_id(*parts: object) -> str:
    """A stable id from the facts that define the event (e.g. supplier, kind, snapshot ids, claim key)."""
    digest = hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode()).hexdigest()
    return f"alert-{digest[:24]}"
