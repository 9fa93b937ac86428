"""Read queries of the web dashboard, and what operators do with findings (acknowledge / snooze / reopen).

The dashboard needs a few aggregated views (one row per supplier with its status and open findings, the
findings inbox with filters, per-day counts for the charts) that the monitor itself never asks for, so they
live here instead of growing repository.py. Finding actions are an append-only log (``finding_action``):
the current state of a finding is its latest action, and the history is never rewritten.

Acknowledging is per problem, not per row: a finding that resolves and comes back opens a new row with the
same ``identity``, and an acknowledged identity stays quiet (``suppressed_identities``) until reopened.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from storage.db import Database
from storage.models import Check, FindingAction, Snapshot, StoredFinding, Supplier, utcnow
from storage.repository import SKIPPED

ACTIONS: frozenset[str] = frozenset({"acknowledge", "snooze", "reopen"})
DEFAULT_ACTOR = "local operator"


class UnknownFindingError(LookupError):
    """An action named a finding id that does not exist."""


@dataclass(frozen=True)
class FindingState:
    """Where a finding stands for operators: open, acknowledged, or snoozed until a date."""

    state: str  # "open" | "acknowledged" | "snoozed"
    until: date | None = None
    actor: str | None = None
    at: datetime | None = None
    note: str | None = None

    @property
    def label(self) -> str:
        return f"snoozed until {self.until.isoformat()}" if self.state == "snoozed" and self.until else self.state


@dataclass(frozen=True)
class OverviewRow:
    """One supplier on the overview page (and in /api/suppliers)."""

    id: str
    name: str
    active: bool
    platform: str
    tags: list[str]
    last_check_at: datetime | None
    last_status: str | None
    status: str  # "ok" | "blocked" | "failing" | "never checked"
    consecutive_failures: int
    #: Open findings per severity, for the severities that have any.
    open_findings: dict[str, int]
    last_change_at: datetime | None

    @property
    def open_total(self) -> int:
        return sum(self.open_findings.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "active": self.active,
            "platform": self.platform,
            "tags": list(self.tags),
            "last_check_at": self.last_check_at.isoformat() if self.last_check_at else None,
            "last_status": self.last_status,
            "status": self.status,
            "consecutive_failures": self.consecutive_failures,
            "open_findings": dict(self.open_findings),
            "last_change_at": self.last_change_at.isoformat() if self.last_change_at else None,
        }


@dataclass(frozen=True)
class InboxRow:
    """One open finding in the inbox, with its supplier's name and its operator state."""

    finding: StoredFinding
    supplier_name: str
    state: FindingState
    history: list[FindingAction] = field(default_factory=list)


def _status_of(last_status: str | None) -> str:
    """Dashboard status: a captcha is "blocked" (the supplier said nothing), other errors "failing"."""
    if last_status is None:
        return "never checked"
    if last_status == "ok":
        return "ok"
    if last_status in ("blocked", "login_required"):
        return "blocked"
    return "failing"


def overview_rows(db: Database) -> list[OverviewRow]:
    """Every supplier with status, platform (from its latest snapshot), open findings and last change."""
    from storage.repository import status_summary

    statuses = {s.supplier_id: s for s in status_summary(db)}
    with db.session() as session:
        suppliers = list(session.execute(select(Supplier).order_by(Supplier.id)).scalars())
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        for sid, severity, n in session.execute(
            select(StoredFinding.supplier_id, StoredFinding.severity, func.count(StoredFinding.id))
            .where(StoredFinding.resolved_at.is_(None))
            .group_by(StoredFinding.supplier_id, StoredFinding.severity)
        ):
            counts[sid][severity] = counts[sid].get(severity, 0) + int(n)
        # Last change: the newest snapshot that replaced an earlier one (a first snapshot is no change).
        last_change = dict(
            session.execute(
                select(Check.supplier_id, func.max(Check.started_at))
                .where(Check.changed.is_(True))
                .where(
                    select(func.count(Snapshot.id))
                    .where(Snapshot.supplier_id == Check.supplier_id, Snapshot.url == Check.url)
                    .correlate(Check)
                    .scalar_subquery()
                    > 1
                )
                .group_by(Check.supplier_id)
            ).all()
        )
        latest_ids = (
            select(Snapshot.supplier_id, func.max(Snapshot.id).label("sid")).group_by(Snapshot.supplier_id).subquery()
        )
        platforms: dict[str, str] = {}
        for sid, claims in session.execute(
            select(Snapshot.supplier_id, Snapshot.claims).join(latest_ids, latest_ids.c.sid == Snapshot.id)
        ):
            source = claims.get("source") if isinstance(claims, dict) else None
            if isinstance(source, dict) and source.get("platform"):
                platforms[sid] = str(source["platform"])
    rows: list[OverviewRow] = []
    for s in suppliers:
        st = statuses.get(s.id)
        last_status = st.last_status if st else None
        rows.append(
            OverviewRow(
                id=s.id,
                name=s.name,
                active=s.active,
                platform=platforms.get(s.id, s.platform),
                tags=list(s.tags or []),
                last_check_at=st.last_check_at if st else None,
                last_status=last_status,
                status=_status_of(last_status),
                consecutive_failures=st.consecutive_failures if st else 0,
                open_findings=dict(counts[s.id]),
                last_change_at=last_change.get(s.id),
            )
        )
    return rows


