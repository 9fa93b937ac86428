"""The scheduler never dies silently (monitor.watchdog) and says how it is doing.

Unit level: incidents are logged once and their recovery once, backoff doubles up to its cap, an outage of
stall_after or longer becomes one stall, a real APScheduler over a failing SQLite job store keeps running (and
plain APScheduler does not: the defect). Daemon level, as operators run it (a separate process, real Chromium,
the demo marketplace): the SQLite database on a tmpfs that fills up, and PostgreSQL behind a loopback proxy
that is cut; both times the daemon logs the trouble once, status reports it, checks resume on their own once
the fault is gone and the operators get one "checks were not running" alert.

No assertion depends on how long something took: conditions are polled with generous deadlines.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from conftest import requires_browser
from faults import (
    FaultUnavailableError,
    TcpProxy,
    fill_disk,
    free_disk,
    logged_at,
    postgres_base_url,
    postgres_schema,
    postgres_url,
    small_tmpfs,
    upstream_of,
    write_daemon_config,
)
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from test_daemon import Daemon, wait_for

from monitor import daemon as daemon_module
from monitor.config import Config, load_config
from monitor.status import status_report
from monitor.watchdog import (
    SCHEDULE_WRITES,
    SCHEDULER,
    STORAGE,
    Watchdog,
    WatchedJobStore,
    WatchedScheduler,
    check_area,
)
from storage import HeartbeatState, open_database, write_heartbeat

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def disk_full() -> OperationalError:
    return OperationalError("UPDATE apscheduler_jobs", {}, sqlite3.OperationalError("database or disk is full"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


def watchdog(clock: Clock, stall_after: timedelta = timedelta(minutes=5)) -> Watchdog:
    return Watchdog(stall_after, daemon_id="d1", host="host", pid=42, clock=clock)


def messages(caplog: pytest.LogCaptureFixture, level: int = logging.WARNING) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "monitor.watchdog" and r.levelno >= level]


# --- the watchdog alone --------------------------------------------------------------------------------------


def test_an_incident_is_logged_once_and_its_recovery_once(clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="monitor.watchdog")
    watch = watchdog(clock)
    assert (watch.tick_every, watch.max_backoff, watch.settle) == (15.0, 60.0, 60.0)
    delays = []
    for _ in range(100):  # 500 s of a failing store, one try every 5 s
        delays.append(watch.failed(STORAGE, disk_full()))
        clock.advance(5)
    assert delays[:8] == [1, 2, 4, 8, 16, 32, 60, 60] and set(delays[6:]) == {60}
    logged = messages(caplog)
    assert len(logged) == 1
    assert logged[0].startswith("checks are not running: checks cannot be stored: OperationalError: database or disk")
    assert watch.heartbeat().error_since == T0 and watch.heartbeat().last_error.endswith("database or disk is full")

    # A success, then a failure before it settled: the same incident goes on, nothing more is logged.
    watch.succeeded(STORAGE)
    clock.advance(30)
    watch.poll()
    assert watch.failing(STORAGE)
    watch.failed(STORAGE, disk_full())
    watch.succeeded(STORAGE)
    clock.advance(59)
    watch.poll()
    assert watch.failing(STORAGE) and len(messages(caplog)) == 1

    clock.advance(2)
    watch.poll()
    assert not watch.failing(STORAGE)
    logged = messages(caplog)
    assert logged[1] == "checks cannot be stored: recovered after 101 failure(s) over 8 min 50 s"
    assert logged[2].startswith("checks are running again after 8 min 50 s not running (since 2026-12-01T08:00:00")
    assert len(logged) == 3
    assert watch.heartbeat().error_since is None  # over; the last error stays visible with its time
    assert watch.heartbeat().last_error_at == T0 + timedelta(seconds=530)
    [stall] = watch.stalls  # 8 min 50 s is longer than stall_after (5 min): one stall to alert about
    assert (stall.since, stall.until, stall.failures) == (T0, T0 + timedelta(seconds=530), 101)
    assert stall.reason == "checks cannot be stored: OperationalError: database or disk is full"


def test_a_short_outage_is_no_stall_and_a_bug_is_logged_with_its_traceback(
    clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    watch = watchdog(clock)
    watch.failed(SCHEDULER, disk_full())
    clock.advance(10)
    watch.succeeded(SCHEDULER)
    clock.advance(61)
    watch.poll()
    assert watch.stalls == [] and not watch.incidents

    try:
        raise ValueError("a bug in one parser")
    except ValueError as exc:
        bug = exc
    for _ in range(5):
        watch.failed(check_area("haoyu"), bug)
    records = [r for r in caplog.records if r.name == "monitor.watchdog" and "haoyu" in r.getMessage()]
    assert len(records) == 1 and records[0].exc_info is not None  # once, with the traceback
    assert watch.outage is None, "one supplier's bug does not stop the checks"
    assert watch.heartbeat().error_since is None, "not a database error"


def test_a_long_incident_is_reminded_hourly(clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    watch = watchdog(clock)
    for _ in range(180):  # three hours, a failure a minute
        watch.failed(SCHEDULER, disk_full())
        clock.advance(60)
    reminders = [m for m in messages(caplog) if "still failing" in m]
    assert len(reminders) == 2 and "after 61 failure(s) over 1 h 0 min" in reminders[0]


def test_a_tick_gap_longer_than_stall_after_is_a_stall(clock: Clock) -> None:
    watch = watchdog(clock, timedelta(seconds=60))
    watch.ticked()
    clock.advance(30)
    watch.ticked()
    assert watch.stalls == []
    clock.advance(90)  # nothing failed, yet no pass: the loop was blocked or the timer lost
    watch.ticked()
    [stall] = watch.stalls
    assert stall.since == T0 + timedelta(seconds=30) and "did not run" in stall.reason
    # A gap while an outage is going on is that outage's, not a second stall.
    watch.failed(SCHEDULER, disk_full())
    clock.advance(90)
    watch.succeeded(SCHEDULER)
    watch.ticked()
    assert len(watch.stalls) == 1


def test_a_daemon_that_died_is_reported_by_the_next_one(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    ended = subprocess.Popen(["true"])
    ended.wait()  # reaped: its pid names no process now
    dead_pid = ended.pid
    host, now = socket.gethostname(), datetime.now(UTC)
    with open_database(f"sqlite:///{tmp_path / 'monitor.db'}") as db:
        killed = HeartbeatState(id="old", host=host, pid=dead_pid, started_at=now - timedelta(hours=1),
                                last_tick_at=now - timedelta(minutes=10))  # fmt: skip
        write_heartbeat(db, killed, now=now - timedelta(minutes=10))
        watch = Watchdog(timedelta(minutes=5), daemon_id="new", host=host, pid=os.getpid())
        daemon_module._previous_daemon(db, watch)
        [stall] = watch.stalls
        assert stall.daemon_id == "old" and stall.since == now - timedelta(minutes=10)
        assert "stopped without shutting down (killed, crashed" in stall.reason

        # Killed a moment ago and restarted at once: said, but no stall (checks were not missed for long).
        write_heartbeat(db, replace(killed, id="recent", started_at=now, last_tick_at=now), now=now)
        watch = Watchdog(timedelta(minutes=5), daemon_id="new", host=host, pid=os.getpid())
        daemon_module._previous_daemon(db, watch)
        assert watch.stalls == []
    assert "did not shut down cleanly" in caplog.text and "is it still running" not in caplog.text


# --- APScheduler over a failing job store ------------------------------------------------------------------

RUNS: list[float] = []


async def count_run() -> None:
    RUNS.append(time.monotonic())


class Breaker:
    """Makes the SQLAlchemy job store's reads or writes fail like a full disk, on demand."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.reads = self.writes = False
        update, due = SQLAlchemyJobStore.update_job, SQLAlchemyJobStore.get_due_jobs

        def update_job(store: SQLAlchemyJobStore, job: Any) -> None:
            if self.writes:
                raise disk_full()
            update(store, job)

        def get_due_jobs(store: SQLAlchemyJobStore, now: datetime) -> Any:
            if self.reads:
                raise disk_full()
            return due(store, now)

        monkeypatch.setattr(SQLAlchemyJobStore, "update_job", update_job)
        monkeypatch.setattr(SQLAlchemyJobStore, "get_due_jobs", get_due_jobs)


