"""The scheduler daemon: checks every watched supplier on its own schedule, for months, without babysitting.

Why it is built this way:

- The schedule lives in the monitor's own database (APScheduler's SQLAlchemyJobStore, table
  ``apscheduler_jobs``), so a restart resumes where it stopped: jobs whose trigger did not change keep their
  next run time, and after downtime each supplier gets one catch-up check (coalesce), not a burst.
- One job per supplier (``check:<id>``) with ``max_instances=1``: a slow supplier never overlaps itself and
  never delays the others. The job function is a module-level coroutine taking only the supplier id (the
  job store pickles a reference to it); everything else comes from the module-level runtime.
- One engine (``monitor.engine.Monitor``: one Chromium, the checker, politeness, the layout window, delivery)
  for the daemon's life; this module only decides when to check and keeps the schedule alive. A check is bounded by
  ``scheduler.check_timeout`` (the Checker stores the page it was on as a failed ``check_timeout`` check, so
  a page that never finishes loading counts towards "check failing" like any other failure) and its
  failures are logged, never allowed to stop the scheduler.
- The config file is polled: edits (suppliers added, removed, paused, new intervals) apply without a
  restart; a broken edit is reported and the last good config kept.
- SIGTERM/SIGINT: stop scheduling, give in-flight checks a short grace period, cancel the rest (a check's
  rows are written in one transaction, so nothing is half-written), close the browser, exit 0.
- Nothing stops the schedule silently (monitor.watchdog): a failing scheduler pass, job store, check, delivery
  or database is logged once per incident, retried with backoff, and the scheduler's timer is always re-armed.
  A check lost to a database error is tried again with backoff (unless its next run comes first). The daemon's
  health (last tick, last stored check, last database error) is written to the database every few seconds
  (table ``daemon_heartbeat``) for ``status`` and /healthz; when that write fails it stays in memory until one
  succeeds. When checks were not running for ``scheduler.stall_after`` or longer, the operators get one alert.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import random
import signal
import socket
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobEvent
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_RUNNING
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from monitor.alerts.stall import Stall, queue_stall_alert
from monitor.checks import PageOutcome
from monitor.config import Config, ConfigError, FileSignature, SupplierConfig, file_signature, load_config, redact_url
from monitor.engine import ENGINE_SECTIONS, Monitor, check_summary, touches_layout
from monitor.watchdog import (
    CONFIG_RELOAD,
    DELIVERIES,
    HEARTBEAT,
    LAYOUT,
    SCHEDULER_TIMER,
    STALL_ALERTS,
    STORAGE,
    Watchdog,
    WatchedJobStore,
    WatchedScheduler,
    check_area,
    span,
)
from storage import Database, is_database_error, latest_heartbeat, prune_heartbeats, write_heartbeat

log = logging.getLogger("monitor.daemon")

#: The job store's table, in the monitor's own database (status reads it too).
JOBS_TABLE = "apscheduler_jobs"
CHECK_JOB_PREFIX = "check:"
#: One-off retry of a check lost to a database error (in-memory store: it needs no database to be scheduled).
RETRY_JOB_PREFIX = "retry:"
DELIVERY_JOB_ID = "deliver"
#: Persistent store for supplier checks; in-memory store for the daemon's own housekeeping jobs.
CHECK_STORE, MEMORY_STORE = "default", "memory"
#: How often the config file's mtime is looked at.
CONFIG_POLL_SECONDS = 2.0
#: How long in-flight checks may finish after SIGTERM before they are cancelled.
SHUTDOWN_GRACE_SECONDS = 10.0
#: After cancelling, how long to wait for the cancelled checks to unwind (and the browser to close).
UNWIND_SECONDS = 15.0
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@dataclass
class DaemonRuntime:
    """What the job functions need; set once the daemon starts (jobs are pickled by reference, not state)."""

    config_path: Path
    monitor: Monitor
    scheduler: AsyncIOScheduler
    watchdog: Watchdog
    stopping: bool = False
    inflight: set[asyncio.Task[object]] = field(default_factory=set)
    config_signature: FileSignature | None = None
    #: Suppliers being checked now: a retry never overlaps the scheduled check (nor the other way round).
    checking: set[str] = field(default_factory=set)
    #: Supplier id -> checks lost to database errors in a row (the retry backoff).
    lost_checks: dict[str, int] = field(default_factory=dict)

    @property
    def config(self) -> Config:
        return self.monitor.config

    @property
    def db(self) -> Database:
        return self.monitor.db


_runtime: DaemonRuntime | None = None


# --- job functions (module level: the job store stores "monitor.daemon:run_check") -------------------------


async def run_check(supplier_id: str) -> None:
    """One scheduled check of one supplier; never raises (a failure is logged and the schedule goes on)."""
    rt = _runtime
    if rt is None or rt.stopping:
        return
    try:
        supplier = rt.config.supplier(supplier_id)
    except ConfigError:
        log.warning("skipping check of %s: no longer in the config", supplier_id)
        return
    if supplier.paused or supplier_id in rt.checking:
        return
    task = asyncio.current_task()
    if task is not None:
        rt.inflight.add(task)
    rt.checking.add(supplier_id)
    try:
        await _timed_check(rt, supplier)
    except asyncio.CancelledError:
        # Only shutdown cancels checks; record_check's single transaction means nothing is half-written.
        log.warning("check of %s cancelled at shutdown (nothing stored for the unfinished page)", supplier_id)
    finally:
        rt.checking.discard(supplier_id)
        if task is not None:
            rt.inflight.discard(task)


async def _timed_check(rt: DaemonRuntime, supplier: SupplierConfig) -> None:
    """Run one check within ``scheduler.check_timeout``; the Checker enforces it and stores the timeout."""
    config, watch = rt.config, rt.watchdog
    started = time.monotonic()
    try:
        outcomes = await rt.monitor.check_supplier(supplier, budget=config.scheduler.check_timeout, judge_layout=False)
    except Exception as exc:
        if is_database_error(exc):  # one incident for every supplier: it is the database, not them
            watch.failed(STORAGE, exc)
            _retry_lost_check(rt, supplier)
        else:
            watch.failed(check_area(supplier.id), exc)
        return
    watch.succeeded(STORAGE)
    watch.succeeded(check_area(supplier.id))
    watch.check_stored()
    rt.lost_checks.pop(supplier.id, None)
    if not outcomes:
        return  # shutting down: the check never started
    seconds = time.monotonic() - started
    level = logging.INFO if all(o.ok or o.skipped for o in outcomes) else logging.WARNING
    log.log(level, "%s", check_summary(supplier.id, outcomes, seconds))
    await _judge_layout(rt, outcomes)


def _retry_lost_check(rt: DaemonRuntime, supplier: SupplierConfig) -> None:
    """A check lost to a database error is tried again after a backoff (doubling per loss in a row, from
    ``watchdog.max_backoff``), unless the supplier's next scheduled run comes first."""
    if rt.stopping:
        return
    lost = rt.lost_checks[supplier.id] = rt.lost_checks.get(supplier.id, 0) + 1
    when = datetime.now(UTC) + timedelta(seconds=rt.watchdog.max_backoff * 2 ** min(lost - 1, 20))
    try:
        job = rt.scheduler.get_job(CHECK_JOB_PREFIX + supplier.id, CHECK_STORE)
        if job is None or job.next_run_time is None or job.next_run_time <= when:
            return
        rt.scheduler.add_job(
            run_check, DateTrigger(run_date=when, timezone="UTC"), args=[supplier.id],
            id=RETRY_JOB_PREFIX + supplier.id, name=RETRY_JOB_PREFIX + supplier.id, jobstore=MEMORY_STORE,
            replace_existing=True, misfire_grace_time=None, max_instances=1,
        )  # fmt: skip
    except Exception as exc:  # the job store is failing too: the schedule itself resumes the checks
        rt.watchdog.failed(STORAGE, exc)
        return
    log.info("check of %s not stored (database error): trying again at %s", supplier.id, when.isoformat("T", "seconds"))


