"""Findings that persist across checks: one row per period during which a problem was visible.

The caller (monitor) runs the rules and passes plain dicts; storage compares them by the caller's stable
``identity`` with the supplier's open findings:

- produced again -> the same row, ``last_seen_at`` / ``last_snapshot_id`` move (and the latest wording and
  severity are kept, since a rule may rephrase or re-grade the same problem). Produced again by a check on the
  snapshot it was last seen on, with the same wording, nothing is written: that check row is the sighting
  (``StoredFinding.last_seen_at`` is derived from it);
- no longer produced -> ``resolved_at`` is set to the check time;
- produced again after it was resolved -> a NEW row is opened (the resolved row is left untouched), so the
  history shows each period separately instead of hiding a gap behind one long first/last range.

``findings`` must be the complete set of the supplier's current findings: anything missing is resolved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlmodel import Session

from storage.db import Database
from storage.models import Check, StoredFinding, Supplier, require_aware

_REQUIRED = ("identity", "code", "severity", "message", "evidence", "rule_source")


class UnknownSupplierForFindingsError(LookupError):
    """record_findings was called for a supplier id that upsert_suppliers never saw."""


@dataclass(frozen=True)
class FindingsUpdate:
    """What one record_findings call changed (rows as stored after the call)."""

    new: list[StoredFinding]
    resolved: list[StoredFinding]
    persisting: list[StoredFinding]


def _clean(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL.
    return None if value is None else str(value).replace("\x00", "\ufffd")


def _validated(findings: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Findings by identity; a duplicated identity keeps the last dict (one problem, one row)."""
    by_identity: dict[str, dict[str, Any]] = {}
    for item in findings:
        if not isinstance(item, dict):
            raise TypeError(f"findings must be plain dicts, got {type(item)!r}")
        missing = [k for k in _REQUIRED if item.get(k) is None]
        if missing:
            raise ValueError(f"finding is missing {missing}: {item!r}")
        cert = item.get("certification")
        if cert is not None and not isinstance(cert, dict):
            raise TypeError(f"finding certification must be a dict of the claimed fields or None, got {cert!r}")
        identity = str(item["identity"])
        if len(identity) > 200:
            raise ValueError(f"finding identity longer than 200 characters: {identity[:40]!r}...")
        by_identity[identity] = item
    return by_identity


def record_findings(
    db: Database,
    supplier_id: str,
    snapshot_id: int | None,
    findings: Iterable[dict[str, Any]],
    seen_at: datetime,
    *,
    url: str | None = None,
) -> FindingsUpdate:
    """Merge one check's findings into the supplier's finding history, in one transaction.

    With ``url``, the check covered only that page of the supplier: only findings of that page can be
    resolved by it (a supplier watched through several pages keeps each page's findings apart).

    Each dict needs identity, code, severity, message, evidence, rule_source and may carry
    certification (dict of the claimed certificate's fields) and statement (text).
    record_check(..., findings=...) does the same inside the check's own transaction.
    """
    require_aware(seen_at, "seen_at")
    current = _validated(findings)
    with db.session(write=True) as session:
        # Row lock on PostgreSQL serialises concurrent updates of one supplier (SQLite: BEGIN IMMEDIATE).
        found = session.execute(select(Supplier.id).where(Supplier.id == supplier_id).with_for_update()).first()
        if found is None:
            raise UnknownSupplierForFindingsError(f"unknown supplier {supplier_id!r}: call upsert_suppliers first")
        return merge_findings(session, supplier_id, snapshot_id, list(current.values()), seen_at, url=url)


