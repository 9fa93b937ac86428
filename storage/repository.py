"""Writing checks with snapshot deduplication, and the queries the monitor and reports need.

Every function takes an open `Database`, runs in its own transaction and returns plain objects (model
instances stay readable after the session closes). Claims are the JSON dict of docs/claims-schema.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from storage.blobs import decode_html, get_blob, html_bytes, put_blob
from storage.db import Database
from storage.findings import FindingsUpdate, merge_findings
from storage.fingerprint import claims_hash, json_dumps
from storage.models import CHECK_STATUSES, FETCH_METHODS, Check, Snapshot, Supplier, UTCDateTime, utcnow
from storage.outbox import enqueue_alerts

OK = "ok"
#: A page that was not fetched on purpose (see storage.models.CHECK_STATUSES): neither a success nor a failure.
SKIPPED = "skipped"
#: Statuses that say nothing about the supplier, so failure streaks and "last check" figures step over them.
NOT_ATTEMPTED = (SKIPPED,)


class UnknownSupplierError(LookupError):
    """record_check was called for a supplier id that upsert_suppliers never saw."""


class SnapshotMovedError(RuntimeError):
    """record_check(expected_claims_hash=...) found another latest snapshot of the page than the caller compared
    the claims with (another process stored newer claims meanwhile): compare with the latest, then record."""


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
class CheckResult:
    """Outcome of record_check.

    previous_snapshot_id is the latest snapshot of this supplier+url before the check (None for the first
    one); it equals snapshot_id when the claims were unchanged, and is what to diff against when changed.
    """

    check_id: int
    snapshot_id: int | None
    changed: bool
    previous_snapshot_id: int | None
    #: What record_check(..., findings=...) changed in the finding history (None without findings).
    findings_update: FindingsUpdate | None = None
    #: Ids of the alerts the ``alerts`` callback produced that were new (already-stored ids are skipped).
    alerts_enqueued: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CheckFacts:
    """What a check established, handed to record_check's ``alerts`` callback inside the transaction.

    Everything an alert rule needs to decide, computed from the rows just written, so the decision and
    the stored alerts commit (or vanish) together with the check. Failure figures are per URL: one
    blocked page of a supplier does not make its other pages "failing".
    """

    check_id: int
    snapshot_id: int | None
    changed: bool
    previous_snapshot_id: int | None
    status: str
    #: Status of the previous attempted (not skipped) check of this supplier+url (None for the first one).
    previous_status: str | None
    #: Failed checks of this supplier+url since its last ok one, this check included (0 when ok). Skipped
    #: checks are not counted; for a skipped check this is the streak it leaves running.
    consecutive_failures: int
    findings_update: FindingsUpdate | None
    #: First check of the current failure streak (None when this check is ok).
    first_failed_check_id: int | None
    #: For an ok check: the failure streak it ends (0 and None when the previous check was ok too).
    ended_failures: int
    ended_first_failed_check_id: int | None
    supplier_id: str
    url: str
    started_at: datetime


AlertsCallback = Callable[[CheckFacts], Iterable[dict[str, Any]]]


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


def _require_aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (got naive {value!r})")
    return value


def _clean_text(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL; error messages are diagnostics, not evidence, so replace it.
    return None if value is None else value.replace("\x00", "\ufffd")


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
    now = _require_aware(now, "now") if now is not None else utcnow()
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


# --- recording checks ------------------------------------------------------------------------------


# The queries every check makes are built once, with bound parameters: building a statement costs more CPU than
# running it on a small table.


@cache
def _supplier_lock_stmt() -> Any:
    """The supplier's row, locked on PostgreSQL (serialises concurrent checks of one supplier)."""
    return select(Supplier.id).where(Supplier.id == bindparam("supplier_id")).with_for_update()


@cache
def _latest_snapshot_key_stmt() -> Any:
    """The page's latest snapshot's id and claims hash (not its claims)."""
    return (
        select(Snapshot.id, Snapshot.claims_hash)
        .where(Snapshot.supplier_id == bindparam("supplier_id"), Snapshot.url == bindparam("url"))
        .order_by(Snapshot.first_seen_at.desc(), Snapshot.id.desc())
        .limit(1)
    )


@cache
def _previous_status_stmt() -> Any:
    """The status of the page's latest attempted check up to ``started_at`` (skips are no attempt)."""
    return (
        select(Check.status)
        .where(
            Check.supplier_id == bindparam("supplier_id"),
            Check.url == bindparam("url"),
            Check.started_at <= bindparam("started_at", type_=UTCDateTime()),
            Check.status.not_in(NOT_ATTEMPTED),
        )
        .order_by(Check.started_at.desc(), Check.id.desc())
        .limit(1)
    )


