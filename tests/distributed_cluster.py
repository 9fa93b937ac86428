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
import random
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
from monitor.demo.scenario import demo_suppliers, demo_verify_settings

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
    owner: str | None = None  # which process asked, when the marketplace was told how to tell (``identify``)


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
        if market.identify is not None:  # while the request is served, its connection is open: the port is owned
            request.owner = market.identify(request.port)
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
    store to extra seconds per request (a check longer than its interval: the next one queues behind it).
    ``identify``, if set, names the process behind a client port (``Request.owner``), asked mid-request."""

    def __init__(self, slow: dict[str, float] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.slow = slow or {}
        self.requests: list[Request] = []
        self.log_lock = threading.Lock()
        self._trap: Trap | None = None
        self.identify: Callable[[int], str | None] | None = None

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


def write_config(
    path: Path,
    market: DemoMarketplace,
    db_url: str,
    ids: list[str],
    *,
    politeness: dict[str, Any] | None = None,
    extra_suppliers: list[dict[str, Any]] | None = None,
    **scheduler: str,
) -> None:
    """A distributed config over ``market`` for the suppliers ``ids`` (and ``extra_suppliers``, elsewhere);
    ``politeness`` replaces the demo's loopback setting (no per-host delay)."""
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
        "politeness": LOOPBACK_POLITENESS if politeness is None else politeness,
        "documents": {"read": False},
        "verify": demo_verify_settings(),
        "defaults": {"interval": "1s"},
        # Told everything, operators' alerts included: alerts are queued only for someone, and the invariants
        # below (no alert without its check, no event told twice) read the queued ones.
        "recipients": [{"name": "ops", "console": True, "operator": True, "min_severity": "info"}],
        "suppliers": [s for s in demo_suppliers(market.base_url) if s["id"] in ids] + (extra_suppliers or []),
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

    @property
    def name(self) -> str:
        """The log file's name: unique per process, and says what it runs."""
        return self.log_path.name

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


def suppliers_on(markets: list[DemoMarketplace], prefix: str) -> list[dict[str, Any]]:
    """One supplier per marketplace (the first plain-HTTP store), with ids ``<prefix>-0``, ``<prefix>-1`` ..."""
    return [
        {**next(s for s in demo_suppliers(m.base_url) if s["id"] == SUPPLIERS[0]), "id": f"{prefix}-{i}"}
        for i, m in enumerate(markets)
    ]


def start_gaps(requests: list[Request]) -> list[tuple[float, Request, Request]]:
    """Each pair of requests in a row (by server-side start) with the seconds between their starts."""
    ordered = sorted(requests, key=lambda r: r.started)
    return [(b.started - a.started, a, b) for a, b in itertools.pairwise(ordered)]


# --- a fault run: kill workers at random points of checks --------------------------------------------------------


@dataclass(frozen=True)
class Kill:
    supplier_id: str
    at: float  # time.time() right after the SIGKILL
    phase: str  # "mid-fetch" or "after the fetch" (reading, storing, committing or finishing the job)


@dataclass
class FaultRun:
    """What happened and what the database holds afterwards; ``problems`` is empty when every invariant held."""

    seed: int
    kills: list[Kill]
    checks: list[CheckRow]
    requests: list[Request]
    exit_codes: dict[str, int]
    claim_change_alerts: int
    handed_over: int
    seconds: float
    problems: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        phases = [k.phase for k in self.kills]
        return {
            "seed": self.seed,
            "kills": len(self.kills),
            "mid_fetch": phases.count("mid-fetch"),
            "after_fetch": phases.count("after the fetch"),
            "checks": len(self.checks),
            "ok_checks": sum(1 for c in self.checks if c.status == "ok"),
            "requests": len(self.requests),
            "claim_change_alerts": self.claim_change_alerts,
            "jobs_handed_over": self.handed_over,
            "seconds": round(self.seconds, 1),
            "problems": self.problems,
        }


