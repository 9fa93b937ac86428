"""Recording checks: one row per fetch attempt, a snapshot only when the claims changed, findings and alerts
decided in the same transaction.

``record_check`` writes one check in its own transaction. ``record_checks`` writes several in one (group commit):
each in a savepoint of its own, so one refused check costs only itself, while the commit, the expensive part of
an unchanged check, is shared.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, func, insert, or_, select
from sqlmodel import Session

from storage.blobs import html_bytes, put_blob
from storage.db import Database
from storage.findings import FindingsUpdate, merge_findings
from storage.fingerprint import claims_hash, json_dumps
from storage.models import CHECK_STATUSES, FETCH_METHODS, Check, Snapshot, Supplier, UTCDateTime, require_aware
from storage.outbox import enqueue_alerts
from storage.repository import NOT_ATTEMPTED, OK


class UnknownSupplierError(LookupError):
    """record_check was called for a supplier id that upsert_suppliers never saw."""


class SnapshotMovedError(RuntimeError):
    """record_check(expected_claims_hash=...) found another latest snapshot of the page than the caller compared
    the claims with (another process stored newer claims meanwhile): compare with the latest, then record."""


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


def _clean_text(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL; error messages are diagnostics, not evidence, so replace it.
    return None if value is None else value.replace("\x00", "\ufffd")


# --- the queries every check makes ---------------------------------------------------------------

# The queries every check makes are built once, with bound parameters: building a statement costs more CPU than
# running it on a small table.


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


@cache
def _page_state_stmt() -> Any:
    """One statement for what a check needs to know first: the supplier's row (locked on PostgreSQL, which
    serialises concurrent checks of one supplier), the page's latest snapshot's id and claims hash, and the status
    of its previous attempted check."""
    latest = _latest_snapshot_key_stmt()
    return (
        select(
            Supplier.id,
            latest.with_only_columns(Snapshot.id).scalar_subquery().label("latest_id"),
            latest.with_only_columns(Snapshot.claims_hash).scalar_subquery().label("latest_hash"),
            _previous_status_stmt().scalar_subquery().label("previous_status"),
        )
        .where(Supplier.id == bindparam("supplier_id"))
        .with_for_update(of=Supplier.__table__)
    )


def latest_claims_hash(db: Database, supplier_id: str, url: str) -> str | None:
    """The claims hash of the page's latest snapshot: equal claims need no comparing field by field."""
    with db.session() as session:
        row = session.execute(_latest_snapshot_key_stmt(), {"supplier_id": supplier_id, "url": url}).first()
    return row.claims_hash if row is not None else None


@dataclass(frozen=True, kw_only=True)
class CheckRecord:
    """One fetch attempt to record (see ``record_check`` for what each field does to the stored history)."""

    supplier_id: str
    url: str
    started_at: datetime
    finished_at: datetime
    status: str
    fetch_method: str
    error: str | None = None
    http_status: int | None = None
    claims: dict[str, Any] | None = None
    html: str | None = None
    screenshot: bytes | None = None
    keep_failure_html: bool = True
    findings: list[dict[str, Any]] | None = None
    alerts: AlertsCallback | None = None
    page_hash: str | None = None
    expected_claims_hash: str | None = None

    def validate(self) -> CheckRecord:
        """Itself, when it can be stored; ValueError or TypeError naming the field when it cannot."""
        if self.status not in CHECK_STATUSES:
            raise ValueError(f"unknown check status {self.status!r}; expected one of {sorted(CHECK_STATUSES)}")
        if self.fetch_method not in FETCH_METHODS:
            raise ValueError(f"unknown fetch_method {self.fetch_method!r}; expected one of {sorted(FETCH_METHODS)}")
        require_aware(self.started_at, "started_at")
        require_aware(self.finished_at, "finished_at")
        if self.claims is not None:
            if not isinstance(self.claims, dict):
                raise TypeError(f"claims must be the JSON dict of the claims document, got {type(self.claims)!r}")
            try:
                json_dumps(self.claims)
            except (TypeError, ValueError) as exc:
                raise TypeError(f"claims are not JSON-serialisable (use to_json_dict()): {exc}") from exc
        if self.findings is not None and self.status != OK:
            # A failed check saw no claims; an empty list here would resolve every open finding of the page.
            raise ValueError(f"findings can only be recorded with an ok check (status is {self.status!r})")
        return self


