"""The scheduler watchdog: the daemon's checks never stop silently.

Why this exists: APScheduler's ``AsyncIOScheduler.wakeup`` runs ``_process_jobs`` and only then re-arms its
timer. An exception out of ``_process_jobs`` (the SQLite job store's ``update_job`` on a full disk, its
``get_next_run_time`` with PostgreSQL down) went to the event loop's exception handler and the timer was never
re-armed: no more checks nor deliveries, for good, in a process that looked alive.

- ``WatchedScheduler`` catches every exception of a scheduler pass, reports it here and comes back after an
  exponential backoff (capped); a healthy pass is a *tick*, and the scheduler ticks at least every
  ``tick_every`` even when no job is due, so a silent scheduler is told from an idle one.
- ``WatchedJobStore`` keeps a job's new next run time in memory when the database refuses the update and
  writes it on a later pass: the schedule goes on from memory, and a due job is not run again on every retry
  because its stored next run time stayed in the past.
- ``Watchdog`` turns failures into *incidents*, one per area (the scheduler, storing checks, deliveries, the
  heartbeat, one supplier's check ...): logged once when it starts (a reminder each hour while it lasts), and
  once when it is over: "recovered after N failure(s) over T". An incident is over after ``settle`` seconds of
  success without a new failure, so a disk that is almost full (small writes pass, big ones fail) makes one
  incident, not one per minute. While the scheduler or the storing of checks is failing, checks are not
  running: that *outage* is logged as such, and when it lasted ``stall_after`` or longer it becomes one
  pending ``Stall`` the daemon queues as an operator alert once it can write again.
- The health the daemon reports (``heartbeat()``: last tick, last stored check, last database error and since
  when the database has been failing) comes from here; the daemon writes it to the database (storage.heartbeat).

Times (all derived from ``scheduler.stall_after``, 5 min by default): a tick and a heartbeat at least every
stall_after/10 (at most 15 s, at least 0.5 s), backoff from 1 s doubling up to stall_after/5 (at most 60 s,
at least 1 s), and the same for ``settle``. So status never sees a healthy daemon's heartbeat older than a
fifth of stall_after, and a retry is never further apart than a fifth of it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_PAUSED
from apscheduler.util import utc_timestamp_to_datetime
from sqlalchemy import null, select

from monitor.alerts.stall import Stall
from storage import HeartbeatState, is_database_error

log = logging.getLogger("monitor.watchdog")

# Areas: what failed. Each has at most one incident at a time.
SCHEDULER = "scheduler"
SCHEDULE_WRITES = "schedule writes"
STORAGE = "storage"
DELIVERIES = "deliveries"
HEARTBEAT = "heartbeat"
STALL_ALERTS = "stall alerts"
CONFIG_RELOAD = "config reload"
LAYOUT = "layout judging"
SCHEDULER_TIMER = "scheduler timer"

_WORDS = {
    SCHEDULER: "the scheduler cannot read its job store",
    SCHEDULE_WRITES: "the scheduler cannot save next run times (kept in memory meanwhile)",
    STORAGE: "checks cannot be stored",
    DELIVERIES: "alert deliveries",
    HEARTBEAT: "writing the daemon's heartbeat",
    STALL_ALERTS: "queueing the checks-not-running alert",
    CONFIG_RELOAD: "applying the changed config",
    LAYOUT: "judging page layouts",
    SCHEDULER_TIMER: "the scheduler's timer",
}
#: While one of these fails, no check runs to its end (nothing is stored): that is an outage.
STOPS_CHECKS = frozenset({SCHEDULER, STORAGE})
#: While an incident lasts, a reminder this often (not more: the status command and /healthz show it).
REMIND_EVERY = timedelta(hours=1)
MAX_ERROR_CHARS = 300


def check_area(supplier_id: str) -> str:
    """The area of one supplier's checks failing for a reason of their own (not the database)."""
    return f"check of {supplier_id}"


def _words(area: str) -> str:
    return _WORDS.get(area, area)


def describe(exc: BaseException) -> str:
    """One line for logs and the heartbeat: the driver's own words when there is a driver error."""
    original = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    text = f"{type(original).__name__}: {lines[0]}" if lines else type(original).__name__
    return text[:MAX_ERROR_CHARS]


