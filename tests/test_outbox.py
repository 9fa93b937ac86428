"""Alert outbox and delivery queue in storage, on SQLite and (when configured) PostgreSQL: no mocks."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select

from storage import (
    Blob,
    Check,
    CheckFacts,
    Database,
    Delivery,
    Snapshot,
    StoredAlert,
    StoredFinding,
    claim_digest_deliveries,
    claim_due_deliveries,
    enqueue_alerts,
    get_alert,
    list_alerts,
    list_deliveries,
    mark_failed,
    mark_sent,
    open_database,
    record_check,
    record_findings,
    redact_target,
    release_deliveries,
    reset_delivery,
    upsert_suppliers,
)
from storage.db import alembic_config, create_engine_for_url, migrate, ours
from storage.models import metadata
from storage.outbox import GIVEN_UP, RETRYING, retry_now

T0 = datetime(2025, 11, 1, 8, 0, tzinfo=UTC)
URL_A = "https://haoyue.en.alibaba.com/company_profile.html"
URL_B = "https://haoyue.en.alibaba.com/certificates.html"
LEASE = timedelta(minutes=5)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    upsert_suppliers(database, [("haoyue", "Haoyue Textile", "alibaba", [URL_A, URL_B], [])], now=T0)
    try:
        yield database
    finally:
        database.dispose()


def alert(
    alert_id: str,
    *,
    at: datetime = T0,
    deliveries: list[dict[str, Any]] | None = None,
    supplier_id: str | None = "haoyue",
    kind: str = "claim_change",
) -> dict[str, Any]:
    """An alert dict as monitor hands it to storage (payload shaped like Alert.payload())."""
    return {
        "id": alert_id,
        "kind": kind,
        "severity": "high",
        "supplier_id": supplier_id,
        "payload": {
            "id": alert_id,
            "kind": kind,
            "severity": "high",
            "supplier": {"id": supplier_id, "name": "Haoyue Textile", "url": URL_A},
            "title": f"title of {alert_id}",
            "details": {},
            "observed_at": at.isoformat(),
        },
        "observed_at": at,
        "deliveries": deliveries
        if deliveries is not None
        else [{"recipient": "buyer", "channel": "email", "target": "buyer@example.com", "digest": False}],
    }


def check(
    db: Database,
    at: datetime,
    status: str = "ok",
    *,
    url: str = URL_A,
    claims: dict[str, Any] | None = None,
    findings: list[dict[str, Any]] | None = None,
    alerts: Any = None,
) -> Any:
    ok = status == "ok"
    return record_check(
        db,
        supplier_id="haoyue",
        url=url,
        started_at=at,
        finished_at=at + timedelta(seconds=2),
        status=status,
        fetch_method="browser",
        error=None if ok else f"{status} by the platform",
        claims=(claims or {"certifications": ["ISO 9001"]}) if ok else None,
        html="<html>page</html>",
        findings=findings,
        alerts=alerts,
    )


def finding(identity: str) -> dict[str, Any]:
    return {
        "identity": identity,
        "code": identity.split(":")[0],
        "severity": "high",
        "message": f"message {identity}",
        "evidence": f"evidence {identity}",
        "rule_source": "cert_rules.md",
    }


def count(db: Database, model: type) -> int:
    with db.session() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def statuses(db: Database) -> dict[int, str]:
    with db.session() as session:
        return dict(session.execute(select(Delivery.id, Delivery.status)).all())


# --- schema ------------------------------------------------------------------------------------------


def test_migration_matches_models(db: Database) -> None:
    assert {"alert", "delivery"} <= set(inspect(db.engine).get_table_names())
    with db.engine.connect() as conn:
        opts = {"compare_type": True, "include_name": ours}
        diffs = compare_metadata(MigrationContext.configure(conn, opts=opts), metadata)
    assert diffs == []


def test_downgrade_to_0002_drops_only_outbox_tables(db_url: str) -> None:
    engine = create_engine_for_url(db_url)
    try:
        migrate(engine)
        with engine.begin() as conn:
            command.downgrade(alembic_config(db_url, connection=conn), "0002")
        tables = set(inspect(engine).get_table_names())
        assert not {"alert", "delivery"} & tables
        assert {"supplier", "check", "snapshot", "finding"} <= tables
        migrate(engine)
        assert {"alert", "delivery"} <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


# --- enqueue -----------------------------------------------------------------------------------------


def test_enqueue_is_idempotent_by_alert_id(db: Database) -> None:
    two = [
        {"recipient": "buyer", "channel": "email", "target": "buyer@example.com", "digest": False},
        {"recipient": "ops", "channel": "webhook", "target": "https://hooks.example.com/T/secret", "digest": True},
    ]
    assert enqueue_alerts(db, [alert("alert-1", deliveries=two), alert("alert-2")]) == ["alert-1", "alert-2"]
    assert count(db, StoredAlert) == 2 and count(db, Delivery) == 3
    # Same event again (a check re-run after a crash), even with other recipients: nothing is added.
    again = alert("alert-1", deliveries=[{"recipient": "x", "channel": "console", "target": "-"}])
    assert enqueue_alerts(db, [again, alert("alert-3")]) == ["alert-3"]
    assert count(db, StoredAlert) == 3 and count(db, Delivery) == 4
    # A duplicate inside one call and a duplicated delivery collapse too.
    dup = {"recipient": "buyer", "channel": "email", "target": "b@example.com"}
    assert enqueue_alerts(db, [alert("alert-4", deliveries=[dup, dup]), alert("alert-4")]) == ["alert-4"]
    assert count(db, Delivery) == 5
    stored = get_alert(db, "alert-1")
    assert stored is not None and stored.payload["title"] == "title of alert-1" and stored.observed_at == T0


def test_an_alert_without_deliveries_is_not_stored(db: Database) -> None:
    """Nobody to tell, nothing in the outbox: the event is in the check's own rows (snapshot, findings)."""
    assert enqueue_alerts(db, [alert("alert-1", deliveries=[]), alert("alert-2")]) == ["alert-2"]
    assert get_alert(db, "alert-1") is None and count(db, StoredAlert) == 1 and count(db, Delivery) == 1
    with pytest.raises(ValueError, match="aware"):  # still validated: a bad row is a bug, wanted or not
        enqueue_alerts(db, [{**alert("alert-3", deliveries=[]), "observed_at": T0.replace(tzinfo=None)}])


