"""Certificate documents (models.CertificateDocumentRecord): the files as evidence blobs, and their readings.

The collector (monitor.documents) asks here what it already knows about a URL (to send If-None-Match /
If-Modified-Since) and about a file's content (a file seen before under another URL is not read again), and
records each fetch. The dashboard loads a document and its thumbnail by hash. Readings are the plain JSON of
``scrapers.claims.DocumentReading``: storage never imports scrapers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from storage.blobs import get_blob, put_blob
from storage.db import Database
from storage.models import CertificateDocumentRecord as Record

#: Errors are diagnostics; one from a hostile server must not fill the table.
_MAX_ERROR = 2000


def _clean(text: str | None, limit: int) -> str | None:
    # PostgreSQL text cannot hold NUL.
    return None if text is None else text.replace("\x00", "\ufffd")[:limit]


def _row(session: Session, url: str, sha256: str | None) -> Record | None:
    stmt = select(Record).where(Record.url == url)
    stmt = stmt.where(Record.sha256.is_(None)) if sha256 is None else stmt.where(Record.sha256 == sha256)
    return session.execute(stmt.order_by(Record.fetched_at.desc(), Record.id.desc()).limit(1)).scalars().first()


def latest_document(db: Database, url: str) -> Record | None:
    """The newest stored file of ``url`` (rows of failed fetches skipped): its validators and reading."""
    stmt = (
        select(Record)
        .where(Record.url == url, Record.sha256.is_not(None))
        .order_by(Record.fetched_at.desc(), Record.id.desc())
        .limit(1)
    )
    with db.session() as session:
        return session.execute(stmt).scalars().first()


def reading_by_sha(db: Database, sha256: str) -> Record | None:
    """A row whose file has this content and that was read (under any URL): its reading can be reused."""
    stmt = (
        select(Record)
        .where(Record.sha256 == sha256, Record.read_at.is_not(None))
        .order_by(Record.read_at.desc(), Record.id.desc())
        .limit(1)
    )
    with db.session() as session:
        return session.execute(stmt).scalars().first()


def record_document(
    db: Database,
    *,
    url: str,
    data: bytes,
    media_type: str,
    fetched_at: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
    reading: dict[str, Any] | None = None,
    read_at: datetime | None = None,
    thumbnail: bytes | None = None,
    error: str | None = None,
) -> Record:
    """Store a fetched file (blob kind "document"), its PNG thumbnail and reading; one row per (url, content).

    The same file fetched again from the same URL updates that row (fetch time, validators, and the reading
    or error when given) instead of adding one. Returns the row.
    """
    with db.session(write=True) as session:
        sha256 = put_blob(session, data, "document")
        thumb = put_blob(session, thumbnail, "png") if thumbnail is not None else None
        row = _row(session, url, sha256)
        if row is None:
            row = Record(url=url, sha256=sha256, fetched_at=fetched_at)
            session.add(row)
        row.media_type, row.size, row.fetched_at = media_type, len(data), fetched_at
        row.etag, row.last_modified = _clean(etag, 1000), _clean(last_modified, 100)
        if reading is not None:
            row.reading, row.read_at = reading, read_at or fetched_at
        if thumb is not None:
            row.thumbnail_sha256 = thumb
        row.error = _clean(error, _MAX_ERROR)
        session.flush()
        return row


def mark_document_seen(
    db: Database,
    url: str,
    sha256: str,
    *,
    fetched_at: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
) -> None:
    """The server said the file of ``url`` is unchanged (304): move its fetch time, keep new validators."""
    with db.session(write=True) as session:
        row = _row(session, url, sha256)
        if row is None:
            return
        row.fetched_at = max(row.fetched_at, fetched_at)
        if etag is not None:
            row.etag = _clean(etag, 1000)
        if last_modified is not None:
            row.last_modified = _clean(last_modified, 100)


def record_document_error(db: Database, url: str, error: str, *, fetched_at: datetime) -> None:
    """A fetch of ``url`` that failed: one row per URL without a file, holding the last error and its time."""
    with db.session(write=True) as session:
        row = _row(session, url, None)
        if row is None:
            row = Record(url=url, fetched_at=fetched_at)
            session.add(row)
        row.fetched_at, row.error = fetched_at, _clean(error, _MAX_ERROR)


def document_blob(db: Database, sha256: str) -> bytes | None:
    """The file itself (PDF or picture), by its hash; None when no certificate document has that hash."""
    with db.session() as session:
        known = session.execute(select(Record.id).where(Record.sha256 == sha256).limit(1)).first()
        return get_blob(session, sha256) if known is not None else None


def document_thumbnail(db: Database, sha256: str) -> bytes | None:
    """The PNG thumbnail of the file with this hash, when one was made."""
    stmt = select(Record.thumbnail_sha256).where(Record.sha256 == sha256, Record.thumbnail_sha256.is_not(None))
    with db.session() as session:
        thumb = session.execute(stmt.limit(1)).scalar_one_or_none()
        return get_blob(session, thumb) if thumb is not None else None
