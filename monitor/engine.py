"""The monitoring engine: one ``Monitor`` that every entry point drives.

`check`, `demo`, `run` (the daemon), the dashboard's "check now" and a distributed worker are adapters over
this class: they decide *when* and *what* to check and how to show it; what a check round is lives here. The
engine owns, for its life:

- the config and the database (opened here unless the caller passes one it owns);
- the fetchers, behind the polite layer: one Chromium at most, started on first use, and per-host politeness
  (robots.txt, pacing, backoff) kept in the database, so every process and machine respects the same limits
  and a restart does not forget a host that is being left alone;
- the checker, and the one limit on how many suppliers are checked at once (``browser.concurrency``);
- the layout-change window: the latest outcome of every watched page, because a family's layout change shows
  only across suppliers;
- alert delivery (the outbox, with its leases and stable ids).

It is the only module that builds ``Fetchers`` (a test enforces it): two fetcher sets in one process would mean
two browsers and two views of a host's politeness.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from monitor.alerts.delivery import DeliveryReport, deliver_digests, deliver_due
from monitor.alerts.layout import CheckedPage, raise_layout_alerts
from monitor.checks import Checker, PageOutcome, sync_watch_list
from monitor.config import Config, DocumentsConfig, SupplierConfig
from monitor.documents import DocumentCollector
from monitor.fetchers import Fetchers
from monitor.writer import CheckWriter
from scrapers.claims import ClaimsDocument
from scrapers.extract import PageReading, choose_parser, read_page
from storage import Database, latest_page_checks, open_database
from storage.politeness import DatabasePoliteness

#: Config sections an engine cannot swap while it runs (one database, one browser, one fetch setup).
ENGINE_SECTIONS = ("database", "browser", "fetch")
#: Called as each supplier's check finishes (progress bars, logs).
OnDone = Callable[[SupplierConfig, list[PageOutcome]], None]


@dataclass(frozen=True)
class Deliveries:
    """One delivery pass: the due alerts, and the digests (sent only at ``[alerts] digest_hour``)."""

    alerts: DeliveryReport
    digests: DeliveryReport


def check_summary(supplier_id: str, outcomes: list[PageOutcome], seconds: float) -> str:
    """One log line per check (the daemon's and the workers'): each page's status, what changed, how long."""
    pages = "; ".join(
        o.status + (" changed" if o.changed else "") + ("" if o.ok else f" ({o.reason[:160]})") for o in outcomes
    )
    alerts = sum(len(o.alerts) for o in outcomes)
    extra = f", {alerts} alert(s) queued" if alerts else ""
    return f"checked {supplier_id}: {pages or 'no pages'} [{len(outcomes)} page(s) in {seconds:.1f} s{extra}]"


def touches_layout(outcomes: Iterable[PageOutcome]) -> bool:
    """Only an unparseable page or new claims (a field gone) can complete a family's layout change."""
    return any(o.status == "unparseable" or o.changed for o in outcomes)


