"""Content-addressed, zlib-compressed blobs (page HTML as evidence, screenshots)."""

from __future__ import annotations

import zlib

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from storage.fingerprint import sha256_hex
from storage.models import BLOB_KINDS, Blob, utcnow

# Level 6 is zlib's sweet spot: HTML shrinks ~5-10x, higher levels buy little for much more CPU.
_ZLIB_LEVEL = 6


def html_bytes(html: str) -> bytes:
    """HTML as stored: UTF-8, with unpaired surrogates (broken pages) kept reversibly."""
    return html.encode("utf-8", errors="surrogatepass")


def decode_html(data: bytes) -> str:
    """Inverse of html_bytes."""
    return data.decode("utf-8", errors="surrogatepass")


def put_blob(session: Session, data: bytes, kind: str) -> str:
    """Store `data` once under its sha256 and return the hash; existing content is not rewritten.

    Uses INSERT .. ON CONFLICT DO NOTHING so two writers storing the same page can't collide.
    """
    if kind not in BLOB_KINDS:
        raise ValueError(f"unknown blob kind {kind!r}; expected one of {sorted(BLOB_KINDS)}")
    digest = sha256_hex(data)
    if session.execute(select(Blob.sha256).where(Blob.sha256 == digest)).first() is not None:
        return digest
    values = {
        "sha256": digest,
        "kind": kind,
        "size": len(data),
        "compressed": zlib.compress(data, _ZLIB_LEVEL),
        "created_at": utcnow(),
    }
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt = pg_insert(Blob).values(**values).on_conflict_do_nothing(index_elements=["sha256"])
    elif dialect == "sqlite":
        stmt = sqlite_insert(Blob).values(**values).on_conflict_do_nothing(index_elements=["sha256"])
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        stmt = insert(Blob).values(**values)
    session.execute(stmt)
    return digest


def get_blob(session: Session, digest: str) -> bytes | None:
    """The decompressed content of a blob, or None when absent."""
    compressed = session.execute(select(Blob.compressed).where(Blob.sha256 == digest)).scalar_one_or_none()
    return None if compressed is None else zlib.decompress(compressed)