async def _judge_layout(rt: DaemonRuntime, outcomes: list[PageOutcome]) -> None:
    """The engine's layout judgement, its failures kept apart from the check's (watchdog area "layout")."""
    if not touches_layout(outcomes):
        return
    try:
        await rt.monitor.judge_layout()
    except Exception as exc:
        rt.watchdog.failed(LAYOUT, exc)
    else:
        rt.watchdog.succeeded(LAYOUT)


async def run_deliveries() -> None:
    """Send due alerts and, at digest hour, the digests (sync code: run in a thread)."""
    rt = _runtime
    if rt is None or rt.stopping or not rt.watchdog.due(DELIVERIES):
        return  # (a failing round is retried with backoff, not on every run of this job)
    task = asyncio.current_task()
    if task is not None:
        rt.inflight.add(task)
    try:
        done = await rt.monitor.deliver()
        rt.watchdog.succeeded(DELIVERIES)
        for report, what in ((done.alerts, "alerts"), (done.digests, "digests")):
            if report.attempted or report.released:
                log.info("delivered %s: %s", what, report)
            for line in report.errors:
                log.warning("%s", line)
    except asyncio.CancelledError:
        log.warning("delivery round cancelled at shutdown (the deliveries' leases expire and they are retried)")
    except Exception as exc:
        rt.watchdog.failed(DELIVERIES, exc)
    finally:
        if task is not None:
            rt.inflight.discard(task)


