"""At most ``[alerts] max_messages_per_check`` messages per check and recipient (issue 10, part 6).

A page that gained hundreds of certificates at once sent one webhook post per alert. Now a recipient gets the
most severe alerts of a check one by one up to the limit and the rest as one summary message ("and 37 more");
every alert is still stored and listed with its delivery, and digest recipients still get one message.
Real loopback site, real checker and outbox, real webhook receivers.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from loopback_site import SUPPLIER_ID, Answer, HookReceiver, SupplierSite, site_config, supplier_page

from monitor.alerts.commands import _json_row
from monitor.alerts.delivery import deliver_digests, deliver_due
from monitor.checks import PageOutcome, sync_watch_list
from monitor.config import Config
from monitor.engine import check_round
from monitor.severity import Severity
from storage import Database, list_alerts, list_deliveries, open_database, reset_delivery

LIMIT = 5
NEW_CERTIFICATES = 40


@pytest.fixture
def site() -> Iterator[SupplierSite]:
    server = SupplierSite(Answer(200, supplier_page(2)))
    yield server
    server.close()


@pytest.fixture
def hooks() -> Iterator[tuple[HookReceiver, HookReceiver]]:
    buyers, daily = HookReceiver(), HookReceiver()
    yield buyers, daily
    buyers.close()
    daily.close()


def _config(tmp_path: Path, site: SupplierSite, buyers: HookReceiver, daily: HookReceiver) -> Config:
    recipients = [
        {"name": "Buyers", "webhook": buyers.url, "min_severity": "info"},
        {"name": "Daily", "webhook": daily.url, "min_severity": "info", "digest": True},
    ]
    return site_config(tmp_path, site, recipients=recipients, max_messages_per_check=LIMIT, digest_hour=0)


def _check(config: Config, db: Database) -> PageOutcome:
    [outcome] = asyncio.run(check_round(config, db, config.suppliers))
    deliver_due(db, config)
    return outcome


def test_many_new_certificates_are_at_most_the_limit_and_one_summary_per_recipient(
    tmp_path: Path, site: SupplierSite, hooks: tuple[HookReceiver, HookReceiver]
) -> None:
    buyers, daily = hooks
    config = _config(tmp_path, site, buyers, daily)
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        first = _check(config, db)
        assert first.status == "ok" and len(first.alerts) <= LIMIT
        assert [b["kind"] for b in buyers.bodies].count("summary") == 0, "below the limit: no summary"
        buyers.bodies.clear()

        site.answer = Answer(200, supplier_page(2 + NEW_CERTIFICATES))
        second = _check(config, db)
        assert second.status == "ok" and second.changed
        stored = [a for a in list_alerts(db, SUPPLIER_ID, limit=None) if a.check_id == second.check_id]
        individual = [a for a in stored if a.kind != "summary"]
        added = [a for a in individual if a.payload["details"].get("change") == "certification_added"]
        assert len(added) == NEW_CERTIFICATES, "every alert is stored"
        more = len(individual) - LIMIT

        # The buyers' webhook: exactly LIMIT alerts, then one summary naming how many more there are.
        assert len(buyers.bodies) == LIMIT + 1
        *singles, summary = buyers.bodies
        assert summary["kind"] == "summary" and [b["kind"] for b in singles].count("summary") == 0
        assert summary["title"].startswith(f"and {more} more alerts")
        details = summary["details"]
        assert details["more"] == more
        assert sum(details["by_kind"].values()) == sum(details["by_severity"].values()) == more
        assert details["by_kind"]["claim_change"] >= NEW_CERTIFICATES - LIMIT
        assert summary["supplier"]["id"] == SUPPLIER_ID
        sent = {b["id"] for b in singles}
        rest = [a for a in individual if a.id not in sent]
        assert sent <= {a.id for a in individual} and len(rest) == more
        assert set(details["alert_ids"]) == {a.id for a in rest}
        worst_summarised = max(Severity(a.severity).rank for a in rest)
        assert min(Severity(b["severity"]).rank for b in singles) >= worst_summarised, "most severe ones first"

        # Nothing is lost from the outbox: every alert keeps its delivery to the buyers, listed with its state.
        rows = {r.alert_id: r for r in list_deliveries(db, limit=None) if r.recipient == "Buyers"}
        assert {a.id for a in individual} <= set(rows)
        assert {rows[i].status for i in sent} == {"sent"} and rows[summary["id"]].status == "sent"
        assert {rows[a.id].status for a in rest} == {"summarised"}
        assert _json_row(rows[rest[0].id])["next_attempt_at"] is None, "`alerts list`: no attempt is planned"
        assert deliver_due(db, config).sent == 0, "summarised deliveries are never sent one by one"

        # An operator can still send one of them on its own.
        assert reset_delivery(db, rows[rest[0].id].id, datetime.now(UTC))
        deliver_due(db, config)
        assert buyers.bodies[-1]["id"] == rest[0].id and len(buyers.bodies) == LIMIT + 2

        # The digest recipient is unaffected: one message with every alert, no summary.
        assert daily.bodies == []
        deliver_digests(db, config)
        [digest] = daily.bodies
        kinds = Counter(a["kind"] for a in digest["alerts"])
        assert "summary" not in kinds
        assert {a.id for a in individual} <= {a["id"] for a in digest["alerts"]}

        # Re-checking the unchanged page raises nothing more.
        third = _check(config, db)
        assert third.status == "ok" and not third.changed and third.alerts == []


def test_the_summary_is_the_same_event_when_a_check_is_stored_again(tmp_path: Path) -> None:
    """Stable ids: enqueueing the same check's alerts twice stores the summary once (and sends it once)."""
    from monitor.alerts.compose import limit_messages
    from monitor.alerts.model import Alert, AlertKind, AlertSupplier, alert_id
    from monitor.alerts.render import subject
    from storage import SupplierSpec, enqueue_alerts, upsert_suppliers

    who = AlertSupplier(id="acme", name="Acme", url="https://acme.example/")
    at = datetime(2026, 11, 26, 12, tzinfo=UTC)
    severities = ["info", "critical", "low", "high", "medium", "info", "high"]
    alerts = [
        Alert(
            id=alert_id("t", n), kind=AlertKind.FINDING, severity=s, supplier=who, title=f"finding {n}", observed_at=at
        )
        for n, s in enumerate(severities)
    ]
    deliveries = [
        {"recipient": "Ops", "channel": "webhook", "target": "https://hooks.example/a", "digest": False},
        {"recipient": "Ops", "channel": "email", "target": "ops@example.com", "digest": False},
        {"recipient": "Daily", "channel": "email", "target": "daily@example.com", "digest": True},
    ]

    def rows() -> list[dict[str, object]]:
        plain = [
            {"id": a.id, "kind": a.kind.value, "severity": a.severity, "supplier_id": "acme", "payload": a.payload(),
             "observed_at": at, "deliveries": [dict(d) for d in deliveries]}
            for a in alerts
        ]  # fmt: skip
        return limit_messages(plain, alerts, 3, who=who, observed_at=at)

    first, again = rows(), rows()
    assert [r["id"] for r in first] == [r["id"] for r in again]
    [summary] = [r for r in first if r["kind"] == "summary"]
    assert summary["payload"]["details"]["more"] == 4
    assert summary["severity"] == "medium"  # the worst of what it summarises: critical, high, high went singly
    assert subject([Alert.model_validate(summary["payload"])]) == "[MEDIUM] acme: and 4 more alerts from one check"
    assert {(d["recipient"], d["channel"]) for d in summary["deliveries"]} == {("Ops", "webhook"), ("Ops", "email")}
    singles = {
        r["id"] for r in first if any(d["recipient"] == "Ops" and not d.get("summarised") for d in r["deliveries"])
    }
    assert singles == {alerts[1].id, alerts[3].id, alerts[6].id, summary["id"]}
    assert all(any(d["recipient"] == "Daily" for d in r["deliveries"]) for r in first if r["kind"] != "summary")

    with open_database(f"sqlite:///{tmp_path / 'm.db'}") as db:
        upsert_suppliers(db, [SupplierSpec(id="acme", name="Acme", platform="auto", urls=["https://acme.example/"])])
        assert len(enqueue_alerts(db, first)) == len(alerts) + 1
        assert enqueue_alerts(db, again) == []
        by_status = Counter((r.recipient, r.status) for r in list_deliveries(db, limit=None))
        assert by_status == {("Ops", "pending"): 8, ("Ops", "summarised"): 8, ("Daily", "pending"): 7}
