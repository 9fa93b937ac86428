"""The job queue at a glance, for ``status`` and the dashboard: jobs per queue and each worker's heartbeat.

Plain SQL on the project's database (no Procrastinate import, so it also answers from a machine that runs no
worker). Per queue: ``todo`` (waiting, of which ``due`` may start now; the rest wait for a retry's backoff),
``doing`` (running on a worker that beats), ``stalled`` (taken by a worker silent for longer than the stall
timeout, or one that is gone: the scheduler hands these to another worker), ``failed`` (out of attempts; kept
a week). Per worker: its last heartbeat, how many jobs it runs, and whether it counts as stalled.

Counts are read in one statement, so they add up at one instant.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from storage import Database

_QUEUES_SQL = """
SELECT j.queue_name AS queue,
       count(*) FILTER (WHERE j.status = 'todo') AS todo,
       count(*) FILTER (WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())) AS due,
       count(*) FILTER (WHERE j.status = 'doing' AND w.last_heartbeat >= now() - make_interval(secs => :stall))
           AS doing,
       count(*) FILTER (WHERE j.status = 'doing'
                        AND (w.id IS NULL OR w.last_heartbeat < now() - make_interval(secs => :stall))) AS stalled,
       count(*) FILTER (WHERE j.status = 'failed') AS failed
  FROM procrastinate_jobs j
  LEFT JOIN procrastinate_workers w ON w.id = j.worker_id
 WHERE j.status IN ('todo', 'doing', 'failed')
 GROUP BY j.queue_name
 ORDER BY j.queue_name
"""

_WORKERS_SQL = """
SELECT w.id, w.last_heartbeat, now() AS now,
       (SELECT count(*) FROM procrastinate_jobs j WHERE j.worker_id = w.id AND j.status = 'doing') AS running
  FROM procrastinate_workers w
 ORDER BY w.id
"""


@dataclass(frozen=True)
class QueueCounts:
    queue: str
    todo: int = 0
    due: int = 0
    doing: int = 0
    stalled: int = 0
    failed: int = 0


@dataclass(frozen=True)
class WorkerBeat:
    id: int
    last_heartbeat: datetime
    seconds_since: float
    running: int
    stalled: bool


@dataclass(frozen=True)
class QueueStatus:
    """``available`` is False when the database has no job queue (SQLite, or not migrated to 0009 yet)."""

    available: bool
    stall_timeout_seconds: float
    queues: list[QueueCounts] = field(default_factory=list)
    workers: list[WorkerBeat] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready (datetimes as ISO strings), for ``status --json`` and the dashboard's API."""
        data = asdict(self)
        for worker in data["workers"]:
            worker["last_heartbeat"] = worker["last_heartbeat"].astimezone(UTC).isoformat()
        return data


def queue_status(db: Database, stall_timeout: timedelta, queues: tuple[str, ...] = ()) -> QueueStatus:
    """Jobs per queue (every queue in ``queues`` listed, if empty) and the workers' heartbeats."""
    seconds = stall_timeout.total_seconds()
    if db.dialect != "postgresql":
        return QueueStatus(available=False, stall_timeout_seconds=seconds)
    with db.engine.connect() as conn:
        if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is None:
            return QueueStatus(available=False, stall_timeout_seconds=seconds)
        rows = conn.execute(text(_QUEUES_SQL), {"stall": seconds}).all()
        counts = {row.queue: QueueCounts(**row._asdict()) for row in rows}
        beats = conn.execute(text(_WORKERS_SQL)).all()
    for name in queues:
        counts.setdefault(name, QueueCounts(queue=name))
    workers = []
    for row in beats:
        since = (row.now - row.last_heartbeat).total_seconds()
        workers.append(WorkerBeat(row.id, row.last_heartbeat, round(since, 3), int(row.running), since > seconds))
    return QueueStatus(
        available=True,
        stall_timeout_seconds=seconds,
        queues=[counts[name] for name in sorted(counts)],
        workers=workers,
    )
