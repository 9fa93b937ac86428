"""One check of one supplier: fetch -> classify and extract -> store, for each of its pages.

The checker owns no policy about *when* to check (that is the scheduler's) nor about what a change means
(verification and diffing read the stored snapshots). A failing page is recorded with its reason and the
run goes on: one dead host never stops the others.

A page that is not fetched on purpose (its host is being left alone after another page's captcha or errors,
or the check's ``scheduler.check_timeout`` ran out before reaching it) is stored as ``skipped`` with the
reason: operators see why there is no fresh check, and it is no failure of that supplier. A page still
loading when the budget runs out is a failed check (``check_timeout: ...``).

An HTTP error answer (4xx/5xx) that is no wall and no "not found" is a failed check too (``error``, reason
``http_error: HTTP 503 ...``), whatever its body shows: an error page with the supplier's header is never
compared with the last snapshot, resolves no finding and raises no claim alert; the page is kept as evidence.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, partial
from typing import Any

from monitor.alerts.compose import CheckAlerts
from monitor.changes import ClaimChange, diff_claims
from monitor.changes.diff import listed
from monitor.config import Config, SupplierConfig
from monitor.documents import DocumentCollector
from monitor.fetchers import Fetchers
from monitor.verify import Finding
from monitor.verify.service import ClaimJudge
from monitor.writer import CheckWriter
from scrapers.claims import ClaimsDocument, PageStatus
from scrapers.extract import choose_parser, read_page
from scrapers.fetch import FetchError
from scrapers.fetch.base import redact_url
from scrapers.page_hash import served_page_hash
from scrapers.platforms import UnknownPlatformError
from storage import (
    SKIPPED,
    CheckRecord,
    CheckResult,
    Database,
    FindingsUpdate,
    Snapshot,
    SnapshotMovedError,
    SupplierSpec,
    claims_hash,
    get_route,
    last_read,
    latest_claims_hash,
    latest_snapshot,
    set_route,
    upsert_suppliers,
)

log = logging.getLogger(__name__)

#: Why an ok page was not read again (its served page is the same as at its last ok check).
UNCHANGED_REASON = "supplier data present (page served as at the last check: not read again)"
#: Pages whose last reading a checker remembers (beyond them, the database is asked).
REMEMBERED_PAGES = 4096
#: FetchError reasons that mean "deliberately not fetched", not "the page failed".
NOT_ATTEMPTED_REASONS = frozenset({"backing_off"})


@dataclass(frozen=True)
class LastStored:
    """A page as a checker last stored it ok: its served fingerprint, its claims and their hash."""

    page_hash: str
    claims: ClaimsDocument
    claims_hash: str


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
    changes: list[ClaimChange] = field(default_factory=list)
    #: Ids of the alerts this check queued (in the same transaction as the check).
    alerts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def skipped(self) -> bool:
        """Not fetched on purpose (host backing off, check budget spent): says nothing about the supplier."""
        return self.status == SKIPPED


def sync_watch_list(db: Database, config: Config) -> None:
    """Make the database's supplier table match the config; unlisted suppliers become inactive, not deleted."""
    upsert_suppliers(
        db,
        [
            SupplierSpec(id=s.id, name=s.display_name, platform=s.platform, urls=s.page_urls, tags=list(s.tags))
            for s in config.suppliers
        ],
    )


@dataclass(frozen=True)
class Observation:
    """What one fetch of a page amounted to, before it is stored."""

    started_at: datetime
    method: str
    status: str
    reason: str
    claims: ClaimsDocument | None = None
    html: str | None = None
    screenshot: bytes | None = None
    http_status: int | None = None
    #: Kept with an ok check when something about it deserves a word (an unconfirmed change).
    note: str | None = None
    #: The served page's fingerprint (scrapers.page_hash), kept with an ok check.
    page_hash: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok" and self.claims is not None

    @cached_property
    def claims_digest(self) -> str | None:
        """The claims' hash as storage keeps it, computed once: comparing, judging and storing all ask for it."""
        return claims_hash(self.claims.to_json_dict()) if self.claims is not None else None

    def knowing_digest(self, digest: str) -> Observation:
        """Itself, its claims' hash known already: claims taken from a stored check, differing from those only in
        ``source.fetched_at``, which the hash leaves out. (``replace`` makes an observation that computes its own.)"""
        self.__dict__["claims_digest"] = digest  # where cached_property keeps it
        return self


