"""Certificate documents in the evidence store (migration 0007, storage.documents), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select

from storage import (
    Blob,
    CertificateDocumentRecord,
    Database,
    document_blob,
    document_thumbnail,
    latest_document,
    load_blob,
    mark_document_seen,
    open_database,
    reading_by_sha,
    record_document,
    record_document_error,
)
from storage.db import alembic_config, current_revision, ours
from storage.fingerprint import sha256_hex
from storage.models import metadata

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
URL = "https://example.com/certs/iso9001.pdf"
PDF = b"%PDF-1.4\n% a certificate\n" + bytes(range(256)) * 4
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00thumb" * 20


def reading(sha: str, number: str = "CN-12345") -> dict:
    return {"sha256": sha, "media_type": "application/pdf", "method": "text_layer", "number": {"value": number}}


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    yield database
    database.dispose()


def count_rows(db: Database) -> int:
    with db.session() as session:
        return session.execute(select(func.count(CertificateDocumentRecord.id))).scalar_one()


def test_migration_0007_creates_the_table_with_its_indexes_and_matches_the_model(db: Database) -> None:
    assert current_revision(db.engine) >= "0007"
    inspector = inspect(db.engine)
    indexes = {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("certificate_document")}
    assert indexes["ix_certificate_document_sha256"] == ["sha256"]
    assert indexes["ix_certificate_document_url_fetched_at"] == ["url", "fetched_at"]
    with db.engine.connect() as conn:
        opts = {"compare_type": True, "include_name": ours}
        diffs = compare_metadata(MigrationContext.configure(conn, opts=opts), metadata)
    assert diffs == []


def test_migration_0007_downgrades_and_upgrades_again(db: Database) -> None:
    with db.engine.begin() as conn:
        command.downgrade(alembic_config(db.url, connection=conn), "0006")
    assert "certificate_document" not in inspect(db.engine).get_table_names()
    with db.engine.begin() as conn:
        command.upgrade(alembic_config(db.url, connection=conn), "head")
    assert "certificate_document" in inspect(db.engine).get_table_names()


def test_a_fetched_document_is_stored_once_with_blob_thumbnail_and_reading(db: Database) -> None:
    sha = sha256_hex(PDF)
    row = record_document(
        db, url=URL, data=PDF, media_type="application/pdf", fetched_at=T0, etag='"v1"', reading=reading(sha),
        thumbnail=PNG,
    )  # fmt: skip
    assert (row.sha256, row.size, row.etag, row.read_at) == (sha, len(PDF), '"v1"', T0)
    assert document_blob(db, sha) == PDF
    assert document_thumbnail(db, sha) == PNG
    with db.session() as session:
        kinds = dict(session.execute(select(Blob.sha256, Blob.kind)).all())
    assert kinds == {sha: "document", sha256_hex(PNG): "png"}

    # The same file again from the same URL: the row moves, no second row, the reading stays.
    later = T0 + timedelta(days=1)
    again = record_document(db, url=URL, data=PDF, media_type="application/pdf", fetched_at=later, etag='"v2"')
    assert again.id == row.id and count_rows(db) == 1
    latest = latest_document(db, URL)
    assert latest is not None and (latest.fetched_at, latest.etag, latest.reading) == (later, '"v2"', reading(sha))


def test_latest_document_skips_failed_fetches_and_304s_move_the_fetch_time(db: Database) -> None:
    sha = sha256_hex(PDF)
    record_document(db, url=URL, data=PDF, media_type="application/pdf", fetched_at=T0, etag='"v1"')
    record_document_error(db, URL, "timeout: no answer", fetched_at=T0 + timedelta(hours=1))
    record_document_error(db, URL, "unreachable: refused", fetched_at=T0 + timedelta(hours=2))
    assert count_rows(db) == 2  # one row for the file, one (updated) for the URL's last error
    latest = latest_document(db, URL)
    assert latest is not None and latest.sha256 == sha and latest.etag == '"v1"'

    mark_document_seen(db, URL, sha, fetched_at=T0 + timedelta(hours=3), last_modified="Tue, 01 Dec 2026 08:00:00 GMT")
    latest = latest_document(db, URL)
    assert latest is not None
    assert (latest.fetched_at, latest.etag, latest.last_modified) == (
        T0 + timedelta(hours=3),
        '"v1"',
        "Tue, 01 Dec 2026 08:00:00 GMT",
    )
    assert latest_document(db, "https://example.com/never.pdf") is None


def test_reading_by_sha_finds_a_file_read_under_another_url(db: Database) -> None:
    sha = sha256_hex(PDF)
    record_document(db, url=URL, data=PDF, media_type="application/pdf", fetched_at=T0)
    assert reading_by_sha(db, sha) is None  # stored but never read
    record_document(db, url=URL, data=PDF, media_type="application/pdf", fetched_at=T0, reading=reading(sha))
    found = reading_by_sha(db, sha)
    assert found is not None and found.reading == reading(sha)
    assert load_blob(db, sha) == PDF
    assert document_blob(db, sha256_hex(PNG)) is None  # only certificate documents are served by this


def test_errors_with_nul_and_huge_text_are_stored_cleaned(db: Database) -> None:
    record_document_error(db, URL, "http_error: \x00" + "x" * 10_000, fetched_at=T0)
    with db.session() as session:
        error = session.execute(select(CertificateDocumentRecord.error)).scalar_one()
    assert error.startswith("http_error: \ufffd") and len(error) == 2000
