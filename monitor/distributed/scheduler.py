"""``supplier-monitor scheduler``: enqueues each supplier's check when it is due, and keeps the queue healthy.

The schedule is the single daemon's (monitor.daemon.supplier_trigger and sync_jobs: interval or cron per
supplier, jitter, one catch-up after downtime, stored in ``apscheduler_jobs`` so a restart keeps it); only the
job function differs: ``enqueue_check`` defers a queue job instead of checking. On top of that:

- a delivery job every ``scheduler.deliver_every``;
- every few seconds, the jobs of workers whose heartbeat is older than ``scheduler.worker_stall_timeout`` (killed,
  machine lost) are handed to another worker (a check is queued again, the dead worker's job closed);
- failed or aborted jobs are deleted after a week (workers delete succeeded ones at once: the check rows are
  the record), workers silent for a day are forgotten;
- the config file is polled: suppliers added, removed, paused or rescheduled apply without a restart;
- its health is written to ``daemon_heartbeat`` as the single daemon's is (monitor.watchdog: last scheduler
  pass, database errors, a clean stop), so ``status`` and ``/healthz`` say whether checks are being scheduled;
  the workers' own heartbeats are the queue's (``status`` shows both).

Run one scheduler. A second one would do no harm to the data (queueing locks: a supplier is never queued
twice), only enqueue the same checks again as they come due.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from procrastinate import App
from procrastinate.jobs import Job, Status

from monitor.checks import sync_watch_list
from monitor.config import Config, ConfigError, FileSignature, file_signature, load_config, redact_url
from monitor.daemon import (
    CHECK_STORE,
    CONFIG_POLL_SECONDS,
    JOBS_TABLE,
    MEMORY_STORE,
    sync_jobs,
)
from monitor.distributed.connection import NotDistributedError, require_distributed, start_process
from monitor.distributed.tasks import CHECK_TASK, MAX_CHECK_ATTEMPTS, build_app, defer_check, defer_delivery
from monitor.engine import ENGINE_SECTIONS
from monitor.watchdog import HEARTBEAT, Watchdog, WatchedJobStore, WatchedScheduler
from storage import Database, open_database, write_heartbeat

log = logging.getLogger("monitor.scheduler")

DELIVERY_JOB_ID = "deliver"
STALLED_JOB_ID = "retry-stalled"
PRUNE_JOB_ID = "prune-queue"
#: Failed jobs stay this long for operators to look at (``status``), then go.
KEEP_FAILED_JOBS = timedelta(days=7)
#: A worker silent this long is forgotten (its row in the queue, shown by ``status`` until then).
FORGET_WORKERS_AFTER = timedelta(days=1)
#: How often stalled jobs are looked for, as a share of the stall timeout (and at most every 10 s).
STALL_POLLS_PER_TIMEOUT = 4


@dataclass
class SchedulerRuntime:
    """What the job functions need (APScheduler stores them by reference, so the state lives here)."""

    config_path: Path
    config: Config
    db: Database
    app: App
    scheduler: AsyncIOScheduler
    signature: FileSignature | None


_runtime: SchedulerRuntime | None = None


# --- job functions (module level: the job store keeps "monitor.distributed.scheduler:enqueue_check") ---------


async def enqueue_check(supplier_id: str) -> None:
    """The supplier is due: queue its check, unless one is still waiting (then this run is skipped)."""
    rt = _runtime
    if rt is None:
        return
    try:
        job_id = await defer_check(rt.app, supplier_id)
    except Exception as exc:  # the database is away: the next due run tries again
        log.warning("could not queue the check of %s: %s", supplier_id, exc)
        return
    if job_id is None:
        log.info("%s is due, but its previous check is still waiting in the queue: not queued twice", supplier_id)


async def enqueue_delivery() -> None:
    rt = _runtime
    if rt is None:
        return
    try:
        await defer_delivery(rt.app)
    except Exception as exc:
        log.warning("could not queue a delivery pass: %s", exc)


async def retry_stalled() -> None:
    """Hand the jobs of workers silent for longer than the stall timeout (killed, machine lost) to the others."""
    rt = _runtime
    if rt is None:
        return
    timeout = rt.config.scheduler.worker_stall_timeout
    try:
        stalled = list(await rt.app.job_manager.get_stalled_jobs(seconds_since_heartbeat=timeout.total_seconds()))
    except Exception as exc:
        log.warning("could not look for stalled jobs: %s", exc)
        return
    for job in stalled:
        try:
            await _hand_over(rt.app, job, timeout)
        except Exception as exc:  # finished meanwhile (the worker came back), or the database is away
            log.info("stalled job %s was not handed over: %s", job.id, exc)


async def _hand_over(app: App, job: Job, timeout: timedelta) -> None:
    """A check is queued again as a new job (attempt + 1; see monitor.distributed.tasks for why not in place),
    then the stalled job is closed as aborted, which frees the supplier's lock. A check whose workers keep dying
    (MAX_CHECK_ATTEMPTS in a row) is closed as failed: the scheduler queues it again when it is next due."""
    worker = f"worker {job.worker_id}" if job.worker_id else "a worker that is gone"
    status = Status.ABORTED
    if job.task_name == CHECK_TASK:
        supplier_id = str(job.task_kwargs.get("supplier_id"))
        attempt = int(job.task_kwargs.get("attempt") or 0) + 1
        if attempt >= MAX_CHECK_ATTEMPTS:
            status = Status.FAILED
            log.error("check of %s: %d workers in a row died running it; given up until it is due again",
                      supplier_id, attempt)  # fmt: skip
        else:
            await defer_check(app, supplier_id, attempt=attempt)
    await app.job_manager.finish_job(job, status=status, delete_job=False)
    log.warning("job %s %s%s: %s sent no heartbeat for %s; handed to another worker",
                job.id, job.task_name, job.task_kwargs or "", worker, timeout)  # fmt: skip


async def prune_queue() -> None:
    """Delete old failed and aborted jobs and forget long-dead workers, so the queue's tables stay small."""
    rt = _runtime
    if rt is None:
        return
    manager = rt.app.job_manager
    try:
        hours = round(KEEP_FAILED_JOBS.total_seconds() / 3600)
        await manager.delete_old_jobs(nb_hours=hours, include_failed=True, include_cancelled=True, include_aborted=True)
        await manager.prune_stalled_workers(FORGET_WORKERS_AFTER.total_seconds())
    except Exception as exc:
        log.warning("could not prune the job queue: %s", exc)


