"""Collecting a page's certificate documents during a check: fetch, store, read (once per file), attach.

OCR is the expensive part (0.5-2 s a picture on two cores), so a file is read once in its life: a URL fetched
before is asked for conditionally (If-None-Match / If-Modified-Since); a 304, or the same bytes again (same
sha256), or bytes already read under another URL reuse the stored reading. Only a new file is read, in a worker
thread, one at a time per process, and stored with its thumbnail in the same thread, so a check that runs out of
time while it reads loses nothing. A document that fails costs that document only: its ``error`` says why.

Documents go through the supplier's polite plain-HTTP fetcher (robots.txt, host backoff, address policy, proxy,
the platform's user agent) even when its pages need the browser. Within one collector (one check of one page, the
confirmation fetch included) a URL is fetched at most once.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

from monitor.config import DocumentsConfig
from monitor.fetchers import Fetchers
from scrapers.claims import CertificateDocument, ClaimsDocument, DocumentReading
from scrapers.documents import (
    DocumentError,
    OcrEngine,
    OcrError,
    RapidOcr,
    TesseractOcr,
    read_document,
    render_thumbnail,
)
from scrapers.documents.attach import apply_readings
from scrapers.fetch import FetchedDocument, FetchError
from scrapers.fetch.base import mask_urls
from storage import (
    CertificateDocumentRecord,
    Database,
    document_thumbnail,
    is_database_error,
    latest_document,
    load_blob,
    mark_document_seen,
    reading_by_sha,
    record_document,
    record_document_error,
)

log = logging.getLogger(__name__)

#: One document read (PDF text, rendering, OCR) at a time in this process: OCR takes every core it gets.
_READING = threading.Lock()
#: ... and the checks of one event loop queue for it here rather than each holding a worker thread while waiting.
_QUEUES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()
_ENGINES: dict[str, OcrEngine] = {}
#: (reading, PNG thumbnail, error) of one file.
_Read = tuple[DocumentReading | None, bytes | None, str | None]
#: How many files' readings the process keeps in memory (about 100 KB each with the thumbnail).
RECENT_READINGS = 64
_RECENT: OrderedDict[tuple[str, str], _Read] = OrderedDict()
_RECENT_LOCK = threading.Lock()
_ENGINES_LOCK = threading.Lock()

#: Fetch failures that are the answer about that document, not a passing trouble of its host: the document shows
#: its error. After any other failure (timeout, unreachable, a 5xx, host backing off) a reading stored from an
#: earlier fetch of the same URL stands, so a flaky CDN does not make certificates flicker between checks.
_DEFINITIVE = frozenset({"not_a_document", "too_large", "blocked_address", "bad_url", "robots_disallowed"})


@dataclass(frozen=True)
class _Result:
    reading: DocumentReading | None = None
    error: str | None = None


class DocumentCollector:
    """The documents of one check of one supplier page (create one per check; it remembers what it fetched)."""

    def __init__(
        self,
        settings: DocumentsConfig,
        db: Database,
        fetchers: Fetchers,
        *,
        supplier_id: str,
        ignore_robots: bool = False,
    ) -> None:
        self.settings = settings
        self.db = db
        self.fetchers = fetchers
        #: For the log only: whose page linked the documents.
        self.supplier_id = supplier_id
        self.ignore_robots = ignore_robots
        self._results: dict[str, _Result] = {}
        self._fetches = 0
        self._bytes = 0

    async def collect(self, claims: ClaimsDocument) -> ClaimsDocument:
        """``claims`` with every document's reading or error filled and the readings applied to the claims."""
        if not self.settings.read or not claims.documents:
            return claims
        for url in _fetch_order(claims.documents):
            if url not in self._results:
                self._results[url] = await self._one(url, claims.source.platform)
        documents = [_with(doc, self._results[doc.url]) for doc in claims.documents]
        return apply_readings(claims.model_copy(update={"documents": documents}))

    async def _one(self, url: str, platform: str | None) -> _Result:
        """One document's reading or error; never raises but for cancellation (the check's budget)."""
        try:
            return await self._fetch_and_read(url, platform)
        except Exception as exc:  # a bug costs this document, not the check
            if is_database_error(exc):
                raise  # the database is down or full: the check's trouble (and the watchdog's), not the document's
            log.exception("%s: reading the document %s failed", self.supplier_id, url)
            return _Result(error=f"internal error: {type(exc).__name__}: {mask_urls(str(exc))}")

    async def _fetch_and_read(self, url: str, platform: str | None) -> _Result:
        known = await asyncio.to_thread(latest_document, self.db, url)
        refusal = self._over_limit()
        if refusal is not None:
            return _stored(known) or _Result(error=refusal)
        max_bytes = min(self.settings.max_document_bytes, self.settings.max_bytes_per_check - self._bytes)
        self._fetches += 1
        started = datetime.now(UTC)
        try:
            fetched = await self.fetchers.get("http", platform=platform).fetch_document(
                url,
                max_bytes=max_bytes,
                etag=known.etag if known else None,
                last_modified=known.last_modified if known else None,
                ignore_robots=self.ignore_robots,
            )
        except FetchError as exc:
            return await self._failed(url, known, exc, started, max_bytes)
        self._bytes += len(fetched.data)
        if fetched.not_modified:
            if known is None:  # a 304 to a request that was not conditional
                return _Result(error="http_error: HTTP 304 although no copy of the document is kept")
            await asyncio.to_thread(self._seen, url, known, fetched, started)
            return _stored(known) or await self._read_stored(url, known, started)
        digest = hashlib.sha256(fetched.data).hexdigest()
        if known is not None and known.sha256 == digest:
            await asyncio.to_thread(self._seen, url, known, fetched, started)
            return _stored(known) or await self._read_stored(url, known, started)
        async with _reading_queue():
            return await asyncio.to_thread(self._store_new, url, fetched, digest, started)

    def _over_limit(self) -> str | None:
        if self._fetches >= self.settings.max_per_check:
            return f"not_fetched: [documents] max_per_check ({self.settings.max_per_check}) reached in this check"
        if self._bytes >= self.settings.max_bytes_per_check:
            return (
                f"not_fetched: [documents] max_mb_per_check ({self.settings.max_mb_per_check:g}) used up in this check"
            )
        return None

    async def _failed(
        self, url: str, known: CertificateDocumentRecord | None, exc: FetchError, at: datetime, max_bytes: int
    ) -> _Result:
        error = mask_urls(str(exc))
        if exc.reason == "too_large" and max_bytes < self.settings.max_document_bytes:
            error += f" (what was left of [documents] max_mb_per_check = {self.settings.max_mb_per_check:g})"
        log.info("%s: document %s not fetched: %s", self.supplier_id, url, error)
        await asyncio.to_thread(record_document_error, self.db, url, error, fetched_at=at)
        definitive = exc.reason in _DEFINITIVE or (exc.http_status is not None and exc.http_status < 500)
        return (None if definitive else _stored(known)) or _Result(error=error)

    def _seen(self, url: str, known: CertificateDocumentRecord, fetched: FetchedDocument, at: datetime) -> None:
        assert known.sha256 is not None
        mark_document_seen(
            self.db, url, known.sha256, fetched_at=at, etag=fetched.etag, last_modified=fetched.last_modified
        )

    async def _read_stored(self, url: str, known: CertificateDocumentRecord, at: datetime) -> _Result:
        """The stored file was never read (the process stopped in between): read it now, from the blob."""
        assert known.sha256 is not None
        data = await asyncio.to_thread(load_blob, self.db, known.sha256)
        if data is None:
            return _Result(error="unreadable: the stored file is missing")
        stored = FetchedDocument(url, url, 200, data, known.media_type, None, known.etag, known.last_modified, 0)
        async with _reading_queue():
            return await asyncio.to_thread(self._store_new, url, stored, known.sha256, at)

    def _store_new(self, url: str, fetched: FetchedDocument, digest: str, at: datetime) -> _Result:
        """A file this URL did not give before: reuse a reading of the same bytes, else read it; store it all.

        Runs in a worker thread from start to end, so what is read is stored even if the check gave up waiting.
        """
        media_type = fetched.media_type or "application/octet-stream"
        same = reading_by_sha(self.db, digest)
        if same is not None and same.reading is not None:
            reading = DocumentReading.model_validate(same.reading)
            read_at, thumbnail, error = same.read_at, document_thumbnail(self.db, digest), None
        else:
            reading, thumbnail, error = _read_once(fetched.data, digest, media_type, self.settings.ocr)
            read_at = datetime.now(UTC) if reading else None
        record_document(
            self.db,
            url=url,
            data=fetched.data,
            media_type=media_type,
            fetched_at=at,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            reading=reading.model_dump(mode="json") if reading else None,
            read_at=read_at,
            thumbnail=thumbnail,
            error=error,
        )
        return _Result(reading=reading, error=error)


