"""Crash safety of delivery: a restarted monitor never sends an already-sent event again.

Delivery runs in a subprocess (tests/delivery_crash_helper.py) whose channel writes every sent alert id
to a file with fsync and SIGKILLs its own process at a chosen send. Then delivery is restarted in new
processes and the file is the receiver's view of what arrived.

The guarantee shown: at-least-once with stable ids. Every alert arrives; a delivery marked sent is never
sent again; the only duplicate possible is the one delivery in flight when the process died after the
channel accepted it but before mark_sent, and it is resent only once its lease has expired. Receivers
deduplicate by the alert id (it travels in every message).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from storage import Database, Delivery, enqueue_alerts, open_database, upsert_suppliers

ROOT = Path(__file__).resolve().parents[1]
HELPER = ROOT / "tests" / "delivery_crash_helper.py"
T0 = datetime(2025, 11, 1, 9, 0, tzinfo=UTC)
START = T0 + timedelta(minutes=1)
LEASE = timedelta(seconds=30)  # short, so the restart after the crash finds it expired
BATCH = 5
ALERTS = [f"alert-{i:04}" for i in range(8)]


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    upsert_suppliers(database, [("haoyue", "Haoyue Textile", "alibaba", ["https://haoyue.example/"], [])], now=T0)
    enqueue_alerts(
        database,
        [
            {
                "id": alert_id,
                "kind": "claim_change",
                "severity": "high",
                "supplier_id": "haoyue",
                "payload": {
                    "id": alert_id,
                    "kind": "claim_change",
                    "severity": "high",
                    "supplier": {"id": "haoyue", "name": "Haoyue Textile", "url": "https://haoyue.example/"},
                    "title": f"change {i}",
                    "details": {},
                    "observed_at": (T0 + timedelta(seconds=i)).isoformat(),
                },
                "observed_at": T0 + timedelta(seconds=i),
                "deliveries": [{"recipient": "buyer", "channel": "crash-test-file", "target": "file", "digest": False}],
            }
            for i, alert_id in enumerate(ALERTS)
        ],
    )
    try:
        yield database
    finally:
        database.dispose()


def run_delivery(
    db: Database, out: Path, now: datetime, *, crash_at: int | None = None, crash_point: str = "after_send"
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CRASH_AT", "CRASH_POINT")}
    if crash_at is not None:
        env |= {"CRASH_AT": str(crash_at), "CRASH_POINT": crash_point}
    return subprocess.run(
        [sys.executable, str(HELPER), db.url, str(out), now.isoformat(), str(LEASE.total_seconds()), str(BATCH)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def received(out: Path) -> list[str]:
    return out.read_text(encoding="utf-8").split() if out.exists() else []


def states(db: Database) -> dict[str, str]:
    with db.session() as session:
        return dict(session.execute(select(Delivery.alert_id, Delivery.status)).all())


def report(proc: subprocess.CompletedProcess[str]) -> dict[str, int]:
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_kill_between_send_and_mark_in_the_middle_of_a_batch(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "received.txt"
    # 1. Killed right after the 3rd message was accepted, before it was marked; a batch of 5 was claimed.
    crashed = run_delivery(db, out, START, crash_at=3, crash_point="after_send")
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert received(out) == ALERTS[:3]
    assert states(db) == {a: "sent" for a in ALERTS[:2]} | {a: "sending" for a in ALERTS[2:5]} | {
        a: "pending" for a in ALERTS[5:]
    }

    # 2. Restart while the dead process's lease is still live: only never-claimed work is sent.
    restart = run_delivery(db, out, START + LEASE / 2)
    assert report(restart)["sent"] == 3
    assert received(out) == ALERTS[:3] + ALERTS[5:]

    # 3. Restart after the lease expired: exactly the leased-and-expired deliveries are (re)sent.
    after_lease = run_delivery(db, out, START + LEASE + timedelta(seconds=1))
    assert report(after_lease)["sent"] == 3
    assert received(out)[6:] == ALERTS[2:5]
    assert set(states(db).values()) == {"sent"}

    # 4. Any later run sends nothing: sent is final.
    assert report(run_delivery(db, out, START + timedelta(days=1)))["sent"] == 0

    counts = Counter(received(out))
    assert set(counts) == set(ALERTS)  # nothing lost
    # The one duplicate is the delivery that was in flight (sent, not yet marked) when the process died.
    assert {a for a, n in counts.items() if n > 1} == {ALERTS[2]} and counts[ALERTS[2]] == 2


def test_kill_before_send_loses_nothing_and_duplicates_nothing(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "received.txt"
    crashed = run_delivery(db, out, START, crash_at=2, crash_point="before_send")
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert received(out) == ALERTS[:1]
    assert report(run_delivery(db, out, START + timedelta(seconds=5)))["sent"] == 3  # 5..7; 1..4 still leased
    assert report(run_delivery(db, out, START + LEASE + timedelta(seconds=1)))["sent"] == 4
    counts = Counter(received(out))
    assert set(counts) == set(ALERTS) and max(counts.values()) == 1
    assert set(states(db).values()) == {"sent"}


def test_repeated_crashes_converge(db: Database, tmp_path: Path) -> None:
    """A crash on every first send of each process: each restart still moves forward, nothing lost."""
    out = tmp_path / "received.txt"
    now = START
    for _ in range(20):
        proc = run_delivery(db, out, now, crash_at=2, crash_point="after_send")
        now += LEASE + timedelta(seconds=1)
        if proc.returncode == 0:
            break
        assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert set(states(db).values()) == {"sent"}
    counts = Counter(received(out))
    assert set(counts) == set(ALERTS)
    # Each killed process duplicated at most the one message in flight when it died.
    assert max(counts.values()) <= 2
