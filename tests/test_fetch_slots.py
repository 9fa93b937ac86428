"""``browser.concurrency`` bounds the pages being fetched and read at once, not the database work after them.

A page's slot is given back before its findings are judged and its check stored, so the next page's fetch does
not wait for the store. Shown with real parts: two loopback sites, one fetch slot, and the SQLite write lock
held by another connection, so that neither store can finish until the test lets go of it.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from loopback_site import POLITENESS, Answer, SupplierSite, supplier_page

from monitor.config import load_config
from monitor.engine import Monitor
from storage import list_checks

#: How long the test waits for what must happen at once (a bound, not a measurement).
PATIENCE_S = 30.0


async def _until(predicate: object, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE_S
    while not predicate():  # type: ignore[operator]
        assert loop.time() < deadline, f"gave up waiting for {what}"
        await asyncio.sleep(0.02)


def test_the_next_page_is_fetched_while_the_last_one_waits_to_be_stored(tmp_path: Path) -> None:
    first, second = SupplierSite(Answer(200, supplier_page(1))), SupplierSite(Answer(200, supplier_page(2)))
    db_path = tmp_path / "monitor.db"
    config = load_config(
        tmp_path / "config.toml",
        data={
            "database": {"url": f"sqlite:///{db_path}"},
            "browser": {"concurrency": 1},
            "fetch": {"method": "http", "timeout": "10s", "allow_private_addresses": True},
            # No robots.txt: its record is written to the database, which the test holds locked.
            "politeness": {**POLITENESS, "obey_robots_txt": False},
            "suppliers": [
                {"id": "first", "name": "First Co", "url": first.url},
                {"id": "second", "name": "Second Co", "url": second.url},
            ],
        },
    )

    async def scenario() -> list[str]:
        async with Monitor(config) as monitor:
            holder = sqlite3.connect(db_path, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")  # no check can be stored until this lets go
            try:
                round_ = asyncio.create_task(monitor.check())
                # One slot: the second page is fetched only if the first page's slot came back before its store.
                await _until(lambda: first.requests == 1 and second.requests == 1, "both pages to be fetched")
                assert not round_.done()  # and neither check is stored yet: the lock is still held
                assert list_checks(monitor.db, "first") == list_checks(monitor.db, "second") == []
            finally:
                holder.rollback()
                holder.close()
            return [outcome.status for outcome in await round_]

    try:
        assert asyncio.run(scenario()) == ["ok", "ok"]
    finally:
        first.close()
        second.close()
