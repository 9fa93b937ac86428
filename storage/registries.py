"""Storage for certificate registries: the operator's local registry and the remote-answer cache.

Keys (number_key, holder_key) are computed by the caller; storage only stores and matches them by index
equality, which keeps lookups fast on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select

from storage.db import Database
from storage.models import RegistryCache, RegistryCertificate, utcnow

#: Rows per INSERT batch: large enough for speed, small enough for SQLite's variable limit per statement.
_BATCH = 2000
_CERT_COLUMNS: tuple[str, ...] = (
    "number",
    "number_key",
    "holder",
    "holder_key",
    "standard",
    "edition",
    "certification_body",
    "accreditation_body",
    "status",
    "valid_from",
    "valid_until",
    "scope",
)


@dataclass(frozen=True)
class CachedResponse:
    """A remote registry's stored answer (status code and JSON body)."""

    status_code: int
    response: Any
    fetched_at: datetime
    expires_at: datetime


def replace_registry_source(
    db: Database, source: str, rows: Iterable[dict[str, Any]], *, imported_at: datetime | None = None
) -> tuple[int, int]:
    """Replace every certificate of `source` by `rows` in one transaction; returns (inserted, deleted).

    Re-importing a corrected file must not leave the old rows behind, and a failure half-way must not
    leave the registry half-empty: hence delete + bulk insert in a single transaction.
    """
    imported_at = imported_at or utcnow()
    inserted = 0
    with db.session(write=True) as session:
        deleted = session.execute(delete(RegistryCertificate).where(RegistryCertificate.source == source)).rowcount
        batch: list[dict[str, Any]] = []
        for row in rows:
            values = {c: row.get(c) for c in _CERT_COLUMNS}
            values["source"] = source
            values["imported_at"] = imported_at
            batch.append(values)
            if len(batch) >= _BATCH:
                session.execute(insert(RegistryCertificate), batch)
                inserted += len(batch)
                batch = []
        if batch:
            session.execute(insert(RegistryCertificate), batch)
            inserted += len(batch)
    return inserted, int(deleted or 0)


def registry_by_number_key(db: Database, number_key: str) -> list[RegistryCertificate]:
    """Certificates whose normalised number equals `number_key` (index lookup)."""
    stmt = select(RegistryCertificate).where(RegistryCertificate.number_key == number_key)
    with db.session() as session:
        return list(session.execute(stmt.order_by(RegistryCertificate.id)).scalars())


def registry_by_holder_key(db: Database, holder_key: str) -> list[RegistryCertificate]:
    """Certificates whose normalised holder name equals `holder_key` (index lookup)."""
    stmt = select(RegistryCertificate).where(RegistryCertificate.holder_key == holder_key)
    with db.session() as session:
        return list(session.execute(stmt.order_by(RegistryCertificate.id)).scalars())


def registry_sources(db: Database) -> list[tuple[str, int]]:
    """(source file, certificate count) of the local registry."""
    stmt = (
        select(RegistryCertificate.source, func.count(RegistryCertificate.id))
        .group_by(RegistryCertificate.source)
        .order_by(RegistryCertificate.source)
    )
    with db.session() as session:
        return [(s, int(n)) for s, n in session.execute(stmt).all()]


def cache_get(db: Database, registry: str, request_key: str, *, now: datetime | None = None) -> CachedResponse | None:
    """The cached answer for (registry, request_key) unless expired."""
    now = now or utcnow()
    with db.session() as session:
        row = session.get(RegistryCache, (registry, request_key))
        if row is None or row.expires_at <= now:
            return None
        return CachedResponse(row.status_code, row.response, row.fetched_at, row.expires_at)


def cache_put(
    db: Database,
    registry: str,
    request_key: str,
    status_code: int,
    response: Any,
    *,
    fetched_at: datetime,
    expires_at: datetime,
) -> None:
    """Store (or overwrite) the answer for (registry, request_key)."""
    with db.session(write=True) as session:
        row = session.get(RegistryCache, (registry, request_key), with_for_update=True)
        if row is None:
            session.add(
                RegistryCache(
                    registry_name=registry,
                    request_key=request_key,
                    response=response,
                    status_code=status_code,
                    fetched_at=fetched_at,
                    expires_at=expires_at,
                )
            )
        else:
            row.response, row.status_code = response, status_code
            row.fetched_at, row.expires_at = fetched_at, expires_at


def cache_purge_expired(db: Database, *, now: datetime | None = None) -> int:
    """Delete expired cache rows; returns how many."""
    now = now or utcnow()
    with db.session(write=True) as session:
        return int(session.execute(delete(RegistryCache).where(RegistryCache.expires_at <= now)).rowcount or 0)


__all__: Sequence[str] = [
    "CachedResponse",
    "cache_get",
    "cache_purge_expired",
    "cache_put",
    "registry_by_holder_key",
    "registry_by_number_key",
    "registry_sources",
    "replace_registry_source",
]