def span(seconds: float) -> str:
    """12.3 s, 4 min 5 s, 2 h 3 min."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Incident:
    area: str
    since: datetime
    error: str
    stops_checks: bool
    database: bool
    failures: int = 0
    last_failure_at: datetime | None = None
    retry_at: datetime | None = None
    #: The first success after the last failure; the incident is over ``settle`` later without a new failure.
    recovering_since: datetime | None = None
    reminded_at: datetime | None = None


@dataclass
class Outage:
    """Checks not running: from the first failure of an area in STOPS_CHECKS until all of them recovered."""

    since: datetime
    reason: str
    failures: int = 0
    until: datetime | None = None


class Watchdog:
    """Failures in, incidents, backoff delays, health and stalls out (see the module docstring)."""

    def __init__(
        self,
        stall_after: timedelta,
        *,
        daemon_id: str,
        host: str,
        pid: int,
        started_at: datetime | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.stall_after = stall_after
        self.clock = clock
        self.daemon_id, self.host, self.pid = daemon_id, host, pid
        self.started_at = started_at or clock()
        seconds = stall_after.total_seconds()
        #: The scheduler passes over its jobs at least this often (seconds); the heartbeat is written as often.
        self.tick_every = _clamp(seconds / 10, 0.5, 15.0)
        self.heartbeat_every = self.tick_every
        #: Retries wait 1 s, 2 s, 4 s ... up to this.
        self.max_backoff = _clamp(seconds / 5, 1.0, 60.0)
        self.first_backoff = min(1.0, self.max_backoff)
        #: Success for this long without a new failure ends an incident.
        self.settle = self.max_backoff
        self.incidents: dict[str, Incident] = {}
        self.outage: Outage | None = None
        #: Stalls (outages of stall_after or longer) waiting to be queued as operator alerts.
        self.stalls: list[Stall] = []
        self.last_tick_at: datetime | None = None
        #: When the scheduler last attempted a pass (healthy or not): a timer that is lost stops these too.
        self.last_pass_at: datetime | None = None
        self.last_check_ok_at: datetime | None = None
        self.last_db_error: str | None = None
        self.last_db_error_at: datetime | None = None
        self._trouble_since_tick = False

    # --- failures and successes -------------------------------------------------------------------------

    def failed(self, area: str, exc: BaseException) -> float:
        """Record a failure of ``area``; returns how many seconds to wait before trying again."""
        now = self.clock()
        message = describe(exc)
        database = is_database_error(exc)
        if database:
            self.last_db_error, self.last_db_error_at = message, now
        stops = area in STOPS_CHECKS
        if stops:
            self._trouble_since_tick = True
        incident = self.incidents.get(area)
        if incident is None:
            incident = Incident(area, now, message, stops, database, reminded_at=now)
            self.incidents[area] = incident
            outage_starts = stops and self.outage is None
            if outage_starts:
                self.outage = Outage(since=now, reason=f"{_words(area)}: {message}")
            self._log_start(incident, exc, outage_starts)
        incident.recovering_since = None
        incident.failures += 1
        incident.last_failure_at, incident.error = now, message
        incident.database = incident.database or database
        if stops and self.outage is not None:
            self.outage.failures += 1
        delay = min(self.max_backoff, self.first_backoff * 2 ** min(incident.failures - 1, 30))
        incident.retry_at = now + timedelta(seconds=delay)
        if incident.reminded_at is not None and now - incident.reminded_at >= REMIND_EVERY:
            incident.reminded_at = now
            log.error(
                "%s: still failing after %d failure(s) over %s: %s",
                _words(area), incident.failures, span((now - incident.since).total_seconds()), message,
            )  # fmt: skip
        return delay

    def succeeded(self, area: str) -> None:
        """``area`` worked; its incident (if any) ends once it keeps working for ``settle`` seconds."""
        incident = self.incidents.get(area)
        if incident is None:
            return
        if incident.recovering_since is None:
            incident.recovering_since = self.clock()
        self.poll()

    def due(self, area: str) -> bool:
        """Whether ``area`` may be tried now (no incident, or its backoff has passed)."""
        incident = self.incidents.get(area)
        return incident is None or incident.retry_at is None or self.clock() >= incident.retry_at

    def delay(self, area: str) -> float:
        """Seconds until ``area`` may be tried again (0: now)."""
        incident = self.incidents.get(area)
        if incident is None or incident.retry_at is None:
            return 0.0
        return max(0.0, (incident.retry_at - self.clock()).total_seconds())

    def failing(self, area: str) -> bool:
        return area in self.incidents

    def poll(self) -> None:
        """End the incidents that have settled, and the outage when no area that stops checks still fails."""
        now = self.clock()
        settle = timedelta(seconds=self.settle)
        for area, incident in list(self.incidents.items()):
            if incident.recovering_since is None or now - incident.recovering_since < settle:
                continue
            del self.incidents[area]
            took = (incident.recovering_since - incident.since).total_seconds()
            log.warning("%s: recovered after %d failure(s) over %s", _words(area), incident.failures, span(took))
            if incident.stops_checks and self.outage is not None:
                self.outage.until = max(self.outage.until or incident.recovering_since, incident.recovering_since)
        if self.outage is not None and not any(i.stops_checks for i in self.incidents.values()):
            self._end_outage(self.outage, self.outage.until or now)
            self.outage = None

    def _end_outage(self, outage: Outage, until: datetime) -> None:
        seconds = (until - outage.since).total_seconds()
        log.warning(
            "checks are running again after %s not running (since %s, %d failure(s))",
            span(seconds), outage.since.isoformat(timespec="seconds"), outage.failures,
        )  # fmt: skip
        if until - outage.since >= self.stall_after:
            self.stalls.append(Stall(self.daemon_id, outage.since, until, outage.reason, outage.failures))

    def _log_start(self, incident: Incident, exc: BaseException, outage_starts: bool) -> None:
        retry = f"retrying with backoff up to {self.max_backoff:g} s; logged once until it recovers"
        if outage_starts:
            text = f"checks are not running: {_words(incident.area)}: {incident.error} ({retry})"
        else:
            text = f"{_words(incident.area)} failing: {incident.error} ({retry})"
        # A database error says it all in its message; anything else may be a bug: its traceback, once.
        log.error("%s", text, exc_info=None if incident.database else exc)

    # --- scheduler liveness -----------------------------------------------------------------------------

    def pass_started(self) -> None:
        self.last_pass_at = self.clock()

    def ticked(self) -> None:
        """A scheduler pass completed. A gap of stall_after or more since the last one, with nothing failing
        meanwhile (the event loop was blocked, or the timer lost), is a stall of its own."""
        now = self.clock()
        previous = self.last_tick_at
        if (
            previous is not None
            and not self._trouble_since_tick
            and self.outage is None
            and now - previous >= self.stall_after
        ):
            reason = "the scheduler did not run (its event loop was blocked, or its timer was lost)"
            log.warning("checks were not running for %s: %s", span((now - previous).total_seconds()), reason)
            self.stalls.append(Stall(self.daemon_id, previous, now, reason))
        self.last_tick_at = now
        self._trouble_since_tick = False

    def timer_lost(self) -> bool:
        """No scheduler pass at all for much longer than the longest wait it may take: its timer is gone."""
        if self.last_pass_at is None:
            return False
        limit = timedelta(seconds=3 * max(self.tick_every, self.max_backoff) + 5)
        return self.clock() - self.last_pass_at > limit

    def check_stored(self) -> None:
        self.last_check_ok_at = self.clock()

    # --- what the daemon reports --------------------------------------------------------------------------

    def heartbeat(self, *, stopped_at: datetime | None = None) -> HeartbeatState:
        trouble = [i.since for i in self.incidents.values() if i.database]
        return HeartbeatState(
            id=self.daemon_id,
            host=self.host,
            pid=self.pid,
            started_at=self.started_at,
            last_tick_at=self.last_tick_at,
            last_check_ok_at=self.last_check_ok_at,
            last_error=self.last_db_error,
            last_error_at=self.last_db_error_at,
            error_since=min(trouble) if trouble else None,
            stopped_at=stopped_at,
        )


# --- APScheduler ---------------------------------------------------------------------------------------------


class WatchedJobStore(SQLAlchemyJobStore):
    """The SQLAlchemy job store, plus: a refused ``update_job`` keeps the job in memory (written on a later
    pass) instead of raising, and read errors are remembered for the scheduler to report."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Jobs whose new state the database refused: they override the stored rows until written.
        self.unsaved: dict[str, Job] = {}
        self.read_error: BaseException | None = None
        self.write_error: BaseException | None = None

    def start_pass(self) -> None:
        self.read_error = self.write_error = None

    def flush(self) -> None:
        for job_id, job in list(self.unsaved.items()):
            try:
                super().update_job(job)
            except JobLookupError:
                self.unsaved.pop(job_id, None)  # removed meanwhile
            except Exception as exc:
                self.write_error = exc
                return
            else:
                self.unsaved.pop(job_id, None)

    def get_due_jobs(self, now: datetime) -> list[Job]:
        self.flush()
        try:
            stored = super().get_due_jobs(now)
        except Exception as exc:
            self.read_error = exc
            raise
        due = [job for job in stored if job.id not in self.unsaved]
        due += [job for job in self.unsaved.values() if job.next_run_time is not None and job.next_run_time <= now]
        return sorted(due, key=lambda job: job.next_run_time)

    def get_next_run_time(self) -> datetime | None:
        try:
            if not self.unsaved:
                return super().get_next_run_time()
            stmt = select(self.jobs_t.c.id, self.jobs_t.c.next_run_time).where(self.jobs_t.c.next_run_time != null())
            with self.engine.begin() as conn:
                rows = conn.execute(stmt).all()
        except Exception as exc:
            self.read_error = exc
            raise
        times = [utc_timestamp_to_datetime(row.next_run_time) for row in rows if row.id not in self.unsaved]
        times += [job.next_run_time for job in self.unsaved.values() if job.next_run_time is not None]
        return min(times, default=None)

    def update_job(self, job: Job) -> None:
        try:
            super().update_job(job)
        except JobLookupError:
            raise
        except Exception as exc:
            self.write_error = exc
            self.unsaved[job.id] = job
        else:
            self.unsaved.pop(job.id, None)

    def lookup_job(self, job_id: str) -> Job | None:
        return self.unsaved.get(job_id) or super().lookup_job(job_id)

    def get_all_jobs(self) -> list[Job]:
        return [self.unsaved.get(job.id, job) for job in super().get_all_jobs()]

    def remove_job(self, job_id: str) -> None:
        super().remove_job(job_id)
        self.unsaved.pop(job_id, None)

    def remove_all_jobs(self) -> None:
        super().remove_all_jobs()
        self.unsaved.clear()