async def until(predicate: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)


def test_plain_apscheduler_dies_on_a_job_store_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The defect behind the watchdog (APScheduler 3.x): update_job raising inside wakeup leaves the timer
    unarmed for good. Should a new APScheduler fix this, this test fails: WatchedScheduler could then shrink."""
    breaker = Breaker(monkeypatch)
    RUNS.clear()

    async def main() -> None:
        store = SQLAlchemyJobStore(url=f"sqlite:///{tmp_path / 'jobs.db'}")
        scheduler = AsyncIOScheduler(timezone="UTC", jobstores={"default": store})
        asyncio.get_running_loop().set_exception_handler(lambda *_: None)  # the "Exception in callback" line
        scheduler.start()
        scheduler.add_job(count_run, IntervalTrigger(seconds=0.2), id="job", coalesce=True, misfire_grace_time=5)
        await until(lambda: len(RUNS) >= 2, "two runs")
        breaker.writes = True
        broken_at = len(RUNS)
        await until(lambda: len(RUNS) > broken_at, "the run whose update fails")
        breaker.writes = False
        dead_at = len(RUNS)
        await asyncio.sleep(2)  # ten intervals: a live scheduler would have run the job again
        assert len(RUNS) == dead_at, "APScheduler recovered on its own"
        scheduler.shutdown(wait=False)

    asyncio.run(main())


def test_watched_scheduler_survives_job_store_errors_and_catches_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    breaker = Breaker(monkeypatch)
    RUNS.clear()
    watch = Watchdog(timedelta(seconds=5), daemon_id="d1", host="host", pid=42)

    async def main() -> WatchedJobStore:
        store = WatchedJobStore(url=f"sqlite:///{tmp_path / 'jobs.db'}")
        scheduler = WatchedScheduler(watch, timezone="UTC", jobstores={"default": store})
        scheduler.start()
        scheduler.add_job(count_run, IntervalTrigger(seconds=0.2), id="job", coalesce=True, misfire_grace_time=5)
        await until(lambda: len(RUNS) >= 2, "two runs")

        # Writes refused: the schedule goes on from memory, the job runs on its interval (not once per retry).
        breaker.writes = True
        await until(lambda: watch.failing(SCHEDULE_WRITES), "the write failure noticed")
        runs = len(RUNS)
        await until(lambda: len(RUNS) >= runs + 3, "runs while the job store refuses writes")
        assert "job" in store.unsaved

        # Reads refused too: nothing can be scheduled; the scheduler keeps trying with backoff.
        breaker.reads = True
        await until(lambda: watch.failing(SCHEDULER), "the read failure noticed")
        assert watch.outage is not None

        breaker.reads = breaker.writes = False
        runs = len(RUNS)
        await until(lambda: len(RUNS) >= runs + 3, "runs after the job store works again")

        def settled() -> bool:
            watch.poll()
            return not watch.incidents

        await until(settled, "the incidents over")
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)
        return store

    store = asyncio.run(main())
    assert store.unsaved == {}, "the next run time kept in memory was written once the store took it"
    logged = messages(caplog)
    assert sum("checks are not running" in m for m in logged) == 1
    assert sum("recovered after" in m for m in logged) == 2  # the writes' and the reads' incidents
    assert sum("checks are running again" in m for m in logged) == 1
    assert watch.last_tick_at is not None


# --- the daemon, as operators run it -------------------------------------------------------------------------

STALL_AFTER = 5.0


@pytest.fixture
def daemons() -> Iterator[list[Daemon]]:
    started: list[Daemon] = []
    yield started
    for d in started:
        if d.proc.poll() is None:
            d.proc.kill()
            d.proc.wait()


def outage_older_than_stall_after(daemon: Daemon) -> bool:
    started = logged_at(daemon.log, "checks are not running")
    return started is not None and time.time() > started + STALL_AFTER + 1.5


def daemon_status(config: Config) -> dict[str, Any]:
    return status_report(config)["daemon"]


def assert_quiet_log(log: str) -> None:
    """Trouble logged once per incident: one outage line, a handful of incident lines, no traceback."""
    assert log.count("checks are not running") == 1, log[-6000:]
    incident_lines = [line for line in log.splitlines() if "ERROR monitor.watchdog" in line]
    assert len(incident_lines) <= 8, "\n".join(incident_lines)
    assert "Traceback" not in log and "Exception in callback" not in log, log[-6000:]


def stall_alerts(url: str) -> list[tuple[str, dict[str, Any]]]:
    """The queued checks-stalled alerts, as (id, payload); SQLite hands JSON back as text, PostgreSQL decoded."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, payload FROM alert WHERE kind = 'checks_stalled'")).all()
    finally:
        engine.dispose()
    return [(row.id, json.loads(row.payload) if isinstance(row.payload, str) else row.payload) for row in rows]


