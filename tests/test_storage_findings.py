"""Findings history and registry tables in storage, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from storage import (
    Database,
    StoredFinding,
    cache_get,
    cache_purge_expired,
    cache_put,
    finding_history,
    open_database,
    open_findings,
    record_check,
    record_findings,
    registry_by_holder_key,
    registry_by_number_key,
    registry_sources,
    replace_registry_source,
    upsert_suppliers,
)
from storage.db import alembic_config, create_engine_for_url, current_revision, migrate, ours
from storage.findings import UnknownSupplierForFindingsError
from storage.models import metadata

T0 = datetime(2025, 11, 1, 8, 0, tzinfo=UTC)
URL = "https://haoyue.en.alibaba.com/company_profile.html"
NEW_TABLES = {"finding", "registry_certificate", "registry_cache"}


def head_revision() -> str | None:
    """Later migrations (0003 alert outbox, ...) move the head: follow it instead of hard-coding 0002."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    upsert_suppliers(database, [("haoyue", "Haoyue", "alibaba", [URL], []), ("other", "Other", "alibaba", [URL], [])])
    try:
        yield database
    finally:
        database.dispose()


def snapshot(db: Database, at: datetime, claims: dict | None = None, supplier: str = "haoyue") -> int:
    result = record_check(
        db,
        supplier_id=supplier,
        url=URL,
        started_at=at,
        finished_at=at + timedelta(seconds=2),
        status="ok",
        fetch_method="http",
        claims=claims or {"certifications": [{"name": "ISO 9001", "at": at.isoformat()}]},
    )
    assert result.snapshot_id is not None
    return result.snapshot_id


def finding(identity: str, *, message: str = "msg", severity: str = "high") -> dict:
    return {
        "identity": identity,
        "code": identity.split(":")[0],
        "severity": severity,
        "message": message,
        "evidence": f"evidence of {identity}",
        "rule_source": "cert_rules.md CV-01",
        "certification": {"name": "ISO 9001", "number": "Q-123", "valid_until": "2024-01-31"},
        "statement": None,
    }


def test_new_tables_exist_and_migration_matches_models(db: Database) -> None:
    from alembic.autogenerate import compare_metadata

    assert set(inspect(db.engine).get_table_names()) >= NEW_TABLES
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as conn:
        opts = {"compare_type": True, "include_name": ours}  # the job queue's tables are Procrastinate's
        diffs = compare_metadata(MigrationContext.configure(conn, opts=opts), metadata)
    assert diffs == []


