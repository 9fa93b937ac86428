"""Distributed mode: one scheduler enqueues checks, any number of workers run them, all on one PostgreSQL.

With ``[scheduler] mode = "distributed"`` the single-process daemon (monitor.daemon, ``supplier-monitor run``)
is replaced by:

- ``supplier-monitor scheduler`` (monitor.distributed.scheduler): the daemon's APScheduler triggers, stored in
  the same ``apscheduler_jobs`` table, but a due supplier is *enqueued* (a Procrastinate job on queue
  ``checks``) instead of checked; plus a delivery job every ``scheduler.deliver_every`` (queue
  ``deliveries``) and the hand-over of jobs held by dead workers (no heartbeat for
  ``scheduler.worker_stall_timeout``).
- ``supplier-monitor worker`` (monitor.distributed.worker): runs jobs through the engine (monitor.engine's
  ``Monitor``: its own Chromium, the database's politeness state), ``--concurrency`` at once.

Why Procrastinate: a well-kept job queue on the PostgreSQL the deployment already has (no broker to run), with
the two locks this needs: a *queueing lock* (at most one check of a supplier waiting in the queue, so a slow
supplier never piles up checks) and a *lock* (no two workers run checks of one supplier at once). Its schema is
applied by our own migrations (storage/migrations/versions/0009_job_queue.py).

Crash safety rests on what a check already guarantees: each page's rows are written in one transaction, an
unchanged page adds no snapshot, and alerts carry stable ids (the outbox). A worker killed mid-check leaves its
job "doing"; once its heartbeat is older than the stall timeout the scheduler closes that job and queues the
check again, another worker runs it, and the check that finishes stores what a single check would have. A live
worker wrongly taken for dead cannot check alongside its successor either (monitor.distributed.guard).

This package's ``__init__`` and ``queue_status`` import no Procrastinate: ``status`` and the dashboard read the
queue with plain SQL, and a SQLite install never needs the package.
"""

from __future__ import annotations

#: Procrastinate queues: checks and deliveries can be given to different workers (``worker --queues``).
CHECKS_QUEUE = "checks"
DELIVERIES_QUEUE = "deliveries"
QUEUES = (CHECKS_QUEUE, DELIVERIES_QUEUE)
