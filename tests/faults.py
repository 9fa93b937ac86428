"""Fault injection shared by the daemon fault tests and scripts/fault-matrix: a small tmpfs that can be filled, a
TCP proxy on loopback that can be cut and restored in front of PostgreSQL, a throwaway PostgreSQL schema, and a
config writer for a daemon watching the demo marketplace.

Nothing here knows about pytest: each helper raises ``FaultUnavailableError`` with the reason when the fault
cannot be made on this machine (tests skip with it, the fault matrix prints it).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import tomlkit

PG_URL_ENV = "SUPPLIER_MONITOR_TEST_DATABASE_URL"
#: What .ci/run uses when the variable is not set.
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


class FaultUnavailableError(RuntimeError):
    """This fault cannot be injected here; the message says why."""


# --- disk full -------------------------------------------------------------------------------------------


@contextlib.contextmanager
def small_tmpfs(path: Path, size: str = "32m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``path`` for the block (needs root, or a mount permission)."""
    if shutil.which("mount") is None:
        raise FaultUnavailableError("no mount command on this machine")
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        why = done.stderr.strip() or f"mount exited {done.returncode}"
        raise FaultUnavailableError(f"cannot mount a tmpfs at {path} (not root, or no mount permission): {why}")
    try:
        yield path
    finally:
        # Lazy: a daemon killed by the test may still hold the database open for a moment.
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def fill_disk(directory: Path) -> Path:
    """Fill the file system of ``directory`` up to the last byte with one file; returns it (delete to free)."""
    filler = directory / f"filler-{uuid.uuid4().hex[:8]}"
    with filler.open("wb", buffering=0) as out:
        for chunk in (1 << 20, 1 << 16, 1 << 12, 512, 1):
            block = b"\0" * chunk
            try:
                while True:
                    out.write(block)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
    return filler


def free_disk(filler: Path) -> None:
    filler.unlink(missing_ok=True)


# --- database outage -----------------------------------------------------------------------------------


class TcpProxy:
    """A loopback TCP proxy to ``upstream``; ``cut()`` drops every connection and refuses new ones (the server
    looks down: connection refused), ``restore()`` listens again on the same port."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.port = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._cut = False

    def __enter__(self) -> TcpProxy:
        self._listen()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cut()

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), name="proxy-accept", daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut: the listener was shut down
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._cut:
                    client.close()
                    upstream.close()
                    continue
                self._sockets |= {client, upstream}
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), name="proxy-pump", daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                self._drop(sock)

    def _drop(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            sock.close()
        with self._lock:
            self._sockets.discard(sock)

    def cut(self) -> None:
        with self._lock:
            self._cut = True
            listener, self._listener = self._listener, None
            sockets = list(self._sockets)
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked in the other thread
            listener.close()
        for sock in sockets:
            self._drop(sock)

    def restore(self) -> None:
        with self._lock:
            self._cut = False
        self._listen()


def postgres_base_url() -> str:
    """The test PostgreSQL's URL ($SUPPLIER_MONITOR_TEST_DATABASE_URL or .ci/run's default), if it answers."""
    from sqlalchemy import create_engine, make_url, text

    url = os.environ.get(PG_URL_ENV) or DEFAULT_PG_URL
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:
        raise FaultUnavailableError(f"no PostgreSQL driver (psycopg) installed: {exc}") from None
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        shown = make_url(url).render_as_string(hide_password=True)
        first = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise FaultUnavailableError(f"PostgreSQL at {shown} is not available (set ${PG_URL_ENV}): {first}") from None
    finally:
        engine.dispose()
    return url


@contextlib.contextmanager
def postgres_schema(base_url: str) -> Iterator[str]:
    """A fresh schema on the test PostgreSQL (dropped afterwards); yields its name."""
    from sqlalchemy import create_engine, text

    schema = f"fault_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield schema
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def postgres_url(base_url: str, schema: str, *, port: int | None = None) -> str:
    """``base_url`` pinned to ``schema`` (search_path), optionally through a proxy on loopback ``port``."""
    from sqlalchemy import make_url

    url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    if port is not None:
        url = url.set(host="127.0.0.1", port=port)
    return url.render_as_string(hide_password=False)


def upstream_of(base_url: str) -> tuple[str, int]:
    from sqlalchemy import make_url

    url = make_url(base_url)
    return url.host or "127.0.0.1", url.port or 5432


# --- daemon config ---------------------------------------------------------------------------------------


def write_daemon_config(
    path: Path,
    market_url: str,
    ids: list[str],
    *,
    database_url: str,
    interval: str = "2s",
    scheduler: dict[str, str] | None = None,
    recipients: list[dict[str, Any]] | None = None,
) -> None:
    """A daemon config watching ``ids`` of the demo marketplace; by default one operator reads the console."""
    from monitor.demo.runner import LOOPBACK_POLITENESS
    from monitor.demo.scenario import demo_suppliers, demo_verify_settings

    document: dict[str, Any] = {
        "database": {"url": database_url},
        "scheduler": {"jitter": "0s", "deliver_every": "2s", "check_timeout": "60s", **(scheduler or {})},
        "fetch": {"allow_private_addresses": True},
        "politeness": LOOPBACK_POLITENESS,
        "verify": demo_verify_settings(),
        "defaults": {"interval": interval},
        "suppliers": [s for s in demo_suppliers(market_url) if s["id"] in ids],
    }
    document["recipients"] = (
        recipients if recipients is not None else [{"name": "ops", "console": True, "operator": True}]
    )
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomlkit.dumps(document), encoding="utf-8")
    tmp.replace(path)


_LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3}) ")


def logged_at(log: str, needle: str) -> float | None:
    """The time of the first daemon log line containing ``needle`` (local time, as the log writes it), as
    epoch seconds; None when there is no such line."""
    for line in log.splitlines():
        if needle in line and (m := _LOG_TIME.match(line)):
            return datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S").timestamp() + int(m.group(2)) / 1000
    return None