# --- schedule ------------------------------------------------------------------------------------------------


#: Jitter is at most this share of the time between a supplier's runs: 30 s spread a day's checks of many
#: suppliers nicely, but would turn a 3 s interval into a 3-33 s one (and delay the first check by 30 s).
JITTER_SHARE_OF_INTERVAL = 0.1
#: A cron schedule's shortest gap is looked for among this many runs (from a fixed date, so it is stable).
CRON_GAP_SAMPLE = 24
_CRON_GAP_FROM = datetime(2024, 1, 1, tzinfo=UTC)


def supplier_jitter(config: Config, supplier: SupplierConfig) -> float:
    """``scheduler.jitter`` in seconds, bounded by a tenth of the supplier's interval (or shortest cron gap)."""
    jitter = config.scheduler.jitter.total_seconds()
    if not jitter:
        return 0.0
    if supplier.cron:
        gap = _shortest_cron_gap(CronTrigger.from_crontab(supplier.cron, timezone="UTC"))
    else:
        gap = config.interval_for(supplier).total_seconds()
    return round(min(jitter, gap * JITTER_SHARE_OF_INTERVAL), 3) if gap is not None else jitter


def _shortest_cron_gap(trigger: CronTrigger) -> float | None:
    """Seconds between the closest two of the trigger's next runs after a fixed date (None: fewer than two)."""
    fires: list[datetime] = []
    previous: datetime | None = None
    at = _CRON_GAP_FROM
    while len(fires) < CRON_GAP_SAMPLE:
        fire = trigger.get_next_fire_time(previous, at)
        if fire is None:
            break
        fires.append(fire)
        previous, at = fire, fire + timedelta(microseconds=1)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(fires)]
    return min(gaps) if gaps else None


def supplier_trigger(config: Config, supplier: SupplierConfig) -> BaseTrigger:
    """The supplier's cron (UTC) or interval trigger, with the configured jitter bounded by its interval."""
    jitter = supplier_jitter(config, supplier) or None
    if supplier.cron:
        trigger = CronTrigger.from_crontab(supplier.cron, timezone="UTC")
        trigger.jitter = jitter
        return trigger
    return IntervalTrigger(seconds=config.interval_for(supplier).total_seconds(), timezone="UTC", jitter=jitter)