def stored_checks(url: str) -> list[datetime]:
    """finished_at of every stored check (aware UTC)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text('SELECT finished_at FROM "check"')).scalars().all()
    except Exception:
        return []
    finally:
        engine.dispose()
    return [r.replace(tzinfo=UTC) if r.tzinfo is None else r for r in (_dt(v) for v in rows)]


def _dt(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def checks_after(url: str, moment: datetime) -> Callable[[], bool]:
    return lambda: any(finished > moment for finished in stored_checks(url))


IDS = ["haoyu-valves", "hengtai-machinery"]
SCHEDULER_KEYS = {"stall_after": f"{STALL_AFTER:g}s"}


@requires_browser
@pytest.mark.browser
@pytest.mark.timeout(240)
def test_disk_full_the_daemon_keeps_ticking_reports_it_and_resumes(
    tmp_path: Path, marketplace: Any, daemons: list[Daemon]
) -> None:
    try:
        mount = small_tmpfs(tmp_path / "disk", "32m")
        disk = mount.__enter__()
    except FaultUnavailableError as exc:
        pytest.skip(str(exc))
    try:
        url = f"sqlite:///{disk / 'monitor.db'}"
        config_path = tmp_path / "config.toml"  # config and log off the small disk
        write_daemon_config(config_path, marketplace.base_url, IDS, database_url=url, scheduler=SCHEDULER_KEYS)
        config = load_config(config_path)
        daemon = Daemon(config_path)
        daemons.append(daemon)
        wait_for(lambda: len(stored_checks(url)) >= 2, "first checks", daemon)
        wait_for(lambda: daemon_status(config)["status"] == "ok", "a healthy heartbeat", daemon)

        filler = fill_disk(disk)
        wait_for(lambda: "checks are not running" in daemon.log, "the outage logged", daemon)
        wait_for(lambda: daemon_status(config)["status"] in ("database_error", "stalled"), "status says so", daemon)
        report = daemon_status(config)
        if report["status"] == "database_error":  # the heartbeat got through: it carries the error
            assert "database or disk is full" in report["daemon"]["last_error"]
        else:  # it could not be written: status reads a stale heartbeat
            assert "stalled since" in report["message"]
        wait_for(lambda: outage_older_than_stall_after(daemon), "an outage longer than stall_after", daemon)

        free_disk(filler)
        freed = datetime.now(UTC)
        wait_for(checks_after(url, freed), "checks stored again, on their own", daemon)
        wait_for(lambda: "checks are running again" in daemon.log, "the recovery logged", daemon)
        wait_for(lambda: daemon_status(config)["status"] == "ok", "status healthy again", daemon)
        wait_for(lambda: stall_alerts(url), "the operators' alert queued", daemon)
        wait_for(lambda: "Checks were not running from" in daemon.log, "the alert delivered (console)", daemon)
        assert daemon.stop() == 0
        log = daemon.log
        [(_, payload)] = stall_alerts(url)
        assert "database or disk is full" in payload["details"]["reason"]
        assert_quiet_log(log)
        assert "recovered after" in log
        assert daemon_status(config)["status"] == "stopped"
    finally:
        mount.__exit__(None, None, None)


@requires_browser
@pytest.mark.browser
@pytest.mark.timeout(240)
def test_database_connection_lost_the_daemon_reports_it_and_resumes(
    tmp_path: Path, marketplace: Any, daemons: list[Daemon]
) -> None:
    try:
        base = postgres_base_url()
    except FaultUnavailableError as exc:
        pytest.skip(str(exc))
    with postgres_schema(base) as schema, TcpProxy(*upstream_of(base)) as proxy:
        direct = postgres_url(base, schema)
        config_path = tmp_path / "config.toml"
        proxied = postgres_url(base, schema, port=proxy.port)
        write_daemon_config(config_path, marketplace.base_url, IDS, database_url=proxied, scheduler=SCHEDULER_KEYS)
        config = load_config(config_path)
        # status reads the database directly: the daemon's way to it is what the test cuts
        direct_config = config.model_copy(update={"database": config.database.model_copy(update={"url": direct})})
        daemon = Daemon(config_path)
        daemons.append(daemon)
        wait_for(lambda: len(stored_checks(direct)) >= 2, "first checks", daemon)
        wait_for(lambda: daemon_status(direct_config)["status"] == "ok", "a healthy heartbeat", daemon)

        proxy.cut()
        wait_for(lambda: "checks are not running" in daemon.log, "the outage logged", daemon)
        wait_for(lambda: daemon_status(direct_config)["status"] == "stalled", "status says stalled", daemon)
        assert "stalled since" in daemon_status(direct_config)["message"]
        wait_for(lambda: outage_older_than_stall_after(daemon), "an outage longer than stall_after", daemon)
        assert "Traceback" not in daemon.log, daemon.log[-6000:]

        proxy.restore()
        restored = datetime.now(UTC)
        wait_for(checks_after(direct, restored), "checks stored again, on their own", daemon)
        wait_for(lambda: "checks are running again" in daemon.log, "the recovery logged", daemon)
        wait_for(lambda: daemon_status(direct_config)["status"] == "ok", "status healthy again", daemon)
        wait_for(lambda: stall_alerts(direct), "the operators' alert queued", daemon)
        wait_for(lambda: "Checks were not running from" in daemon.log, "the alert delivered (console)", daemon)
        assert daemon.stop() == 0
        [(_, payload)] = stall_alerts(direct)
        # Whichever of the two notices the cut first names the outage: the scheduler reading its job store, or a
        # check that was storing at that instant. Both are true; the driver's own words must be there either way.
        reason = payload["details"]["reason"]
        assert reason.startswith(("the scheduler cannot read its job store: ", "checks cannot be stored: ")), reason
        assert "OperationalError" in reason, reason
        assert_quiet_log(daemon.log)
        assert daemon_status(direct_config)["status"] == "stopped"
