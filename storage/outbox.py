"""Alert outbox and delivery queue: alerts are stored with the check that raised them, then delivered.

Why an outbox: an alert decided from a check must never be lost (crash after the check was stored but
before the alert was sent) nor raised twice (crash after sending, check re-run). So the alert rows are
written in the check's own transaction (record_check(..., alerts=...)) under the event's stable id, and a
separate loop claims, sends and marks the delivery rows:

- ``claim_due_deliveries`` atomically moves due rows to "sending" with a lease (PostgreSQL: SELECT ...
  FOR UPDATE SKIP LOCKED, so concurrent senders never get the same row; SQLite: BEGIN IMMEDIATE, one
  writer at a time). ``attempts`` is counted at claim time, so a sender that keeps crashing still uses
  up the row's attempts instead of looping forever.
- A sender that dies after claiming leaves "sending" rows whose lease expires; they are claimable again.
  If it died after the channel accepted the message but before ``mark_sent``, that one delivery is sent
  again: delivery is at-least-once, the window is one delivery, and receivers deduplicate on the alert id
  that travels with every message.

Only alerts with at least one delivery are stored: the outbox is what is to be told to someone, not a log of
events (those are the checks, snapshots and findings). An alert no recipient wants is not written at all.

Storage stores plain dicts and never imports monitor/: the delivery loop lives in monitor.alerts.delivery.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlmodel import Session

from storage.db import Database
from storage.fingerprint import json_dumps
from storage.models import Delivery, StoredAlert, Supplier, require_aware, utcnow

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
#: Not sent on its own: the alert is told in its check's summary message ("and 37 more", see
#: monitor.alerts.compose.limit_messages). Never claimed; ``reset_delivery`` (resend) sends it alone.
SUMMARISED = "summarised"
#: How a failing delivery is shown to operators (DeliveryRow.failure_state); not stored statuses.
RETRYING, GIVEN_UP = "retrying", "given up"
DEFAULT_LEASE = timedelta(minutes=5)
MAX_ERROR_CHARS = 4000
_MAX_ID = 200


@dataclass(frozen=True)
class DeliveryJob:
    """A claimed delivery: everything a sender needs, without a session. ``attempts`` includes this one."""

    id: int
    alert_id: str
    recipient: str
    channel: str
    target: str = field(repr=False)
    digest: bool
    attempts: int
    payload: dict[str, Any] = field(repr=False)
    lease_until: datetime | None

    @property
    def redacted_target(self) -> str:
        return redact_target(self.target)


@dataclass(frozen=True)
class DeliveryRow:
    """One delivery as listed for operators (CLI ``alerts deliveries``), joined with its alert."""

    id: int
    alert_id: str
    kind: str
    severity: str
    title: str | None
    supplier_id: str | None
    supplier_name: str | None
    recipient: str
    channel: str
    target: str = field(repr=False)
    digest: bool
    status: str
    attempts: int
    next_attempt_at: datetime
    lease_until: datetime | None
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime

    @property
    def redacted_target(self) -> str:
        return redact_target(self.target)

    @property
    def failure_state(self) -> str | None:
        """ "given up" (failed for good), "retrying" (its last attempt failed, another is due), else None.

        A retrying row is what an operator must see while a receiver is down: it stays "pending" for hours
        of backoff before it is given up. A row that was sent after failing is no longer failing.
        """
        if self.status == FAILED:
            return GIVEN_UP
        if self.status in (PENDING, SENDING) and self.last_error is not None:
            return RETRYING
        return None


# --- redaction -------------------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s/]+@([^@\s/]+)$")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$|^localhost$|^\d{1,3}(\.\d{1,3}){3}$", re.I)
_HOST_SCHEMES = frozenset({"http", "https", "json", "jsons", "xml", "xmls", "form", "forms", "mailto", "mailtos"})
_URL_IN_TEXT = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^\s'\"<>]+")


def redact_target(target: str) -> str:
    """A target as it may appear in logs and listings: scheme and host only, never paths or tokens.

    Webhook and apprise URLs carry their secret in the path, query or user part, and many apprise schemes
    put a token where the host would be (tgram://BOT_TOKEN/CHAT): their host is shown only when it looks
    like a real host name. E-mail addresses keep only their domain.
    """
    target = target.strip()
    email = _EMAIL.match(target)
    if email and "://" not in target:
        return f"***@{email.group(1)}"
    try:
        parts = urlsplit(target)
        host = parts.hostname or ""
    except ValueError:
        return "***"
    scheme = parts.scheme.lower()
    if not scheme:
        return "***"
    if host and (scheme in _HOST_SCHEMES or _HOSTNAME.match(host)):
        return f"{scheme}://{host}"
    return f"{scheme}://***"


def redact_text(text: str, *targets: str) -> str:
    """``text`` (an error message) with the given targets and every URL in it redacted."""
    for target in targets:
        if target:
            text = text.replace(target, redact_target(target))
    return _URL_IN_TEXT.sub(lambda m: redact_target(m.group(0)), text)


def _clean(value: str | None) -> str | None:
    # PostgreSQL text cannot hold NUL; errors are diagnostics, so replace it and bound the length.
    return None if value is None else value.replace("\x00", "\ufffd")[:MAX_ERROR_CHARS]


# --- enqueue ---------------------------------------------------------------------------------------


def _validated_alert(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise TypeError(f"alerts must be plain dicts, got {type(item)!r}")
    for key in ("id", "kind", "severity"):
        if not isinstance(item.get(key), str) or not item[key]:
            raise ValueError(f"alert needs a non-empty string {key!r}: {item!r}")
    if len(item["id"]) > _MAX_ID:
        raise ValueError(f"alert id longer than {_MAX_ID} characters: {item['id'][:40]!r}...")
    payload = item.get("payload")
    if not isinstance(payload, dict):
        raise TypeError(f"alert payload must be a JSON dict (Alert.payload()), got {type(payload)!r}")
    if "id" in payload and payload["id"] != item["id"]:
        # Receivers deduplicate on the id inside the message: it must be the outbox's id.
        raise ValueError(f"alert payload id {payload['id']!r} differs from alert id {item['id']!r}")
    try:
        json_dumps(payload)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"alert payload is not JSON-serialisable: {exc}") from exc
    require_aware(item.get("observed_at"), "observed_at")
    deliveries = item.get("deliveries") or []
    for d in deliveries:
        if not isinstance(d, dict):
            raise TypeError(f"deliveries must be plain dicts, got {type(d)!r}")
        for key in ("recipient", "channel", "target"):
            if not isinstance(d.get(key), str) or not d[key]:
                raise ValueError(f"delivery of alert {item['id']!r} needs a non-empty string {key!r}")
    return item


def _insert(session: Session, table: Any) -> Any:
    return (pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(table)


def _enqueue(session: Session, alerts: Iterable[dict[str, Any]], now: datetime | None) -> list[str]:
    now = require_aware(now, "now") if now is not None else utcnow()
    inserted: list[str] = []
    for item in alerts:
        item = _validated_alert(item)
        if not item.get("deliveries"):
            continue  # nobody to tell: the event is in the check's own rows, the outbox is for messages
        observed_at: datetime = item["observed_at"]
        # ON CONFLICT DO NOTHING rather than SELECT-then-INSERT: a concurrent enqueue of the same event
        # waits for the other transaction and then inserts nothing, instead of aborting this one.
        stmt = _insert(session, StoredAlert.__table__).values(
            id=item["id"],
            kind=item["kind"],
            severity=item["severity"],
            supplier_id=item.get("supplier_id"),
            payload=item["payload"],
            observed_at=observed_at,
            created_at=now,
            check_id=item.get("check_id"),
        )
        # RETURNING, not rowcount: psycopg reports -1 for this statement through SQLAlchemy.
        stmt = stmt.on_conflict_do_nothing(index_elements=["id"]).returning(StoredAlert.__table__.c.id)
        if session.execute(stmt).first() is None:
            continue
        inserted.append(item["id"])
        for d in item.get("deliveries") or []:
            dstmt = _insert(session, Delivery.__table__).values(
                alert_id=item["id"],
                recipient=d["recipient"],
                channel=d["channel"],
                target=d["target"],
                digest=bool(d.get("digest", False)),
                status=SUMMARISED if d.get("summarised") else PENDING,
                attempts=0,
                # Due at once whatever clock the caller runs on (the demo and tests use simulated time).
                next_attempt_at=min(observed_at, now),
                created_at=now,
            )
            session.execute(dstmt.on_conflict_do_nothing(index_elements=["alert_id", "recipient", "channel", "target"]))
    return inserted


def enqueue_alerts(
    session_or_db: Session | Database, alerts: Iterable[dict[str, Any]], *, now: datetime | None = None
) -> list[str]:
    """Store alerts and their pending deliveries; returns the ids actually inserted, in order.

    Each dict: id (stable event id), kind, severity, supplier_id (or None), payload (JSON dict, the
    message), observed_at (aware), optional check_id, and deliveries: [{recipient, channel, target,
    digest, optional summarised}] (summarised: stored as told in a summary message, never sent alone unless
    resent). An alert without deliveries is validated but not stored (and not in the returned ids).
    Idempotent by alert id: an id already stored inserts nothing, not even new deliveries, so
    re-running a check after a crash cannot send an event twice. Pass a Session to enqueue inside the
    caller's transaction (the outbox pattern); pass a Database for a transaction of its own.
    """
    if isinstance(session_or_db, Database):
        items = [_validated_alert(a) for a in alerts]  # fail before taking the write lock
        with session_or_db.session(write=True) as session:
            return _enqueue(session, items, now)
    return _enqueue(session_or_db, alerts, now)


# --- claiming ---------------------------------------------------------------------------------------


def _due(now: datetime) -> Any:
    return or_(
        and_(Delivery.status == PENDING, Delivery.next_attempt_at <= now),
        and_(Delivery.status == SENDING, Delivery.lease_until <= now),
    )


def _claim(db: Database, now: datetime, where: Sequence[Any], limit: int | None, lease: timedelta) -> list[DeliveryJob]:
    require_aware(now, "now")
    if lease <= timedelta(0):
        raise ValueError("lease must be positive")
    with db.session(write=True) as session:
        stmt = select(Delivery.id).where(_due(now), *where).order_by(Delivery.next_attempt_at, Delivery.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        if db.dialect == "postgresql":
            # Rows another sender is claiming right now are skipped, not waited for (nor returned twice).
            stmt = stmt.with_for_update(skip_locked=True)
        ids = list(session.execute(stmt).scalars())
        if not ids:
            return []
        lease_until = now + lease
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(status=SENDING, lease_until=lease_until, attempts=Delivery.attempts + 1),
            execution_options={"synchronize_session": False},
        )
        rows = session.execute(
            select(
                Delivery.id,
                Delivery.alert_id,
                Delivery.recipient,
                Delivery.channel,
                Delivery.target,
                Delivery.digest,
                Delivery.attempts,
                StoredAlert.payload,
                Delivery.lease_until,
            )
            .join(StoredAlert, StoredAlert.id == Delivery.alert_id)
            .where(Delivery.id.in_(ids))
            .order_by(Delivery.next_attempt_at, Delivery.id)
        ).all()
    return [
        DeliveryJob(
            id=r[0],
            alert_id=r[1],
            recipient=r[2],
            channel=r[3],
            target=r[4],
            digest=bool(r[5]),
            attempts=int(r[6]),
            payload=r[7],
            lease_until=r[8],
        )
        for r in rows
    ]


def claim_due_deliveries(
    db: Database, now: datetime, *, limit: int = 50, lease: timedelta = DEFAULT_LEASE, digest: bool = False
) -> list[DeliveryJob]:
    """Atomically take up to ``limit`` due deliveries (oldest first) for this sender, leased until now+lease.

    Due = pending with next_attempt_at <= now, or sending with an expired lease (its sender died). Two
    concurrent claimers never get the same row. The lease must outlast sending the whole batch, or
    another sender may take (and send) the rest of it too.
    """
    return _claim(db, now, [Delivery.digest == digest], limit, lease)


def claim_digest_deliveries(
    db: Database, now: datetime, *, since: datetime, lease: timedelta = DEFAULT_LEASE, limit: int | None = None
) -> list[DeliveryJob]:
    """Claim due digest deliveries of every (recipient, channel, target) not sent a digest since ``since``.

    ``since`` is the current digest slot (today at digest_hour): a group already served in this slot waits
    for the next one, which is what makes digests go out once per day without extra bookkeeping.
    """
    require_aware(since, "since")
    done = aliased(Delivery)
    served = (
        select(done.id)
        .where(
            done.digest == True,  # noqa: E712 (SQL expression)
            done.status == SENT,
            done.sent_at >= since,
            done.recipient == Delivery.recipient,
            done.channel == Delivery.channel,
            done.target == Delivery.target,
        )
        .exists()
    )
    return _claim(db, now, [Delivery.digest == True, ~served], limit, lease)  # noqa: E712


# --- marking ----------------------------------------------------------------------------------------


def mark_sent(db: Database, delivery_ids: Iterable[int], sent_at: datetime) -> int:
    """Record that the channel accepted these deliveries; returns how many rows changed.

    Accepted from any state but sent: a sender whose lease expired did send, and that is the truth.
    """
    require_aware(sent_at, "sent_at")
    ids = list(delivery_ids)
    if not ids:
        return 0
    with db.session(write=True) as session:
        result = session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.status != SENT)
            .values(status=SENT, sent_at=sent_at, lease_until=None),
            execution_options={"synchronize_session": False},
        )
        return int(result.rowcount or 0)


def mark_failed(db: Database, delivery_id: int, error: str, *, now: datetime, retry_at: datetime | None) -> bool:
    """Record a failed attempt: retry at ``retry_at`` (pending again) or, when None, give up (failed).

    Only a row still "sending" is changed, so a late failure report can never undo a send recorded by
    another sender. ``error`` must already be redacted (it is shown to operators).
    """
    require_aware(now, "now")
    values: dict[str, Any] = {"last_error": _clean(error) or "", "lease_until": None}
    if retry_at is None:
        values["status"] = FAILED
    else:
        values["status"] = PENDING
        values["next_attempt_at"] = max(require_aware(retry_at, "retry_at"), now)
    with db.session(write=True) as session:
        result = session.execute(
            update(Delivery).where(Delivery.id == delivery_id, Delivery.status == SENDING).values(**values),
            execution_options={"synchronize_session": False},
        )
        return bool(result.rowcount)


def release_deliveries(db: Database, delivery_ids: Iterable[int]) -> int:
    """Hand claimed-but-untried deliveries back (a sender stopping early): pending, attempt not counted."""
    ids = list(delivery_ids)
    if not ids:
        return 0
    with db.session(write=True) as session:
        result = session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids), Delivery.status == SENDING)
            .values(
                status=PENDING,
                lease_until=None,
                attempts=case((Delivery.attempts > 0, Delivery.attempts - 1), else_=0),
            ),
            execution_options={"synchronize_session": False},
        )
        return int(result.rowcount or 0)


def reset_delivery(db: Database, delivery_id: int, now: datetime) -> bool:
    """Send again (operator's "resend"): back to pending, due now, with a fresh attempt budget.

    Refused (False) for a row another sender holds under a live lease, which would be sent twice at once.
    """
    require_aware(now, "now")
    with db.session(write=True) as session:
        result = session.execute(
            update(Delivery)
            .where(
                Delivery.id == delivery_id,
                or_(Delivery.status != SENDING, Delivery.lease_until.is_(None), Delivery.lease_until <= now),
            )
            .values(status=PENDING, next_attempt_at=now, lease_until=None, attempts=0, sent_at=None),
            execution_options={"synchronize_session": False},
        )
        return bool(result.rowcount)


def retry_now(db: Database, now: datetime) -> int:
    """Make every delivery waiting out its backoff after a failure due now (``alerts send --retry-now``).

    Unlike ``reset_delivery`` the attempts already made still count, so a receiver that is still broken
    is given up at ``max_attempts`` as usual. Returns how many rows were brought forward.
    """
    require_aware(now, "now")
    with db.session(write=True) as session:
        result = session.execute(
            update(Delivery)
            .where(Delivery.status == PENDING, Delivery.last_error.is_not(None), Delivery.next_attempt_at > now)
            .values(next_attempt_at=now),
            execution_options={"synchronize_session": False},
        )
        return int(result.rowcount or 0)


# --- reading ----------------------------------------------------------------------------------------


def get_alert(db: Database, alert_id: str) -> StoredAlert | None:
    """One stored alert by its stable id."""
    with db.session() as session:
        return session.get(StoredAlert, alert_id)


def list_alerts(db: Database, supplier_id: str | None = None, limit: int | None = 100) -> list[StoredAlert]:
    """Stored alerts, newest observation first (of one supplier when given)."""
    stmt = select(StoredAlert)
    if supplier_id is not None:
        stmt = stmt.where(StoredAlert.supplier_id == supplier_id)
    stmt = stmt.order_by(StoredAlert.observed_at.desc(), StoredAlert.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    with db.session() as session:
        return list(session.execute(stmt).scalars())


def _failing() -> Any:
    """Rows whose last attempt failed: given up, or still retrying (pending or being sent with an error).

    ``last_error`` alone is not enough: a row sent after failing keeps its last error as history.
    """
    return or_(
        Delivery.status == FAILED,
        and_(Delivery.status.in_((PENDING, SENDING)), Delivery.last_error.is_not(None)),
    )


def list_deliveries(
    db: Database, *, failed_only: bool = False, limit: int | None = 100, alert_id: str | None = None
) -> list[DeliveryRow]:
    """Deliveries, newest first, with their alert's kind, severity, title and supplier (for operators).

    ``failed_only``: every delivery whose last attempt failed, those given up *and* those still retrying
    (see ``DeliveryRow.failure_state``). Listing only given-up rows would hide a dead receiver for the
    hours of backoff before ``max_attempts`` is reached.
    """
    stmt = (
        select(
            Delivery.id,
            Delivery.alert_id,
            StoredAlert.kind,
            StoredAlert.severity,
            StoredAlert.payload,
            StoredAlert.supplier_id,
            Supplier.name,
            Delivery.recipient,
            Delivery.channel,
            Delivery.target,
            Delivery.digest,
            Delivery.status,
            Delivery.attempts,
            Delivery.next_attempt_at,
            Delivery.lease_until,
            Delivery.last_error,
            Delivery.sent_at,
            Delivery.created_at,
        )
        .join(StoredAlert, StoredAlert.id == Delivery.alert_id)
        .outerjoin(Supplier, Supplier.id == StoredAlert.supplier_id)
        .order_by(Delivery.created_at.desc(), Delivery.id.desc())
    )
    if failed_only:
        stmt = stmt.where(_failing())
    if alert_id is not None:
        stmt = stmt.where(Delivery.alert_id == alert_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    with db.session() as session:
        rows = session.execute(stmt).all()
    out: list[DeliveryRow] = []
    for r in rows:
        payload = r[4] if isinstance(r[4], dict) else {}
        title = payload.get("title")
        supplier_name = r[6]
        if supplier_name is None and isinstance(payload.get("supplier"), dict):
            supplier_name = payload["supplier"].get("name")
        out.append(
            DeliveryRow(
                id=r[0],
                alert_id=r[1],
                kind=r[2],
                severity=r[3],
                title=title if isinstance(title, str) else None,
                supplier_id=r[5],
                supplier_name=supplier_name,
                recipient=r[7],
                channel=r[8],
                target=r[9],
                digest=bool(r[10]),
                status=r[11],
                attempts=int(r[12]),
                next_attempt_at=r[13],
                lease_until=r[14],
                last_error=r[15],
                sent_at=r[16],
                created_at=r[17],
            )
        )
    return out


__all__ = [
    "DEFAULT_LEASE",
    "FAILED",
    "GIVEN_UP",
    "PENDING",
    "RETRYING",
    "SENDING",
    "SENT",
    "SUMMARISED",
    "DeliveryJob",
    "DeliveryRow",
    "claim_digest_deliveries",
    "claim_due_deliveries",
    "enqueue_alerts",
    "get_alert",
    "list_alerts",
    "list_deliveries",
    "mark_failed",
    "mark_sent",
    "redact_target",
    "redact_text",
    "release_deliveries",
    "reset_delivery",
    "retry_now",
]
