"""The scheduler daemon's heartbeat rows (see models.DaemonHeartbeat): written by the daemon, read by status and
/healthz. The daemon keeps the state in memory and writes all of it each time, so a write that failed (disk
full, database down) loses nothing once one succeeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, inspect, select

from storage.db import Database
from storage.models import DaemonHeartbeat, utcnow

#: Rows of earlier daemon runs kept (a restart adds one); older ones are pruned when a daemon starts.
KEEP_HEARTBEATS = 50


@dataclass(frozen=True)
class HeartbeatState:
    """What the daemon reports about itself (the row's columns but ``beat_at``, which is the write time)."""

    id: str
    host: str
    pid: int
    started_at: datetime
    last_tick_at: datetime | None = None
    last_check_ok_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    error_since: datetime | None = None
    stopped_at: datetime | None = None


def write_heartbeat(db: Database, state: HeartbeatState, *, now: datetime | None = None) -> None:
    """Insert or update the daemon's row with ``state``; ``beat_at`` is ``now``."""
    values = {
        "host": state.host[:255],
        "pid": state.pid,
        "started_at": state.started_at,
        "beat_at": now or utcnow(),
        "last_tick_at": state.last_tick_at,
        "last_check_ok_at": state.last_check_ok_at,
        "last_error": state.last_error[:2000] if state.last_error else state.last_error,
        "last_error_at": state.last_error_at,
        "error_since": state.error_since,
        "stopped_at": state.stopped_at,
    }
    with db.session(write=True) as session:
        row = session.get(DaemonHeartbeat, state.id)
        if row is None:
            session.add(DaemonHeartbeat(id=state.id, **values))
        else:
            for key, value in values.items():
                setattr(row, key, value)


def latest_heartbeat(db: Database) -> DaemonHeartbeat | None:
    """The row of the most recently started daemon; None when no daemon ever wrote one (or the database
    predates heartbeats)."""
    if not inspect(db.engine).has_table(DaemonHeartbeat.__tablename__):
        return None
    with db.session() as session:
        stmt = select(DaemonHeartbeat).order_by(DaemonHeartbeat.started_at.desc(), DaemonHeartbeat.beat_at.desc())
        return session.execute(stmt.limit(1)).scalars().first()


def prune_heartbeats(db: Database, keep: int = KEEP_HEARTBEATS) -> int:
    """Delete all but the ``keep`` most recently started rows; returns how many went."""
    with db.session(write=True) as session:
        kept = select(DaemonHeartbeat.id).order_by(DaemonHeartbeat.started_at.desc()).limit(keep)
        result = session.execute(
            delete(DaemonHeartbeat).where(DaemonHeartbeat.id.not_in(kept)),
            execution_options={"synchronize_session": False},
        )
        return int(result.rowcount or 0)