def record_check(db: Database, **fields: Any) -> CheckResult:
    """Record one fetch attempt (the fields of ``CheckRecord``), storing a new snapshot only when the claims changed.

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
    record = CheckRecord(**fields).validate()
    with db.session(write=True) as session:
        return _write_check(session, record)


def record_checks(db: Database, records: Sequence[CheckRecord]) -> list[CheckResult | Exception]:
    """Record several checks in one transaction (a group commit), each as ``record_check`` would.

    Per record, in the order given: its CheckResult, or the exception that refused it (a bad field,
    ``UnknownSupplierError``, ``SnapshotMovedError``, its alerts callback failing); a refused record is rolled
    back to its own savepoint and writes nothing, the others are kept. When the transaction itself fails (a lost
    connection, a full disk), that error is raised and nothing of any record is stored. Records are written
    in (supplier, url) order, so two processes writing batches lock suppliers in one order and cannot deadlock.
    """
    outcomes: dict[int, CheckResult | Exception] = {}
    order = sorted(range(len(records)), key=lambda i: (records[i].supplier_id, records[i].url))
    alone = len(records) == 1  # no savepoint needed: the transaction is the record's own
    try:
        with db.session(write=True) as session:
            for index in order:
                try:
                    record = records[index].validate()
                    with contextlib.nullcontext() if alone else session.begin_nested():
                        outcomes[index] = _write_check(session, record)
                except Exception as exc:
                    if alone:
                        raise _Refused from exc
                    outcomes[index] = exc
    except _Refused as refused:
        assert isinstance(refused.__cause__, Exception)
        return [refused.__cause__]
    return [outcomes[index] for index in range(len(records))]


class _Refused(Exception):
    """Rolls back the transaction of a batch of one whose record was refused (the refusal is its cause)."""


class _PageState(NamedTuple):
    """What the page's history says before a check of it is written."""

    #: The latest snapshot's id and claims hash; None before the page's first ok check.
    latest_id: int | None
    latest_hash: str | None
    #: The status of the page's latest attempted check up to this one (None for the first).
    previous_status: str | None


def _write_check(session: Session, record: CheckRecord) -> CheckResult:
    """The rows of one validated check, in the caller's transaction: the check (and a snapshot when the claims
    changed), its findings merged into the page's history, then the alerts they call for."""
    state = _page_state(session, record)
    check = _check_row(session, record, state)
    update_ = None
    if record.findings is not None:
        update_ = merge_findings(
            session,
            record.supplier_id,
            check.snapshot_id,
            record.findings,
            record.started_at,
            url=record.url,
            by_check=True,
        )
    enqueued = _enqueue_alerts(session, record, state, check, update_) if record.alerts is not None else []
    return CheckResult(
        check_id=check.id,
        snapshot_id=check.snapshot_id,
        changed=check.changed,
        previous_snapshot_id=state.latest_id,
        findings_update=update_,
        alerts_enqueued=enqueued,
    )


def _page_state(session: Session, record: CheckRecord) -> _PageState:
    """The supplier's row locked, the page's latest snapshot and previous status; refuses an unknown supplier
    and a latest snapshot other than the one the caller compared the claims with."""
    params = {"supplier_id": record.supplier_id, "url": record.url, "started_at": record.started_at}
    # The latest snapshot's identity only: decoding its claims would cost more than the rest of an unchanged check.
    row = session.execute(_page_state_stmt(), params).first()
    if row is None:
        raise UnknownSupplierError(f"unknown supplier {record.supplier_id!r}: call upsert_suppliers first")
    expected = record.expected_claims_hash
    if expected is not None and row.latest_hash != expected:
        raise SnapshotMovedError(f"{record.supplier_id} {record.url}: the latest snapshot is not the one compared with")
    return _PageState(row.latest_id, row.latest_hash, row.previous_status)


class _WrittenCheck(NamedTuple):
    """What writing the check row decided (the rest of the check is its record)."""

    id: int
    snapshot_id: int | None
    changed: bool


