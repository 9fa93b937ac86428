"""Suppliers, snapshots and the queries the monitor and reports need (checks are written by storage.recording).

Every function takes an open `Database`, runs in its own transaction and returns plain objects (model
instances stay readable after the session closes). Claims are the JSON dict of docs/claims-schema.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import func, literal, or_, select
from sqlalchemy.orm import aliased

from storage.blobs import decode_html, get_blob
from storage.db import Database
from storage.models import Check, Snapshot, Supplier, UTCDateTime, require_aware, utcnow

OK = "ok"
#: A page that was not fetched on purpose (see storage.models.CHECK_STATUSES): neither a success nor a failure.
SKIPPED = "skipped"
#: Statuses that say nothing about the supplier, so failure streaks and "last check" figures step over them.
NOT_ATTEMPTED = (SKIPPED,)


class SupplierSpec(NamedTuple):
    """A supplier as configured; plain (id, name, platform, urls, tags) tuples are accepted too."""

    id: str
    name: str
    platform: str
    urls: Sequence[str] = ()
    tags: Sequence[str] = ()


@dataclass(frozen=True)
class SupplierSyncResult:
    """What upsert_suppliers changed, for logging."""

    added: list[str]
    updated: list[str]
    reactivated: list[str]
    deactivated: list[str]


@dataclass(frozen=True)
class SupplierStatus:
    """One row of the dashboard: how a supplier's monitoring is going.

    ``checks``, ``last_check_at`` and ``last_status`` are about attempted checks: a page skipped because its
    host was being left alone is not a check of the supplier. The newest skip after the last attempt is
    reported on its own (``skipped_at``, ``skip_reason``) so operators see why nothing fresher exists.
    """

    supplier_id: str
    name: str
    active: bool
    checks: int
    last_check_at: datetime | None
    last_status: str | None
    last_ok_at: datetime | None
    consecutive_failures: int
    #: The newest skipped check, when it is newer than the last attempted one (else None).
    skipped_at: datetime | None = None
    #: Why that check was skipped ("backing_off: not fetched: ... is left alone until ...").
    skip_reason: str | None = None


# --- suppliers -------------------------------------------------------------------------------------


def upsert_suppliers(
    db: Database,
    suppliers: Iterable[SupplierSpec | tuple[Any, ...]],
    *,
    deactivate_missing: bool = True,
    now: datetime | None = None,
) -> SupplierSyncResult:
    """Make the supplier table match the configuration; missing ones become inactive, never deleted.

    Deleting would orphan (or cascade away) the evidence history, so removal only flips `active`.
    """
    now = require_aware(now, "now") if now is not None else utcnow()
    specs: dict[str, SupplierSpec] = {}
    for item in suppliers:
        spec = item if isinstance(item, SupplierSpec) else SupplierSpec(*item)
        if spec.id in specs:
            raise ValueError(f"duplicate supplier id {spec.id!r} in configuration")
        specs[spec.id] = spec
    added: list[str] = []
    updated: list[str] = []
    reactivated: list[str] = []
    deactivated: list[str] = []
    with db.session(write=True) as session:
        existing = {s.id: s for s in session.execute(select(Supplier)).scalars()}
        for sid, spec in specs.items():
            urls, tags = list(spec.urls), list(spec.tags)
            row = existing.get(sid)
            if row is None:
                session.add(
                    Supplier(
                        id=sid,
                        name=spec.name,
                        platform=spec.platform,
                        urls=urls,
                        tags=tags,
                        active=True,
                        created_at=now,
                        updated_at=now,
                    )
                )
                added.append(sid)
                continue
            fields_changed = (row.name, row.platform, row.urls, row.tags) != (
                spec.name,
                spec.platform,
                urls,
                tags,
            )
            if not row.active:
                reactivated.append(sid)
            elif fields_changed:
                updated.append(sid)
            if fields_changed or not row.active:
                row.name, row.platform, row.urls, row.tags = spec.name, spec.platform, urls, tags
                row.active = True
                row.updated_at = now
        if deactivate_missing:
            for sid, row in existing.items():
                if sid not in specs and row.active:
                    row.active = False
                    row.updated_at = now
                    deactivated.append(sid)
    return SupplierSyncResult(added=added, updated=updated, reactivated=reactivated, deactivated=sorted(deactivated))


def list_suppliers(db: Database, *, active_only: bool = False) -> list[Supplier]:
    """Suppliers ordered by id (inactive ones included unless active_only)."""
    stmt = select(Supplier).order_by(Supplier.id)
    if active_only:
        stmt = stmt.where(Supplier.active.is_(True))
    with db.session() as session:
        return list(session.execute(stmt).scalars())


def get_supplier(db: Database, supplier_id: str) -> Supplier | None:
    """One supplier by config id."""
    with db.session() as session:
        return session.get(Supplier, supplier_id)


def _latest_snapshot_stmt(supplier_id: str, url: str | None) -> Any:
    stmt = select(Snapshot).where(Snapshot.supplier_id == supplier_id)
    if url is not None:
        stmt = stmt.where(Snapshot.url == url)
    return stmt.order_by(Snapshot.first_seen_at.desc(), Snapshot.id.desc()).limit(1)


# --- snapshots -------------------------------------------------------------------------------------


def get_snapshot(db: Database, snapshot_id: int) -> Snapshot | None:
    """One snapshot by id."""
    with db.session() as session:
        return session.get(Snapshot, snapshot_id)


def latest_snapshot(db: Database, supplier_id: str, url: str | None = None) -> Snapshot | None:
    """The newest snapshot of a supplier (of one of its URLs when `url` is given)."""
    with db.session() as session:
        return session.execute(_latest_snapshot_stmt(supplier_id, url)).scalars().first()


def previous_snapshot(db: Database, snapshot_id: int, *, same_url: bool = True) -> Snapshot | None:
    """The last snapshot before `snapshot_id` (same supplier, and same URL by default): the diff base.

    Snapshots only ever come from ok checks, so this is the last ok state before the given one.
    """
    with db.session() as session:
        current = session.get(Snapshot, snapshot_id)
        if current is None:
            return None
        stmt = select(Snapshot).where(
            Snapshot.supplier_id == current.supplier_id,
            Snapshot.id != current.id,
            or_(
                Snapshot.first_seen_at < current.first_seen_at,
                (Snapshot.first_seen_at == current.first_seen_at) & (Snapshot.id < current.id),
            ),
        )
        if same_url:
            stmt = stmt.where(Snapshot.url == current.url)
        stmt = stmt.order_by(Snapshot.first_seen_at.desc(), Snapshot.id.desc()).limit(1)
        return session.execute(stmt).scalars().first()


def list_snapshots(
    db: Database, supplier_id: str, *, url: str | None = None, limit: int | None = None
) -> list[Snapshot]:
    """Snapshots of a supplier, newest first: the history of its claims."""
    stmt = select(Snapshot).where(Snapshot.supplier_id == supplier_id)
    if url is not None:
        stmt = stmt.where(Snapshot.url == url)
    stmt = stmt.order_by(Snapshot.first_seen_at.desc(), Snapshot.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    with db.session() as session:
        return list(session.execute(stmt).scalars())


def _blob_of_snapshot(db: Database, snapshot_id: int, column: Any) -> bytes | None:
    with db.session() as session:
        digest = session.execute(select(column).where(Snapshot.id == snapshot_id)).scalar_one_or_none()
        return None if digest is None else get_blob(session, digest)


def snapshot_html(db: Database, snapshot_id: int) -> str | None:
    """The page HTML a snapshot was parsed from, decompressed (None when it was not kept)."""
    data = _blob_of_snapshot(db, snapshot_id, Snapshot.html_blob)
    return None if data is None else decode_html(data)


def snapshot_screenshot(db: Database, snapshot_id: int) -> bytes | None:
    """The PNG screenshot taken with a snapshot, if any."""
    return _blob_of_snapshot(db, snapshot_id, Snapshot.screenshot_blob)


def check_evidence_html(db: Database, check_id: int) -> str | None:
    """The block/login/error page HTML kept for a failed check, if any."""
    with db.session() as session:
        digest = session.execute(select(Check.evidence_blob).where(Check.id == check_id)).scalar_one_or_none()
        data = None if digest is None else get_blob(session, digest)
    return None if data is None else decode_html(data)


def load_blob(db: Database, sha256: str) -> bytes | None:
    """Raw (decompressed) blob content by hash."""
    with db.session() as session:
        return get_blob(session, sha256)


# --- checks and status -----------------------------------------------------------------------------


def list_checks(db: Database, supplier_id: str, *, limit: int | None = 50) -> list[Check]:
    """Checks of a supplier, newest first."""
    stmt = select(Check).where(Check.supplier_id == supplier_id).order_by(Check.started_at.desc(), Check.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    with db.session() as session:
        return list(session.execute(stmt).scalars())


class LastRead(NamedTuple):
    """The page as its latest ok check read it: the served page's fingerprint and the claims it gave."""

    page_hash: str
    claims: dict[str, Any]


