"""Politeness state in the database, shared by every process: backoff, per-host pacing, robots.txt.

Real loopback servers record what reached them (paths and the time each connection arrived); real databases
(SQLite file, PostgreSQL schema) hold the state; the pacing test runs real worker processes
(tests/politeness_worker.py). Separate ``Database`` objects stand for separate processes where one process is
enough: they share nothing but the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from monitor.config import Config, load_config
from monitor.fetchers import Fetchers
from scrapers.fetch import FetchError
from scrapers.fetch.politeness import GuardedStore, HostBackoff, origin_of
from storage import Database, DatabasePoliteness, HostBackoffRecord, HostPacing, RobotsTxtRecord, open_database
from storage.politeness import load_backoff, load_robots

ROOT = Path(__file__).resolve().parents[1]
WORKER = ROOT / "tests" / "politeness_worker.py"
PAGE = b"<html><head><title>Acme</title></head><body><h1>Acme Co.</h1></body></html>"
POLITENESS_TABLES = [HostBackoffRecord.__table__, HostPacing.__table__, RobotsTxtRecord.__table__]  # type: ignore[attr-defined]


# --- a loopback host that remembers what reached it -------------------------------------------------------


@dataclass
class Host:
    robots: str | None = None
    paths: list[str] = field(default_factory=list)
    #: time.monotonic() of each connection as the server accepted it (one request per connection: HTTP/1.0).
    arrivals: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hits(self, path: str) -> int:
        with self.lock:
            return self.paths.count(path)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    server: _Server

    def do_GET(self) -> None:
        host = self.server.host
        with host.lock:
            host.paths.append(self.path)
        if self.path == "/robots.txt" and host.robots is not None:
            self._reply(200, host.robots.encode(), "text/plain")
        elif self.path == "/robots.txt":
            self._reply(404, b"", "text/plain")
        else:
            self._reply(200, PAGE, "text/html; charset=utf-8")

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: Host) -> None:
        self.host = host
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # Stamped on accept, in the serving thread: no handler thread's start-up delay in the measurement.
        with self.host.lock:
            self.host.arrivals.append(time.monotonic())
        super().process_request(request, client_address)


@contextlib.contextmanager
def serve(host: Host) -> Iterator[str]:
    server = _Server(host)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def config(tmp_path: Path, base: str, **politeness: Any) -> Config:
    return load_config(
        tmp_path / "config.toml",
        data={
            "database": {"url": f"sqlite:///{tmp_path / 'unused.db'}"},
            "fetch": {"method": "http", "timeout": "10s", "allow_private_addresses": True},
            "politeness": {"min_delay_per_host": "0s", "block_backoff": "30m", **politeness},
            "suppliers": [{"id": "acme", "url": f"{base}/acme.html"}],
        },
    )


@pytest.fixture
def databases(db_url: str) -> Iterator[tuple[Database, Database]]:
    """Two handles on one database, as two processes would have (nothing shared but the database)."""
    first = open_database(db_url)
    second = open_database(db_url)
    try:
        yield first, second
    finally:
        first.dispose()
        second.dispose()


# --- backoff --------------------------------------------------------------------------------------------


def test_backoff_is_honoured_by_another_fetchers_and_survives_a_restart(
    databases: tuple[Database, Database], tmp_path: Path
) -> None:
    first_db, second_db = databases
    host = Host()
    with serve(host) as base:
        cfg = config(tmp_path, base)

        async def scenario() -> tuple[FetchError, FetchError, dict[str, Any]]:
            async with Fetchers(cfg, politeness=DatabasePoliteness(first_db)) as daemon:
                await daemon.get("http").fetch(f"{base}/a.html")
                assert daemon.report(f"{base}/a.html", "blocked") == pytest.approx(1800, rel=0.25)
                await daemon.flush()
                async with Fetchers(cfg, politeness=DatabasePoliteness(second_db)) as other:
                    with pytest.raises(FetchError) as refused:
                        await other.get("http").fetch(f"{base}/b.html")
            # A restart: nothing in memory, the database still says the host is left alone.
            async with Fetchers(cfg, politeness=DatabasePoliteness(second_db)) as restarted:
                with pytest.raises(FetchError) as after_restart:
                    await restarted.get("http").fetch(f"{base}/c.html")
                return refused.value, after_restart.value, await restarted.shared_politeness_state()

        refused, after_restart, state = asyncio.run(scenario())
    for error in (refused, after_restart):
        assert error.reason == "backing_off" and "1 block page(s) in a row" in str(error), str(error)
    assert host.paths == ["/robots.txt", "/a.html"]  # b and c never left their processes
    stored = state[origin_of(base)]["backoff"]
    assert stored["blocks"] == 1 and stored["backing_off"] and stored["until"] is not None


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_another_process_backoff_is_read_within_refresh_s_and_an_ok_ends_it_everywhere(
    databases: tuple[Database, Database],
) -> None:
    """Reads are cached for ``refresh_s`` (no query per fetch); after that the store's word counts."""
    first_db, second_db = databases
    url = "https://shop.example/store/a"
    clock, daemon_clock = Clock(), Clock()

    async def scenario() -> None:
        daemon = HostBackoff(30, 3600, 600, jitter=0, store=DatabasePoliteness(first_db), clock=daemon_clock)
        worker = HostBackoff(30, 3600, 600, jitter=0, store=DatabasePoliteness(second_db), clock=clock)
        await daemon.refresh(url)
        await worker.refresh(url)
        assert worker.retry_after(url) is None
        assert daemon.record(url, "error", "timeout") == 30
        await daemon.flush()
        await worker.refresh(url)
        assert worker.retry_after(url) is None  # read less than refresh_s ago
        clock.now += 1.0
        await worker.refresh(url)
        assert worker.retry_after(url) == pytest.approx(30, abs=3)
        assert "1 failed fetch(es) in a row: timeout" in worker.explain(url)
        # The worker's next error counts on from the shared count; its longer backoff is everyone's.
        assert worker.record(url, "error") == 60
        await worker.flush()
        stored = load_backoff(first_db, origin_of(url))
        assert stored is not None and stored.errors == 2
        # A good fetch seen by either ends the trouble for both.
        worker.record(url, "ok")
        await worker.flush()
        assert load_backoff(first_db, origin_of(url)) is None
        await daemon.refresh(url)
        assert daemon.retry_after(url) == pytest.approx(30, abs=3)  # read under a second ago: still cached
        daemon_clock.now += 1.0
        await daemon.refresh(url)
        assert daemon.retry_after(url) is None

    asyncio.run(scenario())