class Monitor:
    """Config, database, fetchers, checker, layout window and delivery for one process; an async context manager.

    ``db``: a database the caller opened and will close (the dashboard's, a test's); without one the engine
    opens ``config.database.url`` and closes it in ``aclose``. ``offline``: no database at all (``extract``
    reads one page; politeness then lives in memory). ``watch``: make the database's watch list match the
    config on opening; tools that only read pages or documents pass False, so a config without suppliers
    never deactivates the operator's. ``shared_layout``: judge layout changes on every process's latest checks
    (read from the database) instead of this engine's own; a distributed worker sees only a share of the checks.
    """

    def __init__(
        self,
        config: Config,
        *,
        db: Database | None = None,
        offline: bool = False,
        watch: bool = True,
        shared_layout: bool = False,
    ) -> None:
        self.config = config
        self._db = db
        self._owns_db = db is None and not offline
        self._offline = offline
        self._watch = watch and not offline
        self._shared_layout = shared_layout
        self._fetchers: Fetchers | None = None
        self._checker: Checker | None = None
        #: Stores every checker's checks in group commits; drained before the database is closed.
        self._writer: CheckWriter | None = None
        self._slots = asyncio.Semaphore(config.browser.concurrency)
        #: Latest outcome per (supplier, url) seen by this engine: layout changes are judged across suppliers.
        self._latest: dict[tuple[str, str], PageOutcome] = {}
        #: Set by ``stop_new_checks``: a check still waiting for a slot then does not start.
        self._stopping = False

    # --- lifecycle ---------------------------------------------------------------------------------------------

    async def __aenter__(self) -> Monitor:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def open(self) -> Monitor:
        """Open the database (unless given) and make its watch list match the config; fetchers start lazily."""
        if self._db is None and not self._offline:
            self._db = await asyncio.to_thread(open_database, self.config.database.url)
        if self._watch:
            await self.sync_watch_list()
        return self

    async def aclose(self) -> None:
        """Close the browser and HTTP clients, then the database if the engine opened it (checks handed to the
        writer are stored first)."""
        try:
            await self.close_fetchers()
        finally:
            if self._writer is not None:
                await self._writer.wait_idle()
            if self._owns_db and self._db is not None:
                self._db.dispose()
                self._db = None

    async def close_fetchers(self) -> None:
        """Close the browser and HTTP clients but keep the database (a daemon records its stop after this)."""
        fetchers, self._fetchers, self._checker = self._fetchers, None, None
        if fetchers is not None:
            await fetchers.aclose()

    def stop_new_checks(self) -> None:
        """Shutting down: checks already running go on, checks waiting for a slot return without checking."""
        self._stopping = True

    @property
    def db(self) -> Database:
        if self._db is None:
            raise RuntimeError("the Monitor is not open: use `async with Monitor(config) as monitor:`")
        return self._db

    @property
    def fetchers(self) -> Fetchers:
        """The process's fetchers, created on first use (a run that only reads the database never builds them)."""
        if self._fetchers is None:
            # Politeness lives in the database when there is one: shared by every process, kept over restarts.
            store = DatabasePoliteness(self._db) if self._db is not None else None
            self._fetchers = Fetchers(self.config, politeness=store)
        return self._fetchers

    @property
    def checker(self) -> Checker:
        if self._checker is None:
            if self._writer is None:
                self._writer = CheckWriter(self.db)
            self._checker = Checker(
                self.config, self.db, self.fetchers, self._slots, lambda: self._stopping, writer=self._writer
            )
        return self._checker

    def reconfigure(self, config: Config) -> None:
        """Apply an edited config (suppliers, intervals, rules, alerts); the database and browser stay.

        Changes to ``ENGINE_SECTIONS`` need a new engine; the caller decides (the daemon warns, the dashboard
        builds a fresh one).
        """
        self.config = config
        self._checker = None
        watched = {(s.id, url) for s in config.suppliers for url in s.page_urls}
        self._latest = {key: outcome for key, outcome in self._latest.items() if key in watched}

    async def sync_watch_list(self) -> None:
        await asyncio.to_thread(sync_watch_list, self.db, self.config)

    # --- checking ------------------------------------------------------------------------------------------------

    def supplier(self, supplier: str | SupplierConfig) -> SupplierConfig:
        """The supplier's config by id (ConfigError naming the id when it is not watched)."""
        return supplier if isinstance(supplier, SupplierConfig) else self.config.supplier(supplier)

    async def check_supplier(
        self, supplier: str | SupplierConfig, *, budget: timedelta | None = None, judge_layout: bool = True
    ) -> list[PageOutcome]:
        """One whole check of one supplier within ``budget`` (default ``scheduler.check_timeout``).

        Waiting for a free slot is not counted against the budget. Each page's rows are written in one
        transaction; a database error is raised (the caller decides when to try again). Layout changes are
        judged right after, unless the caller judges a whole round at once.
        """
        found = self.supplier(supplier)
        if self._stopping:
            return []
        outcomes = await self.checker.check_supplier(found, budget=budget)
        self._remember(outcomes)
        if judge_layout and touches_layout(outcomes):
            await self.judge_layout()
        return outcomes

    async def check(
        self, suppliers: Iterable[str | SupplierConfig] | None = None, *, on_done: OnDone | None = None
    ) -> list[PageOutcome]:
        """One round over ``suppliers`` (default: every watched, unpaused one), concurrently, in completion order;
        then the round's layout changes, when a page of it could have completed one (``touches_layout``)."""
        targets = [self.supplier(s) for s in suppliers] if suppliers is not None else list(self.config.suppliers)

        async def one(supplier: SupplierConfig) -> list[PageOutcome]:
            outcomes = await self.check_supplier(supplier, judge_layout=False)
            if on_done is not None:
                on_done(supplier, outcomes)
            return outcomes

        results = await asyncio.gather(*(one(s) for s in targets))
        outcomes = [outcome for found in results for outcome in found]
        if touches_layout(outcomes):
            await self.judge_layout()
        return outcomes

    def _remember(self, outcomes: Iterable[PageOutcome]) -> None:
        for outcome in outcomes:
            if not outcome.skipped:  # a page not fetched says nothing about its layout: keep what was last seen
                self._latest[(outcome.supplier_id, outcome.url)] = outcome

    async def judge_layout(self) -> list[str]:
        """Queue a layout alert when every watched page of a family is unparseable at its latest check, or when
        the family's recent checks dropped fields it normally yields (storage.parser_health)."""
        latest: list[CheckedPage] = list(self._latest.values())
        if self._shared_layout:
            pages = [(s.id, url) for s in self.config.suppliers for url in s.page_urls]
            latest = list(await asyncio.to_thread(latest_page_checks, self.db, pages))
        if not latest:
            return []
        return await asyncio.to_thread(raise_layout_alerts, self.config, self.db, self.config.suppliers, latest)

    async def read_page(self, url: str, *, method: str, platform: str) -> PageReading:
        """Fetch one page politely and read it, storing nothing (``extract``)."""
        fetched_at = datetime.now(UTC)
        page = await self.fetchers.get(method).fetch(url, choose_parser(url, None, platform))
        return read_page(
            page.html, url, platform=platform, http_status=page.status_code, final_url=page.final_url,
            fetched_at=fetched_at,
        )  # fmt: skip

    async def collect_documents(
        self, claims: ClaimsDocument, settings: DocumentsConfig, *, supplier_id: str
    ) -> ClaimsDocument:
        """``claims`` with the certificate documents its page links fetched, read (once) and applied."""
        collector = DocumentCollector(settings, self.db, self.fetchers, supplier_id=supplier_id)
        return await collector.collect(claims)

    # --- alerts ----------------------------------------------------------------------------------------------------

    async def deliver(self) -> Deliveries:
        """Send the due alerts and, at the digest hour, the digests (outbox semantics: leased, stable ids)."""
        alerts = await asyncio.to_thread(deliver_due, self.db, self.config)
        digests = await asyncio.to_thread(deliver_digests, self.db, self.config)
        return Deliveries(alerts, digests)


async def check_round(
    config: Config, db: Database, suppliers: Iterable[str | SupplierConfig] | None = None
) -> list[PageOutcome]:
    """One round with an engine that lives exactly as long as the round (one-shot scripts and tests)."""
    async with Monitor(config, db=db) as monitor:
        return await monitor.check(suppliers)
