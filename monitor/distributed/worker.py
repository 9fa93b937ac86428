"""``supplier-monitor worker``: runs queued checks and deliveries through the engine, any number per machine.

One ``Monitor`` per worker process (its own Chromium, started on first browser fetch; politeness shared through
the database), ``concurrency`` jobs at once. The worker writes a heartbeat to the queue every
``scheduler.worker_heartbeat``; when it dies (kill -9, machine lost) its jobs stay "doing" until the scheduler
sees the heartbeat older than ``scheduler.worker_stall_timeout`` and hands them to another worker.

SIGTERM/SIGINT: take no new job, let running checks finish for ``SHUTDOWN_GRACE`` seconds, cancel the rest (a
cancelled check stores nothing for its unfinished page and its job is retried), close the browser, exit 0.

The config file is looked at before each job: a supplier added since the worker started is checked without a
restart. The watch list in the database is the scheduler's to keep (it enqueues only suppliers it synced).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from procrastinate.jobs import Job

from monitor.config import Config, ConfigError, FileSignature, file_signature, load_config
from monitor.distributed import QUEUES
from monitor.distributed.connection import libpq_conninfo, start_process
from monitor.distributed.guard import supplier_guard
from monitor.distributed.tasks import RUNTIME, build_app
from monitor.engine import ENGINE_SECTIONS, Monitor, check_summary

log = logging.getLogger("monitor.worker")

#: How long running checks may finish after SIGTERM before they are cancelled (and their jobs retried).
SHUTDOWN_GRACE = 10.0
#: Queue connections beyond one per concurrent job: LISTEN, heartbeat, fetching jobs.
EXTRA_CONNECTIONS = 3


def worker_config(config: Config, concurrency: int) -> Config:
    """The config a worker's engine runs with: as many supplier checks (and browser pages) at once as jobs."""
    return config.model_copy(update={"browser": config.browser.model_copy(update={"concurrency": concurrency})})


@dataclass
class WorkerRuntime:
    """What the tasks run on: the engine, and the config file it follows."""

    config_path: Path
    monitor: Monitor
    conninfo: str
    concurrency: int
    signature: FileSignature | None = None

    async def check(self, supplier_id: str, job: Job) -> str:
        """One check of the supplier; raises (to be retried) on a database error or when another process has it."""
        await self._follow_config()
        config = self.monitor.config
        try:
            supplier = config.supplier(supplier_id)
        except ConfigError:
            log.warning("job %s: %s is no longer in the config; not checked", job.id, supplier_id)
            return "not watched"
        if supplier.paused:
            return "paused"
        started = time.monotonic()
        async with supplier_guard(self.conninfo, supplier_id, stall_timeout=config.scheduler.worker_stall_timeout):
            outcomes = await self.monitor.check_supplier(supplier_id)
        summary = check_summary(supplier_id, outcomes, time.monotonic() - started)
        level = logging.INFO if all(o.ok or o.skipped for o in outcomes) else logging.WARNING
        log.log(level, "%s", summary)
        return summary

    async def deliver(self) -> str:
        """One delivery pass (the outbox's leases: at most one sender per delivery, whichever worker runs it)."""
        done = await self.monitor.deliver()
        for report, what in ((done.alerts, "alerts"), (done.digests, "digests")):
            if report.attempted or report.released:
                log.info("delivered %s: %s", what, report)
            for line in report.errors:
                log.warning("%s", line)
        return f"alerts: {done.alerts}; digests: {done.digests}"

    async def _follow_config(self) -> None:
        """Apply an edited config file (suppliers, intervals, rules); a broken edit keeps the running config."""
        signature = file_signature(self.config_path)
        if signature is None or signature == self.signature:
            return
        self.signature = signature
        try:
            new = await asyncio.to_thread(load_config, self.config_path)
        except ConfigError as exc:
            log.error("config change ignored, still running with the previous config:\n%s", exc)
            return
        old = self.monitor.config
        if changed := [name for name in ENGINE_SECTIONS if getattr(old, name) != getattr(new, name)]:
            log.warning("[%s] changed: restart the worker to apply that (the rest applies now)", "], [".join(changed))
        self.monitor.reconfigure(worker_config(new.model_copy(update={"database": old.database}), self.concurrency))
        log.info("config reloaded: %d supplier(s)", len(new.suppliers))


