"""The scheduler daemon as operators run it: a separate process, real Chromium, the demo marketplace on
loopback, a SQLite file. What must hold for months of unattended running: checks happen on schedule, a
restart keeps the schedule (one catch-up check, no burst), SIGTERM mid-check leaves a consistent database
and no Chromium behind, config edits apply live, and `status` tells when each supplier is checked next."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
import pytest
import tomlkit
from conftest import requires_browser
from rich.console import Console

from monitor import daemon as daemon_module
from monitor.config import ConfigError, load_config
from monitor.demo.marketplace import DemoMarketplace
from monitor.demo.runner import LOOPBACK_POLITENESS
from monitor.demo.scenario import demo_suppliers, demo_verify_settings
from monitor.status import print_status, status_report
from storage import DatabaseUnavailableError, open_database

pytestmark = [requires_browser, pytest.mark.browser]

DAEMON = (
    "import sys; from pathlib import Path; from monitor.daemon import run_daemon; "
    "sys.exit(run_daemon(Path(sys.argv[1]), shutdown_grace=float(sys.argv[2])))"
)
#: Generous: Chromium on a loaded CI machine can take seconds per page.
DEADLINE = 90.0


def _name(process: psutil.Process) -> str:
    """A process's name, or "" when it exited while being looked at (browsers end helper processes often)."""
    try:
        return process.name()
    except psutil.Error:
        return ""


def write_config(
    path: Path,
    market: DemoMarketplace,
    ids: list[str],
    *,
    interval: str = "2s",
    scheduler: dict[str, str] | None = None,
    method: str = "browser",
    **per: Any,
) -> None:
    """A config for the daemon; ``per`` maps a supplier id to extra keys (paused, interval, cron).

    Tests about the schedule alone fetch with plain HTTP (``method="http"``): a check then takes a fraction of a
    second, not Chromium's start-up, so it never runs into the next scheduled time."""
    suppliers = []
    for s in demo_suppliers(market.base_url):
        if s["id"] in ids:
            suppliers.append({**s, **per.get(str(s["id"]).replace("-", "_"), {})})
    document = {
        "database": {"url": f"sqlite:///{path.parent / 'monitor.db'}"},
        "scheduler": {"jitter": "0s", "deliver_every": "2s", "check_timeout": "60s", **(scheduler or {})},
        "fetch": {"method": method, "allow_private_addresses": True},  # the marketplace is on loopback
        "politeness": LOOPBACK_POLITENESS,
        "verify": demo_verify_settings(),
        # These tests are about scheduling: OCR of the demo's certificates (seconds of CPU in every daemon
        # process) would only slow them. Daemons reading documents under faults: tests/test_watchdog.py.
        "documents": {"read": False},
        "defaults": {"interval": interval},
        "suppliers": suppliers,
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomlkit.dumps(document), encoding="utf-8")
    tmp.replace(path)  # atomic, like an editor's save


