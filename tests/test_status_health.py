"""The daemon's health as operators read it, from the heartbeat in the database: ``supplier-monitor status``
(table, --json, exit code) and the dashboard's /healthz agree on one verdict (monitor.health). And read-only
commands never create a database: a mistyped path is an error, not a new empty file.

Heartbeats are written with times relative to now (a tick 10 minutes ago ...), so nothing waits on the clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from faults import FaultUnavailableError, postgres_base_url, postgres_schema, postgres_url
from sqlalchemy import create_engine, inspect, text
from test_cli import cli

from monitor.config import load_config
from monitor.status import status_report
from monitor.web.app import create_app
from monitor.web.security import Credentials
from storage import HeartbeatState, open_database, write_heartbeat

STALL_AFTER = timedelta(minutes=1)
LOOPBACK = "http://127.0.0.1"


def write_config(path: Path, database_url: str) -> None:
    path.write_text(
        f'[database]\nurl = "{database_url}"\n[scheduler]\nstall_after = "1m"\n'
        '[[suppliers]]\nid = "a"\nurl = "https://a.example.com/company_profile.html"\n',
        encoding="utf-8",
    )


@dataclass
class Site:
    config_path: Path
    url: str


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    write_config(tmp_path / "config.toml", url)
    open_database(url).dispose()
    yield Site(tmp_path / "config.toml", url)


def beat(
    site: Site,
    *,
    ident: str = "d1",
    started: float = 3600,
    tick: float | None = 5,
    written: float = 5,
    error: str | None = None,
    error_since: float | None = None,
    stopped: float | None = None,
) -> None:
    """A heartbeat row; numbers are seconds before now."""
    now = datetime.now(UTC)

    def ago(seconds: float | None) -> datetime | None:
        return None if seconds is None else now - timedelta(seconds=seconds)

    state = HeartbeatState(
        id=ident, host="worker-1", pid=4242, started_at=now - timedelta(seconds=started), last_tick_at=ago(tick),
        last_check_ok_at=ago(tick), last_error=error, last_error_at=ago(error_since), error_since=ago(error_since),
        stopped_at=ago(stopped),
    )  # fmt: skip
    with open_database(site.url) as db:
        write_heartbeat(db, state, now=now - timedelta(seconds=written))


def overdue_job(site: Site) -> None:
    """A check scheduled an hour ago in the daemon's job store, as an older daemon would have left it."""
    engine = create_engine(site.url)
    with engine.begin() as conn:
        conn.execute(
            text("CREATE TABLE apscheduler_jobs (id VARCHAR(191) PRIMARY KEY, next_run_time FLOAT, job_state BLOB)")
        )
        conn.execute(
            text("INSERT INTO apscheduler_jobs VALUES ('check:a', :t, x'00')"),
            {"t": (datetime.now(UTC) - timedelta(hours=1)).timestamp()},
        )
    engine.dispose()


SCENARIOS: dict[str, tuple[Any, str, int, int]] = {
    # name: (setup, status, exit code of `status`, /healthz answer)
    "ticking": (lambda s: beat(s), "ok", 0, 200),
    "never_ran": (lambda s: None, "no_daemon", 0, 200),
    "stopped": (lambda s: beat(s, tick=120, written=120, stopped=120), "stopped", 0, 200),
    "no_tick": (lambda s: beat(s, tick=600), "stalled", 1, 503),
    "never_ticked": (lambda s: beat(s, tick=None), "stalled", 1, 503),
    "killed": (lambda s: beat(s, tick=300, written=300), "stalled", 1, 503),
    "database_error": (
        lambda s: beat(s, error="OperationalError: database or disk is full", error_since=30),
        "database_error",
        1,
        503,
    ),
    "old_daemon": (overdue_job, "no_heartbeat", 1, 503),
    # The newest daemon counts: an earlier one that was killed says nothing about it.
    "restarted": (lambda s: (beat(s, ident="old", started=7200, tick=3000, written=3000), beat(s)), "ok", 0, 200),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_status_and_healthz_agree_on_the_daemons_health(site: Site, scenario: str) -> None:
    setup, expected, code, http = SCENARIOS[scenario]
    setup(site)

    report = status_report(load_config(site.config_path))["daemon"]
    assert report["status"] == expected, report
    assert report["healthy"] is (code == 0)
    assert report["stall_after_seconds"] == STALL_AFTER.total_seconds()

    result = cli("status", "--json", cwd=site.config_path.parent)
    assert result.returncode == code, result.stderr
    printed = json.loads(result.stdout)["daemon"]
    assert printed["status"] == expected

    with TestClient(create_app(site.config_path, credentials=Credentials()), base_url=LOOPBACK) as client:
        answer = client.get("/healthz")
    assert answer.status_code == http
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert body["status"] == expected and body["healthy"] is (http == 200)
    if expected in ("stalled", "database_error", "ok"):
        assert body["daemon"]["host"] == "worker-1" and body["daemon"]["pid"] == 4242


def test_status_table_says_since_when_and_why(site: Site) -> None:
    beat(site, tick=600, written=600, error="OperationalError: database or disk is full", error_since=610)
    result = cli("status", cwd=site.config_path.parent)
    assert result.returncode == 1
    out = " ".join(result.stdout.split())  # the table wraps long lines
    assert "Daemon: STALLED" in out and "stalled since" in out and "no heartbeat since" in out
    assert "last database error" in out and "database or disk is full" in out
    assert "Traceback" not in result.stderr

    beat(site, ident="d2", started=60)
    healthy = cli("status", cwd=site.config_path.parent)
    assert healthy.returncode == 0 and "Daemon: OK" in healthy.stdout


def test_healthz_needs_the_token_when_credentials_are_set(site: Site) -> None:
    beat(site)
    token = "t" * 32
    with TestClient(create_app(site.config_path, credentials=Credentials(token=token)), base_url=LOOPBACK) as c:
        assert c.get("/healthz").status_code == 401
        answer = c.get("/healthz", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.json()["status"] == "ok"


@pytest.mark.parametrize("command", [["status"], ["status", "--json"], ["registry", "list"], ["alerts", "list"]])
def test_read_only_commands_never_create_a_database(tmp_path: Path, command: list[str]) -> None:
    typo = tmp_path / "dtaa" / "monitor.db"
    write_config(tmp_path / "config.toml", f"sqlite:///{typo}")
    result = cli(*command, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    err = " ".join(result.stderr.split())
    assert f"no database at {typo}" in err and "run a check or the daemon first" in err
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert not typo.parent.exists(), "a read-only command created the database's folder"


def test_status_on_an_empty_postgresql_database_creates_no_tables(tmp_path: Path) -> None:
    try:
        base = postgres_base_url()
    except FaultUnavailableError as exc:
        pytest.skip(str(exc))
    with postgres_schema(base) as schema:
        url = postgres_url(base, schema)
        write_config(tmp_path / "config.toml", url)
        result = cli("status", cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert "no supplier-monitor database there" in " ".join(result.stderr.split())
        engine = create_engine(url)
        try:
            assert inspect(engine).get_table_names(schema=schema) == []
        finally:
            engine.dispose()