def test_enqueue_joins_the_callers_transaction(db: Database) -> None:
    with pytest.raises(RuntimeError), db.session(write=True) as session:
        assert enqueue_alerts(session, [alert("alert-1")]) == ["alert-1"]
        raise RuntimeError("the surrounding work failed")
    assert count(db, StoredAlert) == 0 and count(db, Delivery) == 0
    with db.session(write=True) as session:
        enqueue_alerts(session, [alert("alert-1")])
    assert get_alert(db, "alert-1") is not None


def test_enqueue_validates(db: Database) -> None:
    bad_payload_id = alert("alert-1")
    bad_payload_id["payload"]["id"] = "other"
    with pytest.raises(ValueError, match="differs"):
        enqueue_alerts(db, [bad_payload_id])
    naive = alert("alert-1")
    naive["observed_at"] = T0.replace(tzinfo=None)
    with pytest.raises(ValueError, match="aware"):
        enqueue_alerts(db, [naive])
    with pytest.raises(ValueError, match="target"):
        enqueue_alerts(db, [alert("alert-1", deliveries=[{"recipient": "r", "channel": "email"}])])
    with pytest.raises(TypeError):
        enqueue_alerts(db, [{**alert("alert-1"), "payload": {"id": "alert-1", "x": object()}}])
    assert count(db, StoredAlert) == 0


def test_new_deliveries_are_due_at_once_whatever_the_clock(db: Database) -> None:
    """Due at min(observed_at, enqueue time): a simulated clock in the past still finds them due."""
    enqueue_alerts(db, [alert("alert-1", at=T0)])
    assert [j.alert_id for j in claim_due_deliveries(db, T0)] == ["alert-1"]


# --- record_check: one transaction -----------------------------------------------------------------