def latest_claims_hash(db: Database, supplier_id: str, url: str) -> str | None:
    """The claims hash of the page's latest snapshot: equal claims need no comparing field by field."""
    with db.session() as session:
        row = session.execute(_latest_snapshot_key_stmt(), {"supplier_id": supplier_id, "url": url}).first()
    return row.claims_hash if row is not None else None


def _latest_snapshot_stmt(supplier_id: str, url: str | None) -> Any:
    stmt = select(Snapshot).where(Snapshot.supplier_id == supplier_id)
    if url is not None:
        stmt = stmt.where(Snapshot.url == url)
    return stmt.order_by(Snapshot.first_seen_at.desc(), Snapshot.id.desc()).limit(1)


def record_check(
    db: Database,
    *,
    supplier_id: str,
    url: str,
    started_at: datetime,
    finished_at: datetime,
    status: str,
    fetch_method: str,
    error: str | None = None,
    http_status: int | None = None,
    claims: dict[str, Any] | None = None,
    html: str | None = None,
    screenshot: bytes | None = None,
    keep_failure_html: bool = True,
    findings: list[dict[str, Any]] | None = None,
    alerts: AlertsCallback | None = None,
    page_hash: str | None = None,
    expected_claims_hash: str | None = None,
) -> CheckResult:
    """Record one fetch attempt, storing a new snapshot only when the claims changed.

    - status "ok" with claims: if the latest snapshot for supplier+url has the same claims_hash, only a
      check row is added (pointing at that snapshot, whose last sighting is derived from it), so an unchanged
      re-check costs one small row. Otherwise a new snapshot is stored with its HTML/screenshot blobs
      (deduplicated by content hash).
    - any other status: a check row only, never a snapshot; the page HTML may be kept as evidence of
      the block/login page (`evidence_blob`, deduplicated) unless keep_failure_html is False.
    - "skipped" (not fetched on purpose): a check row only, no evidence; failure streaks step over it, so
      it neither counts as a failure nor ends one, and it raises no failing/recovered alert by itself.
    - findings (ok checks only): merged into the finding history exactly as record_findings(...,
      url=url) does, seen at started_at, scoped to this page.
    - page_hash (ok checks only): the served page's fingerprint, so the next check of an unchanged page can take
      these claims instead of reading the page again (``last_read``).
    - expected_claims_hash: the claims hash of the page's latest snapshot as the caller knows it (it compared the
      claims with those, without asking). Another latest snapshot raises SnapshotMovedError, nothing written.
    - alerts: called with the CheckFacts once the rows above exist; the alert dicts it returns
      (see storage.outbox.enqueue_alerts; check_id defaults to this check) are enqueued.
    Everything happens in one transaction: if anything fails, the callback included, nothing is stored,
    so an alert can never be lost for a stored check nor stored for a lost one.
    """
    if status not in CHECK_STATUSES:
        raise ValueError(f"unknown check status {status!r}; expected one of {sorted(CHECK_STATUSES)}")
    if fetch_method not in FETCH_METHODS:
        raise ValueError(f"unknown fetch_method {fetch_method!r}; expected one of {sorted(FETCH_METHODS)}")
    _require_aware(started_at, "started_at")
    _require_aware(finished_at, "finished_at")
    if claims is not None:
        if not isinstance(claims, dict):
            raise TypeError(f"claims must be the JSON dict of the claims document, got {type(claims)!r}")
        try:
            json_dumps(claims)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"claims are not JSON-serialisable (use to_json_dict()): {exc}") from exc
    if findings is not None and status != OK:
        # A failed check saw no claims; an empty list here would resolve every open finding of the page.
        raise ValueError(f"findings can only be recorded with an ok check (status is {status!r})")
    duration_ms = max(0, round((finished_at - started_at).total_seconds() * 1000))

    with db.session(write=True) as session:
        # Row lock on PostgreSQL serialises concurrent checks of one supplier (SQLite: BEGIN IMMEDIATE).
        page = {"supplier_id": supplier_id, "url": url}
        supplier = session.execute(_supplier_lock_stmt(), page).first()
        if supplier is None:
            raise UnknownSupplierError(f"unknown supplier {supplier_id!r}: call upsert_suppliers first")
        # Its identity only: decoding the stored claims would cost more than the rest of an unchanged check.
        latest = session.execute(_latest_snapshot_key_stmt(), page).first()
        previous_id = latest.id if latest is not None else None
        if expected_claims_hash is not None and (latest is None or latest.claims_hash != expected_claims_hash):
            raise SnapshotMovedError(f"{supplier_id} {url}: the latest snapshot is not the one compared with")
        previous_status = session.execute(
            _previous_status_stmt(), {**page, "started_at": started_at}
        ).scalar_one_or_none()

        check = Check(
            supplier_id=supplier_id,
            url=url,
            started_at=started_at,
            finished_at=finished_at,
            duration_ms=duration_ms,
            status=status,
            error=_clean_text(error),
            http_status=http_status,
            fetch_method=fetch_method,
            changed=False,
            page_hash=page_hash if status == OK else None,
        )
        if status == OK and claims is not None:
            digest = claims_hash(claims)
            if latest is not None and latest.claims_hash == digest:
                check.snapshot_id = latest.id  # the snapshot's last sighting is derived from this row
            else:
                snapshot = Snapshot(
                    supplier_id=supplier_id,
                    url=url,
                    claims=claims,
                    claims_hash=digest,
                    first_seen_at=started_at,
                    html_blob=put_blob(session, html_bytes(html), "html") if html is not None else None,
                    screenshot_blob=put_blob(session, screenshot, "png") if screenshot is not None else None,
                )
                session.add(snapshot)
                session.flush()
                check.snapshot_id = snapshot.id
                check.changed = True
        elif status != OK and status not in NOT_ATTEMPTED and html is not None and keep_failure_html:
            check.evidence_blob = put_blob(session, html_bytes(html), "html")
        session.add(check)
        session.flush()
        assert check.id is not None
        update_ = (
            merge_findings(session, supplier_id, check.snapshot_id, findings, started_at, url=url, by_check=True)
            if findings is not None
            else None
        )
        enqueued: list[str] = []
        if alerts is not None:
            failures, first_failed = _failure_streak(session, check)
            # An ok check ends a failure streak only when the page's previous attempt failed.
            recovering = status == OK and previous_status not in (None, OK)
            ended, ended_first = _failure_streak(session, check, before=True) if recovering else (0, None)
            facts = CheckFacts(
                check_id=check.id,
                snapshot_id=check.snapshot_id,
                changed=check.changed,
                previous_snapshot_id=previous_id,
                status=status,
                previous_status=previous_status,
                consecutive_failures=failures,
                findings_update=update_,
                first_failed_check_id=first_failed,
                ended_failures=ended,
                ended_first_failed_check_id=ended_first,
                supplier_id=supplier_id,
                url=url,
                started_at=started_at,
            )
            produced = [a if "check_id" in a else {**a, "check_id": check.id} for a in alerts(facts) or ()]
            enqueued = enqueue_alerts(session, produced)
        return CheckResult(
            check_id=check.id,
            snapshot_id=check.snapshot_id,
            changed=check.changed,
            previous_snapshot_id=previous_id,
            findings_update=update_,
            alerts_enqueued=enqueued,
        )


