"""The job queue: the Procrastinate App for a config, its two tasks, and how jobs are enqueued.

- ``check_supplier(supplier_id, attempt=0)`` on queue "checks": one whole check of one supplier. Enqueued with a
  queueing lock and a lock on the supplier (``check:<id>``): at most one such job waits in the queue (a due
  supplier whose last check is still waiting is not queued twice), and no two run at once.
- ``deliver_alerts()`` on queue "deliveries": one delivery pass over the outbox (due alerts, digests). Its
  queueing lock keeps one waiting at most, its lock one running; the outbox's leases make any overlap harmless
  anyway (at most one sender per delivery).

Trying a check again is a *new* job (``attempt`` + 1, after a backoff), never Procrastinate's in-place retry:
putting a job back to "todo" collides with the queueing lock whenever the scheduler has queued the supplier's
next check meanwhile, and that would leave the supplier locked for good. A new job instead simply finds the
waiting one (AlreadyEnqueued: that one does the check). So a failing check (a database error, the supplier held
by another process) queues its successor and then fails; a check cancelled by a worker's shutdown queues it
and ends "aborted"; the scheduler does the same for a job whose worker died (monitor.distributed.scheduler).

The tasks call the worker's runtime (``additional_context[RUNTIME]``), which owns the engine; the App is built
per process from the config (no module-level App: its connection comes from the config file).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Protocol

from procrastinate import App, JobContext, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Job

from monitor.config import Config
from monitor.distributed import CHECKS_QUEUE, DELIVERIES_QUEUE
from monitor.distributed.connection import libpq_conninfo

log = logging.getLogger("monitor.worker")

CHECK_TASK = "check_supplier"
DELIVER_TASK = "deliver_alerts"
#: The key under which a worker hands its runtime to the tasks.
RUNTIME = "supplier_monitor_runtime"
DELIVERY_LOCK = "deliver"
#: A check is tried this many times in a row at most; the scheduler queues it again when it is next due anyway.
MAX_CHECK_ATTEMPTS = 8
MAX_RETRY_DELAY = timedelta(minutes=2)


class JobRunner(Protocol):
    """What the tasks need from the worker (monitor.distributed.worker.WorkerRuntime)."""

    async def check(self, supplier_id: str, job: Job) -> str: ...

    async def deliver(self) -> str: ...


def check_lock(supplier_id: str) -> str:
    return f"check:{supplier_id}"


def retry_delay(attempt: int) -> float:
    """Seconds before attempt number ``attempt`` (1, 2, 4 ... at most MAX_RETRY_DELAY)."""
    return min(2.0 ** max(0, attempt - 1), MAX_RETRY_DELAY.total_seconds())


async def check_supplier(context: JobContext, supplier_id: str, attempt: int = 0) -> str:
    """One check of one supplier, through the worker's engine; a failure queues the next attempt, then raises."""
    runner: JobRunner = context.additional_context[RUNTIME]
    try:
        return await runner.check(supplier_id, context.job)
    except asyncio.CancelledError:  # the worker is stopping: another worker takes the check at once
        with contextlib.suppress(Exception):
            await asyncio.shield(defer_check(context.app, supplier_id, attempt=attempt))
        raise
    except Exception as exc:
        if attempt + 1 >= MAX_CHECK_ATTEMPTS:
            log.error("check of %s failed %d times in a row, giving up until it is due again: %s",
                      supplier_id, attempt + 1, exc)  # fmt: skip
            raise
        delay = retry_delay(attempt + 1)
        queued = await defer_check(context.app, supplier_id, attempt=attempt + 1, delay=delay)
        log.warning("check of %s failed (%s); %s", supplier_id, exc,
                    f"trying again in {delay:g} s" if queued else "its next check is already queued")  # fmt: skip
        raise


async def deliver_alerts(context: JobContext) -> str:
    """One delivery pass over the outbox."""
    runner: JobRunner = context.additional_context[RUNTIME]
    return await runner.deliver()


def build_app(config: Config, *, pool_size: int = 4) -> App:
    """The queue for this config's PostgreSQL database (open it with ``async with app.open_async()``).

    ``pool_size``: connections at most (a worker needs one for LISTEN, one per running job's bookkeeping and
    one for its heartbeat)."""
    connector = PsycopgConnector(conninfo=libpq_conninfo(config.database.url), min_size=1, max_size=pool_size)
    app = App(connector=connector)
    app.task(name=CHECK_TASK, queue=CHECKS_QUEUE, pass_context=True)(check_supplier)
    app.task(name=DELIVER_TASK, queue=DELIVERIES_QUEUE, pass_context=True)(deliver_alerts)
    return app


async def defer_check(app: App, supplier_id: str, *, attempt: int = 0, delay: float | None = None) -> int | None:
    """Enqueue a check of the supplier (after ``delay`` seconds); None when one is already waiting."""
    lock = check_lock(supplier_id)
    args: dict[str, str | int] = {"supplier_id": supplier_id}
    if attempt:
        args["attempt"] = attempt
    schedule: dict[str, float] | None = {"seconds": delay} if delay else None
    try:
        return await app.configure_task(CHECK_TASK, lock=lock, queueing_lock=lock, schedule_in=schedule).defer_async(
            **args
        )
    except AlreadyEnqueued:
        return None


async def defer_delivery(app: App) -> int | None:
    """Enqueue a delivery pass; None when one is already waiting."""
    try:
        return await app.configure_task(DELIVER_TASK, lock=DELIVERY_LOCK, queueing_lock=DELIVERY_LOCK).defer_async()
    except AlreadyEnqueued:
        return None