# --- schedule ------------------------------------------------------------------------------------------------


def _housekeeping(scheduler: AsyncIOScheduler, config: Config) -> None:
    """The in-memory jobs: deliveries, stalled jobs, pruning (replaced on a config reload)."""
    now = datetime.now(UTC)
    every = config.scheduler.deliver_every.total_seconds()
    stall_poll = min(10.0, config.scheduler.worker_stall_timeout.total_seconds() / STALL_POLLS_PER_TIMEOUT)
    for job_id, func, seconds in (
        (DELIVERY_JOB_ID, enqueue_delivery, every),
        (STALLED_JOB_ID, retry_stalled, stall_poll),
        (PRUNE_JOB_ID, prune_queue, 3600.0),
    ):
        scheduler.add_job(
            func, IntervalTrigger(seconds=seconds, timezone="UTC"), id=job_id, name=job_id, jobstore=MEMORY_STORE,
            replace_existing=True, next_run_time=now, coalesce=True, max_instances=1,
            misfire_grace_time=max(1, round(seconds)),
        )  # fmt: skip


async def _watch_config(rt: SchedulerRuntime, stop: asyncio.Event) -> None:
    """Poll the config file; on a change, re-sync the watch list and the schedule."""
    while not stop.is_set():
        await asyncio.sleep(CONFIG_POLL_SECONDS)
        signature = file_signature(rt.config_path)
        if signature is None or signature == rt.signature:
            continue
        rt.signature = signature
        try:
            await _reload(rt)
        except Exception as exc:  # e.g. the database is down: keep the previous config, try again later
            rt.signature = None
            log.warning("config reload failed, still running with the previous config: %s", exc)