def run_faults(workdir: Path, db_url: str, *, trials: int, seed: int, deadline: float = 60.0) -> FaultRun:
    """1 scheduler + 3 workers over the demo marketplace; ``trials`` times, hold the next request of a random
    supplier and SIGKILL the worker that sent it, either while the request is held (mid-fetch) or 0-300 ms after
    releasing it (the page is being read, stored, committed or its job finished), then start a replacement.
    Halfway, the marketplace moves to round 2 so that claims change (alerts) while workers die. Waits until each
    killed check was done again and every supplier was checked after the last kill, stops everything with
    SIGTERM and reads back the invariants."""
    rng = random.Random(seed)
    started = time.monotonic()
    engine = create_engine(db_url)
    kills: list[Kill] = []
    # The last supplier's checks outlast its interval: its next check is queued (and must wait) while one runs.
    with RecordingMarketplace(delay_ms=50, slow={SUPPLIERS[-1]: 1.2}) as market:
        config = workdir / "config.toml"
        write_config(config, market, db_url, SUPPLIERS)
        scheduler = Process(config, "scheduler")
        workers = [Process(config, "worker") for _ in range(3)]
        everyone = [scheduler, *workers]

        def logs() -> str:
            return "\n".join(f"--- {p.log_path.name}\n{p.log[-3000:]}" for p in everyone)

        try:
            wait_for(
                lambda: all(ok_checks_after(engine, s, 0) for s in SUPPLIERS), "every supplier checked", deadline, logs
            )
            for trial in range(trials):
                if trial == trials // 2:
                    market.set_round(2)
                kills.append(_kill_one(market, workers, rng, deadline, logs))
                workers.append(Process(config, "worker"))
                everyone.append(workers[-1])
            last = kills[-1].at if kills else 0.0
            wait_for(
                lambda: (
                    all(ok_checks_after(engine, k.supplier_id, k.at) for k in kills)
                    and all(ok_checks_after(engine, s, last) for s in SUPPLIERS)
                ),
                "a check of each killed worker's supplier after its kill, and of every supplier after the last",
                deadline,
                logs,
            )
            # A replacement still importing would die of SIGTERM before it could stop cleanly: let it start.
            wait_for(lambda: all(p.started() for p in workers), "the replacement workers to start", deadline, logs)
        finally:
            market.disarm()
            for process in everyone:  # SIGTERM to all first: they stop together
                process.terminate()
            codes = {p.log_path.name: p.stop() for p in everyone}
        requests = list(market.requests)
    try:
        rows = checks(engine)
        problems = invariant_violations(engine)
        with engine.connect() as conn:
            changes = conn.execute(text("SELECT count(*) FROM alert WHERE kind = 'claim_change'")).scalar_one()
    finally:
        engine.dispose()
    problems += overlapping_checks(rows) + overlapping_requests(requests, SUPPLIERS)
    stopped = {name: code for name, code in codes.items() if code != -signal.SIGKILL}
    if len(stopped) != len(codes) - len(kills) or set(stopped.values()) - {0}:
        problems.append(f"processes did not stop cleanly: {codes}\n{logs()}")
    return FaultRun(
        seed=seed,
        kills=kills,
        checks=rows,
        requests=requests,
        exit_codes=codes,
        claim_change_alerts=int(changes),
        handed_over=scheduler.log.count("handed to another worker"),
        seconds=time.monotonic() - started,
        problems=problems,
    )


def _kill_one(
    market: RecordingMarketplace, workers: list[Process], rng: random.Random, deadline: float, logs: Callable[[], str]
) -> Kill:
    """Catch the next request of a random supplier, SIGKILL the worker that sent it (mid-fetch or just after)."""
    store = rng.choice(SUPPLIERS)
    trap = market.arm(store)
    if not trap.seen.wait(deadline) or trap.caught is None:
        raise AssertionError(f"no check of {store} came within {deadline:.0f} s\n{logs()}")
    port = trap.caught.port
    victim = next((w for w in workers if w.alive() and w.owns_port(port)), None)
    if victim is None:
        trap.release.set()
        raise AssertionError(f"no live worker owns port {port}, which asked for {trap.caught.path}\n{logs()}")
    if rng.random() < 0.5:
        phase = "mid-fetch"
        victim.kill()
        trap.release.set()
    else:
        phase = "after the fetch"
        trap.release.set()
        time.sleep(rng.uniform(0.0, 0.3))  # fault injection timing, not an assertion
        victim.kill()
    workers.remove(victim)
    return Kill(store, time.time(), phase)