class _Stopping:
    """SIGTERM/SIGINT from the worker's first moment: before the queue runs, it is not started at all; once it
    runs, it is stopped gracefully (no new job; running checks get SHUTDOWN_GRACE seconds, the rest are
    cancelled and queued again). A second signal while stopping only says so: the grace period bounds the wait."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.requested = False
        self._task: asyncio.Task[None] | None = None
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._on_signal, signum)

    def _on_signal(self, signum: int) -> None:
        name = signal.Signals(signum).name
        if self.requested:
            log.warning("%s: already stopping; running checks are cancelled after %.0f s", name, SHUTDOWN_GRACE)
            return
        log.info("%s received: stopping (running checks may finish for %.0f s)", name, SHUTDOWN_GRACE)
        self.requested = True
        if self._task is not None:
            self._task.cancel()  # Procrastinate's worker turns its cancellation into a graceful stop

    async def run(self, work: Coroutine[Any, Any, None]) -> None:
        self._task = asyncio.ensure_future(work)
        try:
            await self._task
        except asyncio.CancelledError:
            if not self.requested:
                raise

    def close(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            self.loop.remove_signal_handler(signum)


def run_worker(
    config_path: Path,
    *,
    concurrency: int | None = None,
    queues: list[str] | None = None,
    configure_logging: bool = True,
) -> int:
    """Run a worker until SIGTERM/SIGINT; 0 on a clean stop, 2 when the config does not allow it."""
    started = start_process(Path(config_path), configure_logging=configure_logging)
    if started is None:
        return 2
    config, signature = started
    unknown = sorted(set(queues or ()) - set(QUEUES))
    if unknown:
        log.error("unknown queue(s) %s; the queues are %s", ", ".join(unknown), ", ".join(QUEUES))
        return 2
    concurrency = concurrency or config.scheduler.worker_concurrency
    try:
        asyncio.run(_work(Path(config_path), config, signature, concurrency, queues or None))
    except KeyboardInterrupt:  # a SIGINT before the queue's handlers were installed
        return 130
    return 0


async def _work(
    config_path: Path,
    config: Config,
    signature: FileSignature | None,
    concurrency: int,
    queues: list[str] | None,
) -> None:
    settings = config.scheduler
    heartbeat = settings.worker_heartbeat.total_seconds()
    stopping = _Stopping(asyncio.get_running_loop())
    try:
        # The engine opens (and migrates) the database first: that is what creates the queue's tables.
        async with Monitor(worker_config(config, concurrency), watch=False, shared_layout=True) as monitor:
            runtime = WorkerRuntime(config_path, monitor, libpq_conninfo(config.database.url), concurrency, signature)
            app = build_app(config, pool_size=concurrency + EXTRA_CONNECTIONS)
            async with app.open_async():
                if stopping.requested:
                    return
                name = f"{socket.gethostname()}:{os.getpid()}"
                work = app.run_worker_async(
                    name=name,
                    queues=queues,
                    concurrency=concurrency,
                    wait=True,
                    update_heartbeat_interval=heartbeat,
                    stalled_worker_timeout=settings.worker_stall_timeout.total_seconds(),
                    # Jobs put back after a stall or a failure are not announced: poll about as often as we beat.
                    fetch_job_polling_interval=min(5.0, heartbeat),
                    abort_job_polling_interval=max(5.0, heartbeat),
                    shutdown_graceful_timeout=SHUTDOWN_GRACE,
                    delete_jobs="successful",
                    additional_context={RUNTIME: runtime},
                    install_signal_handlers=False,  # ours (_Stopping) hold from the start, not only once running
                )
                log.info("worker %s started: %d at once, queues %s", name, concurrency, ", ".join(queues or QUEUES))
                await stopping.run(work)
    finally:
        stopping.close()
    log.info("worker stopped")