def test_downgrade_to_0001_drops_only_new_tables(db_url: str) -> None:
    engine = create_engine_for_url(db_url)
    try:
        migrate(engine)
        with engine.begin() as conn:
            command.downgrade(alembic_config(db_url, connection=conn), "0001")
        tables = set(inspect(engine).get_table_names())
        assert not NEW_TABLES & tables
        assert {"supplier", "check", "snapshot", "blob"} <= tables
        migrate(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_finding_persists_as_one_row_across_checks(db: Database) -> None:
    s1 = snapshot(db, T0)
    first = record_findings(db, "haoyue", s1, [finding("CV-01:a"), finding("AC-01:b")], T0)
    assert {f.identity for f in first.new} == {"CV-01:a", "AC-01:b"}
    assert first.resolved == first.persisting == []

    s2 = snapshot(db, T0 + timedelta(days=1), {"changed": True})
    t2 = T0 + timedelta(days=1)
    second = record_findings(db, "haoyue", s2, [finding("CV-01:a", message="reworded", severity="critical")], t2)
    assert second.new == []
    assert [f.identity for f in second.persisting] == ["CV-01:a"]
    assert [f.identity for f in second.resolved] == ["AC-01:b"]

    rows = {f.identity: f for f in finding_history(db, "haoyue")}
    assert len(rows) == 2
    kept = rows["CV-01:a"]
    assert (kept.first_seen_at, kept.last_seen_at, kept.resolved_at) == (T0, t2, None)
    assert (kept.first_snapshot_id, kept.last_snapshot_id) == (s1, s2)
    assert (kept.message, kept.severity) == ("reworded", "critical")
    assert kept.certification == {"name": "ISO 9001", "number": "Q-123", "valid_until": "2024-01-31"}
    gone = rows["AC-01:b"]
    assert gone.resolved_at == t2
    assert gone.last_seen_at == T0
    assert [f.identity for f in open_findings(db, "haoyue")] == ["CV-01:a"]


def test_unchanged_findings_make_no_new_rows(db: Database) -> None:
    sid = snapshot(db, T0)
    for day in range(5):
        update = record_findings(db, "haoyue", sid, [finding("CV-01:a")], T0 + timedelta(days=day))
        assert len(update.new) == (1 if day == 0 else 0)
    [row] = finding_history(db, "haoyue")
    assert row.first_seen_at == T0
    assert row.last_seen_at == T0 + timedelta(days=4)


def test_reappearing_finding_opens_a_new_row(db: Database) -> None:
    record_findings(db, "haoyue", None, [finding("CV-01:a")], T0)
    record_findings(db, "haoyue", None, [], T0 + timedelta(days=1))
    assert open_findings(db, "haoyue") == []
    back = record_findings(db, "haoyue", None, [finding("CV-01:a")], T0 + timedelta(days=2))
    assert len(back.new) == 1
    history = finding_history(db, "haoyue")
    assert [(f.first_seen_at, f.resolved_at) for f in history] == [
        (T0, T0 + timedelta(days=1)),
        (T0 + timedelta(days=2), None),
    ]
    assert history[0].id != history[1].id


def test_findings_are_per_supplier_and_open_findings_lists_all(db: Database) -> None:
    record_findings(db, "haoyue", None, [finding("CV-01:a")], T0)
    record_findings(db, "other", None, [finding("CV-01:a")], T0)
    record_findings(db, "other", None, [], T0 + timedelta(hours=1))  # resolves only other's
    assert [(f.supplier_id, f.identity) for f in open_findings(db)] == [("haoyue", "CV-01:a")]


def test_duplicate_identity_in_one_call_is_one_row(db: Database) -> None:
    update = record_findings(db, "haoyue", None, [finding("X:1", message="a"), finding("X:1", message="b")], T0)
    assert len(update.new) == 1
    assert update.new[0].message == "b"


def test_open_finding_unique_per_supplier_identity(db: Database) -> None:
    record_findings(db, "haoyue", None, [finding("CV-01:a")], T0)
    with pytest.raises(IntegrityError), db.session(write=True) as session:
        session.add(
            StoredFinding(
                supplier_id="haoyue",
                identity="CV-01:a",
                code="CV-01",
                severity="high",
                message="m",
                evidence="e",
                rule_source="s",
                first_seen_at=T0,
                recorded_last_seen_at=T0,
            )
        )


def test_record_findings_validation(db: Database) -> None:
    with pytest.raises(UnknownSupplierForFindingsError):
        record_findings(db, "nobody", None, [finding("X:1")], T0)
    with pytest.raises(ValueError, match="naive"):
        record_findings(db, "haoyue", None, [], datetime(2025, 1, 1))
    bad = finding("X:1")
    del bad["code"]
    with pytest.raises(ValueError, match="code"):
        record_findings(db, "haoyue", None, [bad], T0)
    assert finding_history(db, "haoyue") == []  # nothing half-written


def test_failed_call_is_rolled_back(db: Database) -> None:
    record_findings(db, "haoyue", None, [finding("X:1")], T0)
    with pytest.raises(Exception):  # noqa: B017 - FK violation differs per backend
        record_findings(db, "haoyue", 999_999, [finding("X:2")], T0 + timedelta(days=1))
    [row] = finding_history(db, "haoyue")
    assert row.identity == "X:1" and row.resolved_at is None and row.last_seen_at == T0


def test_registry_certificate_replace_per_source(db: Database) -> None:
    rows = [
        {"number": "Q-1", "number_key": "q1", "holder": "A Co., Ltd.", "holder_key": "a", "standard": "ISO 9001"},
        {"number": "Q-2", "number_key": "q2", "holder": "B", "holder_key": "b", "valid_until": date(2026, 1, 1)},
    ]
    assert replace_registry_source(db, "a.csv", rows) == (2, 0)
    assert replace_registry_source(db, "b.csv", rows[:1]) == (1, 0)
    assert replace_registry_source(db, "a.csv", rows[1:]) == (1, 2)
    assert registry_sources(db) == [("a.csv", 1), ("b.csv", 1)]
    [q1] = registry_by_number_key(db, "q1")
    assert q1.source == "b.csv"
    [b] = registry_by_holder_key(db, "b")
    assert b.valid_until == date(2026, 1, 1)


def test_registry_cache_ttl(db: Database) -> None:
    cache_put(db, "iaf", "k1", 200, {"data": [1]}, fetched_at=T0, expires_at=T0 + timedelta(days=7))
    hit = cache_get(db, "iaf", "k1", now=T0 + timedelta(days=1))
    assert hit is not None and hit.response == {"data": [1]} and hit.status_code == 200
    assert cache_get(db, "iaf", "k1", now=T0 + timedelta(days=8)) is None
    cache_put(db, "iaf", "k1", 404, None, fetched_at=T0, expires_at=T0 + timedelta(days=30))
    again = cache_get(db, "iaf", "k1", now=T0 + timedelta(days=8))
    assert again is not None and again.status_code == 404 and again.response is None
    assert cache_purge_expired(db, now=T0 + timedelta(days=31)) == 1


def test_a_check_of_one_page_never_resolves_another_pages_findings(db: Database) -> None:
    page_a, page_b = URL, URL.replace("company_profile", "product")
    record_findings(db, "haoyue", None, [finding("CV-01:a")], T0, url=page_a)
    record_findings(db, "haoyue", None, [finding("AC-01:b")], T0, url=page_b)
    later = record_findings(db, "haoyue", None, [], T0 + timedelta(days=1), url=page_b)
    assert [f.identity for f in later.resolved] == ["AC-01:b"]
    assert [(f.identity, f.url) for f in open_findings(db, "haoyue")] == [("CV-01:a", page_a)]