def _reading_queue() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    queue = _QUEUES.get(loop)
    if queue is None:
        queue = _QUEUES[loop] = asyncio.Semaphore(1)
    return queue


def _fetch_order(documents: list[CertificateDocument]) -> list[str]:
    """Document URLs, once each: those the page ties to a certification first, then the others, in page order."""
    tied = [d.url for d in documents if d.certification]
    others = [d.url for d in documents if not d.certification]
    return list(dict.fromkeys(tied + others))


def _stored(known: CertificateDocumentRecord | None) -> _Result | None:
    """What an earlier fetch of the same file found: its reading, or why it could not be read."""
    if known is None:
        return None
    if known.reading is not None:
        return _Result(reading=DocumentReading.model_validate(known.reading))
    if known.error is not None:
        return _Result(error=known.error)
    return None


def _with(doc: CertificateDocument, result: _Result) -> CertificateDocument:
    return doc.model_copy(update={"reading": result.reading, "error": result.error})


def _read_once(data: bytes, digest: str, media_type: str, engine_name: str) -> _Read:
    """``_read``, remembered for the process's last few files: the same file in another database (the demo's
    rounds, tests) is not read again either."""
    key = (digest, engine_name)
    with _RECENT_LOCK:
        if key in _RECENT:
            _RECENT.move_to_end(key)
            return _RECENT[key]
    found = _read(data, media_type, engine_name)
    with _RECENT_LOCK:
        _RECENT[key] = found
        while len(_RECENT) > RECENT_READINGS:
            _RECENT.popitem(last=False)
    return found