def trigger_key(trigger: BaseTrigger) -> tuple[object, ...]:
    """What makes two triggers the same schedule (an IntervalTrigger's start date is not part of it)."""
    jitter = float(getattr(trigger, "jitter", None) or 0)
    if isinstance(trigger, IntervalTrigger):
        return ("interval", trigger.interval.total_seconds(), jitter)
    if isinstance(trigger, CronTrigger):
        return ("cron", str(trigger), str(trigger.timezone), jitter)
    return ("other", repr(trigger))


def _job_options(config: Config) -> dict[str, object]:
    return {
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": max(1, round(config.scheduler.misfire_grace.total_seconds())),
    }


def sync_jobs(scheduler: AsyncIOScheduler, config: Config, func: Callable[[str], Awaitable[None]] = run_check) -> None:
    """Make the job store match the config, keeping the next run time of every unchanged job. ``func``: what a
    check job runs with the supplier id (the distributed scheduler's enqueues the check instead of running it)."""
    wanted = {CHECK_JOB_PREFIX + s.id: s for s in config.suppliers}
    options = _job_options(config)
    now = datetime.now(UTC)
    for job in scheduler.get_jobs(jobstore=CHECK_STORE):
        if job.id.startswith(CHECK_JOB_PREFIX) and job.id not in wanted:
            scheduler.remove_job(job.id, CHECK_STORE)
            log.info("unscheduled %s (no longer in the config; its history is kept)", job.id.removeprefix("check:"))
    for job_id, supplier in wanted.items():
        trigger = supplier_trigger(config, supplier)
        job = scheduler.get_job(job_id, CHECK_STORE)
        if job is None:
            if supplier.paused:
                first = None
            elif supplier.cron:
                first = trigger.get_next_fire_time(None, now)
            else:  # a new supplier is checked soon (within its jitter), not one whole interval from now
                first = now + timedelta(seconds=random.uniform(0, supplier_jitter(config, supplier)))
            scheduler.add_job(
                func, trigger, args=[supplier.id], id=job_id, name=job_id, jobstore=CHECK_STORE,
                replace_existing=True, next_run_time=first, **options,
            )  # fmt: skip
            log.info("scheduled %s: %s, %s", supplier.id, _describe_trigger(trigger), _when(first))
            continue
        if trigger_key(job.trigger) != trigger_key(trigger):
            job = scheduler.reschedule_job(job_id, CHECK_STORE, trigger=trigger)
            log.info("rescheduled %s: %s, %s", supplier.id, _describe_trigger(trigger), _when(job.next_run_time))
        changed = {k: v for k, v in options.items() if getattr(job, k) != v}
        if job.func_ref != f"{func.__module__}:{func.__qualname__}" or list(job.args) != [supplier.id]:
            changed.update(func=func, args=(supplier.id,))
        if changed:
            scheduler.modify_job(job_id, CHECK_STORE, **changed)
        if supplier.paused and job.next_run_time is not None:
            scheduler.pause_job(job_id, CHECK_STORE)
            log.info("paused %s", supplier.id)
        elif not supplier.paused and job.next_run_time is None:
            job = scheduler.resume_job(job_id, CHECK_STORE)
            log.info("resumed %s: %s", supplier.id, _when(job.next_run_time if job else None))
        elif job.next_run_time is not None and job.next_run_time < now:
            log.info("%s missed its run at %s while the daemon was down: one catch-up check now",
                     supplier.id, job.next_run_time.isoformat(timespec="seconds"))  # fmt: skip


def _describe_trigger(trigger: BaseTrigger) -> str:
    if isinstance(trigger, IntervalTrigger):
        return f"every {trigger.interval}"
    return f"cron {trigger} UTC"


def _when(at: datetime | None) -> str:
    return "paused" if at is None else f"next check at {at.astimezone(UTC).isoformat(timespec='seconds')}"