@dataclass
class CheckBudget:
    """One check's ``scheduler.check_timeout``: a deadline (event loop time) shared by all its pages.

    It starts when the check first gets a fetch slot (``begin``): waiting for one is not the check's time."""

    size: timedelta
    deadline: float | None = None

    def begin(self) -> CheckBudget:
        if self.deadline is None:
            self.deadline = asyncio.get_running_loop().time() + self.size.total_seconds()
        return self

    @property
    def spent(self) -> bool:
        return self.deadline is not None and asyncio.get_running_loop().time() >= self.deadline

    def __str__(self) -> str:
        return _span(self.size)


class _NotStarted(Exception):
    """The check got its first slot after shutting down began: it is not made at all."""


class Checker:
    """Checks pages: at most ``slots`` of them being fetched and read at once (``browser.concurrency``).

    A page's slot is given back before its findings are judged and its check is stored: those are database work,
    and the next page's fetch need not wait for them."""

    def __init__(
        self,
        config: Config,
        db: Database,
        fetchers: Fetchers,
        slots: asyncio.Semaphore | None = None,
        stopping: Callable[[], bool] = lambda: False,
        writer: CheckWriter | None = None,
    ) -> None:
        self.config = config
        self.db = db
        self.fetchers = fetchers
        #: Stores checks in group commits; the engine's is shared by the checkers it builds over config reloads.
        self.writer = writer if writer is not None else CheckWriter(db)
        self.slots = slots if slots is not None else asyncio.Semaphore(config.browser.concurrency)
        #: Shutting down (the engine's word): a check still waiting for its first slot returns without checking.
        self.stopping = stopping
        self.findings = ClaimJudge(config, db)
        #: The fetch method last tried per (supplier, url), to say how a page that ran out of time was fetched.
        self._trying: dict[tuple[str, str], str] = {}
        #: Per (supplier, url): the page as this checker last stored it ok.
        self._read: OrderedDict[tuple[str, str], LastStored] = OrderedDict()
        #: Per (supplier, url): what the rules found last, and for which claims, day and affiliates.
        self._judged: OrderedDict[tuple[str, str], tuple[tuple[str, date, tuple[str, ...]], list[Finding]]] = (
            OrderedDict()
        )

    async def check_supplier(self, supplier: SupplierConfig, *, budget: timedelta | None = None) -> list[PageOutcome]:
        """Check every page of the supplier within ``budget`` (default ``scheduler.check_timeout``).

        The budget bounds fetching, reading, confirming and judging; storing is never cut short, so what
        a timed-out check leaves behind is whole: the page it was on is a failed check (``check_timeout``),
        the pages it did not reach are skipped ones, and nothing of the unfinished work is kept. The budget starts
        when the first page gets its fetch slot.
        """
        limit = CheckBudget(budget if budget is not None else self.config.scheduler.check_timeout)
        outcomes: list[PageOutcome] = []
        for url in supplier.page_urls:
            try:
                outcomes.append(await self.check_page(supplier, url, budget=limit))
            except _NotStarted:
                break
        return outcomes

    async def check_page(self, supplier: SupplierConfig, url: str, *, budget: CheckBudget | None = None) -> PageOutcome:
        """Observe, compare and judge one page within ``budget`` (none: no limit), then store the outcome."""
        began = datetime.now(UTC)
        if budget is not None and budget.spent:
            reason = f"check_timeout: not fetched: the whole check used up its {budget} before this page"
            return await self._store(supplier, url, began, self._timed_out(supplier, url, began, reason), [], [])
        limit = asyncio.timeout(None)
        compared_with = None
        try:
            async with limit:
                async with self.slots:
                    if budget is not None:
                        if budget.deadline is None and self.stopping():
                            raise _NotStarted
                        limit.reschedule(budget.begin().deadline)
                    observation, changes, compared_with = await self._look(supplier, url)
                findings = await self._judge(observation, supplier, url)
        except TimeoutError:
            if not limit.expired():
                raise
            reason = f"check_timeout: the whole check took longer than {budget} (scheduler.check_timeout)"
            observation, changes, findings = self._timed_out(supplier, url, began, reason, status="error"), [], []
        return await self._store(supplier, url, observation.started_at, observation, changes, findings, compared_with)

    async def _look(self, supplier: SupplierConfig, url: str) -> tuple[Observation, list[ClaimChange], str | None]:
        """Fetch and read the page and its certificate documents; when claims changed in a way that needs it,
        fetch the page again to confirm (its documents are not fetched twice: one collector per check).

        Claims equal to what this checker last stored for the page are not compared with the database: the hash
        they were compared with comes back (third item) and storing checks that the page's latest snapshot is
        still that one."""
        documents = DocumentCollector(
            self.config.documents,
            self.db,
            self.fetchers,
            supplier_id=supplier.id,
            ignore_robots=supplier.ignore_robots_txt,
        )
        observation = await self._observe_with_documents(supplier, url, documents)
        changes: list[ClaimChange] = []
        if observation.ok and observation.claims is not None:
            digest = observation.claims_digest
            assert digest is not None
            stored = self._read.get((supplier.id, url))
            if stored is not None and stored.claims_hash == digest:
                return observation, changes, digest
            previous = await asyncio.to_thread(self._previous_if_different, supplier.id, url, digest)
            if previous is not None:
                before = ClaimsDocument.model_validate(previous.claims)
                changes = self._diff(before, observation.claims)
                if self.config.alerts.confirm_changes and any(c.confirm_needed for c in changes):
                    observation, changes = await self._confirm(supplier, url, observation, before, changes, documents)
        return observation, changes, None

    def _previous_if_different(self, supplier_id: str, url: str, digest: str) -> Snapshot | None:
        """The page's latest snapshot, unless its claims hash is ``digest`` (then there is nothing to compare)."""
        if latest_claims_hash(self.db, supplier_id, url) == digest:
            return None
        return latest_snapshot(self.db, supplier_id, url)

    def _changes_since_latest(self, supplier_id: str, url: str, seen: Observation) -> list[ClaimChange]:
        """The claims compared with the page's latest snapshot, whatever this checker last stored."""
        assert seen.claims is not None and seen.claims_digest is not None  # only ok checks are compared
        previous = self._previous_if_different(supplier_id, url, seen.claims_digest)
        return self._diff(ClaimsDocument.model_validate(previous.claims), seen.claims) if previous is not None else []

    async def _observe_with_documents(
        self, supplier: SupplierConfig, url: str, documents: DocumentCollector
    ) -> Observation:
        """Observe the page; an ok page's certificate documents are then read into its claims (monitor.documents)."""
        seen = await self._observe(supplier, url)
        if not seen.ok or seen.claims is None:
            return seen
        collected = await documents.collect(seen.claims)
        return seen if collected is seen.claims else replace(seen, claims=collected)

    def _diff(self, before: ClaimsDocument, after: ClaimsDocument) -> list[ClaimChange]:
        return diff_claims(before, after, numeric_threshold=self.config.alerts.numeric_change_threshold)

    async def _judge(self, seen: Observation, supplier: SupplierConfig, url: str) -> list[Finding]:
        if not seen.ok or seen.claims is None:
            return []
        # A certificate held by one of the supplier's known group companies is told as such, not as another
        # company's. Registries may be asked (database, IAF CertSearch): then off the event loop; the rules alone
        # are a millisecond of CPU, less than handing them to a thread.
        today = self.config.verify.as_of or seen.started_at.date()
        judge = partial(self.findings.judge, seen.claims, today, supplier.affiliates)
        if self.findings.registries_for(seen.claims):
            return await asyncio.to_thread(judge)
        page = (supplier.id, url)
        key = (seen.claims_digest or "", today, tuple(supplier.affiliates))
        known = self._judged.get(page)
        if known is not None and known[0] == key:
            return list(known[1])
        findings = judge()
        self._remember_judged(page, key, findings)
        return findings

    def _remember_judged(
        self, page: tuple[str, str], key: tuple[str, date, tuple[str, ...]], findings: list[Finding]
    ) -> None:
        """Without registries the rules depend on the claims, the day and the affiliates alone: the same three give
        the same findings, so a page served as it was is judged once a day (expiry is date-dependent)."""
        self._judged[page] = (key, list(findings))
        self._judged.move_to_end(page)
        while len(self._judged) > REMEMBERED_PAGES:
            self._judged.popitem(last=False)

    def _timed_out(
        self, supplier: SupplierConfig, url: str, began: datetime, reason: str, *, status: str = SKIPPED
    ) -> Observation:
        method = self._trying.get((supplier.id, url)) or supplier.method or self.config.fetch.method
        return Observation(began, method if method in ("http", "browser") else "browser", status, reason)

    async def _observe(self, supplier: SupplierConfig, url: str) -> Observation:
        """Fetch and read one page by the configured method; "auto" picks per page (see _observe_adaptively)."""
        method = supplier.method or self.config.fetch.method
        if method == "auto":
            return await self._observe_adaptively(supplier, url)
        return await self._fetch_and_read(supplier, url, method)

    async def _observe_adaptively(self, supplier: SupplierConfig, url: str) -> Observation:
        """Plain HTTP where the parser says the data is in the HTML; the browser when that does not work.

        The page's route is remembered, and a page that needed the browser tries plain HTTP again every
        ``retry_http_every`` checks, so one captcha does not pin it to the expensive way forever.
        """
        try:
            parser = choose_parser(url, None, supplier.platform)
        except UnknownPlatformError as exc:
            return Observation(datetime.now(UTC), "http", "error", str(exc))
        # Route bookkeeping below only follows pages that were fetched: a skip is no evidence either way.
        route = await asyncio.to_thread(get_route, self.db, supplier.id, url)
        browser_checks = route.browser_checks if route is not None and route.method == "browser" else 0
        http_first = (
            parser is not None
            and parser.data_in_html(url)
            and (route is None or route.method == "http" or browser_checks >= self.config.fetch.retry_http_every)
        )
        if not http_first:
            seen = await self._fetch_and_read(supplier, url, "browser")
            if seen.status != SKIPPED:
                await asyncio.to_thread(set_route, self.db, supplier.id, url, "browser", browser_checks + 1)
            return seen
        cheap = await self._fetch_and_read(supplier, url, "http", fallback_follows=True)
        if cheap.status == SKIPPED or cheap.reason.startswith("blocked_address"):
            # Both methods share the host's backoff and the fetch policy: the browser would be refused too.
            return cheap
        if cheap.ok:
            await asyncio.to_thread(set_route, self.db, supplier.id, url, "http", 0)
            return cheap
        seen = await self._fetch_and_read(supplier, url, "browser")
        if seen.ok:
            await asyncio.to_thread(set_route, self.db, supplier.id, url, "browser", 0)
            return replace(seen, note=f"plain HTTP gave {cheap.status} ({cheap.reason}); read with the browser")
        return seen

    async def _fetch_and_read(
        self, supplier: SupplierConfig, url: str, method: str, *, fallback_follows: bool = False
    ) -> Observation:
        """Fetch and read one page; a failure is an observation too, never an exception.

        ``fallback_follows``: the browser will retry if this plain-HTTP attempt is blocked, so a block here
        is not the host asking us to go away and must not start its backoff.
        """
        self._trying[(supplier.id, url)] = method
        started = datetime.now(UTC)
        try:
            parser = choose_parser(url, None, supplier.platform)
            fetcher = self.fetchers.get(method, platform=parser.name if parser else None)
            page = await fetcher.fetch(url, parser, ignore_robots=supplier.ignore_robots_txt)
        except FetchError as exc:
            # Not fetched because the host is being left alone (another page's captcha or errors): that
            # is no failure of this supplier, and counting it would raise "check failing" for healthy ones.
            status = SKIPPED if exc.reason in NOT_ATTEMPTED_REASONS else "error"
            return Observation(started, method, status, str(exc))
        except UnknownPlatformError as exc:
            return Observation(started, method, "error", str(exc))
        except Exception as exc:  # a bug must cost one page, not the whole run
            log.exception("unexpected failure fetching %s for %s", url, supplier.id)
            return Observation(started, method, "error", f"internal error: {type(exc).__name__}: {exc}")
        page_hash = served_page_hash(
            page.html, url=url, final_url=page.final_url, http_status=page.status_code, platform=supplier.platform,
            method=page.method,
        )  # fmt: skip
        stored = await self._stored_if_unchanged(supplier.id, url, page_hash)
        if stored is not None:  # served as it was at the last ok check: it reads as it did then
            self.fetchers.report(url, "ok")
            # A new document for this fetch, sharing the rest with the remembered one: nothing after this changes
            # claims in place (documents and rules make copies), so a deep copy would only cost.
            known = stored.claims
            claims = known.model_copy(update={"source": known.source.model_copy(update={"fetched_at": started})})
            return Observation(
                started, page.method, "ok", UNCHANGED_REASON, claims, page.html, page.screenshot, page.status_code,
                page_hash=page_hash,
            ).knowing_digest(stored.claims_hash)  # fmt: skip
        reading = read_page(
            page.html,
            url,
            platform=supplier.platform,
            http_status=page.status_code,
            final_url=page.final_url,
            fetched_at=started,
        )
        failed = reading.status is PageStatus.HTTP_ERROR
        if not (fallback_follows and (failed or reading.status is PageStatus.BLOCKED)):
            # Block pages start the host's backoff, error answers (4xx/5xx) its error backoff.
            self.fetchers.report(url, "error" if failed else reading.status.value)
        if failed:
            # An error answer is a failed check whatever its body shows: its claims are never stored or
            # compared (the page is kept as evidence). "http_error: ..." like a transport-level HTTP failure.
            reason = f"http_error: {reading.classification.reason}"
            if page.final_url and page.final_url != url:
                reason += f" (redirected to {redact_url(page.final_url)})"
            return Observation(started, page.method, "error", reason, None, page.html, None, page.status_code)
        return Observation(
            started,
            page.method,
            reading.status.value,
            reading.classification.reason,
            reading.claims,
            page.html,
            page.screenshot,
            page.status_code,
            page_hash=page_hash if reading.status is PageStatus.OK else None,
        )

    async def _stored_if_unchanged(self, supplier_id: str, url: str, page_hash: str) -> LastStored | None:
        """The page's last ok check (its claims and their hash) when the page is served as it was then (None: read it).

        Remembered per page after each ok check; a process that has not checked the page yet asks the database."""
        key = (supplier_id, url)
        remembered = self._read.get(key)
        if remembered is None:
            last = await asyncio.to_thread(last_read, self.db, supplier_id, url)
            if last is None or last.page_hash != page_hash:
                return None
            claims = ClaimsDocument.model_validate(last.claims)
            remembered = self._remember_read(key, LastStored(last.page_hash, claims, claims_hash(last.claims)))
        return remembered if remembered.page_hash == page_hash else None

    def _remember_read(self, key: tuple[str, str], stored: LastStored) -> LastStored:
        self._read[key] = stored
        self._read.move_to_end(key)
        while len(self._read) > REMEMBERED_PAGES:
            self._read.popitem(last=False)
        return stored

    async def _confirm(
        self,
        supplier: SupplierConfig,
        url: str,
        first: Observation,
        before: ClaimsDocument,
        changes: list[ClaimChange],
        documents: DocumentCollector,
    ) -> tuple[Observation, list[ClaimChange]]:
        """Fetch again before anyone is told that a claim vanished or the supplier's identity changed."""
        second = await self._observe_with_documents(supplier, url, documents)
        assert first.claims is not None
        claimed = ", ".join(sorted({c.subject for c in changes if c.confirm_needed}))
        if second.status == SKIPPED:
            # The host is left alone now (another page's captcha in between): no verdict either way, so no
            # failure; the next check fetches and confirms again.
            reason = f"could not confirm a change ({claimed}): the second fetch was not made: {second.reason}"
            return replace(first, status=SKIPPED, reason=reason, claims=None, html=None, screenshot=None), []
        if not second.ok or second.claims is None:
            reason = f"could not confirm a change ({claimed}): the second fetch was {second.status}: {second.reason}"
            return replace(first, status="error", reason=reason, claims=None), []
        if _same_claims(second.claims, first.claims):
            return first, changes
        if _same_claims(second.claims, before):
            note = f"unconfirmed change: the first fetch showed {claimed}, the second fetch did not; not alerted"
            log.warning("%s %s: %s", supplier.id, url, note)
            # What is left are changes of the certificate documents (the same in both fetches: fetched once).
            return replace(second, note=note), self._diff(before, second.claims)
        reason = f"unstable page: two fetches in a row disagree ({claimed}); nothing stored, next check retries"
        return replace(first, status="error", reason=reason, claims=None), []

    async def _store(
        self,
        supplier: SupplierConfig,
        url: str,
        started: datetime,
        seen: Observation,
        changes: list[ClaimChange],
        findings: list[Finding],
        compared_with: str | None = None,
    ) -> PageOutcome:
        """Write the check through the writer (a group commit; the write finishes even if this task is cancelled).

        ``compared_with``: the claims were taken as unchanged against this claims hash, the page's latest snapshot
        as this checker stored it. When another process has stored newer claims since, they are compared with
        those and the check is written then."""
        finished = datetime.now(UTC)
        rows = None
        if seen.ok and seen.claims is not None:
            rows = self.findings.rows(findings, seen.claims)
        else:
            log.info("%s %s: %s (%s)", supplier.id, url, seen.status, seen.reason)
        try:
            result = await self._record(supplier, url, started, finished, seen, changes, rows, compared_with)
        except SnapshotMovedError:
            changes = await asyncio.to_thread(self._changes_since_latest, supplier.id, url, seen)
            result = await self._record(supplier, url, started, finished, seen, changes, rows, None)
        if seen.ok and seen.claims is not None and seen.page_hash is not None and seen.claims_digest is not None:
            self._remember_read((supplier.id, url), LastStored(seen.page_hash, seen.claims, seen.claims_digest))
        return PageOutcome(
            supplier_id=supplier.id,
            url=url,
            status=seen.status,
            reason=seen.note or seen.reason,
            fetch_method=seen.method,
            duration_ms=round((finished - started).total_seconds() * 1000),
            claims=seen.claims,
            changed=result.changed,
            check_id=result.check_id,
            snapshot_id=result.snapshot_id,
            previous_snapshot_id=result.previous_snapshot_id,
            findings=findings,
            findings_update=result.findings_update,
            changes=changes,
            alerts=list(result.alerts_enqueued),
        )

    async def _record(
        self,
        supplier: SupplierConfig,
        url: str,
        started: datetime,
        finished: datetime,
        seen: Observation,
        changes: list[ClaimChange],
        rows: list[dict[str, Any]] | None,
        compared_with: str | None,
    ) -> CheckResult:
        alerts = CheckAlerts(
            self.config,
            supplier,
            url,
            name=seen.claims.supplier.name if seen.claims else None,
            changes=changes,
            reason=seen.reason,
            observed_at=finished,
        )
        return await self.writer.write(
            CheckRecord(
                supplier_id=supplier.id,
                url=url,
                started_at=started,
                finished_at=finished,
                status=seen.status,
                fetch_method=seen.method,
                error=seen.note if seen.status == "ok" else seen.reason,
                http_status=seen.http_status,
                claims=seen.claims.to_json_dict() if seen.ok and seen.claims else None,
                html=seen.html if seen.status != SKIPPED else None,
                screenshot=seen.screenshot if seen.ok else None,
                findings=rows,
                alerts=alerts,
                page_hash=seen.page_hash if seen.ok else None,
                expected_claims_hash=compared_with if seen.ok else None,
            )
        )


def _span(value: timedelta) -> str:
    """A duration the way the config writes it: '5m', '1h30m', '0.5s'."""
    seconds = value.total_seconds()
    if seconds < 60:
        return f"{seconds:g}s"
    hours, rest = divmod(round(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return "".join(f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if n)


def _same_claims(a: ClaimsDocument, b: ClaimsDocument) -> bool:
    """The same claims as the page lists them (readings of certificate documents and what they filled aside)."""
    return listed(a).claims_fingerprint_dict() == listed(b).claims_fingerprint_dict()
