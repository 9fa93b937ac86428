"""One check of one supplier: fetch -> classify and extract -> store, for each of its pages.

The checker owns no policy about *when* to check (that is the scheduler's) nor about what a change means
(verification and diffing read the stored snapshots). A failing page is recorded with its reason and the
run goes on: one dead host never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from monitor.config import Config, SupplierConfig
from monitor.fetchers import Fetchers
from monitor.verify import Finding
from monitor.verify.service import FindingsRecorder
from scrapers.claims import ClaimsDocument
from scrapers.extract import choose_parser, read_page
from scrapers.fetch import FetchError
from scrapers.platforms import UnknownPlatformError
from storage import Database, FindingsUpdate, SupplierSpec, record_check, upsert_suppliers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageOutcome:
    """What one check of one page found; ``status`` is a page status or ``error`` (nothing fetched)."""

    supplier_id: str
    url: str
    status: str
    reason: str
    fetch_method: str
    duration_ms: int
    claims: ClaimsDocument | None = None
    changed: bool = False
    check_id: int | None = None
    snapshot_id: int | None = None
    previous_snapshot_id: int | None = None
    findings: list[Finding] = field(default_factory=list)
    findings_update: FindingsUpdate | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def sync_watch_list(db: Database, config: Config) -> None:
    """Make the database's supplier table match the config; unlisted suppliers become inactive, not deleted."""
    upsert_suppliers(
        db,
        [
            SupplierSpec(id=s.id, name=s.display_name, platform=s.platform, urls=s.page_urls, tags=list(s.tags))
            for s in config.suppliers
        ],
    )


class Checker:
    def __init__(self, config: Config, db: Database, fetchers: Fetchers) -> None:
        self.config = config
        self.db = db
        self.fetchers = fetchers
        self.findings = FindingsRecorder(config, db)
        self._slots = asyncio.Semaphore(config.browser.concurrency)

    async def check_supplier(self, supplier: SupplierConfig) -> list[PageOutcome]:
        return [await self.check_page(supplier, url) for url in supplier.page_urls]

    async def check_many(
        self,
        suppliers: Iterable[SupplierConfig],
        on_done: Callable[[SupplierConfig, list[PageOutcome]], None] | None = None,
    ) -> list[PageOutcome]:
        """Check suppliers concurrently (bounded by the browser concurrency), in completion order."""

        async def one(supplier: SupplierConfig) -> list[PageOutcome]:
            outcomes = await self.check_supplier(supplier)
            if on_done:
                on_done(supplier, outcomes)
            return outcomes

        results = await asyncio.gather(*(one(s) for s in suppliers))
        return [outcome for outcomes in results for outcome in outcomes]

    async def check_page(self, supplier: SupplierConfig, url: str) -> PageOutcome:
        method = supplier.method or self.config.fetch.method
        async with self._slots:
            started = datetime.now(UTC)
            try:
                parser = choose_parser(url, None, supplier.platform)
                page = await self.fetchers.get(method).fetch(url, parser)
            except (FetchError, UnknownPlatformError) as exc:
                reason = str(exc)
                return await self._store(supplier, url, started, method, "error", reason, None, None, None, None)
            except Exception as exc:  # a bug must cost one page, not the whole run
                log.exception("unexpected failure fetching %s for %s", url, supplier.id)
                reason = f"internal error: {type(exc).__name__}: {exc}"
                return await self._store(supplier, url, started, method, "error", reason, None, None, None, None)
        reading = read_page(
            page.html,
            url,
            platform=supplier.platform,
            http_status=page.status_code,
            final_url=page.final_url,
            fetched_at=started,
        )
        return await self._store(
            supplier,
            url,
            started,
            page.method,
            reading.status.value,
            reading.classification.reason,
            reading.claims,
            page.html,
            page.screenshot,
            page.status_code,
        )

    async def _store(
        self,
        supplier: SupplierConfig,
        url: str,
        started: datetime,
        method: str,
        status: str,
        reason: str,
        claims: ClaimsDocument | None,
        html: str | None,
        screenshot: bytes | None,
        http_status: int | None,
    ) -> PageOutcome:
        finished = datetime.now(UTC)
        ok = status == "ok"
        result = await asyncio.to_thread(
            record_check,
            self.db,
            supplier_id=supplier.id,
            url=url,
            started_at=started,
            finished_at=finished,
            status=status,
            fetch_method=method,
            error=None if ok else reason,
            http_status=http_status,
            claims=claims.to_json_dict() if ok and claims else None,
            html=html,
            screenshot=screenshot if ok else None,
        )
        findings: list[Finding] = []
        update = None
        if ok and claims is not None:
            findings, update = await asyncio.to_thread(
                self.findings.record, supplier.id, result.snapshot_id, claims, finished
            )
        else:
            log.info("%s %s: %s (%s)", supplier.id, url, status, reason)
        return PageOutcome(
            supplier_id=supplier.id,
            url=url,
            status=status,
            reason=reason,
            fetch_method=method,
            duration_ms=round((finished - started).total_seconds() * 1000),
            claims=claims,
            changed=result.changed,
            check_id=result.check_id,
            snapshot_id=result.snapshot_id,
            previous_snapshot_id=result.previous_snapshot_id,
            findings=findings,
            findings_update=update,
        )


async def check_suppliers(
    config: Config,
    db: Database,
    suppliers: Iterable[SupplierConfig],
    on_done: Callable[[SupplierConfig, list[PageOutcome]], None] | None = None,
) -> list[PageOutcome]:
    """One round over the given suppliers with fetchers that live exactly as long as the round."""
    async with Fetchers(config) as fetchers:
        return await Checker(config, db, fetchers).check_many(suppliers, on_done)
