"""Certificate documents for ``extract`` / ``verify``: the page's linked documents, or local files, read once.

The linked documents go through the same collector as a check (polite plain HTTP, limits, the reading cache):
with a config its database keeps the files and readings, so asking again reads nothing twice; without one, a
throw-away database serves this command only. Local files (``--document``) are read as they are, and tied to
the certification whose standard they read (or named by ``CERT=PATH``).
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path

from monitor.config import Config, DocumentsConfig
from monitor.documents import read_file
from monitor.engine import Monitor
from scrapers.claims import CertificateDocument, ClaimsDocument
from scrapers.documents.attach import apply_readings
from scrapers.documents.sniff import kind_of, sniff
from storage import open_database

__all__ = ["LocalDocument", "LocalDocumentError", "read_linked_documents", "read_local_documents"]

#: A local certificate bigger than this is refused before it is read (the same order as ``max_document_mb``).
MAX_LOCAL_BYTES = 50 * 1024 * 1024


class LocalDocumentError(ValueError):
    """A ``--document`` that cannot be read: missing, not a PDF or picture, too large."""


@dataclass(frozen=True)
class LocalDocument:
    path: Path
    #: The listed certification it belongs to (its name), when the operator said so (``"ISO 9001:2015=cert.png"``).
    certification: str | None = None

    @classmethod
    def parse(cls, value: str) -> LocalDocument:
        """``PATH`` or ``CERTIFICATION=PATH`` (a path that exists wins over a name containing '=')."""
        if "=" in value and not Path(value).exists():
            name, _, path = value.partition("=")
            return cls(Path(path), name.strip() or None)
        return cls(Path(value))


def read_local_documents(claims: ClaimsDocument, documents: list[LocalDocument], *, ocr: str) -> ClaimsDocument:
    """``claims`` with each local file read and added to its documents, the readings applied."""
    added = [_local(doc, ocr) for doc in documents]
    return apply_readings(claims.model_copy(update={"documents": [*claims.documents, *added]}))


def _local(doc: LocalDocument, ocr: str) -> CertificateDocument:
    if not doc.path.is_file():
        raise LocalDocumentError(f"{doc.path}: no such file (give a certificate PDF or picture)")
    size = doc.path.stat().st_size
    if size > MAX_LOCAL_BYTES:
        raise LocalDocumentError(f"{doc.path}: {size / 2**20:.0f} MB is too large for a certificate document")
    data = doc.path.read_bytes()
    media_type = sniff(data)
    if media_type is None:
        raise LocalDocumentError(f"{doc.path}: not a PDF or a picture (PNG, JPEG, GIF, WebP, TIFF, BMP)")
    reading, _thumbnail, error = read_file(data, media_type, ocr)
    return CertificateDocument(
        url=doc.path.resolve().as_uri(),
        kind=kind_of(media_type),  # type: ignore[arg-type]
        certification=doc.certification,
        label=doc.path.name,
        reading=reading,
        error=error,
    )


def read_linked_documents(config: Config, claims: ClaimsDocument, *, database_url: str | None) -> ClaimsDocument:
    """``claims`` with the documents its page links fetched, read and applied (as a check would).

    ``database_url``: the operator's database, which keeps the files and readings; None for a throw-away one.
    """
    if not claims.documents:
        return claims
    settings = config.documents.model_copy(update={"read": True})  # asked for on the command line
    if database_url is not None:
        return asyncio.run(_collect(config, database_url, claims, settings))
    with tempfile.TemporaryDirectory(prefix="supplier-monitor-documents-") as scratch:
        return asyncio.run(_collect(config, f"sqlite:///{Path(scratch) / 'documents.db'}", claims, settings))


async def _collect(
    config: Config, database_url: str, claims: ClaimsDocument, settings: DocumentsConfig
) -> ClaimsDocument:
    with open_database(database_url) as db:
        async with Monitor(config, db=db, watch=False) as monitor:
            return await monitor.collect_documents(claims, settings, supplier_id="command-line")
