"""Is the scheduler daemon checking? One verdict for ``supplier-monitor status`` and the dashboard's /healthz,
read from the database alone (the daemon writes its heartbeat there: storage.heartbeat).

Verdicts (``status``), judged on the most recently started daemon's heartbeat:

- ``ok``: its scheduler ticked within ``scheduler.stall_after`` and no database trouble is going on;
- ``database_error``: it ticks, but it is meeting database errors right now (``error_since``): checks may not
  be stored;
- ``stalled``: its last tick, or its last heartbeat, is older than stall_after and it never said it stopped:
  killed, hung, or unable to write (disk full, database down); "stalled since" the last tick;
- ``no_heartbeat``: no daemon ever wrote a heartbeat, yet checks are scheduled and overdue by more than
  stall_after (a daemon older than heartbeats, or one that never could write);
- ``stopped``: it shut down cleanly (an operator stopped it): nothing is checking, on purpose;
- ``no_daemon``: no daemon has ever run on this database.

``ok``, ``stopped`` and ``no_daemon`` are healthy (exit 0, HTTP 200): a dashboard without a daemon, or a
daemon stopped on purpose, is not an outage. The others are not (``status`` exits 1, /healthz answers 503).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Column, Float, MetaData, Unicode, inspect, select
from sqlalchemy import Table as SaTable

from storage import DaemonHeartbeat, Database, latest_heartbeat

JOBS_TABLE = "apscheduler_jobs"  # same as monitor.daemon.JOBS_TABLE (not imported: status must stay light)
CHECK_JOB_PREFIX = "check:"

_jobs = SaTable(
    JOBS_TABLE, MetaData(), Column("id", Unicode(191), primary_key=True), Column("next_run_time", Float(25))
)

OK, DATABASE_ERROR, STALLED, NO_HEARTBEAT, STOPPED, NO_DAEMON = (
    "ok",
    "database_error",
    "stalled",
    "no_heartbeat",
    "stopped",
    "no_daemon",
)
HEALTHY = frozenset({OK, STOPPED, NO_DAEMON})


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _ago(now: datetime, then: datetime) -> str:
    seconds = max(0, round((now - then).total_seconds()))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min ago"


@dataclass(frozen=True)
class DaemonHealth:
    status: str
    message: str
    checked_at: datetime
    stall_after: timedelta
    heartbeat: DaemonHeartbeat | None = None
    #: For "stalled": since when (the last tick, or the start when it never ticked).
    stalled_since: datetime | None = None

    @property
    def healthy(self) -> bool:
        return self.status in HEALTHY

    def to_dict(self) -> dict[str, Any]:
        beat = self.heartbeat
        return {
            "status": self.status,
            "healthy": self.healthy,
            "message": self.message,
            "checked_at": _iso(self.checked_at),
            "stall_after_seconds": self.stall_after.total_seconds(),
            "stalled_since": _iso(self.stalled_since),
            "daemon": None
            if beat is None
            else {
                "host": beat.host,
                "pid": beat.pid,
                "started_at": _iso(beat.started_at),
                "heartbeat_at": _iso(beat.beat_at),
                "last_tick_at": _iso(beat.last_tick_at),
                "last_check_ok_at": _iso(beat.last_check_ok_at),
                "last_error": beat.last_error,
                "last_error_at": _iso(beat.last_error_at),
                "error_since": _iso(beat.error_since),
                "stopped_at": _iso(beat.stopped_at),
            },
        }


def assess(
    beat: DaemonHeartbeat | None,
    *,
    stall_after: timedelta,
    now: datetime,
    overdue_since: datetime | None = None,
) -> DaemonHealth:
    """The verdict for the latest heartbeat ``beat``; ``overdue_since``: the oldest next run time of an
    active scheduled check (only looked at when there is no heartbeat at all)."""
    if beat is None:
        if overdue_since is not None and now - overdue_since > stall_after:
            message = (
                f"checks have been due since {overdue_since.isoformat(timespec='seconds')} but no daemon has ever "
                "written a heartbeat: none is running, or it predates heartbeats (restart it)"
            )
            return DaemonHealth(NO_HEARTBEAT, message, now, stall_after, None, overdue_since)
        return DaemonHealth(NO_DAEMON, "no daemon has run on this database", now, stall_after)
    where = f"daemon pid {beat.pid} on {beat.host}"
    if beat.stopped_at is not None:
        message = f"{where} stopped at {beat.stopped_at.isoformat(timespec='seconds')}: no checks are running"
        return DaemonHealth(STOPPED, message, now, stall_after, beat)
    last_tick = beat.last_tick_at or beat.started_at
    error = f"; last database error {_ago(now, beat.last_error_at)}: {beat.last_error}" if beat.last_error_at else ""
    if now - last_tick > stall_after or now - beat.beat_at > stall_after:
        why = "no scheduler tick since then"
        if now - beat.beat_at > stall_after:
            why += (
                f", no heartbeat since {beat.beat_at.isoformat(timespec='seconds')} (killed, hung, or unable to "
                "write to the database)"
            )
        message = f"{where}: stalled since {last_tick.isoformat(timespec='seconds')}: {why}{error}"
        return DaemonHealth(STALLED, message, now, stall_after, beat, last_tick)
    if beat.error_since is not None:
        message = (
            f"{where} is running but meeting database errors since "
            f"{beat.error_since.isoformat(timespec='seconds')}: {beat.last_error}"
        )
        return DaemonHealth(DATABASE_ERROR, message, now, stall_after, beat)
    return DaemonHealth(OK, f"{where}: scheduler ticked {_ago(now, last_tick)}", now, stall_after, beat)


def scheduled_jobs(db: Database) -> dict[str, float | None] | None:
    """Job id -> next run time (UTC epoch seconds; None when paused); None when no daemon ever ran. Read as
    plain rows from the daemon's job store, so no job needs unpickling."""
    if not inspect(db.engine).has_table(JOBS_TABLE):
        return None
    with db.engine.connect() as conn:
        return {row.id: row.next_run_time for row in conn.execute(select(_jobs.c.id, _jobs.c.next_run_time))}


def oldest_next_check(jobs: dict[str, float | None] | None) -> datetime | None:
    """The earliest next run time of a scheduled (not paused) supplier check."""
    times = [t for job_id, t in (jobs or {}).items() if job_id.startswith(CHECK_JOB_PREFIX) and t is not None]
    return datetime.fromtimestamp(min(times), UTC) if times else None


def daemon_health(
    db: Database,
    stall_after: timedelta,
    *,
    jobs: dict[str, float | None] | None = None,
    now: datetime | None = None,
) -> DaemonHealth:
    """Read the latest heartbeat and judge it; ``jobs`` (scheduled_jobs) are read when not given."""
    beat = latest_heartbeat(db)
    overdue = None
    if beat is None:
        overdue = oldest_next_check(jobs if jobs is not None else scheduled_jobs(db))
    return assess(beat, stall_after=stall_after, now=now or datetime.now(UTC), overdue_since=overdue)