def test_record_check_enqueues_alerts_in_the_check_transaction(db: Database) -> None:
    seen: list[CheckFacts] = []

    def rules(facts: CheckFacts) -> list[dict[str, Any]]:
        seen.append(facts)
        return [alert(f"alert-check-{facts.check_id}")] if facts.changed else []

    first = check(db, T0, findings=[finding("CV-01:a")], alerts=rules)
    assert first.alerts_enqueued == [f"alert-check-{first.check_id}"]
    assert first.findings_update is not None and [f.identity for f in first.findings_update.new] == ["CV-01:a"]
    facts = seen[0]
    assert (facts.check_id, facts.snapshot_id, facts.changed, facts.status) == (
        first.check_id,
        first.snapshot_id,
        True,
        "ok",
    )
    assert facts.previous_snapshot_id is None and facts.previous_status is None
    assert facts.findings_update is first.findings_update or facts.findings_update == first.findings_update
    stored = get_alert(db, first.alerts_enqueued[0])
    assert stored is not None and stored.check_id == first.check_id  # check_id defaults to the check

    unchanged = check(db, T0 + timedelta(hours=1), findings=[], alerts=rules)
    assert unchanged.alerts_enqueued == [] and not seen[1].changed
    assert unchanged.findings_update is not None
    assert [f.identity for f in unchanged.findings_update.resolved] == ["CV-01:a"]


def test_callback_raising_stores_nothing_of_the_check(db: Database) -> None:
    check(db, T0)  # an earlier check, kept
    before = {m: count(db, m) for m in (Check, Snapshot, Blob, StoredFinding, StoredAlert, Delivery)}

    def boom(facts: CheckFacts) -> Iterable[dict[str, Any]]:
        yield alert("alert-never")
        raise RuntimeError("rule crashed")

    with pytest.raises(RuntimeError, match="rule crashed"):
        check(
            db,
            T0 + timedelta(hours=1),
            claims={"certifications": ["ISO 14001"]},  # new snapshot and html blob would be written
            findings=[finding("CV-01:x")],
            alerts=boom,
        )
    assert {m: count(db, m) for m in before} == before
    assert get_alert(db, "alert-never") is None


def test_enqueue_failure_rolls_back_the_check(db: Database) -> None:
    """An invalid alert (here: unknown supplier, a foreign key) undoes the check as well."""
    with pytest.raises(Exception):  # noqa: B017 (IntegrityError, backend-specific wrapping)
        check(db, T0, alerts=lambda f: [alert("alert-x", supplier_id="nobody")])
    assert count(db, Check) == 0 and count(db, Snapshot) == 0 and count(db, StoredAlert) == 0


def test_same_event_from_a_rerun_check_is_not_enqueued_twice(db: Database) -> None:
    rules = lambda facts: [alert("alert-stable")]  # noqa: E731 (same facts -> same stable id)
    assert check(db, T0, alerts=rules).alerts_enqueued == ["alert-stable"]
    assert check(db, T0 + timedelta(minutes=1), alerts=rules).alerts_enqueued == []
    assert count(db, StoredAlert) == 1 and count(db, Delivery) == 1


def test_findings_are_scoped_to_the_checked_page(db: Database) -> None:
    record_findings(db, "haoyue", None, [finding("CV-01:b")], T0, url=URL_B)
    result = check(db, T0 + timedelta(hours=1), url=URL_A, findings=[finding("CV-01:a")])
    assert result.findings_update is not None and result.findings_update.resolved == []
    with db.session() as session:
        rows = session.execute(select(StoredFinding.identity, StoredFinding.url, StoredFinding.resolved_at)).all()
    assert sorted(rows) == [("CV-01:a", URL_A, None), ("CV-01:b", URL_B, None)]
    with pytest.raises(ValueError, match="ok check"):
        check(db, T0 + timedelta(hours=2), "blocked", findings=[])


def test_existing_callers_keep_working(db: Database) -> None:
    result = check(db, T0)
    assert result.findings_update is None and result.alerts_enqueued == []


def test_failure_facts_per_url(db: Database) -> None:
    facts: list[CheckFacts] = []

    def grab(f: CheckFacts) -> list[dict[str, Any]]:
        facts.append(f)
        return []

    plan = [
        (URL_A, "ok"),
        (URL_A, "blocked"),
        (URL_B, "error"),  # another page's failure is not URL_A's streak
        (URL_A, "login_required"),
        (URL_A, "error"),
        (URL_A, "ok"),
        (URL_A, "blocked"),
    ]
    ids = [
        check(db, T0 + timedelta(hours=i), status, url=url, alerts=grab).check_id
        for i, (url, status) in enumerate(plan)
    ]
    got = [(f.status, f.previous_status, f.consecutive_failures, f.first_failed_check_id) for f in facts]
    assert got == [
        ("ok", None, 0, None),
        ("blocked", "ok", 1, ids[1]),
        ("error", None, 1, ids[2]),
        ("login_required", "blocked", 2, ids[1]),
        ("error", "login_required", 3, ids[1]),
        ("ok", "error", 0, None),
        ("blocked", "ok", 1, ids[6]),
    ]
    assert all(f.url in (URL_A, URL_B) and f.supplier_id == "haoyue" for f in facts)


