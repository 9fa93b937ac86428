"""One check of a supplier at a time, across every worker, even when a live worker is taken for dead.

The queue's lock already keeps two workers from running jobs of one supplier together, but it trusts the
heartbeat: a worker that is alive but silent for longer than the stall timeout (a stopped VM, a network
partition) has its job handed to another worker while it still runs it. So a check also holds a PostgreSQL
advisory lock on the supplier for its whole length, on a connection of its own. A process that dies drops its
connection and with it the lock; a live one keeps it, and the second check waits (SupplierBusy: the job is
retried later) instead of running alongside.

The lock key is the supplier id within the current schema (one database may hold several monitors), in a
class of keys of its own (``pg_try_advisory_lock(int, int)``), apart from the migration lock.

A machine that vanishes without closing its TCP connection keeps the lock until the server notices; the guard's
connection asks the server for TCP keepalives within the stall timeout, so that takes about as long as the
queue's own stall detection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import psycopg

#: The advisory-lock class of supplier checks ("SC").
CHECK_LOCK_CLASS = 0x5343
_TRY_LOCK = "SELECT pg_try_advisory_lock(%s, hashtext(current_schema() || '/' || %s))"


class SupplierBusy(Exception):
    """Another process is checking this supplier now; the job is retried later."""


@asynccontextmanager
async def supplier_guard(conninfo: str, supplier_id: str, *, stall_timeout: timedelta) -> AsyncIterator[None]:
    """Hold the supplier's check lock for the block; SupplierBusy when another process holds it."""
    conn = await psycopg.AsyncConnection.connect(conninfo, autocommit=True)
    try:
        await _keepalives_within(conn, stall_timeout)
        cursor = await conn.execute(_TRY_LOCK, (CHECK_LOCK_CLASS, supplier_id))
        row = await cursor.fetchone()
        if not row or not row[0]:
            raise SupplierBusy(f"{supplier_id} is being checked by another process; this check waits its turn")
        yield
    finally:
        await conn.close()  # ending the session releases the lock (also when the check was cancelled)


async def _keepalives_within(conn: psycopg.AsyncConnection[object], stall_timeout: timedelta) -> None:
    """Make the server probe this connection so that a vanished worker's lock is freed within the stall timeout."""
    seconds = max(1, int(stall_timeout.total_seconds()))
    idle, interval = max(1, seconds // 2), max(1, seconds // 6)
    for name, value in (("tcp_keepalives_idle", idle), ("tcp_keepalives_interval", interval)):
        await conn.execute("SELECT set_config(%s, %s, false)", (name, str(value)))
    await conn.execute("SELECT set_config('tcp_keepalives_count', '3', false)")
