"""Shared state of the web app (database, config, templates, background checks) and the render helper.

Kept apart from app.py so route modules can import it without importing the app factory.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import queue
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import HTTPException, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from monitor.checks import PageOutcome
from monitor.config import Config, ConfigError, load_config
from monitor.engine import ENGINE_SECTIONS, Monitor
from monitor.web.documents import FILLED_LABELS, confidence_band, document_fields
from monitor.web.security import CSRF_FIELD, Credentials, Principal, csrf_token_for
from scrapers.fetch.base import mask_urls
from storage import Database

log = logging.getLogger(__name__)
#: The largest id the database can hold (SQLite's INTEGER, PostgreSQL's bigint); a larger one in a URL names nothing.
MAX_ROW_ID = 2**63 - 1
#: A database id in a URL path; anything else (not a number, below 1, too large) is a 404 (see app.py).
RowId = Annotated[int, PathParam(ge=1, le=MAX_ROW_ID)]
TEMPLATES_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")


def _fmt_time(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _fmt_date(value: date | None) -> str:
    return "—" if value is None else value.isoformat()


def make_templates() -> Jinja2Templates:
    """Jinja2 with autoescaping on for every template: supplier names and claims are attacker-controlled."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["time"] = _fmt_time
    env.filters["day"] = _fmt_date
    # Passwords of URLs inside fetch errors and page text never reach the page.
    env.filters["masked"] = lambda value: mask_urls(value) if isinstance(value, str) else value
    env.globals["document_fields"] = document_fields
    env.globals["confidence_band"] = confidence_band
    env.globals["filled_labels"] = FILLED_LABELS
    return Jinja2Templates(env=env)


@dataclass
class CheckJob:
    """One "check now" request, visible on the watch list while queued, running and after it is done."""

    id: int
    supplier_id: str
    requested_by: str
    status: str = "queued"  # queued | running | done | failed
    requested_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    summary: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "supplier_id": self.supplier_id,
            "requested_by": self.requested_by,
            "status": self.status,
            "requested_at": self.requested_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "summary": self.summary,
        }


class CheckRunner:
    """Runs "check now" requests one at a time through the dashboard's one engine (``Monitor``).

    The engine lives in a worker thread with its own event loop, started on the first request and kept for
    the server's life: one Chromium however many checks are asked for, and the same database-backed host
    politeness as the daemon's. One at a time, so a burst of clicks never opens a burst of pages. In the
    distributed mode the request becomes a job on the queue instead, and a worker checks the supplier.
    """

    def __init__(self, state: WebState) -> None:
        self.state = state
        self.jobs: dict[int, CheckJob] = {}
        self._ids = itertools.count(1)
        self._queue: queue.Queue[CheckJob | None] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, supplier_id: str, actor: str) -> CheckJob:
        with self._lock:
            for job in self.jobs.values():
                if job.supplier_id == supplier_id and job.status in ("queued", "running"):
                    return job  # already pending: asking twice does not fetch twice
            job = CheckJob(next(self._ids), supplier_id, actor)
            self.jobs[job.id] = job
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="web-check-now", daemon=True)
                self._thread.start()
        self._queue.put(job)
        return job

    def recent(self, limit: int = 20) -> list[CheckJob]:
        return sorted(self.jobs.values(), key=lambda j: j.id, reverse=True)[:limit]

    def stop(self) -> None:
        self._queue.put(None)

    def _work(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        monitor: Monitor | None = None
        try:
            while (job := await asyncio.to_thread(self._queue.get)) is not None:
                job.status = "running"
                try:
                    config = self.state.config()
                    if config.scheduler.mode == "distributed":
                        job.summary = await self._enqueue(job.supplier_id, config)
                    else:
                        monitor = await self._engine(monitor, config)
                        job.summary = _summary(await monitor.check([job.supplier_id]))
                    job.status = "done"
                except Exception as exc:  # the worker must survive any one failed check
                    log.exception("check now of %s failed", job.supplier_id)
                    job.summary = f"{type(exc).__name__}: {exc}"[:500]
                    job.status = "failed"
                job.finished_at = datetime.now(UTC)
        finally:
            if monitor is not None:
                await monitor.aclose()

    @staticmethod
    async def _enqueue(supplier_id: str, config: Config) -> str:
        """Distributed mode: a job on the checks queue (none added when one already waits for that supplier)."""
        from monitor.distributed.tasks import build_app, defer_check

        config.supplier(supplier_id)  # a supplier no longer watched is refused here, not by a worker
        async with build_app(config, pool_size=1).open_async() as app:
            queued = await defer_check(app, supplier_id)
        where = f"job {queued}" if queued is not None else "the check already waiting"
        return f"queued as {where} on the checks queue: a worker checks it (see status)"

    async def _engine(self, monitor: Monitor | None, config: Config) -> Monitor:
        """The engine, on the config as it is on disk now (the watch list page edits it)."""
        if monitor is not None and any(getattr(monitor.config, s) != getattr(config, s) for s in ENGINE_SECTIONS):
            await monitor.aclose()  # a new browser or fetch setup: a fresh engine
            monitor = None
        if monitor is None:
            return await Monitor(config, db=self.state.db).open()
        if monitor.config != config:
            monitor.reconfigure(config)
            await monitor.sync_watch_list()
        return monitor


def _summary(outcomes: list[PageOutcome]) -> str:
    return "; ".join(
        f"{o.status}{' (changed)' if o.ok and o.changed else ''}" + (f": {o.reason}" if o.reason else "")
        for o in outcomes
    )[:500]


class WebState:
    """What every request needs: the config file, the open database, templates, credentials, jobs."""

    def __init__(self, config_path: Path, db: Database, credentials: Credentials, *, read_only: bool = False) -> None:
        self.config_path = config_path
        self.db = db
        self.credentials = credentials
        self.read_only = read_only
        self.templates = make_templates()
        self.runner = CheckRunner(self)

    def config(self) -> Config:
        """The config as it is on disk now: the watch list page edits it, so it is never cached."""
        return load_config(self.config_path)

    def try_config(self) -> tuple[Config | None, str | None]:
        try:
            return self.config(), None
        except ConfigError as exc:
            return None, str(exc)


def web_state(request: Request) -> WebState:
    return request.app.state.web  # type: ignore[no-any-return]


def principal(request: Request) -> Principal:
    return getattr(request.state, "principal", None) or Principal("local operator")


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render a page with the values every page needs (CSRF token, actor, navigation)."""
    base = {
        "csrf_token": csrf_token_for(request),
        "csrf_field": CSRF_FIELD,
        "actor": principal(request).actor,
        "path": request.url.path,
    }
    return web_state(request).templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


def not_found(what: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"{what} not found")
