"""What the daemon is doing, read from the database alone (works while the daemon runs, or after it stopped).

Per supplier: its last check and streak (storage's status_summary) and its next check (the daemon's job
store, table ``apscheduler_jobs``, read as plain rows so no job needs unpickling). Plus the alert queue.

A supplier whose latest check was skipped (not fetched: its host was being left alone after another
store's captcha or errors) keeps its last real status and streak; ``not_fetched`` says when and why, so
"last check 2 h ago" never looks like a stuck daemon nor like a failing supplier.

``parser_health``: per platform and page family, the fields its pages normally yield and the share the
recent checks filled (storage.parser_health), so a layout change that costs a field shows up here first.

``daemon``: whether the scheduler daemon is checking (monitor.health: its heartbeat's last tick, last stored
check, last database error); ``supplier-monitor status`` exits 1 when it is not (stalled, database errors).
Status only reads: it never creates a database (a mistyped path is an error, not a new empty file).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import func, select

from monitor.config import Config, redact_url
from monitor.distributed import QUEUES
from monitor.distributed.queue_status import queue_status
from monitor.health import CHECK_JOB_PREFIX, JOBS_TABLE, daemon_health, scheduled_jobs
from monitor.report import safe, status_text
from monitor.watchdog import span
from storage import Database, Delivery, open_database, parser_health, status_summary
from storage.outbox import FAILED, PENDING, SENDING

__all__ = ["CHECK_JOB_PREFIX", "JOBS_TABLE", "print_status", "scheduled_jobs", "status_report"]


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive datetimes; storage writes UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def _delivery_counts(db: Database) -> tuple[int, int, int]:
    """(pending, of which retrying after a failed attempt, given up)."""
    retrying = Delivery.status.in_((PENDING, SENDING)) & Delivery.last_error.is_not(None)
    with db.session() as session:
        rows = session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
        retrying_count = session.execute(select(func.count()).where(retrying)).scalar_one()
    counts = {status: int(n) for status, n in rows}
    return counts.get(PENDING, 0) + counts.get(SENDING, 0), int(retrying_count), counts.get(FAILED, 0)


def status_report(config: Config, db: Database | None = None) -> dict[str, Any]:
    """A JSON-ready report (datetimes as ISO strings): suppliers, next checks, the alert queue, the daemon's
    health. Raises DatabaseUnavailableError when there is no database yet (none is created)."""
    own = db is None
    database = db or open_database(config.database.url, must_exist=True)
    try:
        summary = {s.supplier_id: s for s in status_summary(database)}
        jobs = scheduled_jobs(database)
        pending, retrying, failed = _delivery_counts(database)
        health = parser_health(database)
        daemon = daemon_health(database, config.scheduler.stall_after, jobs=jobs)
        job_queue = queue_status(database, config.scheduler.worker_stall_timeout, QUEUES)
    finally:
        if own:
            database.dispose()
    configured = {s.id: s for s in config.suppliers}
    suppliers: list[dict[str, Any]] = []
    for supplier_id in sorted(set(summary) | set(configured)):
        row, conf = summary.get(supplier_id), configured.get(supplier_id)
        job_id = CHECK_JOB_PREFIX + supplier_id
        has_job = jobs is not None and job_id in jobs
        next_run = jobs.get(job_id) if jobs is not None else None
        suppliers.append(
            {
                "id": supplier_id,
                "name": conf.display_name if conf else (row.name if row else supplier_id),
                "active": conf is not None,
                "last_check_at": _iso(row.last_check_at) if row else None,
                "last_status": row.last_status if row else None,
                "last_ok_at": _iso(row.last_ok_at) if row else None,
                "checks": row.checks if row else 0,
                "consecutive_failures": row.consecutive_failures if row else 0,
                "not_fetched": (
                    {"at": _iso(row.skipped_at), "reason": row.skip_reason}
                    if row is not None and row.skipped_at is not None
                    else None
                ),
                "next_check_at": _iso(datetime.fromtimestamp(next_run, UTC)) if next_run is not None else None,
                "paused": bool(conf and conf.paused) or (has_job and next_run is None),
            }
        )
    check_jobs = sum(1 for job_id in jobs or {} if job_id.startswith(CHECK_JOB_PREFIX))
    return {
        "suppliers": suppliers,
        "queue": {
            "pending_deliveries": pending,
            "retrying_deliveries": retrying,
            "failed_deliveries": failed,
            "jobs": check_jobs,
        },
        "parser_health": [family.to_dict() for family in health],
        "daemon": daemon.to_dict(),
        "mode": config.scheduler.mode,
        # The distributed mode's job queue (available False on SQLite or before migration 0009).
        "job_queue": job_queue.to_json(),
        "database": redact_url(config.database.url),
    }


def _when(value: str | None) -> str:
    if not value:
        return "-"
    return datetime.fromisoformat(value).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def print_status(report: dict[str, Any], console: Console) -> None:
    """The report as a table for operators (untrusted names are stripped of control characters)."""
    table = Table(title=f"{len(report['suppliers'])} supplier(s), times in UTC")
    for column in ("supplier", "name", "last check", "status", "last ok", "checks", "failing", "next check"):
        table.add_column(column, overflow="fold")
    for s in report["suppliers"]:
        if not s["active"]:
            next_check = "not watched"
        elif s["paused"]:
            next_check = "paused"
        else:
            next_check = _when(s["next_check_at"]) if s["next_check_at"] else "not scheduled"
        table.add_row(
            safe(s["id"]), safe(s["name"], 60), _when(s["last_check_at"]),
            status_text(s["last_status"]) if s["last_status"] else "-", _when(s["last_ok_at"]),
            str(s["checks"]), str(s["consecutive_failures"] or ""), next_check,
        )  # fmt: skip
    console.print(table)
    for s in report["suppliers"]:
        if s.get("not_fetched"):
            skipped = s["not_fetched"]
            note = f"{s['id']}: not fetched at {_when(skipped['at'])} (not counted as a failure): {skipped['reason']}"
            console.print(safe(note, 400))
    if report["parser_health"]:
        console.print(parser_health_table(report["parser_health"]))
    queue = report["queue"]
    console.print(
        f"Scheduled checks: {queue['jobs']}. Deliveries pending: {queue['pending_deliveries']} "
        f"({queue['retrying_deliveries']} retrying after an error), given up: {queue['failed_deliveries']}. "
        f"Database: {report['database']}",
        markup=False,
    )
    print_daemon(report["daemon"], console)
    if report["job_queue"]["available"] and (report["mode"] == "distributed" or report["job_queue"]["workers"]):
        print_job_queue(report["job_queue"], console)


def print_job_queue(job_queue: dict[str, Any], console: Console) -> None:
    """Jobs per queue and each worker's last heartbeat (distributed mode)."""
    queues = Table(title="Job queue")
    for column in ("queue", "waiting", "due now", "running", "stalled", "failed"):
        queues.add_column(column, justify="left" if column == "queue" else "right")
    for q in job_queue["queues"]:
        queues.add_row(safe(q["queue"]), *(str(q[k]) for k in ("todo", "due", "doing", "stalled", "failed")))
    console.print(queues)
    if not job_queue["workers"]:
        console.print("No worker has a heartbeat: start one with `supplier-monitor worker`.", markup=False)
        return
    stall = span(job_queue["stall_timeout_seconds"])
    for w in job_queue["workers"]:
        state = f"STALLED (silent for more than {stall})" if w["stalled"] else "beating"
        console.print(
            f"worker {w['id']}: last heartbeat {_when(w['last_heartbeat'])} "
            f"({span(w['seconds_since'])} ago), {w['running']} job(s) running, {state}",
            markup=False,
        )