def test_failure_streak_without_any_ok_check(db: Database) -> None:
    facts: list[CheckFacts] = []
    for i in range(3):
        check(db, T0 + timedelta(hours=i), "blocked", alerts=lambda f: facts.append(f) or [])
    assert [f.consecutive_failures for f in facts] == [1, 2, 3]
    assert {f.first_failed_check_id for f in facts} == {facts[0].check_id}


# --- claiming and marking ----------------------------------------------------------------------------


def test_claim_lease_and_mark_flow(db: Database) -> None:
    enqueue_alerts(db, [alert(f"alert-{i}", at=T0 + timedelta(seconds=i)) for i in range(3)])
    jobs = claim_due_deliveries(db, T0 + timedelta(minutes=1), limit=2, lease=LEASE)
    assert [j.alert_id for j in jobs] == ["alert-0", "alert-1"]  # oldest first
    assert all(j.attempts == 1 and j.lease_until == T0 + timedelta(minutes=6) for j in jobs)
    assert jobs[0].payload["title"] == "title of alert-0" and jobs[0].target == "buyer@example.com"
    assert "buyer@example.com" not in repr(jobs[0])
    # Leased rows are not claimable again until their lease expires.
    rest = claim_due_deliveries(db, T0 + timedelta(minutes=2), lease=LEASE)
    assert [j.alert_id for j in rest] == ["alert-2"]
    assert claim_due_deliveries(db, T0 + timedelta(minutes=3), lease=LEASE) == []

    assert mark_sent(db, [jobs[0].id], T0 + timedelta(minutes=3)) == 1
    assert mark_failed(db, jobs[1].id, "SMTP 451", now=T0 + timedelta(minutes=3), retry_at=T0 + timedelta(hours=1))
    # rest[0]'s sender "crashed": its lease expires and it comes back, attempts counted.
    again = claim_due_deliveries(db, T0 + timedelta(minutes=8), lease=LEASE)
    assert [(j.alert_id, j.attempts) for j in again] == [("alert-2", 2)]
    assert mark_sent(db, [again[0].id], T0 + timedelta(minutes=9)) == 1
    retried = claim_due_deliveries(db, T0 + timedelta(hours=1), lease=LEASE)
    assert [(j.alert_id, j.attempts) for j in retried] == [("alert-1", 2)]
    assert mark_failed(db, retried[0].id, "550 no such user", now=T0 + timedelta(hours=1), retry_at=None)
    assert claim_due_deliveries(db, T0 + timedelta(days=30), lease=LEASE) == []

    assert sorted(statuses(db).values()) == ["failed", "sent", "sent"]
    failed = list_deliveries(db, failed_only=True)
    assert [(r.alert_id, r.status, r.last_error, r.attempts) for r in failed] == [
        ("alert-1", "failed", "550 no such user", 2)
    ]
    row = failed[0]
    assert (row.kind, row.severity, row.title, row.supplier_id, row.supplier_name) == (
        "claim_change",
        "high",
        "title of alert-1",
        "haoyue",
        "Haoyue Textile",
    )
    assert row.redacted_target == "***@example.com" and "buyer@example.com" not in repr(row)
    assert len(list_deliveries(db)) == 3

    # Resend: back to pending with a fresh attempt budget.
    assert reset_delivery(db, row.id, T0 + timedelta(days=30))
    resent = claim_due_deliveries(db, T0 + timedelta(days=30), lease=LEASE)
    assert [(j.alert_id, j.attempts) for j in resent] == [("alert-1", 1)]
    # ...but not while another sender holds it under a live lease.
    assert not reset_delivery(db, row.id, T0 + timedelta(days=30, minutes=1))