def _schedule_deliveries(scheduler: AsyncIOScheduler, config: Config) -> None:
    every = config.scheduler.deliver_every.total_seconds()
    scheduler.add_job(
        run_deliveries, IntervalTrigger(seconds=every, timezone="UTC"), id=DELIVERY_JOB_ID, name="deliver alerts",
        jobstore=MEMORY_STORE, replace_existing=True, next_run_time=datetime.now(UTC),
        coalesce=True, max_instances=1, misfire_grace_time=max(1, round(every)),
    )  # fmt: skip


def _on_job_event(event: JobEvent) -> None:
    if event.code == EVENT_JOB_MAX_INSTANCES:
        log.info("%s: previous run still going, this run skipped", event.job_id)
    elif event.code == EVENT_JOB_MISSED:
        log.warning("%s: run missed by more than scheduler.misfire_grace; waiting for the next one", event.job_id)


# --- config reload -------------------------------------------------------------------------------------------


async def _watch_config(rt: DaemonRuntime) -> None:
    """Poll the config file; on a change, reload it and re-sync the watch list and the jobs."""
    while not rt.stopping:
        await asyncio.sleep(CONFIG_POLL_SECONDS)
        signature = file_signature(rt.config_path)
        if signature is None or signature == rt.config_signature or not rt.watchdog.due(CONFIG_RELOAD):
            continue
        rt.config_signature = signature
        try:
            await reload_config(rt)
        except Exception as exc:  # e.g. the database is down: still running with the previous config
            rt.config_signature = None  # tried again after the backoff
            rt.watchdog.failed(CONFIG_RELOAD, exc)
        else:
            rt.watchdog.succeeded(CONFIG_RELOAD)


async def reload_config(rt: DaemonRuntime) -> None:
    """Apply the config file as it is now; a bad file is reported and the running config kept."""
    try:
        new = await asyncio.to_thread(load_config, rt.config_path)
    except ConfigError as exc:
        log.error("config change ignored, still running with the previous config:\n%s", exc)
        return
    old = rt.config
    needs_restart = [name for name in ENGINE_SECTIONS if getattr(old, name) != getattr(new, name)]
    if needs_restart:
        log.warning("[%s] changed: restart the daemon to apply that (the rest applies now)", "], [".join(needs_restart))
        new = new.model_copy(update={"database": old.database})  # one database for the daemon's life
    rt.monitor.reconfigure(new)
    await rt.monitor.sync_watch_list()
    sync_jobs(rt.scheduler, new)
    if new.scheduler.deliver_every != old.scheduler.deliver_every:
        _schedule_deliveries(rt.scheduler, new)
    log.info("config reloaded: %d supplier(s)", len(new.suppliers))


# --- heartbeat -----------------------------------------------------------------------------------------------


async def _keep_heartbeat(rt: DaemonRuntime) -> None:
    """Every ``watchdog.heartbeat_every``: settle incidents, re-arm a lost scheduler timer, write the health
    to the database (with backoff while that fails: the state waits in memory) and queue pending stall alerts."""
    watch = rt.watchdog
    while not rt.stopping:
        watch.poll()
        if rt.scheduler.state == STATE_RUNNING and watch.timer_lost():
            since = watch.last_pass_at.isoformat(timespec="seconds") if watch.last_pass_at else "?"
            watch.failed(SCHEDULER_TIMER, RuntimeError(f"no scheduler pass since {since}: timer re-armed"))
            rt.scheduler.wakeup()
        elif watch.failing(SCHEDULER_TIMER):
            watch.succeeded(SCHEDULER_TIMER)
        try:
            await asyncio.to_thread(write_heartbeat, rt.db, watch.heartbeat())
        except Exception as exc:
            wait = watch.failed(HEARTBEAT, exc)
        else:
            watch.succeeded(HEARTBEAT)
            wait = watch.heartbeat_every
            await _queue_stalls(rt)
        await asyncio.sleep(wait)


