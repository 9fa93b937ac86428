"""Tables of the evidence store (supplier, check, snapshot, blob).

The models live on their own SQLAlchemy registry/metadata so that other SQLModel tables elsewhere in the
project never leak into our Alembic migrations or the schema comparison test. Claims are kept as the
plain JSON dict documented in docs/claims-schema.md: storage never imports scrapers or monitor.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    func,
    select,
    text,
    type_coerce,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import column_property, registry
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Field, SQLModel
from sqlmodel.main import SQLModelConfig

# Deterministic constraint names: the hand-written migration must produce exactly these.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)
storage_registry = registry(metadata=metadata)

#: "skipped": the page was deliberately not fetched (its host is being left alone after another page's block or
#: errors, or the check ran out of time before reaching it). Kept so operators see why there is no fresh
#: check, but it says nothing about the supplier: it neither counts as a failure nor ends a failure streak.
CHECK_STATUSES: frozenset[str] = frozenset(
    {"ok", "blocked", "login_required", "not_found", "unparseable", "error", "skipped"}
)
FETCH_METHODS: frozenset[str] = frozenset({"browser", "http"})
#: "document": a certificate PDF or picture a supplier page links (kept byte for byte as evidence).
BLOB_KINDS: frozenset[str] = frozenset({"html", "png", "document"})
#: "summarised": an alert beyond ``[alerts] max_messages_per_check`` for its recipient in one check, told in that
#: check's summary message instead of on its own; kept so it stays listed, never claimed (resend sends it alone).
DELIVERY_STATUSES: frozenset[str] = frozenset({"pending", "sending", "sent", "failed", "summarised"})


def utcnow() -> datetime:
    """Aware UTC 'now'; the only clock storage uses for bookkeeping columns."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always hands back aware UTC datetimes.

    SQLite has no time zone type (values would come back naive), PostgreSQL's timestamptz returns the
    session time zone; normalising here makes both backends behave identically. Naive input is refused
    because guessing its zone silently corrupts evidence timestamps.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: storage needs timezone-aware datetimes")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            # Stored as ISO text; keep it naive UTC so string comparison in SQL orders correctly.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def require_aware(value: Any, name: str) -> datetime:
    """``value`` itself, when it is a timezone-aware datetime: a naive one would be stored in a guessed zone."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        naive = "naive " if isinstance(value, datetime) else ""
        raise ValueError(f"{name} must be a timezone-aware datetime (got {naive}{value!r})")
    return value


def json_type() -> JSON:
    """Plain JSON on every backend, deliberately not JSONB.

    Evidence must be kept verbatim: PostgreSQL's jsonb rejects "\\u0000" and re-orders keys, json keeps
    the document as sent. Claims are compared through claims_hash, never by JSON equality in SQL.
    """
    return JSON()


class StorageModel(SQLModel, registry=storage_registry):
    """Abstract base binding our tables to the storage metadata instead of SQLModel's global one.

    ``defer_build``: table rows are built without validation, so pydantic's schema for a table is made on
    first use (model_validate, model_dump) instead of at import, which every command pays.
    """

    model_config = SQLModelConfig(defer_build=True)


class Supplier(StorageModel, table=True):
    """A configured supplier; never deleted so its history stays attached (inactive when unconfigured)."""

    __tablename__: ClassVar[str] = "supplier"

    id: str = Field(sa_column=Column(String(200), primary_key=True))
    name: str = Field(sa_column=Column(Text, nullable=False))
    platform: str = Field(sa_column=Column(String(100), nullable=False))
    urls: list[str] = Field(default_factory=list, sa_column=Column(json_type(), nullable=False))
    tags: list[str] = Field(default_factory=list, sa_column=Column(json_type(), nullable=False))
    active: bool = Field(default=True, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Blob(StorageModel, table=True):
    """Content-addressed compressed bytes (page HTML, screenshots): identical content is stored once."""

    __tablename__: ClassVar[str] = "blob"

    sha256: str = Field(sa_column=Column(String(64), primary_key=True))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    size: int = Field(nullable=False)
    compressed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Snapshot(StorageModel, table=True):
    """One distinct set of claims seen on a supplier URL, from first to last sighting.

    ``last_seen_at`` (the latest check pointing at it) is derived, not stored: see the end of this module.
    """

    __tablename__: ClassVar[str] = "snapshot"
    __table_args__ = (
        Index("ix_snapshot_supplier_url_first_seen", "supplier_id", "url", "first_seen_at"),
        Index("ix_snapshot_supplier_first_seen", "supplier_id", "first_seen_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: str = Field(sa_column=Column(String(200), ForeignKey("supplier.id"), nullable=False))
    url: str = Field(sa_column=Column(Text, nullable=False))
    claims: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    claims_hash: str = Field(sa_column=Column(String(64), nullable=False))
    first_seen_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    html_blob: str | None = Field(
        default=None, sa_column=Column(String(64), ForeignKey("blob.sha256"), nullable=True, index=True)
    )
    screenshot_blob: str | None = Field(
        default=None, sa_column=Column(String(64), ForeignKey("blob.sha256"), nullable=True, index=True)
    )


class Check(StorageModel, table=True):
    """Every fetch attempt, successful or not: the monitoring log and the link to what was seen."""

    __tablename__: ClassVar[str] = "check"
    __table_args__ = (
        Index("ix_check_supplier_started", "supplier_id", "started_at"),
        Index("ix_check_supplier_status_started", "supplier_id", "status", "started_at"),
        # A snapshot's last sighting is its latest check: one probe of this index.
        Index("ix_check_snapshot_id_started_at", "snapshot_id", "started_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: str = Field(sa_column=Column(String(200), ForeignKey("supplier.id"), nullable=False))
    url: str = Field(sa_column=Column(Text, nullable=False))
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    finished_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    duration_ms: int = Field(nullable=False)
    status: str = Field(sa_column=Column(String(32), nullable=False))
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    http_status: int | None = Field(default=None, nullable=True)
    fetch_method: str = Field(sa_column=Column(String(16), nullable=False))
    snapshot_id: int | None = Field(default=None, sa_column=Column(Integer, ForeignKey("snapshot.id"), nullable=True))
    changed: bool = Field(default=False, nullable=False)
    #: Not indexed: nothing looks checks up by their evidence, and every check would pay for the index entry.
    evidence_blob: str | None = Field(
        default=None, sa_column=Column(String(64), ForeignKey("blob.sha256"), nullable=True)
    )
    #: Fingerprint of the served page at an ok check (scrapers.page_hash): the same page is not read again.
    page_hash: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))


# --- findings and certificate registries (migration 0002) ------------------------------------------


class StoredFinding(StorageModel, table=True):
    """One verification finding of a supplier, from the first check that produced it to its resolution.

    A finding produced again by later checks stays ONE row (last_seen_at moves); when a check no longer
    produces it, resolved_at is set. ``last_seen_at`` is derived (see the end of this module): an open finding
    produced again on the same snapshot is seen by the check that points at it, so nothing is written.
    If it comes back later a new row is opened, so the history shows each period
    during which the problem was visible. At most one open row per (supplier_id, identity).
    """

    __tablename__: ClassVar[str] = "finding"
    __table_args__ = (
        Index(
            "uq_finding_open_supplier_identity",
            "supplier_id",
            "identity",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
        Index("ix_finding_supplier_first_seen", "supplier_id", "first_seen_at"),
        Index("ix_finding_resolved_at", "resolved_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    supplier_id: str = Field(sa_column=Column(String(200), ForeignKey("supplier.id"), nullable=False))
    identity: str = Field(sa_column=Column(String(200), nullable=False))
    #: The page whose check produced it; a check of another page of the supplier never resolves it.
    url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    code: str = Field(sa_column=Column(String(100), nullable=False))
    severity: str = Field(sa_column=Column(String(16), nullable=False))
    message: str = Field(sa_column=Column(Text, nullable=False))
    evidence: str = Field(sa_column=Column(Text, nullable=False))
    rule_source: str = Field(sa_column=Column(Text, nullable=False))
    certification: dict[str, Any] | None = Field(default=None, sa_column=Column(json_type(), nullable=True))
    statement: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    first_seen_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    #: The last sighting as written: when the finding was last produced on another snapshot (or without one),
    #: and, once resolved, its last sighting for good. ``last_seen_at`` is what readers want.
    recorded_last_seen_at: datetime = Field(sa_column=Column("last_seen_at", UTCDateTime(), nullable=False))
    resolved_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    first_snapshot_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("snapshot.id"), nullable=True, index=True)
    )
    last_snapshot_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("snapshot.id"), nullable=True, index=True)
    )


class RegistryCertificate(StorageModel, table=True):
    """One certificate of the operator's local registry (imported from a CSV file, replaced per file).

    number_key / holder_key are normalised by the importer (monitor.registries.normalize) so lookups are
    plain index equality on both backends.
    """

    __tablename__: ClassVar[str] = "registry_certificate"
    __table_args__ = (Index("ix_registry_certificate_holder_key_standard", "holder_key", "standard"),)

    id: int | None = Field(default=None, primary_key=True)
    number: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    number_key: str | None = Field(default=None, sa_column=Column(String(200), nullable=True, index=True))
    holder: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    holder_key: str | None = Field(default=None, sa_column=Column(String(500), nullable=True, index=True))
    standard: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    edition: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    certification_body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    accreditation_body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    valid_from: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    valid_until: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    scope: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    imported_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    source: str = Field(sa_column=Column(String(500), nullable=False, index=True))


class RegistryCache(StorageModel, table=True):
    """Cached answers of remote registries (IAF CertSearch): one row per (registry, request key).

    Lookups can cost credits, so an answer is reused until expires_at instead of asking again.
    """

    __tablename__: ClassVar[str] = "registry_cache"

    # attribute "registry" is reserved by SQLAlchemy declarative; the column is still named "registry".
    registry_name: str = Field(sa_column=Column("registry", String(100), primary_key=True))
    request_key: str = Field(sa_column=Column(String(200), primary_key=True))
    response: Any = Field(default=None, sa_column=Column(json_type(), nullable=True))
    status_code: int = Field(nullable=False)
    fetched_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


# --- alert outbox and delivery queue (migration 0003) ----------------------------------------------


class StoredAlert(StorageModel, table=True):
    """One alert event, written in the same transaction as the check that raised it (transactional outbox).

    ``id`` is the event's stable id (monitor.alerts.model.alert_id): enqueueing the same event again is a
    no-op, so a check re-run after a crash cannot produce a second alert. ``payload`` is the alert as sent
    (webhook body), kept verbatim so a delivery retried days later sends exactly what was decided.
    """

    __tablename__: ClassVar[str] = "alert"
    __table_args__ = (Index("ix_alert_supplier_observed", "supplier_id", "observed_at"),)

    id: str = Field(sa_column=Column(String(200), primary_key=True))
    kind: str = Field(sa_column=Column(String(50), nullable=False))
    severity: str = Field(sa_column=Column(String(16), nullable=False))
    supplier_id: str | None = Field(
        default=None, sa_column=Column(String(200), ForeignKey("supplier.id"), nullable=True)
    )
    payload: dict[str, Any] = Field(sa_column=Column(json_type(), nullable=False))
    observed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    check_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("check.id"), nullable=True, index=True)
    )


class Delivery(StorageModel, table=True):
    """One alert to one recipient through one channel and target: the unit the delivery queue retries.

    status: pending (due at next_attempt_at) -> sending (leased until lease_until by one sender) -> sent,
    or back to pending with a later next_attempt_at, or failed (permanent / out of attempts). A sending
    row whose lease expired is claimable again: its sender died between claiming and marking. A
    summarised row (told in its check's summary message instead) is never claimed until someone resends it.
    ``target`` may hold credentials (apprise URLs, webhook tokens): never log it unredacted.
    """

    __tablename__: ClassVar[str] = "delivery"
    __table_args__ = (
        UniqueConstraint("alert_id", "recipient", "channel", "target"),
        Index("ix_delivery_status_digest_next_attempt", "status", "digest", "next_attempt_at"),
        Index("ix_delivery_status_lease_until", "status", "lease_until"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alert_id: str = Field(sa_column=Column(String(200), ForeignKey("alert.id"), nullable=False))
    recipient: str = Field(sa_column=Column(String(200), nullable=False))
    channel: str = Field(sa_column=Column(String(50), nullable=False))
    target: str = Field(sa_column=Column(Text, nullable=False))
    digest: bool = Field(default=False, sa_column=Column(Boolean, nullable=False))
    status: str = Field(default="pending", sa_column=Column(String(16), nullable=False))
    attempts: int = Field(default=0, nullable=False)
    next_attempt_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    lease_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class PageRoute(StorageModel, table=True):
    """How a page is best fetched (plain HTTP or the browser), learned from its checks.

    ``browser_checks`` counts browser checks since plain HTTP was last tried, so that one bad answer does
    not pin a page to the expensive browser forever: the cheap way is retried every N checks.
    """

    __tablename__: ClassVar[str] = "page_route"

    supplier_id: str = Field(sa_column=Column(String(200), ForeignKey("supplier.id"), primary_key=True))
    url: str = Field(sa_column=Column(Text, primary_key=True))
    method: str = Field(sa_column=Column(String(16), nullable=False))
    browser_checks: int = Field(default=0, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class FindingAction(StorageModel, table=True):
    """One operator decision about a finding; the latest one per identity is the finding's state."""

    __tablename__: ClassVar[str] = "finding_action"
    __table_args__ = (Index("ix_finding_action_finding_at", "finding_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(sa_column=Column(Integer, ForeignKey("finding.id"), nullable=False))
    action: str = Field(sa_column=Column(String(16), nullable=False))
    until: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


# --- daemon heartbeat (migration 0006) -------------------------------------------------------------


class DaemonHeartbeat(StorageModel, table=True):
    """One running (or once running) scheduler daemon, as it last reported itself.

    The daemon and the dashboard/``status`` are separate processes: this row is how they learn whether checks
    are running. ``beat_at`` is when the row was last written (every few seconds); ``last_tick_at`` when the
    scheduler last completed a pass over its jobs; ``last_check_ok_at`` when a check last ran and was stored
    (whatever the page said). ``last_error``/``last_error_at`` are the last database error the daemon met and
    ``error_since`` the start of the database trouble still going on (None once it is over). ``stopped_at``
    is set by a clean shutdown only: a row without it whose ``beat_at`` is old belongs to a daemon that died.
    """

    __tablename__: ClassVar[str] = "daemon_heartbeat"

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    host: str = Field(sa_column=Column(String(255), nullable=False))
    pid: int = Field(nullable=False)
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    beat_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    last_tick_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    last_check_ok_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    last_error_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    error_since: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    stopped_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


# --- certificate documents (migration 0007) --------------------------------------------------------


class CertificateDocumentRecord(StorageModel, table=True):
    """One certificate document (PDF or picture) as fetched from one URL, and what the reader found in it.

    One row per (url, sha256): fetching the same file again only moves ``fetched_at`` (and the validators), so
    an unchanged document costs no row and, above all, is never read twice. A fetch that failed leaves a row
    without ``sha256`` holding the ``error`` (one per URL, updated). ``reading`` is the DocumentReading's JSON;
    ``read_at`` is None while the file was stored but not (or not successfully) read.
    """

    __tablename__: ClassVar[str] = "certificate_document"
    __table_args__ = (Index("ix_certificate_document_url_fetched_at", "url", "fetched_at"),)

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str | None = Field(
        default=None, sa_column=Column(String(64), ForeignKey("blob.sha256"), nullable=True, index=True)
    )
    media_type: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    size: int | None = Field(default=None, nullable=True)
    etag: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    last_modified: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    fetched_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    read_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))
    reading: dict[str, Any] | None = Field(default=None, sa_column=Column(json_type(), nullable=True))
    thumbnail_sha256: str | None = Field(
        default=None, sa_column=Column(String(64), ForeignKey("blob.sha256"), nullable=True)
    )
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


# --- politeness shared by every process (migration 0008) -----------------------------------------------


class HostBackoffRecord(StorageModel, table=True):
    """A host (``scheme://host:port``) being left alone after errors or block pages, for every process.

    Written by whichever process saw the trouble, read by all before they fetch from the host; deleted when a
    fetch from the host goes well again. ``until`` is UTC wall time.
    """

    __tablename__: ClassVar[str] = "host_backoff"

    origin: str = Field(sa_column=Column(String(300), primary_key=True))
    errors: int = Field(default=0, nullable=False)
    blocks: int = Field(default=0, nullable=False)
    until: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class HostPacing(StorageModel, table=True):
    """The next free start time per origin: each fetch reserves ``max(now, next_free_at)`` and moves it on by the
    host's gap, so ``min_delay_per_host`` holds across processes. UTC wall time."""

    __tablename__: ClassVar[str] = "host_pacing"

    origin: str = Field(sa_column=Column(String(300), primary_key=True))
    next_free_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class RobotsTxtRecord(StorageModel, table=True):
    """robots.txt per origin as last fetched by any process, so no other process fetches it again before
    ``expires_at``. ``state``: parsed (``body`` holds the text, at most 500 KiB), unavailable (no rules) or
    unreachable (disallow for now); ``failure`` (timeout/unreachable) when the host did not answer at all."""

    __tablename__: ClassVar[str] = "robots_txt"

    origin: str = Field(sa_column=Column(String(300), primary_key=True))
    robots_url: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(sa_column=Column(String(16), nullable=False))
    detail: str = Field(default="", sa_column=Column(Text, nullable=False))
    body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    failure: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    fetched_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


# --- derived sightings (migration 0011) -------------------------------------------------------------------------
# An unchanged check writes one check row and nothing else: the sightings below are read from the checks.


def _last_check_of(snapshot_id: Any) -> Any:
    """The start of the latest check that pointed at ``snapshot_id`` (NULL when none did)."""
    return (
        select(func.max(Check.started_at))
        .where(Check.snapshot_id == snapshot_id)
        .correlate_except(Check)
        .scalar_subquery()
    )


Snapshot.__mapper__.add_property(
    "last_seen_at",
    column_property(
        type_coerce(func.coalesce(_last_check_of(Snapshot.id), Snapshot.first_seen_at), UTCDateTime()),
        expire_on_flush=True,
    ),
)

_finding_sighted = _last_check_of(StoredFinding.last_snapshot_id)
StoredFinding.__mapper__.add_property(
    "last_seen_at",
    column_property(
        type_coerce(
            case(
                (
                    and_(StoredFinding.resolved_at.is_(None), _finding_sighted > StoredFinding.recorded_last_seen_at),
                    _finding_sighted,
                ),
                else_=StoredFinding.recorded_last_seen_at,
            ),
            UTCDateTime(),
        ),
        expire_on_flush=True,
    ),
)