# --- finding actions --------------------------------------------------------------------------------


def _add_action(
    db: Database, finding_id: int, action: str, actor: str, note: str | None, until: date | None, now: datetime | None
) -> FindingAction:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    with db.session(write=True) as session:
        if session.get(StoredFinding, finding_id) is None:
            raise UnknownFindingError(f"no finding with id {finding_id}")
        row = FindingAction(
            finding_id=finding_id,
            action=action,
            until=until,
            actor=(actor or DEFAULT_ACTOR)[:200],
            note=(note or None) and note.replace("\x00", "\ufffd")[:2000],
            at=now or utcnow(),
        )
        session.add(row)
        session.flush()
        return row


def acknowledge(
    db: Database, finding_id: int, *, actor: str = DEFAULT_ACTOR, note: str | None = None, now: datetime | None = None
) -> FindingAction:
    """Mark a finding as seen and handled: it stays listed but no longer alerts."""
    return _add_action(db, finding_id, "acknowledge", actor, note, None, now)


def snooze(
    db: Database,
    finding_id: int,
    until: date,
    *,
    actor: str = DEFAULT_ACTOR,
    note: str | None = None,
    now: datetime | None = None,
) -> FindingAction:
    """Silence a finding until a date (e.g. the supplier promised a renewed certificate by then)."""
    return _add_action(db, finding_id, "snooze", actor, note, until, now)


def reopen(
    db: Database, finding_id: int, *, actor: str = DEFAULT_ACTOR, note: str | None = None, now: datetime | None = None
) -> FindingAction:
    """Undo an acknowledgement or snooze: the finding is open and alerts again."""
    return _add_action(db, finding_id, "reopen", actor, note, None, now)


def _state_from(latest: FindingAction | None, today: date) -> FindingState:
    if latest is None or latest.action == "reopen":
        return FindingState("open", actor=latest.actor if latest else None, at=latest.at if latest else None)
    if latest.action == "snooze":
        if latest.until is not None and latest.until > today:
            return FindingState("snoozed", latest.until, latest.actor, latest.at, latest.note)
        return FindingState("open", actor=latest.actor, at=latest.at)
    return FindingState("acknowledged", None, latest.actor, latest.at, latest.note)


def _actions_by_identity(session: Session, supplier_ids: set[str] | None = None) -> dict[tuple[str, str], list[Any]]:
    stmt = (
        select(FindingAction, StoredFinding.supplier_id, StoredFinding.identity)
        .join(StoredFinding, StoredFinding.id == FindingAction.finding_id)
        .order_by(FindingAction.at, FindingAction.id)
    )
    if supplier_ids is not None:
        stmt = stmt.where(StoredFinding.supplier_id.in_(supplier_ids))
    out: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for action, sid, identity in session.execute(stmt):
        out[(sid, identity)].append(action)
    return out


def finding_state(db: Database, finding: StoredFinding | int, *, today: date | None = None) -> FindingState:
    """The operator state of a finding (its identity's latest action): open / acknowledged / snoozed."""
    today = today or datetime.now(UTC).date()
    with db.session() as session:
        row = finding if isinstance(finding, StoredFinding) else session.get(StoredFinding, finding)
        if row is None:
            raise UnknownFindingError(f"no finding with id {finding}")
        actions = _actions_by_identity(session, {row.supplier_id}).get((row.supplier_id, row.identity), [])
    return _state_from(actions[-1] if actions else None, today)


def finding_actions(db: Database, finding_id: int) -> list[FindingAction]:
    """Every action on the finding's identity, oldest first (the audit trail shown in the inbox)."""
    with db.session() as session:
        row = session.get(StoredFinding, finding_id)
        if row is None:
            raise UnknownFindingError(f"no finding with id {finding_id}")
        return _actions_by_identity(session, {row.supplier_id}).get((row.supplier_id, row.identity), [])