def last_read(db: Database, supplier_id: str, url: str) -> LastRead | None:
    """The latest ok check of the page, if it recorded its fingerprint (None: read the page in full)."""
    stmt = (
        select(Check.page_hash, Snapshot.claims)
        .join(Snapshot, Snapshot.id == Check.snapshot_id)
        .where(Check.supplier_id == supplier_id, Check.status == OK, Check.url == url)
        .order_by(Check.started_at.desc(), Check.id.desc())
        .limit(1)
    )
    with db.session() as session:
        row = session.execute(stmt).first()
    if row is None or row.page_hash is None:
        return None
    return LastRead(row.page_hash, row.claims)


class PageCheck(NamedTuple):
    """A page's latest fetched check: what layout judgement needs (monitor.alerts.layout.CheckedPage)."""

    supplier_id: str
    url: str
    status: str
    changed: bool


def latest_page_checks(db: Database, pages: Iterable[tuple[str, str]]) -> list[PageCheck]:
    """The latest check that fetched something (skipped ones say nothing) of each (supplier id, url) in ``pages``.

    Every process's checks count: distributed workers judge a page family's layout on what all of them saw."""
    wanted = set(pages)
    if not wanted:
        return []
    newest = (
        select(func.max(Check.id).label("id"))
        .where(Check.supplier_id.in_({supplier for supplier, _url in wanted}), Check.status != SKIPPED)
        .group_by(Check.supplier_id, Check.url)
        .subquery()
    )
    stmt = select(Check.supplier_id, Check.url, Check.status, Check.changed).join(newest, Check.id == newest.c.id)
    with db.session() as session:
        rows = session.execute(stmt).all()
    return [PageCheck(*row) for row in rows if (row.supplier_id, row.url) in wanted]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _failures_expr(supplier_id: Any) -> Any:
    """Scalar subquery: failed checks of `supplier_id` (a value or Supplier.id) after its last ok one.

    Skipped checks (not fetched: the host was being left alone) are no failures of the supplier.

    Written as a range on (supplier_id, started_at) from the last ok check, so its cost is the length of
    the current failure streak, not the supplier's whole failure history.
    """
    fail, ok = aliased(Check), aliased(Check)
    last_ok = (
        select(func.max(ok.started_at))
        .where(ok.supplier_id == supplier_id, ok.status == OK)
        .correlate(Supplier)
        .scalar_subquery()
    )
    since = func.coalesce(last_ok, literal(_EPOCH, UTCDateTime()))
    return (
        select(func.count(fail.id))
        .where(
            fail.supplier_id == supplier_id,
            fail.started_at > since,
            fail.status.not_in((OK, *NOT_ATTEMPTED)),
        )
        .correlate(Supplier)
        .scalar_subquery()
    )


