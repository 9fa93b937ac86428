"""The job queue: the Procrastinate App for a config, its two tasks, and how jobs are enqueued.

- ``check_supplier(supplier_id)`` on queue "checks": one whole check of one supplier. Enqueued with a queueing
  lock and a lock on the supplier (``check:<id>``): at most one such job waits in the queue (a due supplier
  whose last check is still waiting is not queued twice), and no two run at once. A failure (a database error,
  another process holding the supplier) is retried with backoff; a job cancelled by a worker's shutdown too.
- ``deliver_alerts()`` on queue "deliveries": one delivery pass over the outbox (due alerts, digests). Its
  queueing lock keeps one waiting at most, its lock one running; the outbox's leases make any overlap harmless
  anyway (at most one sender per delivery).

The tasks call the worker's runtime (``additional_context[RUNTIME]``), which owns the engine; the App is built
per process from the config (no module-level App: its connection comes from the config file).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from procrastinate import App, JobContext, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Job
from procrastinate.retry import BaseRetryStrategy, RetryDecision

from monitor.config import Config
from monitor.distributed import CHECKS_QUEUE, DELIVERIES_QUEUE
from monitor.distributed.connection import libpq_conninfo

CHECK_TASK = "check_supplier"
DELIVER_TASK = "deliver_alerts"
#: The key under which a worker hands its runtime to the tasks.
RUNTIME = "supplier_monitor_runtime"
DELIVERY_LOCK = "deliver"
#: A failing check is tried this many times in all; the scheduler enqueues the next one when it is due anyway.
MAX_CHECK_ATTEMPTS = 8
MAX_RETRY_DELAY = timedelta(minutes=2)


class JobRunner(Protocol):
    """What the tasks need from the worker (monitor.distributed.worker.WorkerRuntime)."""

    async def check(self, supplier_id: str, job: Job) -> str: ...

    async def deliver(self) -> str: ...


def check_lock(supplier_id: str) -> str:
    return f"check:{supplier_id}"


class CheckRetry(BaseRetryStrategy):
    """Retry a failed check after 1, 2, 4 ... seconds (at most MAX_RETRY_DELAY), MAX_CHECK_ATTEMPTS in all."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if job.attempts + 1 >= MAX_CHECK_ATTEMPTS:
            return None
        delay = min(2.0**job.attempts, MAX_RETRY_DELAY.total_seconds())
        return RetryDecision(retry_in={"seconds": delay})


async def check_supplier(context: JobContext, supplier_id: str) -> str:
    """One check of one supplier, through the worker's engine (raises to be retried)."""
    runner: JobRunner = context.additional_context[RUNTIME]
    return await runner.check(supplier_id, context.job)


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
    app.task(name=CHECK_TASK, queue=CHECKS_QUEUE, pass_context=True, retry=CheckRetry())(check_supplier)
    app.task(name=DELIVER_TASK, queue=DELIVERIES_QUEUE, pass_context=True)(deliver_alerts)
    return app


async def defer_check(app: App, supplier_id: str) -> int | None:
    """Enqueue a check of the supplier; None when one is already waiting (its queueing lock)."""
    lock = check_lock(supplier_id)
    try:
        return await app.configure_task(CHECK_TASK, lock=lock, queueing_lock=lock).defer_async(supplier_id=supplier_id)
    except AlreadyEnqueued:
        return None


async def defer_delivery(app: App) -> int | None:
    """Enqueue a delivery pass; None when one is already waiting."""
    try:
        return await app.configure_task(DELIVER_TASK, lock=DELIVERY_LOCK, queueing_lock=DELIVERY_LOCK).defer_async()
    except AlreadyEnqueued:
        return None