def suppressed_identities(
    db_or_session: Database | Session, supplier_id: str, *, today: date | None = None
) -> set[str]:
    """Finding identities of a supplier that must not alert: acknowledged, or snoozed past today.

    Accepts the check's own session so monitor.alerts.compose can ask inside record_check's transaction.
    """
    today = today or datetime.now(UTC).date()
    if isinstance(db_or_session, Database):
        with db_or_session.session() as session:
            actions = _actions_by_identity(session, {supplier_id})
    else:
        actions = _actions_by_identity(db_or_session, {supplier_id})
    return {identity for (_, identity), acts in actions.items() if _state_from(acts[-1], today).state != "open"}


def findings_inbox(
    db: Database,
    *,
    supplier_id: str | None = None,
    severity: str | None = None,
    state: str | None = None,
    code: str | None = None,
    today: date | None = None,
) -> list[InboxRow]:
    """Open findings across suppliers by supplier, oldest first, with their operator state and action history.

    Severities are stored as strings and not ranked here: views list them worst first (monitor.severity)."""
    today = today or datetime.now(UTC).date()
    stmt = (
        select(StoredFinding, Supplier.name)
        .join(Supplier, Supplier.id == StoredFinding.supplier_id)
        .where(StoredFinding.resolved_at.is_(None))
    )
    if supplier_id:
        stmt = stmt.where(StoredFinding.supplier_id == supplier_id)
    if severity:
        stmt = stmt.where(StoredFinding.severity == severity)
    if code:
        stmt = stmt.where(StoredFinding.code == code)
    with db.session() as session:
        rows = session.execute(stmt).all()
        actions = _actions_by_identity(session, {r[0].supplier_id for r in rows} or set())
    out: list[InboxRow] = []
    for finding, name in rows:
        acts = actions.get((finding.supplier_id, finding.identity), [])
        st = _state_from(acts[-1] if acts else None, today)
        if state and st.state != state:
            continue
        out.append(InboxRow(finding, name, st, acts))
    out.sort(key=lambda r: (r.finding.supplier_id, r.finding.first_seen_at))
    return out


def get_finding(db: Database, finding_id: int) -> StoredFinding | None:
    with db.session() as session:
        return session.get(StoredFinding, finding_id)


# --- per-day figures for the charts -----------------------------------------------------------------


def _day(value: datetime) -> date:
    return value.astimezone(UTC).date()


def check_outcomes_per_day(db: Database, *, days: int = 30, now: datetime | None = None) -> dict[date, dict[str, int]]:
    """Checks per UTC day and dashboard status (ok / blocked / failing) over the last ``days`` days.

    Skipped checks (host backing off) were never attempted: they are neither a success nor a failure.
    """
    now = now or utcnow()
    since = now - timedelta(days=days)
    out: dict[date, dict[str, int]] = defaultdict(lambda: {"ok": 0, "blocked": 0, "failing": 0})
    attempted = (Check.started_at >= since) & (Check.status != SKIPPED)
    with db.session() as session:
        for started, status in session.execute(select(Check.started_at, Check.status).where(attempted)):
            out[_day(started)][_status_of(status)] += 1
    return dict(sorted(out.items()))


def findings_per_day(db: Database, *, days: int = 30, now: datetime | None = None) -> dict[date, dict[str, int]]:
    """Open findings at the end of each UTC day, by severity (what the chart on the overview shows)."""
    now = now or utcnow()
    first = _day(now) - timedelta(days=days - 1)
    with db.session() as session:
        spans = session.execute(
            select(StoredFinding.severity, StoredFinding.first_seen_at, StoredFinding.resolved_at)
        ).all()
    out: dict[date, dict[str, int]] = {}
    for i in range(days):
        day = first + timedelta(days=i)
        end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
        counts: dict[str, int] = {}
        for severity, seen, resolved in spans:
            if seen < end and (resolved is None or resolved >= end):
                counts[severity] = counts.get(severity, 0) + 1
        out[day] = counts
    return out


__all__ = [
    "ACTIONS",
    "DEFAULT_ACTOR",
    "FindingAction",
    "FindingState",
    "InboxRow",
    "OverviewRow",
    "UnknownFindingError",
    "acknowledge",
    "check_outcomes_per_day",
    "finding_actions",
    "finding_state",
    "findings_inbox",
    "findings_per_day",
    "get_finding",
    "overview_rows",
    "reopen",
    "snooze",
    "suppressed_identities",
]