async def _queue_stalls(rt: DaemonRuntime) -> None:
    """Queue the operator alert of each stall the watchdog recorded, oldest first, once the database takes it."""
    watch = rt.watchdog
    while watch.stalls and watch.due(STALL_ALERTS):
        stall = watch.stalls[0]
        try:
            queued = await asyncio.to_thread(queue_stall_alert, rt.config, rt.db, stall)
        except Exception as exc:
            watch.failed(STALL_ALERTS, exc)
            return
        watch.succeeded(STALL_ALERTS)
        watch.stalls.pop(0)
        if queued:
            log.warning(
                "operators alerted: checks were not running from %s to %s (%s): %s",
                stall.since.isoformat(timespec="seconds"), stall.until.isoformat(timespec="seconds"),
                span(stall.seconds), stall.reason,
            )  # fmt: skip


def _previous_daemon(db: Database, watch: Watchdog) -> None:
    """Before our first heartbeat: a previous daemon that never said it stopped was killed or crashed (or still
    runs: two daemons would check everything twice). Its silence becomes a stall when long enough."""
    beat = latest_heartbeat(db)
    if beat is None or beat.stopped_at is not None:
        return
    now = datetime.now(UTC)
    where = f"pid {beat.pid} on {beat.host}"
    if now - beat.beat_at < watch.stall_after and not (beat.host == watch.host and not _pid_alive(beat.pid)):
        log.warning("another daemon (%s) wrote a heartbeat %s ago: is it still running?", where,
                    span((now - beat.beat_at).total_seconds()))  # fmt: skip
        return
    last = beat.last_tick_at or beat.started_at
    log.warning("the previous daemon (%s) did not shut down cleanly; its scheduler last ticked at %s",
                where, last.isoformat(timespec="seconds"))  # fmt: skip
    if now - last >= watch.stall_after:
        reason = f"the daemon ({where}) stopped without shutting down (killed, crashed, or its machine went down)"
        watch.stalls.append(Stall(beat.id, last, now, reason))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- lifecycle -----------------------------------------------------------------------------------------------