async def _reload(rt: SchedulerRuntime) -> None:
    try:
        new = await asyncio.to_thread(load_config, rt.config_path)
        require_distributed(new)
    except (ConfigError, NotDistributedError) as exc:
        log.error("config change ignored, still running with the previous config:\n%s", exc)
        return
    old = rt.config
    if changed := [name for name in ENGINE_SECTIONS if getattr(old, name) != getattr(new, name)]:
        log.warning("[%s] changed: restart the scheduler and workers to apply that", "], [".join(changed))
    new = new.model_copy(update={"database": old.database})
    await asyncio.to_thread(sync_watch_list, rt.db, new)
    rt.config = new
    sync_jobs(rt.scheduler, new, enqueue_check)
    if new.scheduler != old.scheduler:
        _housekeeping(rt.scheduler, new)
    log.info("config reloaded: %d supplier(s)", len(new.suppliers))


async def _keep_heartbeat(db: Database, watch: Watchdog, scheduler: AsyncIOScheduler) -> None:
    """Every ``watchdog.heartbeat_every``: re-arm a lost scheduler timer and write the scheduler's health."""
    while True:
        watch.poll()
        if watch.timer_lost():
            scheduler.wakeup()
        try:
            await asyncio.to_thread(write_heartbeat, db, watch.heartbeat())
        except Exception as exc:
            wait = watch.failed(HEARTBEAT, exc)
        else:
            watch.succeeded(HEARTBEAT)
            wait = watch.heartbeat_every
        await asyncio.sleep(wait)


# --- lifecycle -----------------------------------------------------------------------------------------------


def run_scheduler(config_path: Path, *, configure_logging: bool = True) -> int:
    """Enqueue checks and deliveries until SIGTERM/SIGINT; 0 on a clean stop, 2 when the config does not allow
    the distributed mode."""
    started = start_process(Path(config_path), configure_logging=configure_logging)
    if started is None:
        return 2
    config, signature = started
    try:
        return asyncio.run(_serve(Path(config_path), config, signature))
    except KeyboardInterrupt:
        return 130


async def _serve(config_path: Path, config: Config, signature: FileSignature | None) -> int:
    global _runtime
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    # Opening migrates the database: the queue's tables come with it (migration 0009).
    db = await asyncio.to_thread(open_database, config.database.url)
    app = build_app(config, pool_size=3)
    watch = Watchdog(
        config.scheduler.stall_after, daemon_id=uuid.uuid4().hex, host=socket.gethostname(), pid=os.getpid()
    )
    scheduler = WatchedScheduler(
        watch,
        timezone="UTC",
        jobstores={
            CHECK_STORE: WatchedJobStore(engine=db.engine, tablename=JOBS_TABLE),
            MEMORY_STORE: MemoryJobStore(),
        },
    )
    watcher: asyncio.Task[None] | None = None
    heart: asyncio.Task[None] | None = None
    try:
        async with app.open_async():
            _runtime = SchedulerRuntime(config_path, config, db, app, scheduler, signature)
            await asyncio.to_thread(sync_watch_list, db, config)
            scheduler.start(paused=True)  # load the stored jobs first, then reconcile, then run
            sync_jobs(scheduler, config, enqueue_check)
            _housekeeping(scheduler, config)
            scheduler.resume()
            active = sum(1 for s in config.suppliers if not s.paused)
            log.info(
                "scheduler started: %d supplier(s) scheduled (%d paused), database %s, config %s",
                active, len(config.suppliers) - active, redact_url(config.database.url), config_path,
            )  # fmt: skip
            watcher = asyncio.create_task(_watch_config(_runtime, stop))
            heart = asyncio.create_task(_keep_heartbeat(db, watch, scheduler))
            await stop.wait()
            log.info("stopping")
    finally:
        for task in (watcher, heart):
            if task is not None:
                task.cancel()
        try:  # a clean stop, so status does not take the scheduler's silence for a stall
            await asyncio.to_thread(write_heartbeat, db, watch.heartbeat(stopped_at=datetime.now(UTC)))
        except Exception as exc:
            log.warning("could not record the stop in the heartbeat: %s", exc)
        if scheduler.running:
            scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler.shutdown runs via call_soon_threadsafe
        _runtime = None
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
        db.dispose()
    log.info("scheduler stopped")
    return 0