class WatchedScheduler(AsyncIOScheduler):
    """An AsyncIOScheduler whose passes never raise: a failed pass is reported to the watchdog and retried
    after its backoff, so ``wakeup`` always re-arms the timer; a healthy pass is a tick, at least every
    ``watchdog.tick_every``."""

    def __init__(self, watchdog: Watchdog, **options: Any) -> None:
        self.watchdog = watchdog
        super().__init__(**options)

    def _watched_stores(self) -> list[WatchedJobStore]:
        return [store for store in self._jobstores.values() if isinstance(store, WatchedJobStore)]

    def _process_jobs(self) -> float | None:
        if self.state == STATE_PAUSED:
            return None
        watch = self.watchdog
        watch.pass_started()
        stores = self._watched_stores()
        for store in stores:
            store.start_pass()
        try:
            wait = super()._process_jobs()
        except Exception as exc:
            return watch.failed(SCHEDULER, exc)
        read_error = next((s.read_error for s in stores if s.read_error is not None), None)
        if read_error is not None:  # APScheduler caught it and would retry in 10 s: we retry with backoff
            return watch.failed(SCHEDULER, read_error)
        watch.succeeded(SCHEDULER)
        write_error = next((s.write_error for s in stores if s.write_error is not None), None)
        if write_error is not None:
            watch.failed(SCHEDULE_WRITES, write_error)
        else:
            watch.succeeded(SCHEDULE_WRITES)
        if self.state == STATE_PAUSED:
            return None
        watch.ticked()
        return watch.tick_every if wait is None else min(wait, watch.tick_every)