@cache
def _insert_check_stmt() -> Any:
    """A Core insert: an ORM object would cost an unchanged check more CPU than its statements."""
    return insert(Check.__table__)  # type: ignore[arg-type]


def _check_row(session: Session, record: CheckRecord, state: _PageState) -> _WrittenCheck:
    """The check row: pointing at the latest snapshot when the claims are the same, at a new one when they
    changed; a failed check keeps its page as evidence (deduplicated)."""
    status, html = record.status, record.html
    snapshot_id, changed, evidence = None, False, None
    if status == OK and record.claims is not None:
        digest = claims_hash(record.claims)
        if state.latest_hash == digest:
            snapshot_id = state.latest_id  # the snapshot's last sighting is derived from this row
        else:
            snapshot_id, changed = _new_snapshot(session, record, digest), True
    elif status != OK and status not in NOT_ATTEMPTED and html is not None and record.keep_failure_html:
        evidence = put_blob(session, html_bytes(html), "html")
    values = {
        "supplier_id": record.supplier_id,
        "url": record.url,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "duration_ms": max(0, round((record.finished_at - record.started_at).total_seconds() * 1000)),
        "status": status,
        "error": _clean_text(record.error),
        "http_status": record.http_status,
        "fetch_method": record.fetch_method,
        "snapshot_id": snapshot_id,
        "changed": changed,
        "evidence_blob": evidence,
        "page_hash": record.page_hash if status == OK else None,
    }
    [check_id] = session.execute(_insert_check_stmt(), values).inserted_primary_key
    return _WrittenCheck(check_id, snapshot_id, changed)


def _new_snapshot(session: Session, record: CheckRecord, digest: str) -> int:
    """A snapshot of changed claims, with the page and screenshot as blobs (deduplicated by content hash)."""
    html, screenshot = record.html, record.screenshot
    snapshot = Snapshot(
        supplier_id=record.supplier_id,
        url=record.url,
        claims=record.claims,
        claims_hash=digest,
        first_seen_at=record.started_at,
        html_blob=put_blob(session, html_bytes(html), "html") if html is not None else None,
        screenshot_blob=put_blob(session, screenshot, "png") if screenshot is not None else None,
    )
    session.add(snapshot)
    session.flush()
    assert snapshot.id is not None
    return snapshot.id


def _enqueue_alerts(
    session: Session, record: CheckRecord, state: _PageState, check: _WrittenCheck, update_: FindingsUpdate | None
) -> list[str]:
    """The facts of the written check handed to the record's alerts callback; the new alerts it returns, queued."""
    assert record.alerts is not None
    failures, first_failed = _failure_streak(session, record, check.id)
    # An ok check ends a failure streak only when the page's previous attempt failed.
    recovering = record.status == OK and state.previous_status not in (None, OK)
    ended, ended_first = _failure_streak(session, record, check.id, before=True) if recovering else (0, None)
    facts = CheckFacts(
        check_id=check.id,
        snapshot_id=check.snapshot_id,
        changed=check.changed,
        previous_snapshot_id=state.latest_id,
        status=record.status,
        previous_status=state.previous_status,
        consecutive_failures=failures,
        findings_update=update_,
        first_failed_check_id=first_failed,
        ended_failures=ended,
        ended_first_failed_check_id=ended_first,
        supplier_id=record.supplier_id,
        url=record.url,
        started_at=record.started_at,
    )
    produced = [a if "check_id" in a else {**a, "check_id": check.id} for a in record.alerts(facts) or ()]
    return enqueue_alerts(session, produced)


def _failure_streak(
    session: Session, check: CheckRecord, check_id: int, *, before: bool = False
) -> tuple[int, int | None]:
    """(failed checks of the page since its last ok one up to and including `check`, first of them).

    Bounded by `check` (written as ``check_id``; not by the newest row) so that a check recorded late still sees
    its own streak. With ``before``, the streak that ended just before `check` (what an ok check recovers from).
    Skipped checks are stepped over: a page not fetched because its host was left alone did not fail.
    """
    if check.status == OK and not before:
        return 0, None
    page = and_(Check.supplier_id == check.supplier_id, Check.url == check.url)
    same_time = Check.id < check_id if before else Check.id <= check_id
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