def _failure_streak(session: Session, check: Check, *, before: bool = False) -> tuple[int, int | None]:
    """(failed checks of the page since its last ok one up to and including `check`, first of them).

    Bounded by `check` (not by the newest row) so that a check recorded late still sees its own streak.
    With ``before``, the streak that ended just before `check` (what an ok check recovers from). Skipped
    checks are stepped over: a page not fetched because its host was left alone did not fail.
    """
    if check.status == OK and not before:
        return 0, None
    page = and_(Check.supplier_id == check.supplier_id, Check.url == check.url)
    same_time = Check.id < check.id if before else Check.id <= check.id
    not_after = or_(Check.started_at < check.started_at, and_(Check.started_at == check.started_at, same_time))
    last_ok = session.execute(
        select(Check.started_at, Check.id)
        .where(page, not_after, Check.status == OK)
        .order_by(Check.started_at.desc(), Check.id.desc())
        .limit(1)
    ).first()
    streak = [page, not_after, Check.status.not_in((OK, *NOT_ATTEMPTED))]
    if last_ok is not None:
        ok_at, ok_id = last_ok
        streak.append(or_(Check.started_at > ok_at, and_(Check.started_at == ok_at, Check.id > ok_id)))
    count = session.execute(select(func.count(Check.id)).where(*streak)).scalar_one()
    first = session.execute(
        select(Check.id).where(*streak).order_by(Check.started_at, Check.id).limit(1)
    ).scalar_one_or_none()
    return int(count), first


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
