"""The operators' alert that checks were not running (the scheduler could not run its jobs or the database
could not store checks for longer than ``scheduler.stall_after``), queued once the daemon can write again.

One alert per outage: its id comes from the daemon and the moment the outage began, so queueing it again
(after a failed attempt, or a restart) adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.alerts.compose import outbox_row
from monitor.alerts.model import Alert, AlertKind, AlertSupplier, alert_id
from monitor.config import Config
from monitor.severity import Severity
from storage import Database, enqueue_alerts

CHECKS_STALLED_SEVERITY = Severity.HIGH
#: Error messages can be long (driver tracebacks in one line): the alert keeps the start.
MAX_REASON_CHARS = 500


@dataclass(frozen=True)
class Stall:
    """Checks were not running from ``since`` to ``until`` because of ``reason``."""

    daemon_id: str
    since: datetime
    until: datetime
    reason: str
    failures: int = 0

    @property
    def seconds(self) -> float:
        return (self.until - self.since).total_seconds()


def _at(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def checks_stalled_alert(stall: Stall) -> Alert:
    reason = stall.reason[:MAX_REASON_CHARS]
    return Alert(
        id=alert_id(AlertKind.CHECKS_STALLED.value, stall.daemon_id, stall.since.astimezone(UTC).isoformat()),
        kind=AlertKind.CHECKS_STALLED,
        severity=CHECKS_STALLED_SEVERITY,
        supplier=AlertSupplier(id=None, name=None, url=None),
        title=f"Checks were not running from {_at(stall.since)} to {_at(stall.until)}: {reason}",
        details={
            "since": stall.since.astimezone(UTC).isoformat(),
            "until": stall.until.astimezone(UTC).isoformat(),
            "seconds": round(stall.seconds),
            "reason": reason,
            "failures": stall.failures,
            "daemon": stall.daemon_id,
        },
        observed_at=stall.until,
    )


def queue_stall_alert(config: Config, db: Database, stall: Stall) -> bool:
    """Put the alert in the outbox for the operators (recipients with ``operator = true``); False when it was
    already there, or when no operator recipient is configured (nothing is queued then)."""
    row = outbox_row(checks_stalled_alert(stall), config, [])
    return row is not None and bool(enqueue_alerts(db, [row]))