def print_daemon(daemon: dict[str, Any], console: Console) -> None:
    """The daemon's verdict, then what its heartbeat says (host names and errors printed as plain text)."""
    style = "green" if daemon["status"] == "ok" else ("yellow" if daemon["healthy"] else "bold red")
    line = Text("Daemon: ")
    line.append(daemon["status"].replace("_", " ").upper(), style=style)
    line.append(f" ({safe(daemon['message'], 600)})")
    console.print(line)
    beat = daemon.get("daemon")
    if beat:
        console.print(
            f"  started {_when(beat['started_at'])}, last scheduler tick {_when(beat['last_tick_at'])}, "
            f"last stored check {_when(beat['last_check_ok_at'])}, heartbeat {_when(beat['heartbeat_at'])}",
            markup=False,
        )
        if beat["last_error"]:
            console.print(
                safe(f"  last database error at {_when(beat['last_error_at'])}: {beat['last_error']}", 600),
                markup=False,
            )


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def parser_health_table(families: list[dict[str, Any]]) -> Table:
    """One row per page family: pages with a recent ok check, recent fill of the fields it normally yields
    and the fields it dropped (the parser names come from the database: printed as plain text)."""
    table = Table(title="Parser health (recent ok checks per page family)")
    for column in ("family", "pages", "fill", "dropped fields"):
        table.add_column(column, overflow="fold")
    for family in families:
        dropped = ", ".join(family["dropped"])
        table.add_row(
            safe(f"{family['platform']} {family['page_type']}", 80),
            str(family["pages"]),
            _percent(family["fill"]),
            Text(dropped, style="bold red") if dropped else Text("-"),
        )
    return table
