"""A distributed cluster for tests and the fault bench: the demo marketplace (recording every request, able to
hold one), one ``supplier-monitor scheduler`` and N ``supplier-monitor worker`` processes on a PostgreSQL
schema of their own, and the invariants a crash must not break, read back from the database.

Used by tests/test_distributed.py and bench/distributed_faults.py.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import tomlkit
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine

from monitor.demo.marketplace import DemoMarketplace, _Handler
from monitor.demo.runner import LOOPBACK_POLITENESS
from monitor.demo.scenario import demo_suppliers

REPO = Path(__file__).resolve().parents[1]
#: Page families read without a browser (plain HTTP keeps worker processes light).
SUPPLIERS = ["haoyu-valves", "hengtai-machinery", "xinlong-hardware", "ruifeng-pumps"]


# --- the marketplace: a request log and a trap ------------------------------------------------------------------


@dataclass
class Request:
    path: str
    port: int  # the client's port: which process asked
    started: float  # time.time() on the server
    ended: float | None = None
    trapped: bool = False


@dataclass
class Trap:
    """Holds the next request whose path names ``store`` until released (the worker is then mid-fetch)."""

    store: str
    armed_at: float = field(default_factory=time.time)
    caught: Request | None = None
    seen: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class _RecordingHandler(_Handler):
    def _serve(self, method: str) -> None:
        market: RecordingMarketplace = self.server.app  # type: ignore[assignment]
        request = Request(self.path, self.client_address[1], time.time())
        trap = market.take_trap(self.path, request.started)
        for store, seconds in market.slow.items():
            if f"/{store}/" in self.path:
                time.sleep(seconds)
        if trap is not None:
            request.trapped = True
            trap.caught = request
            trap.seen.set()
            trap.release.wait(timeout=60)
        try:
            super()._serve(method)
        finally:
            request.ended = time.time()
            with market.log_lock:
                market.requests.append(request)


class RecordingMarketplace(DemoMarketplace):
    """The demo marketplace, logging each request (path, client port, server-side start and end); ``slow`` maps a
    store to extra seconds per request (a check longer than its interval: the next one queues behind it)."""

    def __init__(self, slow: dict[str, float] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.slow = slow or {}
        self.requests: list[Request] = []
        self.log_lock = threading.Lock()
        self._trap: Trap | None = None

    def start(self) -> RecordingMarketplace:
        super().start()
        assert self._httpd is not None
        self._httpd.RequestHandlerClass = _RecordingHandler
        return self

    def arm(self, store: str) -> Trap:
        with self.log_lock:
            self._trap = Trap(store)
            return self._trap

    def take_trap(self, path: str, started: float) -> Trap | None:
        """The armed trap, if this request is for its store and was sent after it was armed (so never by a
        process that died before)."""
        with self.log_lock:
            trap = self._trap
            if trap is not None and f"/{trap.store}/" in path and started >= trap.armed_at:
                self._trap = None
                return trap
        return None

    def disarm(self) -> None:
        with self.log_lock:
            trap, self._trap = self._trap, None
        if trap is not None:
            trap.release.set()


# --- processes --------------------------------------------------------------------------------------------------


def write_config(path: Path, market: DemoMarketplace, db_url: str, ids: list[str], **scheduler: str) -> None:
    document = {
        "database": {"url": db_url},
        "scheduler": {
            "mode": "distributed",
            "jitter": "0s",
            "deliver_every": "1s",
            "check_timeout": "30s",
            "worker_heartbeat": "0.5s",
            "worker_stall_timeout": "2s",
            "worker_concurrency": 2,
            **scheduler,
        },
        "fetch": {"method": "http", "timeout": "20s", "allow_private_addresses": True},
        "politeness": LOOPBACK_POLITENESS,
        "documents": {"read": False},
        "defaults": {"interval": "1s"},
        "recipients": [{"name": "ops", "console": True, "min_severity": "info"}],
        "suppliers": [s for s in demo_suppliers(market.base_url) if s["id"] in ids],
    }
    path.write_text(tomlkit.dumps(document), encoding="utf-8")


class Process:
    """``python -m monitor --config CONFIG <command>`` logging to a file."""

    def __init__(self, config: Path, *command: str) -> None:
        self.log_path = config.parent / f"{command[0]}-{uuid.uuid4().hex[:6]}.log"
        self._terminated = False
        self._log = self.log_path.open("wb")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), *command],
            cwd=REPO,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def started(self) -> bool:
        """Whether it logged that it runs (``worker ... started: ...``, ``scheduler started: ...``)."""
        return " started: " in self.log

    def alive(self) -> bool:
        return self.proc.poll() is None

    def owns_port(self, port: int) -> bool:
        """Whether this process has the TCP connection whose local port is ``port``."""
        with contextlib.suppress(psutil.Error):
            return any(c.laddr and c.laddr.port == port for c in psutil.Process(self.pid).net_connections("tcp"))
        return False

    def kill(self) -> None:
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def terminate(self) -> None:
        """SIGTERM, once (a second one means "hurry": it cancels the running checks)."""
        if self.alive() and not self._terminated:
            self._terminated = True
            self.proc.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 30.0) -> int:
        self.terminate()
        try:
            return self.proc.wait(timeout=timeout)
        finally:
            if self.alive():
                self.proc.kill()
                self.proc.wait()
            self._log.close()


@contextlib.contextmanager
def pg_schema(base_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema (dropped afterwards); yields the URL whose search_path is that schema."""
    schema = f"dist_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def wait_for(predicate: Callable[[], Any], what: str, timeout: float, logs: Callable[[], str] = str) -> Any:
    """Poll until ``predicate()`` is truthy; AssertionError (with the processes' logs) otherwise."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{logs()[-8000:]}")


# --- what the database says -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckRow:
    id: int
    supplier_id: str
    url: str
    started_at: datetime
    finished_at: datetime
    status: str
    snapshot_id: int | None
    changed: bool


def checks(engine: Engine) -> list[CheckRow]:
    with engine.connect() as conn:
        if conn.execute(text("SELECT to_regclass('check')")).scalar() is None:
            return []
        rows = conn.execute(
            text(
                'SELECT id, supplier_id, url, started_at, finished_at, status, snapshot_id, changed FROM "check" '
                "ORDER BY started_at"
            )
        ).all()
    return [CheckRow(*row) for row in rows]


def ok_checks_after(engine: Engine, supplier_id: str, after: float) -> int:
    moment = datetime.fromtimestamp(after, UTC)
    return sum(1 for c in checks(engine) if c.supplier_id == supplier_id and c.status == "ok" and c.started_at > moment)


def invariant_violations(engine: Engine) -> list[str]:
    """What a crash must never leave behind; [] when all hold."""
    found: list[str] = []
    with engine.connect() as conn:
        # A check that says it saw the page has the snapshot it saw; a snapshot exists only with its check.
        for (check_id,) in conn.execute(text("SELECT id FROM \"check\" WHERE status = 'ok' AND snapshot_id IS NULL")):
            found.append(f"ok check {check_id} has no snapshot (half-written)")
        orphans = conn.execute(
            text('SELECT s.id FROM snapshot s WHERE NOT EXISTS (SELECT 1 FROM "check" c WHERE c.snapshot_id = s.id)')
        ).all()
        found += [f"snapshot {sid} belongs to no check (half-written)" for (sid,) in orphans]
        # An unchanged page adds no snapshot: two snapshots in a row of one page never hold the same claims.
        rows = conn.execute(
            text("SELECT supplier_id, url, id, claims_hash FROM snapshot ORDER BY supplier_id, url, first_seen_at, id")
        ).all()
        for previous, current in itertools.pairwise(rows):
            if previous[:2] == current[:2] and previous.claims_hash == current.claims_hash:
                found.append(f"snapshots {previous.id} and {current.id} of {current.url} are duplicates")
        # A check-raised alert points at its check; an event is alerted once (the outbox's stable ids).
        lost = conn.execute(
            text(
                "SELECT a.id FROM alert a WHERE a.check_id IS NOT NULL "
                'AND NOT EXISTS (SELECT 1 FROM "check" c WHERE c.id = a.check_id)'
            )
        ).all()
        found += [f"alert {aid} points at no check" for (aid,) in lost]
        seen: dict[tuple[object, ...], str] = {}
        for alert_id, supplier_id, kind, payload in conn.execute(
            text("SELECT id, supplier_id, kind, payload FROM alert ORDER BY created_at")
        ):
            details = (payload if isinstance(payload, dict) else json.loads(payload)).get("details") or {}
            key = (supplier_id, kind, details.get("change"), details.get("key"), details.get("identity"))
            if key in seen:
                found.append(f"alerts {seen[key]} and {alert_id} tell the same event {key}")
            seen[key] = alert_id
    return found


def overlapping_checks(rows: list[CheckRow]) -> list[str]:
    """Checks of one supplier whose [started_at, finished_at] overlap (two workers at once)."""
    found = []
    by_supplier: dict[str, list[CheckRow]] = {}
    for row in rows:
        by_supplier.setdefault(row.supplier_id, []).append(row)
    for supplier_id, runs in by_supplier.items():
        runs.sort(key=lambda r: r.started_at)
        for a, b in itertools.pairwise(runs):
            if b.started_at < a.finished_at:
                found.append(f"{supplier_id}: check {b.id} started before check {a.id} finished")
    return found


def overlapping_requests(requests: list[Request], ids: list[str]) -> list[str]:
    """Requests for one supplier's pages in flight at once from two connections (server-side times)."""
    found = []
    for supplier_id in ids:
        mine = sorted((r for r in requests if f"/{supplier_id}/" in r.path and r.ended), key=lambda r: r.started)
        for a, b in itertools.pairwise(mine):
            if b.started < (a.ended or 0) and a.port != b.port:
                found.append(f"{supplier_id}: {b.path} from port {b.port} while port {a.port} was being served")
    return found