def merge_findings(
    session: Session,
    supplier_id: str,
    snapshot_id: int | None,
    findings: Iterable[dict[str, Any]],
    seen_at: datetime,
    *,
    url: str | None = None,
    by_check: bool = False,
) -> FindingsUpdate:
    """The merge of record_findings on a session the caller owns (and has locked the supplier row in).

    Internal to storage: lets record_check store a check and its findings in ONE transaction, so a crash
    can never leave a check whose findings (and the alerts derived from them) were lost. ``by_check``: a check
    row pointing at ``snapshot_id`` was written at ``seen_at``, so it records the sighting on that snapshot.
    """
    require_aware(seen_at, "seen_at")
    current = _validated(findings)
    new: list[StoredFinding] = []
    resolved: list[StoredFinding] = []
    persisting: list[StoredFinding] = []
    open_rows = {
        row.identity: row
        for row in session.execute(_open_findings_stmt(url is None), {"supplier_id": supplier_id, "url": url}).scalars()
    }
    for identity, row in open_rows.items():
        item = current.get(identity)
        if item is None:
            last_seen = _last_sighting_before(session, row, seen_at)
            row.recorded_last_seen_at = last_seen
            row.resolved_at = max(seen_at, last_seen)
            resolved.append(row)
            continue
        if seen_at >= row.last_seen_at:
            changes: dict[str, Any] = {
                "severity": str(item["severity"]),
                "message": _clean(item["message"]) or "",
                "rule_source": _clean(item["rule_source"]) or "",
            }
            if snapshot_id is not None:
                changes["last_snapshot_id"] = snapshot_id
            if not (by_check and snapshot_id is not None and snapshot_id == row.last_snapshot_id):
                changes["recorded_last_seen_at"] = seen_at
            _update(row, changes)
        persisting.append(row)
    for identity, item in current.items():
        if identity in open_rows:
            continue
        row = StoredFinding(
            supplier_id=supplier_id,
            identity=identity,
            url=url,
            code=str(item["code"]),
            severity=str(item["severity"]),
            message=_clean(item["message"]) or "",
            evidence=_clean(item["evidence"]) or "",
            rule_source=_clean(item["rule_source"]) or "",
            certification=item.get("certification"),
            statement=_clean(item.get("statement")),
            first_seen_at=seen_at,
            recorded_last_seen_at=seen_at,
            first_snapshot_id=snapshot_id,
            last_snapshot_id=snapshot_id,
        )
        session.add(row)
        new.append(row)
    if session.dirty or session.new:
        session.flush()
    return FindingsUpdate(new=new, resolved=resolved, persisting=persisting)


def _update(row: StoredFinding, values: dict[str, Any]) -> None:
    """Set only what differs: an attribute set to its own value still costs the flush a comparison per row."""
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


@cache
def _open_findings_stmt(supplier_wide: bool) -> Any:
    """The supplier's open findings of one page (or, ``supplier_wide``, those recorded without a page); built once:
    every check runs it."""
    page = StoredFinding.url.is_(None) if supplier_wide else StoredFinding.url == bindparam("url")
    return select(StoredFinding).where(
        StoredFinding.supplier_id == bindparam("supplier_id"), StoredFinding.resolved_at.is_(None), page
    )


def _last_sighting_before(session: Session, row: StoredFinding, seen_at: datetime) -> datetime:
    """The finding's last sighting before the check at ``seen_at`` (which no longer produces it).

    Its derived ``last_seen_at`` may count that very check, when it points at the same snapshot."""
    if row.last_snapshot_id is None:
        return row.recorded_last_seen_at
    sighted = session.execute(
        select(func.max(Check.started_at)).where(Check.snapshot_id == row.last_snapshot_id, Check.started_at < seen_at)
    ).scalar_one_or_none()
    return max(row.recorded_last_seen_at, sighted) if sighted is not None else row.recorded_last_seen_at


def open_findings(db: Database, supplier_id: str | None = None) -> list[StoredFinding]:
    """Unresolved findings (of one supplier, or all), by supplier then first sighting."""
    stmt = select(StoredFinding).where(StoredFinding.resolved_at.is_(None))
    if supplier_id is not None:
        stmt = stmt.where(StoredFinding.supplier_id == supplier_id)
    stmt = stmt.order_by(StoredFinding.supplier_id, StoredFinding.first_seen_at, StoredFinding.id)
    with db.session() as session:
        return list(session.execute(stmt).scalars())


def finding_history(db: Database, supplier_id: str) -> list[StoredFinding]:
    """Every finding row of a supplier, open and resolved, oldest first."""
    stmt = (
        select(StoredFinding)
        .where(StoredFinding.supplier_id == supplier_id)
        .order_by(StoredFinding.first_seen_at, StoredFinding.id)
    )
    with db.session() as session:
        return list(session.execute(stmt).scalars())


__all__ = [
    "FindingsUpdate",
    "UnknownSupplierForFindingsError",
    "finding_history",
    "open_findings",
    "record_findings",
]