def configure_daemon_logging(level: int = logging.INFO) -> None:
    """Timestamped lines on stderr (operators read these for months), APScheduler's chatter turned down."""
    logging.basicConfig(level=level, format=LOG_FORMAT, stream=sys.stderr, force=True)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # The executor logs every run at INFO and misses/overlaps at WARNING; _on_job_event says those better.
    logging.getLogger("apscheduler.executors").setLevel(logging.ERROR)
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    for noisy in ("httpx", "httpcore", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def run_daemon(
    config_path: Path,
    *,
    stop_after: float | None = None,
    shutdown_grace: float = SHUTDOWN_GRACE_SECONDS,
    configure_logging: bool = True,
) -> int:
    """Run the scheduler until SIGTERM/SIGINT (or ``stop_after`` seconds); 0 on a clean stop, 2 on a bad config."""
    if configure_logging:
        configure_daemon_logging()
    config_path = Path(config_path)
    signature = file_signature(config_path)
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        log.error("%s", exc)
        return 2
    try:
        return asyncio.run(_serve(config_path, config, signature, stop_after, shutdown_grace))
    except KeyboardInterrupt:  # a SIGINT before the handlers were installed
        return 130


async def _serve(
    config_path: Path,
    config: Config,
    signature: FileSignature | None,
    stop_after: float | None,
    grace: float,
) -> int:
    global _runtime
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    hurry = asyncio.Event()

    def on_signal(signum: int) -> None:
        if stop.is_set():
            log.warning("second %s: cancelling in-flight checks now", signal.Signals(signum).name)
            hurry.set()
        else:
            log.info("%s received: stopping", signal.Signals(signum).name)
            stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)

    monitor = await Monitor(config, watch=False).open()
    db = monitor.db
    daemon_id, host = uuid.uuid4().hex, socket.gethostname()
    watch = Watchdog(config.scheduler.stall_after, daemon_id=daemon_id, host=host, pid=os.getpid())
    scheduler = WatchedScheduler(
        watch,
        timezone="UTC",
        jobstores={
            CHECK_STORE: WatchedJobStore(engine=db.engine, tablename=JOBS_TABLE),
            MEMORY_STORE: MemoryJobStore(),
        },
    )
    scheduler.add_listener(_on_job_event, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
    rt = DaemonRuntime(
        config_path=config_path,
        monitor=monitor,
        scheduler=scheduler,
        watchdog=watch,
        config_signature=signature,
    )
    _runtime = rt
    watcher: asyncio.Task[None] | None = None
    heart: asyncio.Task[None] | None = None
    code = 0
    try:
        await asyncio.to_thread(_previous_daemon, db, watch)
        try:
            await asyncio.to_thread(write_heartbeat, db, watch.heartbeat())
            await asyncio.to_thread(prune_heartbeats, db)
        except Exception as exc:  # kept in memory: written by the heartbeat task once it can
            watch.failed(HEARTBEAT, exc)
        await monitor.sync_watch_list()
        scheduler.start(paused=True)  # load the stored jobs first, then reconcile, then run
        sync_jobs(scheduler, config)
        _schedule_deliveries(scheduler, config)
        scheduler.resume()
        active = sum(1 for s in config.suppliers if not s.paused)
        log.info(
            "daemon started: %d supplier(s) scheduled (%d paused), database %s, config %s",
            active, len(config.suppliers) - active, redact_url(config.database.url), config_path,
        )  # fmt: skip
        watcher = asyncio.create_task(_watch_config(rt))
        heart = asyncio.create_task(_keep_heartbeat(rt))
        waiter = asyncio.create_task(stop.wait())
        await asyncio.wait({waiter}, timeout=stop_after)
        waiter.cancel()
    except Exception:
        log.exception("the daemon failed")
        code = 1
    finally:
        await _shutdown(rt, [watcher, heart], grace, hurry, clean=code == 0)
        _runtime = None
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
    log.info("daemon stopped")
    return code


async def _shutdown(
    rt: DaemonRuntime, helpers: list[asyncio.Task[None] | None], grace: float, hurry: asyncio.Event, *, clean: bool
) -> None:
    """Stop scheduling, let checks finish (up to ``grace``), cancel the rest, then release everything; a clean
    stop is recorded in the heartbeat (without it, status reports the daemon as stalled once its beat is old)."""
    rt.stopping = True
    rt.monitor.stop_new_checks()
    if rt.scheduler.running:
        rt.scheduler.pause()
    for helper in helpers:
        if helper is not None:
            helper.cancel()
    inflight = set(rt.inflight)
    if inflight:
        log.info("waiting up to %.0f s for %d check(s) in flight", grace, len(inflight))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        hurried = asyncio.create_task(hurry.wait())
        remaining = set(inflight)
        while remaining and not hurry.is_set() and (left := deadline - loop.time()) > 0:
            done, _ = await asyncio.wait({*remaining, hurried}, timeout=left, return_when=asyncio.FIRST_COMPLETED)
            remaining -= done
        hurried.cancel()
        pending = {t for t in inflight if not t.done()}
        if pending:
            log.warning("cancelling %d check(s) still running after the grace period", len(pending))
            for task in pending:
                task.cancel()
            await asyncio.wait(pending, timeout=UNWIND_SECONDS)
    try:
        await asyncio.wait_for(rt.monitor.close_fetchers(), timeout=UNWIND_SECONDS)
    except Exception:
        log.exception("closing the browser failed")
    # Database writes of cancelled checks run in worker threads: let them commit (or roll back) first.
    await asyncio.get_running_loop().shutdown_default_executor()
    try:  # after the executor: no heartbeat write of the cancelled task can land after this one
        write_heartbeat(rt.db, rt.watchdog.heartbeat(stopped_at=datetime.now(UTC) if clean else None))
    except Exception as exc:
        log.warning("could not record the stop in the heartbeat: %s", exc)
    if rt.scheduler.running:
        with contextlib.suppress(Exception):
            rt.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler.shutdown runs via call_soon_threadsafe
    await rt.monitor.aclose()
