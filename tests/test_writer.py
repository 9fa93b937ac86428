"""The check writer's group commits, against a real SQLite file: no timing, the batches are forced by holding
SQLite's write lock from another connection while checks are handed over."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from monitor.writer import CheckWriter
from storage import CheckRecord, CheckResult, Database, SnapshotMovedError, open_database, upsert_suppliers
from storage.models import Check

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
SUPPLIERS = [(f"s{i}", f"Supplier {i}", "website", [f"https://s{i}.example/"], []) for i in range(6)]
#: How long the test waits for what must happen at once (a bound, not a measurement).
PATIENCE_S = 30.0


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "monitor.db"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{db_path}")
    upsert_suppliers(database, SUPPLIERS, now=T0)
    try:
        yield database
    finally:
        database.dispose()


def record(index: int, **changes: Any) -> CheckRecord:
    """A failed check of supplier ``index``'s page (no claims: the rows are the point here)."""
    fields: dict[str, Any] = {
        "supplier_id": f"s{index}",
        "url": f"https://s{index}.example/",
        "started_at": T0 + timedelta(minutes=index),
        "finished_at": T0 + timedelta(minutes=index, seconds=1),
        "status": "error",
        "fetch_method": "http",
        "error": "unreachable",
    }
    return CheckRecord(**{**fields, **changes})


def stored_checks(db: Database) -> int:
    with db.session() as session:
        return int(session.execute(select(func.count()).select_from(Check)).scalar_one())


class Commits:
    """Counts the transactions committed on ``db``'s engine."""

    def __init__(self, db: Database) -> None:
        self.engine, self.count = db.engine, 0
        event.listen(self.engine, "commit", self._note)

    def _note(self, conn: Any) -> None:
        self.count += 1

    def close(self) -> None:
        event.remove(self.engine, "commit", self._note)


async def _until(predicate: Any, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE_S
    while not predicate():
        assert loop.time() < deadline, f"gave up waiting for {what}"
        await asyncio.sleep(0.01)


def test_checks_handed_over_during_a_write_are_committed_together(db: Database, db_path: Path) -> None:
    """One transaction for the first check, one for the five that came while it waited for the lock."""

    async def scenario() -> list[CheckResult]:
        writer = CheckWriter(db, window_s=0)
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # the writer's first batch waits for this
        try:
            first = asyncio.create_task(writer.write(record(0)))
            await _until(lambda: writer.busy and writer.pending == 0, "the first batch to start")
            rest = [asyncio.create_task(writer.write(record(i))) for i in range(1, 6)]
            await _until(lambda: writer.pending == 5, "five checks to queue")
            assert holder.execute('SELECT count(*) FROM "check"').fetchone() == (0,)
        finally:
            holder.rollback()
            holder.close()
        results = await asyncio.gather(first, *rest)
        await writer.wait_idle()
        return results

    commits = Commits(db)
    try:
        results = asyncio.run(scenario())
    finally:
        commits.close()
    assert commits.count == 2
    assert len({r.check_id for r in results}) == 6
    assert stored_checks(db) == 6


def test_a_refused_check_raises_to_its_caller_only(db: Database) -> None:
    """In one batch: a check compared with a snapshot that is not the latest, an unknown supplier, two good ones."""

    async def scenario() -> list[CheckResult | BaseException]:
        writer = CheckWriter(db, window_s=0.05)  # the four come in the same loop turn: the window only helps
        moved = record(1, status="ok", claims={"schema": "supplier-claims/1"}, expected_claims_hash="0" * 64)
        handed = [record(0), moved, record(9, supplier_id="nobody"), record(2)]
        return await asyncio.gather(*(writer.write(r) for r in handed), return_exceptions=True)

    commits = Commits(db)
    try:
        good, moved, unknown, also_good = asyncio.run(scenario())
    finally:
        commits.close()
    assert isinstance(good, CheckResult) and isinstance(also_good, CheckResult)
    assert isinstance(moved, SnapshotMovedError)
    assert "unknown supplier 'nobody'" in str(unknown)
    assert commits.count == 1
    assert stored_checks(db) == 2


def test_a_failing_database_fails_every_check_of_the_batch_and_stores_none(db: Database) -> None:
    """A database refusing writes (here: SQLite's query_only) is every caller's trouble, not one check's."""

    def read_only(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.execute("PRAGMA query_only = ON")

    db.engine.dispose()  # new connections only: each gets the pragma
    event.listen(db.engine, "connect", read_only)

    async def scenario() -> list[CheckResult | BaseException]:
        writer = CheckWriter(db)
        return await asyncio.gather(*(writer.write(record(i)) for i in range(3)), return_exceptions=True)

    try:
        outcomes = asyncio.run(scenario())
    finally:
        event.remove(db.engine, "connect", read_only)
        db.engine.dispose()
    assert all(isinstance(o, Exception) and "readonly" in str(o) for o in outcomes), outcomes
    assert stored_checks(db) == 0


def test_a_cancelled_caller_does_not_cancel_its_write(db: Database, db_path: Path) -> None:
    """A round cancelled while its check waits to be stored leaves the check stored, whole."""

    async def scenario() -> None:
        writer = CheckWriter(db, window_s=0)
        holder = sqlite3.connect(db_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            caller = asyncio.create_task(writer.write(record(0)))
            await _until(lambda: writer.busy and writer.pending == 0, "the batch to start")
            caller.cancel()
            with pytest.raises(asyncio.CancelledError):
                await caller
        finally:
            holder.rollback()
            holder.close()
        await writer.wait_idle()

    asyncio.run(scenario())
    assert stored_checks(db) == 1


def test_max_batch_is_at_least_one(db: Database) -> None:
    with pytest.raises(ValueError, match="max_batch"):
        CheckWriter(db, max_batch=0)