def read_file(data: bytes, media_type: str, engine_name: str) -> _Read:
    """(reading, PNG thumbnail, error) of one file outside a check (``--document``): one at a time, as in checks.

    Raises ``OcrError`` when the OCR engine is missing or broken (no verdict on the file).
    """
    return _read(data, media_type, engine_name)


def _read(data: bytes, media_type: str, engine_name: str) -> _Read:
    """(reading, PNG thumbnail, error) of one file; the one place a document is read, one at a time.

    An OCR engine that is missing or broken raises (``OcrError``): that is no verdict on the file, which is then
    not stored, so the next check reads it again.
    """
    with _READING:
        try:
            reading = read_document(data, media_type=media_type, engine=_engine(engine_name))
        except OcrError:
            raise
        except DocumentError as exc:
            return None, None, f"unreadable: {exc}"
        try:
            thumbnail = render_thumbnail(data, media_type)
        except DocumentError as exc:
            log.warning("no thumbnail for a %s document: %s", media_type, exc)
            thumbnail = None
    return reading, thumbnail, None


def _engine(name: str) -> OcrEngine:
    """The configured OCR engine, made once per process (RapidOCR loads its models once)."""
    with _ENGINES_LOCK:
        engine = _ENGINES.get(name)
        if engine is None:
            engine = _ENGINES[name] = TesseractOcr() if name == "tesseract" else RapidOcr()
        return engine
