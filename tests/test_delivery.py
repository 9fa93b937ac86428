"""The delivery loop (monitor.alerts.delivery) over the real outbox, SQLite and PostgreSQL.

Channels here are test channels registered under names of their own ("test-..."); the built-in ones are
tested in tests/test_channels.py.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import pytest
from sqlalchemy import select

from monitor.alerts.channels.base import Channel, DeliveryError
from monitor.alerts.delivery import deliver_digests, deliver_due, digest_slot, retry_delay
from monitor.alerts.model import Alert, AlertKind, AlertSupplier
from monitor.config import AlertsConfig, Config
from storage import Database, Delivery, enqueue_alerts, list_deliveries, open_database, upsert_suppliers

T0 = datetime(2025, 11, 1, 9, 30, tzinfo=UTC)
#: Deliveries are due from their alert's observed_at on (make_alert spaces them by seconds after T0).
NOW = T0 + timedelta(minutes=1)
SECRET_HOOK = "https://hooks.example.com/services/T000/B000/SECRETTOKEN"


class Recorder(Channel):
    """Records every message; ``script`` maps alert id -> exceptions to raise on successive attempts."""

    name: ClassVar[str] = "test-recorder"

    def __init__(self) -> None:
        self.sent: list[tuple[list[str], str, str]] = []
        self.script: dict[str, list[BaseException]] = {}

    def send(self, alerts: list[Alert], target: str, *, recipient: str) -> None:
        for a in alerts:
            failures = self.script.get(a.id)
            if failures:
                raise failures.pop(0)
        self.sent.append(([a.id for a in alerts], target, recipient))


class FromConfigChannel(Channel):
    """Built by the loop itself through from_config (no override): proves the registry path."""

    name: ClassVar[str] = "test-from-config"
    built_with: ClassVar[list[Config]] = []
    sent: ClassVar[list[str]] = []

    @classmethod
    def from_config(cls, config: Config) -> FromConfigChannel:
        cls.built_with.append(config)
        return cls()

    def send(self, alerts: list[Alert], target: str, *, recipient: str) -> None:
        FromConfigChannel.sent.extend(a.id for a in alerts)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    upsert_suppliers(database, [("haoyue", "Haoyue Textile", "alibaba", ["https://haoyue.example/"], [])], now=T0)
    try:
        yield database
    finally:
        database.dispose()


def config(max_attempts: int = 3, digest_hour: int = 8) -> Config:
    return Config(
        alerts=AlertsConfig(max_attempts=max_attempts, retry_backoff=timedelta(minutes=1), digest_hour=digest_hour)
    )


def make_alert(n: int, at: datetime = T0) -> Alert:
    return Alert(
        id=f"alert-{n:04}",
        kind=AlertKind.CLAIM_CHANGE,
        severity="high",
        supplier=AlertSupplier(id="haoyue", name="Haoyue Textile", url="https://haoyue.example/"),
        title=f"ISO 9001 removed ({n})",
        observed_at=at + timedelta(seconds=n),
    )


def enqueue(db: Database, alerts: list[Alert], channel: str = "test-recorder", **delivery: Any) -> None:
    target = delivery.pop("target", "buyer@example.com")
    rows = [
        {
            "id": a.id,
            "kind": a.kind.value,
            "severity": a.severity,
            "supplier_id": a.supplier.id,
            "payload": a.payload(),
            "observed_at": a.observed_at,
            "deliveries": [{"recipient": "buyer", "channel": channel, "target": target, **delivery}],
        }
        for a in alerts
    ]
    enqueue_alerts(db, rows)


def states(db: Database) -> list[tuple[str, str, int]]:
    with db.session() as session:
        return [tuple(r) for r in session.execute(select(Delivery.alert_id, Delivery.status, Delivery.attempts))]


def test_sends_each_due_delivery_once(db: Database) -> None:
    channel = Recorder()
    enqueue(db, [make_alert(i) for i in range(5)])
    report = deliver_due(db, config(), now=NOW, channels={"test-recorder": channel}, batch_size=2)
    assert (report.sent, report.retrying, report.failed) == (5, 0, 0)
    assert [ids for ids, _, _ in channel.sent] == [[f"alert-{i:04}"] for i in range(5)]
    assert channel.sent[0][1:] == ("buyer@example.com", "buyer")
    assert deliver_due(db, config(), now=T0 + timedelta(days=1), channels={"test-recorder": channel}).sent == 0
    assert len(channel.sent) == 5


def test_temporary_failures_back_off_then_give_up(db: Database) -> None:
    channel = Recorder()
    channel.script["alert-0000"] = [DeliveryError("451 try later")] * 5
    enqueue(db, [make_alert(0)])
    channels = {"test-recorder": channel}
    rng = random.Random(7)
    report = deliver_due(db, config(max_attempts=3), now=T0, channels=channels, rng=rng)
    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    (row,) = list_deliveries(db)
    delay = row.next_attempt_at - T0
    assert timedelta(seconds=48) <= delay <= timedelta(seconds=72)  # 1 min ± 20 %
    # Visible as failing from the first failed attempt on, not only once given up.
    assert [(r.id, r.failure_state) for r in list_deliveries(db, failed_only=True)] == [(row.id, "retrying")]
    assert deliver_due(db, config(max_attempts=3), now=T0 + timedelta(seconds=30), channels=channels).attempted == 0
    second = deliver_due(db, config(max_attempts=3), now=row.next_attempt_at, channels=channels, rng=rng)
    assert second.retrying == 1
    (row2,) = list_deliveries(db)
    assert timedelta(seconds=96) <= row2.next_attempt_at - row.next_attempt_at <= timedelta(seconds=144)
    third = deliver_due(db, config(max_attempts=3), now=row2.next_attempt_at, channels=channels)
    assert (third.retrying, third.failed) == (0, 1)
    assert states(db) == [("alert-0000", "failed", 3)]
    (gave_up,) = list_deliveries(db, failed_only=True)
    assert (gave_up.last_error, gave_up.failure_state) == ("451 try later", "given up")


def test_permanent_failure_and_unexpected_exceptions(db: Database) -> None:
    channel = Recorder()
    channel.script["alert-0000"] = [DeliveryError("550 no such mailbox", permanent=True)]
    channel.script["alert-0001"] = [ZeroDivisionError("bug in a channel")]
    enqueue(db, [make_alert(0), make_alert(1), make_alert(2)])
    report = deliver_due(db, config(), now=NOW, channels={"test-recorder": channel})
    assert (report.sent, report.retrying, report.failed) == (1, 1, 1)
    by_alert = {r.alert_id: r for r in list_deliveries(db)}
    assert by_alert["alert-0000"].status == "failed"
    assert by_alert["alert-0001"].status == "pending"
    assert by_alert["alert-0001"].last_error == "ZeroDivisionError: bug in a channel"
    assert by_alert["alert-0002"].status == "sent"
    failing = {r.alert_id: r.failure_state for r in list_deliveries(db, failed_only=True)}
    assert failing == {"alert-0000": "given up", "alert-0001": "retrying"}
    # The next round (after the backoff) sends the one that hit the bug.
    later = deliver_due(db, config(), now=T0 + timedelta(minutes=5), channels={"test-recorder": channel})
    assert later.sent == 1 and by_alert["alert-0001"].id in {r.id for r in list_deliveries(db) if r.status == "sent"}
    assert [r.alert_id for r in list_deliveries(db, failed_only=True)] == ["alert-0000"]  # sent: no longer failing


def test_channel_from_registry_and_unknown_channel(db: Database) -> None:
    FromConfigChannel.sent.clear()
    cfg = config()
    enqueue(db, [make_alert(0)], channel="test-from-config")
    enqueue(db, [make_alert(1)], channel="no-such-channel")
    report = deliver_due(db, cfg, now=NOW)
    assert FromConfigChannel.sent == ["alert-0000"] and FromConfigChannel.built_with[-1] is cfg
    assert (report.sent, report.failed) == (1, 1)
    failed = list_deliveries(db, failed_only=True)
    assert [r.alert_id for r in failed] == ["alert-0001"] and "unknown channel" in (failed[0].last_error or "")


def test_targets_are_never_logged_or_stored_unredacted(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    channel = Recorder()
    channel.script["alert-0000"] = [RuntimeError(f"HTTP 500 for url '{SECRET_HOOK}'")]
    enqueue(db, [make_alert(0), make_alert(1)], target=SECRET_HOOK)
    with caplog.at_level(logging.DEBUG, logger="monitor.alerts.delivery"):
        report = deliver_due(db, config(), now=NOW, channels={"test-recorder": channel})
    assert report.sent == 1 and report.retrying == 1
    assert channel.sent[0][1] == SECRET_HOOK  # the channel itself gets the real target
    everything = caplog.text + "\n".join(report.errors) + str([r.last_error for r in list_deliveries(db)])
    assert "SECRETTOKEN" not in everything
    assert "https://hooks.example.com" in everything


def test_sender_that_never_reports_back_is_given_up(db: Database) -> None:
    """A message that kills its sender every time must not be retried forever through expired leases."""
    from storage import claim_due_deliveries

    enqueue(db, [make_alert(0)])
    for i in range(3):  # three senders claimed it and died
        assert claim_due_deliveries(db, T0 + timedelta(hours=i), lease=timedelta(minutes=5))
    channel = Recorder()
    report = deliver_due(db, config(max_attempts=3), now=T0 + timedelta(hours=5), channels={"test-recorder": channel})
    assert report.failed == 1 and channel.sent == []
    assert "without an outcome" in (list_deliveries(db)[0].last_error or "")


def test_retry_delay_is_capped_and_jittered() -> None:
    rng = random.Random(1)
    delays = [retry_delay(1, timedelta(minutes=1), rng=rng) for _ in range(200)]
    assert min(delays) >= timedelta(seconds=48) and max(delays) <= timedelta(seconds=72)
    assert len(set(delays)) > 100
    assert retry_delay(50, timedelta(minutes=1)) == timedelta(hours=6)
    assert retry_delay(1, timedelta(0)) == timedelta(seconds=1)


def test_digest_once_per_day_per_target(db: Database) -> None:
    channel = Recorder()
    channels = {"test-recorder": channel}
    enqueue(db, [make_alert(i, T0 - timedelta(hours=5)) for i in range(3)], digest=True)
    enqueue(db, [make_alert(10)])  # an immediate one: deliver_digests leaves it alone
    # Before the digest hour: nothing.
    assert deliver_digests(db, config(digest_hour=10), now=T0, channels=channels).messages == 0
    report = deliver_digests(db, config(digest_hour=9), now=T0, channels=channels)
    assert (report.messages, report.sent) == (1, 3)
    assert channel.sent == [(["alert-0000", "alert-0001", "alert-0002"], "buyer@example.com", "buyer")]
    # Later the same day: a new digest alert waits for tomorrow.
    enqueue(db, [make_alert(20, T0 + timedelta(hours=1))], digest=True)
    assert deliver_digests(db, config(digest_hour=9), now=T0 + timedelta(hours=2), channels=channels).messages == 0
    tomorrow = T0 + timedelta(days=1)
    assert deliver_digests(db, config(digest_hour=9), now=tomorrow, channels=channels).sent == 1
    assert channel.sent[-1][0] == ["alert-0020"]
    assert [r.alert_id for r in list_deliveries(db) if r.status == "pending"] == ["alert-0010"]


def test_failed_digest_is_retried_as_a_whole(db: Database) -> None:
    channel = Recorder()
    channel.script["alert-0001"] = [DeliveryError("timeout")]
    enqueue(db, [make_alert(i, T0 - timedelta(hours=5)) for i in range(2)], digest=True)
    first = deliver_digests(db, config(digest_hour=9), now=T0, channels={"test-recorder": channel})
    assert (first.retrying, first.sent) == (2, 0)
    second = deliver_digests(
        db, config(digest_hour=9), now=T0 + timedelta(minutes=5), channels={"test-recorder": channel}
    )
    assert (second.sent, second.messages) == (2, 1)
    assert channel.sent == [(["alert-0000", "alert-0001"], "buyer@example.com", "buyer")]


def test_digest_slot() -> None:
    assert digest_slot(datetime(2025, 11, 1, 7, 59, tzinfo=UTC), 8) is None
    assert digest_slot(datetime(2025, 11, 1, 8, 0, tzinfo=UTC), 8) == datetime(2025, 11, 1, 8, 0, tzinfo=UTC)