def test_failed_only_lists_deliveries_still_retrying_as_well_as_given_up(db: Database) -> None:
    # A dead receiver: the first attempt failed, the next one is an hour away. Listing only given-up rows
    # would show nothing for the hours of backoff before max_attempts.
    enqueue_alerts(db, [alert(f"alert-{i}", at=T0 + timedelta(seconds=i)) for i in range(4)])
    enqueue_alerts(db, [alert("alert-untried", at=T0 + timedelta(hours=1))])  # pending, never tried: not failing
    retrying, given_up, recovered, sending_again = claim_due_deliveries(db, T0 + timedelta(minutes=1))
    at = T0 + timedelta(minutes=2)
    assert mark_failed(db, retrying.id, "webhook https://hooks.example unreachable", now=at, retry_at=at + LEASE)
    assert mark_failed(db, given_up.id, "550 no such user", now=at, retry_at=None)
    assert mark_failed(db, recovered.id, "SMTP 451", now=at, retry_at=at)
    assert mark_failed(db, sending_again.id, "timeout", now=at, retry_at=at)
    # recovered: retried and sent (its last error stays as history); sending_again: being retried right now.
    later = at + timedelta(seconds=1)
    assert {j.id for j in claim_due_deliveries(db, later)} == {recovered.id, sending_again.id}
    assert mark_sent(db, [recovered.id], later) == 1

    failing = {r.id: r for r in list_deliveries(db, failed_only=True)}
    assert set(failing) == {retrying.id, given_up.id, sending_again.id}
    assert (failing[retrying.id].status, failing[retrying.id].failure_state) == ("pending", RETRYING)
    assert failing[retrying.id].last_error == "webhook https://hooks.example unreachable"
    assert failing[retrying.id].attempts == 1 and failing[retrying.id].next_attempt_at is not None
    assert (failing[given_up.id].status, failing[given_up.id].failure_state) == ("failed", GIVEN_UP)
    assert (failing[sending_again.id].status, failing[sending_again.id].failure_state) == ("sending", RETRYING)
    every = {r.id: r for r in list_deliveries(db)}
    assert every[recovered.id].failure_state is None and every[recovered.id].last_error == "SMTP 451"
    untried = next(r for r in every.values() if r.alert_id == "alert-untried")
    assert (untried.status, untried.failure_state) == ("pending", None)
    # Filters combine: one alert's failing deliveries only.
    assert [r.id for r in list_deliveries(db, failed_only=True, alert_id="alert-0")] == [retrying.id]


def test_retry_now_brings_waiting_retries_forward_and_keeps_their_attempts(db: Database) -> None:
    enqueue_alerts(db, [alert("alert-0"), alert("alert-1", at=T0 + timedelta(seconds=1))])
    first, fresh = claim_due_deliveries(db, T0 + timedelta(minutes=1))
    assert mark_failed(db, first.id, "unreachable", now=T0, retry_at=T0 + timedelta(hours=2))
    assert release_deliveries(db, [fresh.id]) == 1
    at = T0 + timedelta(minutes=5)
    assert [j.id for j in claim_due_deliveries(db, at, limit=1)] == [fresh.id]  # the retry waits its backoff
    assert retry_now(db, at) == 1  # only the one waiting out a backoff (the other one is being sent)
    (job,) = claim_due_deliveries(db, at)
    assert (job.id, job.attempts) == (first.id, 2)  # the earlier attempt still counts toward max_attempts
    assert retry_now(db, at) == 0
    with pytest.raises(ValueError):
        retry_now(db, datetime(2025, 1, 1))


def test_late_reports_never_undo_a_send(db: Database) -> None:
    enqueue_alerts(db, [alert("alert-1")])
    (job,) = claim_due_deliveries(db, T0, lease=LEASE)
    (job2,) = claim_due_deliveries(db, T0 + timedelta(minutes=10), lease=LEASE)  # first sender hung
    assert job2.id == job.id
    assert mark_sent(db, [job2.id], T0 + timedelta(minutes=10)) == 1
    # The hung sender wakes up and reports a failure: the row stays sent.
    assert not mark_failed(db, job.id, "timeout", now=T0 + timedelta(minutes=11), retry_at=T0 + timedelta(hours=1))
    assert mark_sent(db, [job.id], T0 + timedelta(minutes=11)) == 0
    assert statuses(db) == {job.id: "sent"}