def consecutive_failures(db: Database, supplier_id: str) -> int:
    """Failed checks since the supplier's last ok check (all of them if it never succeeded); skips excluded."""
    with db.session() as session:
        return int(session.execute(select(_failures_expr(supplier_id))).scalar_one())


def status_summary(db: Database) -> list[SupplierStatus]:
    """Per-supplier monitoring status for every supplier, in a single query.

    Each figure is a correlated subquery served by the (supplier_id, started_at) and
    (supplier_id, status, started_at) indexes, so cost grows with suppliers and current failure streaks,
    not with the size of the check table (except the count, an index range scan per supplier).
    """
    c_count, c_last, c_status, c_ok, c_skip = (aliased(Check) for _ in range(5))
    checks = (
        select(func.count(c_count.id))
        .where(c_count.supplier_id == Supplier.id, c_count.status.not_in(NOT_ATTEMPTED))
        .scalar_subquery()
    )
    last_check_at = (
        select(func.max(c_last.started_at))
        .where(c_last.supplier_id == Supplier.id, c_last.status.not_in(NOT_ATTEMPTED))
        .scalar_subquery()
    )
    last_status = (
        select(c_status.status)
        .where(c_status.supplier_id == Supplier.id, c_status.status.not_in(NOT_ATTEMPTED))
        .order_by(c_status.started_at.desc(), c_status.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    # The newest skip (served by the supplier/status/started_at index); SQLite has no LATERAL, so two
    # scalar subqueries over the same single row.
    last_skip = (
        select(c_skip)
        .where(c_skip.supplier_id == Supplier.id, c_skip.status == SKIPPED)
        .order_by(c_skip.started_at.desc(), c_skip.id.desc())
        .limit(1)
    )
    skipped_at = last_skip.with_only_columns(c_skip.started_at).scalar_subquery()
    skip_reason = last_skip.with_only_columns(c_skip.error).scalar_subquery()
    last_ok_at = (
        select(func.max(c_ok.started_at)).where(c_ok.supplier_id == Supplier.id, c_ok.status == OK).scalar_subquery()
    )
    failures = _failures_expr(Supplier.id)
    stmt = select(
        Supplier.id,
        Supplier.name,
        Supplier.active,
        checks,
        last_check_at,
        last_status,
        last_ok_at,
        failures,
        skipped_at,
        skip_reason,
    ).order_by(Supplier.id)
    with db.session() as session:
        rows = session.execute(stmt).all()
    return [
        SupplierStatus(
            supplier_id=r[0],
            name=r[1],
            active=bool(r[2]),
            checks=int(r[3] or 0),
            last_check_at=r[4],
            last_status=r[5],
            last_ok_at=r[6],
            consecutive_failures=int(r[7] or 0),
            **_newer_skip(r[8], r[9], r[4]),
        )
        for r in rows
    ]


def _newer_skip(skipped_at: datetime | None, reason: str | None, last_check_at: datetime | None) -> dict[str, Any]:
    """The latest skip, only while no attempted check came after it (an older skip explains nothing now)."""
    if skipped_at is None or (last_check_at is not None and skipped_at < last_check_at):
        return {}
    return {"skipped_at": skipped_at, "skip_reason": reason}