# --- pacing across processes ----------------------------------------------------------------------------


def test_min_delay_holds_across_worker_processes(db_url: str, tmp_path: Path) -> None:
    """Two processes, one host, min_delay_per_host = 1 s: the server sees every request >= ~1 s after the last."""
    open_database(db_url).dispose()  # migrated once, before the workers start
    host, other_host = Host(), Host()
    pages = 3 if db_url.startswith("postgresql") else 2  # SQLite, the one-machine case: a shorter run
    with serve(host) as base, serve(other_host) as warm_up:
        workers = [
            subprocess.Popen(
                [sys.executable, str(WORKER), db_url, str(tmp_path), base, f"{warm_up}/{name}", name, str(pages), "1s"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
            for name in ("w1", "w2")
        ]
        try:
            for worker in workers:
                assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
            for worker in workers:
                assert worker.stdin is not None
                worker.stdin.write("go\n")
                worker.stdin.flush()
            results = [worker.communicate(timeout=120) for worker in workers]
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
    for worker, (out, err) in zip(workers, results, strict=True):
        assert worker.returncode == 0 and out.strip() == "done", err
    assert sorted(host.paths) == sorted(f"/{name}/{i}.html" for name in ("w1", "w2") for i in range(pages))
    arrivals = sorted(host.arrivals)
    gaps = [round(b - a, 3) for a, b in itertools.pairwise(arrivals)]
    assert len(gaps) == 2 * pages - 1
    assert min(gaps) >= 0.95, gaps


# --- robots.txt -----------------------------------------------------------------------------------------


def test_robots_txt_is_fetched_once_for_two_fetchers_on_one_database(
    databases: tuple[Database, Database], tmp_path: Path
) -> None:
    first_db, second_db = databases
    host = Host(robots="User-agent: *\nDisallow: /private/\n")
    with serve(host) as base:
        cfg = config(tmp_path, base)

        async def scenario() -> tuple[FetchError, dict[str, Any]]:
            async with Fetchers(cfg, politeness=DatabasePoliteness(first_db)) as daemon:
                await daemon.get("http").fetch(f"{base}/public/a.html")
            async with Fetchers(cfg, politeness=DatabasePoliteness(second_db)) as check:
                await check.get("http").fetch(f"{base}/public/b.html")
                with pytest.raises(FetchError) as refused:
                    await check.get("http").fetch(f"{base}/private/c.html")
                return refused.value, check.politeness_state()

        refused, state = asyncio.run(scenario())
    assert host.hits("/robots.txt") == 1
    # The second process rebuilt the parser from the stored text: it names the rule.
    assert refused.reason == "robots_disallowed" and "Disallow: /private/" in str(refused)
    assert "/private/c.html" not in host.paths
    assert state[origin_of(base)]["robots"]["state"] == "parsed"
    stored = load_robots(second_db, origin_of(base))
    assert stored is not None and stored.body == "User-agent: *\nDisallow: /private/\n"
    assert stored.expires_at > stored.fetched_at


# --- when the database fails ----------------------------------------------------------------------------


def test_a_failing_database_falls_back_to_memory_told_once_and_recovers(
    databases: tuple[Database, Database], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The politeness tables vanish (a real database error on every call): fetches go on, paced and backed off
    in memory, one warning says so; when the tables are back the shared state is used again."""
    db, _ = databases
    host = Host()
    caplog.set_level(logging.WARNING, logger="scrapers.fetch.politeness")
    with serve(host) as base:
        cfg = config(tmp_path, base)

        async def scenario() -> FetchError:
            # retry_s=0: every call tries the database again, so the warning being once is the guard's doing.
            store = GuardedStore(DatabasePoliteness(db), retry_s=0.0)
            async with Fetchers(cfg, politeness=store) as fetchers:
                await asyncio.to_thread(lambda: [t.drop(db.engine) for t in POLITENESS_TABLES])
                for page in ("a", "b"):
                    await fetchers.get("http").fetch(f"{base}/{page}.html")  # robots.txt, pacing, backoff all fail
                fetchers.report(f"{base}/b.html", "blocked")
                await fetchers.flush()
                with pytest.raises(FetchError) as refused:
                    await fetchers.get("http").fetch(f"{base}/c.html")  # the in-memory backoff holds
                assert store.failing
                await asyncio.to_thread(lambda: [t.create(db.engine) for t in POLITENESS_TABLES])
                fetchers.backoff.record(f"{base}/b.html", "blocked")  # the next trouble is shared again
                await fetchers.flush()
                assert not store.failing
                return refused.value

        refused = asyncio.run(scenario())
    assert refused.reason == "backing_off"
    assert host.paths == ["/robots.txt", "/a.html", "/b.html"]
    failed = [r for r in caplog.records if "politeness store failed" in r.getMessage()]
    assert len(failed) == 1, [r.getMessage() for r in caplog.records]
    assert failed[0].exc_info is None, "an outage is one line for the operator, not a traceback"
    assert "in-memory" in failed[0].getMessage() and "check that the database is up" in failed[0].getMessage()
    assert any("politeness store answers again" in r.getMessage() for r in caplog.records)
    stored = load_backoff(db, origin_of(base))
    assert stored is not None and stored.blocks == 2