def test_release_hands_back_without_counting_an_attempt(db: Database) -> None:
    enqueue_alerts(db, [alert("alert-1")])
    (job,) = claim_due_deliveries(db, T0, lease=LEASE)
    assert release_deliveries(db, [job.id]) == 1
    (again,) = claim_due_deliveries(db, T0, lease=LEASE)
    assert again.attempts == 1


def test_digest_and_immediate_queues_are_separate(db: Database) -> None:
    digest = [{"recipient": "boss", "channel": "email", "target": "boss@example.com", "digest": True}]
    enqueue_alerts(db, [alert("alert-now"), alert("alert-daily", deliveries=digest)])
    assert [j.alert_id for j in claim_due_deliveries(db, T0, lease=LEASE)] == ["alert-now"]
    slot = T0.replace(hour=8)
    (job,) = claim_digest_deliveries(db, T0 + timedelta(hours=1), since=slot, lease=LEASE)
    assert job.alert_id == "alert-daily" and job.digest
    mark_sent(db, [job.id], T0 + timedelta(hours=1))
    # Served in this slot: a later digest alert for the same target waits for tomorrow's slot.
    enqueue_alerts(db, [alert("alert-later", at=T0 + timedelta(hours=2), deliveries=digest)])
    assert claim_digest_deliveries(db, T0 + timedelta(hours=3), since=slot, lease=LEASE) == []
    tomorrow = slot + timedelta(days=1)
    assert [j.alert_id for j in claim_digest_deliveries(db, tomorrow, since=tomorrow, lease=LEASE)] == ["alert-later"]


def test_concurrent_claimers_never_share_a_delivery(db: Database) -> None:
    # Four claimers take turns in lock-step rounds (a barrier between rounds), so every one of them
    # claims while the others do: competition is built in, not left to the thread scheduler.
    workers, per_claim, rounds = 4, 3, 5
    enqueue_alerts(db, [alert(f"alert-{i:03}", at=T0 + timedelta(seconds=i)) for i in range(60)])
    claimed: dict[int, list[int]] = {}
    errors: list[BaseException] = []
    in_step = threading.Barrier(workers)

    def worker(n: int) -> None:
        mine: list[int] = []
        try:
            for _ in range(rounds):
                in_step.wait()
                jobs = claim_due_deliveries(db, T0 + timedelta(minutes=1), limit=per_claim, lease=LEASE)
                mine.extend(j.id for j in jobs)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
            in_step.abort()
        claimed[n] = mine

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    every = [i for ids in claimed.values() for i in ids]
    assert len(every) == len(set(every)) == workers * per_claim * rounds == 60
    assert all(len(ids) == per_claim * rounds for ids in claimed.values())  # nobody was starved or doubled
    assert claim_due_deliveries(db, T0 + timedelta(minutes=1), limit=per_claim, lease=LEASE) == []
    assert set(statuses(db).values()) == {"sending"}


def test_list_alerts_newest_first(db: Database) -> None:
    enqueue_alerts(db, [alert("alert-a", at=T0), alert("alert-b", at=T0 + timedelta(hours=1))])
    enqueue_alerts(db, [alert("alert-ops", at=T0 + timedelta(hours=2), supplier_id=None, kind="check_failing")])
    assert [a.id for a in list_alerts(db)] == ["alert-ops", "alert-b", "alert-a"]
    assert [a.id for a in list_alerts(db, supplier_id="haoyue", limit=1)] == ["alert-b"]


@pytest.mark.parametrize(
    ("target", "shown"),
    [
        ("buyer@example.com", "***@example.com"),
        ("https://hooks.slack.com/services/T000/B000/XXXXSECRET", "https://hooks.slack.com"),
        ("https://user:pass@example.com:8443/hook?token=abc", "https://example.com"),
        ("tgram://123456789:AAHsecret/987654", "tgram://***"),
        ("discord://4174216298/JHMHI8qBe7bk2ZwO5U711o3dV_js", "discord://***"),
        ("mailto://user:password@gmail.com", "mailto://gmail.com"),
        ("ntfys://ntfy.example.org/topic", "ntfys://ntfy.example.org"),
        ("not a url at all", "***"),
    ],
)
def test_redact_target(target: str, shown: str) -> None:
    assert redact_target(target) == shown