class Daemon:
    """`run_daemon` in its own process, logging to a file."""

    def __init__(self, config: Path, *, grace: float = 10.0) -> None:
        self.log_path = config.parent / f"daemon-{time.monotonic_ns()}.log"
        self._log = self.log_path.open("wb")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-c", DAEMON, str(config), str(grace)],
            cwd=config.parent,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def children(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def stop(self, timeout: float = 60.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self._log.close()
        return code

    def assert_running(self) -> None:
        assert self.proc.poll() is None, f"daemon exited with {self.proc.returncode}:\n{self.log}"


@pytest.fixture
def daemons() -> Iterator[list[Daemon]]:
    started: list[Daemon] = []
    yield started
    for d in started:
        if d.proc.poll() is None:
            d.proc.kill()
            d.proc.wait()


def wait_for(predicate: Callable[[], Any], what: str, daemon: Daemon | None = None, timeout: float = DEADLINE) -> Any:
    """Poll until ``predicate()`` is truthy; fail with the daemon's log otherwise."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if daemon is not None:
            daemon.assert_running()
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    log = daemon.log if daemon else ""
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{log[-6000:]}")


def _connect(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=15)
    return conn


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def checks(db: Path) -> dict[str, list[tuple[datetime, datetime]]]:
    """supplier id -> [(started_at, finished_at)] in start order; {} before the database exists."""
    if not db.exists():
        return {}
    try:
        with _connect(db) as conn:
            rows = conn.execute(
                'SELECT supplier_id, started_at, finished_at FROM "check" ORDER BY started_at'
            ).fetchall()
    except sqlite3.OperationalError:
        return {}
    found: dict[str, list[tuple[datetime, datetime]]] = {}
    for supplier, started, finished in rows:
        found.setdefault(supplier, []).append((_utc(started), _utc(finished)))
    return found


def jobs(db: Path) -> dict[str, tuple[float | None, dict[str, Any]]]:
    """Job id -> (next_run_time, unpickled job state) from the daemon's job store."""
    if not db.exists():
        return {}
    try:
        with _connect(db) as conn:
            rows = conn.execute("SELECT id, next_run_time, job_state FROM apscheduler_jobs").fetchall()
    except sqlite3.OperationalError:
        return {}
    return {job_id: (nrt, pickle.loads(state)) for job_id, nrt, state in rows}


def enough_checks(db: Path, ids: list[str], n: int) -> Callable[[], bool]:
    return lambda: all(len(checks(db).get(i, [])) >= n for i in ids)


# --- tests --------------------------------------------------------------------------------------------------


def test_checks_happen_on_schedule_and_status_shows_next_check(
    tmp_path: Path, marketplace: DemoMarketplace, daemons: list[Daemon]
) -> None:
    ids = ["haoyu-valves", "hengtai-machinery"]
    config_path, db = tmp_path / "config.toml", tmp_path / "monitor.db"
    write_config(config_path, marketplace, ids)
    daemon = Daemon(config_path)
    daemons.append(daemon)

    # A scheduler that did not repeat never gets past this wait.
    wait_for(enough_checks(db, ids, 2), "two checks of each supplier", daemon)

    report = status_report(load_config(config_path))
    json.dumps(report)  # JSON-ready: datetimes are ISO strings
    rows = {s["id"]: s for s in report["suppliers"]}
    assert set(rows) == set(ids)
    for supplier_id in ids:
        row = rows[supplier_id]
        assert row["checks"] >= 2
        assert row["last_check_at"] is not None and row["last_status"] is not None
        assert row["paused"] is False and row["active"] is True
        next_at = datetime.fromisoformat(row["next_check_at"])
        assert next_at.tzinfo is not None
        assert abs((next_at - datetime.now(UTC)).total_seconds()) < 30
    assert report["queue"]["jobs"] == 2
    assert report["queue"]["failed_deliveries"] == 0
    assert report["database"].startswith("sqlite:///")

    console = Console(record=True, width=200)
    print_status(report, console)
    text = console.export_text()
    assert "haoyu-valves" in text and "Scheduled checks: 2" in text

    assert daemon.stop() == 0
    log = daemon.log
    # One timestamped line per check outcome.
    lines = [line for line in log.splitlines() if "checked haoyu-valves:" in line]
    assert len(lines) >= 2
    assert all(line[:4].isdigit() and line[10] == " " for line in lines)
    assert "Traceback" not in log


def test_restart_keeps_the_schedule_and_catches_up_once(
    tmp_path: Path, marketplace: DemoMarketplace, daemons: list[Daemon]
) -> None:
    ids = ["haoyu-valves", "hengtai-machinery"]
    interval = 3.0  # far longer than a plain-HTTP check, so every on-schedule check starts on the trigger's grid
    config_path, db = tmp_path / "config.toml", tmp_path / "monitor.db"
    write_config(config_path, marketplace, ids, interval="3s", method="http")
    first = Daemon(config_path)
    daemons.append(first)
    wait_for(enough_checks(db, ids, 1), "a first check of each supplier", first)
    assert first.stop() == 0

    before = jobs(db)
    assert set(before) == {f"check:{i}" for i in ids}
    counts = {i: len(v) for i, v in checks(db).items()}
    # Two runs missed: a scheduler that bursts would run both back to back, off the grid (both caught below);
    # more missed runs would only lengthen the wait, not the check.
    downtime = 2 * interval + 2
    stopped_at = datetime.now(UTC)
    time.sleep(downtime)
    assert {i: len(v) for i, v in checks(db).items()} == counts, "checks while no daemon ran?"

    second = Daemon(config_path)
    daemons.append(second)
    wait_for(enough_checks(db, ids, max(counts.values()) + 3), "checks after the restart", second)
    assert second.stop() == 0

    after = jobs(db)
    assert set(after) == set(before)
    for job_id, (next_before, state_before) in before.items():
        next_after, state_after = after[job_id]
        trigger_before, trigger_after = state_before["trigger"], state_after["trigger"]
        # The job was kept, not re-created: same trigger start, so the same grid of run times.
        assert trigger_after.start_date == trigger_before.start_date
        assert trigger_after.interval.total_seconds() == interval
        assert next_before is not None and next_after is not None
        offset = (next_after - next_before) % interval
        assert min(offset, interval - offset) < 0.1, "next_run_time left the original grid"

    log = second.log
    for supplier_id in ids:
        assert f"{supplier_id} missed its run" in log
        grid = before[f"check:{supplier_id}"][1]["trigger"].start_date.timestamp()
        restarted = [c for c in checks(db)[supplier_id] if c[0] > stopped_at]
        assert len(restarted) >= 3
        # Exactly one catch-up check, then only on-grid checks: a burst of missed runs would start right
        # after one another, off the grid.
        off_grid = []
        for started, _finished in restarted:
            phase = (started.timestamp() - grid) % interval
            if not (phase < 1.0 or phase > interval - 0.05):
                off_grid.append(started)
        assert len(off_grid) <= 1, f"{supplier_id}: checks off the schedule after restart: {off_grid}"
        # A burst that began just after a grid time would look on-grid above; its second run would still start
        # before the next grid time. How long the catch-up took does not matter: the run due while it is going
        # is skipped (max_instances=1), and the one after starts on the grid.
        catch_up = restarted[0][0].timestamp()
        next_grid = grid + (math.floor((catch_up - grid) / interval) + 1) * interval
        early = [started for started, _ in restarted if started.timestamp() < next_grid - 0.05]
        assert len(early) == 1, f"{supplier_id}: more than one check before the first run after restart: {early}"


@pytest.mark.parametrize("grace", [1.0, 10.0], ids=["cancelled", "finished"])
def test_sigterm_mid_check_leaves_a_consistent_database(
    tmp_path: Path, marketplace: DemoMarketplace, daemons: list[Daemon], grace: float
) -> None:
    ids = ["haoyu-valves", "hengtai-machinery", "jiahe-electronics"]
    config_path, db = tmp_path / "config.toml", tmp_path / "monitor.db"
    write_config(config_path, marketplace, ids)
    daemon = Daemon(config_path, grace=grace)
    daemons.append(daemon)
    wait_for(enough_checks(db, ids, 1), "a first check of each supplier", daemon)

    marketplace.delay_ms = 2500  # every request now takes 2.5 s: checks stay in flight
    marketplace.stats.reset()
    wait_for(lambda: marketplace.stats.in_flight >= 1, "a check in flight", daemon)
    time.sleep(0.5)
    children = daemon.children()
    assert any("chrom" in _name(p).lower() for p in children), "no Chromium under the daemon"
    before = sum(len(v) for v in checks(db).values())
    code = daemon.stop(timeout=60)  # a daemon that ignored the grace period would be killed: code != 0
    assert code == 0, daemon.log
    log = daemon.log
    assert "daemon stopped" in log
    if grace < 2:
        assert "cancelled at shutdown" in log
    else:
        assert "cancelling" not in log
        assert sum(len(v) for v in checks(db).values()) > before, "the in-flight check was not allowed to finish"

    with _connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        orphans = conn.execute('SELECT id FROM snapshot WHERE id NOT IN (SELECT snapshot_id FROM "check" '
                               "WHERE snapshot_id IS NOT NULL)").fetchall()  # fmt: skip
        assert orphans == [], "a snapshot no check refers to: a half-written check"
        unfinished = conn.execute('SELECT count(*) FROM "check" WHERE finished_at IS NULL').fetchone()[0]
        assert unfinished == 0

    def left_behind() -> list[psutil.Process]:
        alive = []
        for p in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
        return alive

    # Chromium's helpers exit on their own after the browser: on a loaded machine that can take a while.
    wait_for(lambda: not left_behind(), f"the daemon's processes to exit: {[(p.pid, _name(p)) for p in children]}")


def test_config_changes_apply_without_a_restart(
    tmp_path: Path, marketplace: DemoMarketplace, daemons: list[Daemon]
) -> None:
    config_path, db = tmp_path / "config.toml", tmp_path / "monitor.db"
    write_config(config_path, marketplace, ["haoyu-valves"], method="http")
    daemon = Daemon(config_path)
    daemons.append(daemon)
    wait_for(enough_checks(db, ["haoyu-valves"], 1), "haoyu-valves checked", daemon)
    assert set(jobs(db)) == {"check:haoyu-valves"}

    # Added supplier: scheduled and checked.
    write_config(config_path, marketplace, ["haoyu-valves", "hengtai-machinery"], method="http")
    wait_for(enough_checks(db, ["hengtai-machinery"], 1), "the added supplier checked", daemon)
    assert set(jobs(db)) == {"check:haoyu-valves", "check:hengtai-machinery"}

    # A broken edit is reported and the running config kept.
    config_path.write_text("[[suppliers]]\nid = 'BAD ID'\n", encoding="utf-8")
    wait_for(lambda: "config change ignored" in daemon.log, "the bad config reported", daemon)
    assert set(jobs(db)) == {"check:haoyu-valves", "check:hengtai-machinery"}

    # Removed supplier: job gone, history kept (inactive); changed interval: trigger replaced; paused: no run.
    write_config(
        config_path, marketplace, ["hengtai-machinery", "jiahe-electronics"], method="http",
        hengtai_machinery={"interval": "3s"}, jiahe_electronics={"paused": True},
    )  # fmt: skip
    wait_for(lambda: set(jobs(db)) == {"check:hengtai-machinery", "check:jiahe-electronics"}, "jobs re-synced", daemon)
    resynced = datetime.now(UTC)
    wait_for(lambda: jobs(db)["check:hengtai-machinery"][1]["trigger"].interval.total_seconds() == 3, "new interval")
    paused_next, _ = jobs(db)["check:jiahe-electronics"]
    assert paused_next is None
    with _connect(db) as conn:
        active = dict(conn.execute("SELECT id, active FROM supplier").fetchall())
    assert active["haoyu-valves"] == 0 and active["hengtai-machinery"] == 1

    time.sleep(4)
    assert "jiahe-electronics" not in checks(db), "a paused supplier was checked"
    # A check already running when the supplier was removed may finish; none may start afterwards.
    late = [started for started, _ in checks(db)["haoyu-valves"] if started > resynced]
    assert late == [], "a removed supplier was still checked"

    report = status_report(load_config(config_path))
    rows = {s["id"]: s for s in report["suppliers"]}
    assert rows["jiahe-electronics"]["paused"] is True and rows["jiahe-electronics"]["next_check_at"] is None
    assert rows["haoyu-valves"]["active"] is False
    assert rows["haoyu-valves"]["checks"] == len(checks(db)["haoyu-valves"]) >= 1
    assert report["queue"]["jobs"] == 2
    assert daemon.stop() == 0


def test_status_without_a_daemon(tmp_path: Path, marketplace: DemoMarketplace) -> None:
    config_path = tmp_path / "config.toml"
    write_config(config_path, marketplace, ["haoyu-valves"], haoyu_valves={"paused": True})
    # Status only reads: without a database it says so and creates none.
    with pytest.raises(DatabaseUnavailableError, match=r"no database at .*; run a check or the daemon first"):
        status_report(load_config(config_path))
    assert not (tmp_path / "monitor.db").exists()
    open_database(load_config(config_path).database.url).dispose()  # what `check` or the daemon does first
    report = status_report(load_config(config_path))
    assert report["daemon"]["status"] == "no_daemon" and report["daemon"]["healthy"] is True
    assert report["queue"] == {"pending_deliveries": 0, "retrying_deliveries": 0, "failed_deliveries": 0, "jobs": 0}
    [row] = report["suppliers"]
    assert row["id"] == "haoyu-valves" and row["checks"] == 0 and row["next_check_at"] is None
    assert row["paused"] is True and row["last_check_at"] is None
    console = Console(record=True, width=200)
    print_status(report, console)
    assert "paused" in console.export_text()


def stored_checks(db: Path) -> list[tuple[str, str, str | None, int | None]]:
    """(supplier_id, status, error, snapshot_id) of every stored check, oldest first."""
    with _connect(db) as conn:
        return conn.execute(
            'SELECT supplier_id, status, error, snapshot_id FROM "check" ORDER BY started_at, id'
        ).fetchall()


def test_a_check_out_of_check_timeout_is_a_stored_failure(
    tmp_path: Path, marketplace: DemoMarketplace, daemons: list[Daemon]
) -> None:
    """scheduler.check_timeout running out is a failed check with its reason, counted like any failure."""
    ids = ["haoyu-valves"]
    config_path, db = tmp_path / "config.toml", tmp_path / "monitor.db"
    write_config(config_path, marketplace, ids, scheduler={"check_timeout": "1s"}, method="http")
    marketplace.delay_ms = 6000  # no answer (robots.txt included) within the check's budget
    daemon = Daemon(config_path)
    daemons.append(daemon)
    wait_for(enough_checks(db, ids, 2), "two timed-out checks stored", daemon)
    assert daemon.stop() == 0

    rows = stored_checks(db)
    assert len(rows) >= 2
    reason = "check_timeout: the whole check took longer than 1s (scheduler.check_timeout)"
    assert rows == [("haoyu-valves", "error", reason, None)] * len(rows)
    [row] = status_report(load_config(config_path))["suppliers"]
    assert (row["last_status"], row["consecutive_failures"]) == ("error", len(rows))
    log = daemon.log
    assert "checked haoyu-valves: error (check_timeout: the whole check took longer than 1s" in log
    assert "Traceback" not in log


def test_jitter_is_bounded_by_the_interval(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """30 s of jitter spread a day's checks; for a 3 s interval it would delay every check (and the first by
    up to 30 s), so it is at most a tenth of the interval (or of a cron schedule's shortest gap)."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    config_path, db = tmp_path / "config.toml", tmp_path / "monitor.db"
    market_url = "http://127.0.0.1:9"  # nothing is fetched: only the schedule is made
    document = {
        "database": {"url": f"sqlite:///{db}"},
        "scheduler": {"jitter": "30s"},
        "suppliers": [
            {"id": "fast", "url": f"{market_url}/store/fast/company_profile.html", "interval": "3s"},
            {"id": "daily", "url": f"{market_url}/store/daily/company_profile.html"},
            {"id": "minutely", "url": f"{market_url}/store/minutely/company_profile.html", "cron": "* * * * *"},
            {"id": "twice", "url": f"{market_url}/store/twice/company_profile.html", "cron": "0 6,7 * * *"},
        ],
    }
    config_path.write_text(tomlkit.dumps(document), encoding="utf-8")
    config = load_config(config_path)
    jitter = {s.id: daemon_module.supplier_jitter(config, s) for s in config.suppliers}
    assert jitter == {"fast": 0.3, "daily": 30.0, "minutely": 6.0, "twice": 30.0}
    unjittered = config.model_copy(update={"scheduler": config.scheduler.model_copy(update={"jitter": timedelta(0)})})
    assert daemon_module.supplier_trigger(unjittered, config.suppliers[0]).jitter is None

    # The first check of a new supplier comes within its (bounded) jitter: take the largest draw.
    monkeypatch.setattr(daemon_module.random, "uniform", lambda low, high: high)

    async def schedule() -> datetime:
        store = SQLAlchemyJobStore(url=f"sqlite:///{db}", tablename=daemon_module.JOBS_TABLE)
        scheduler = AsyncIOScheduler(timezone="UTC", jobstores={daemon_module.CHECK_STORE: store})
        scheduler.start(paused=True)
        try:
            before = datetime.now(UTC)
            daemon_module.sync_jobs(scheduler, config)
            return before
        finally:
            scheduler.shutdown(wait=False)

    before = asyncio.run(schedule())
    stored = jobs(db)
    fast_next, fast = stored["check:fast"]
    assert isinstance(fast["trigger"], IntervalTrigger) and fast["trigger"].jitter == 0.3
    assert fast_next is not None and fast_next - before.timestamp() < 1.3, "first check delayed by the 30 s jitter"
    assert stored["check:daily"][1]["trigger"].jitter == 30.0
    minutely_next, minutely = stored["check:minutely"]
    assert isinstance(minutely["trigger"], CronTrigger) and minutely["trigger"].jitter == 6.0
    # Its first run is a minute boundary within the next minute, plus at most the bounded 6 s (not the 30 s).
    assert minutely_next is not None
    boundary = minutely_next - minutely_next % 60
    assert minutely_next - boundary <= 6.0 and 0 < boundary - before.timestamp() <= 61


def test_a_cron_supplier_gets_a_cron_job_in_the_job_store(
    tmp_path: Path, marketplace: DemoMarketplace, daemons: list[Daemon]
) -> None:
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    config_path, db = tmp_path / "config.toml", tmp_path / "monitor.db"
    write_config(
        config_path, marketplace, ["haoyu-valves", "hengtai-machinery"], interval="3s", method="http",
        scheduler={"jitter": "30s"}, hengtai_machinery={"cron": "*/5 * * * *"},
    )  # fmt: skip
    daemon = Daemon(config_path)
    daemons.append(daemon)
    # With 30 s of jitter on a 3 s interval this took up to a minute; bounded, it takes two intervals.
    wait_for(enough_checks(db, ["haoyu-valves"], 2), "two checks of the 3 s supplier", daemon)
    stored = jobs(db)
    _, cron_job = stored["check:hengtai-machinery"]
    trigger = cron_job["trigger"]
    assert isinstance(trigger, CronTrigger)
    fields = {f.name: str(f) for f in trigger.fields}
    assert (fields["minute"], fields["hour"], fields["day"]) == ("*/5", "*", "*")
    assert str(trigger.timezone) == "UTC" and trigger.jitter == 30.0
    _, interval_job = stored["check:haoyu-valves"]
    assert isinstance(interval_job["trigger"], IntervalTrigger) and interval_job["trigger"].jitter == 0.3

    rows = {r["id"]: r for r in status_report(load_config(config_path))["suppliers"]}
    next_at = datetime.fromisoformat(rows["hengtai-machinery"]["next_check_at"])
    assert next_at.minute % 5 == 0 and next_at.second <= 30, "on the cron's minutes, within its jitter"
    assert -5 < (next_at - datetime.now(UTC)).total_seconds() <= 5 * 60 + 30
    assert daemon.stop() == 0
    assert "scheduled hengtai-machinery: cron" in daemon.log


def test_interval_and_cron_together_are_a_config_error(tmp_path: Path, marketplace: DemoMarketplace) -> None:
    config_path = tmp_path / "config.toml"
    write_config(
        config_path, marketplace, ["hengtai-machinery"], hengtai_machinery={"cron": "0 6 * * *", "interval": "1h"}
    )
    with pytest.raises(ConfigError, match="either interval or cron, not both"):
        load_config(config_path)
    assert daemon_module.run_daemon(config_path, configure_logging=False) == 2
    assert not (tmp_path / "monitor.db").exists(), "a bad config must not start a schedule"
