"""Group commit for checks: the checks that finish while a batch is being written go together into the next one.

Pages fetched at once finish at about the same time. Written one transaction each, from as many threads, they
queue for SQLite's write lock (its busy handler sleeps between tries) and each pays a commit; written as one
batch by one writer, they pay one commit and never contend. A check that comes while nothing is being written
waits a moment (``COMMIT_WINDOW_S``, 2 ms) for company, no more: a round ends at most that much later.
"""

from __future__ import annotations

import asyncio

from storage import CheckRecord, CheckResult, Database, record_checks

#: Most checks in one transaction: bounds how long one batch holds the write lock (about 2 ms a check).
MAX_BATCH = 32
#: A batch starts this long after its first check comes. Pages fetched together come back within about that,
#: and meanwhile the event loop sends the next requests without a writer thread competing with it for the GIL.
COMMIT_WINDOW_S = 0.002


def _retrieve(future: asyncio.Future[CheckResult]) -> None:
    """A caller cancelled while its check was written leaves the outcome unread: read it so asyncio does not warn."""
    if not future.cancelled():
        future.exception()


class CheckWriter:
    """Writes the checks of one event loop, a batch at a time, in a worker thread (``storage.record_checks``).

    Each check's outcome is its own: a refused record (``SnapshotMovedError``, an unknown supplier) raises to its
    caller only, and a transaction that fails (a lost connection, a full disk) raises to every caller of its
    batch, with nothing of the batch stored.
    """

    def __init__(self, db: Database, *, max_batch: int = MAX_BATCH, window_s: float = COMMIT_WINDOW_S) -> None:
        if max_batch < 1 or window_s < 0:
            raise ValueError(f"max_batch must be at least 1 and window_s at least 0, got {max_batch} and {window_s}")
        self.db = db
        self.max_batch = max_batch
        self.window_s = window_s
        self._queue: list[tuple[CheckRecord, asyncio.Future[CheckResult]]] = []
        self._writing: asyncio.Task[None] | None = None

    @property
    def busy(self) -> bool:
        """Whether a batch is being written (or about to be)."""
        return self._writing is not None

    @property
    def pending(self) -> int:
        """Checks waiting for a batch (not counting the batch being written)."""
        return len(self._queue)

    async def write(self, record: CheckRecord) -> CheckResult:
        """The check's result once its batch is committed.

        Cancelling the caller does not cancel the write: a check whose page was fetched is stored all the same,
        so what a cancelled round leaves behind is whole."""
        future: asyncio.Future[CheckResult] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_retrieve)
        self._queue.append((record, future))
        if self._writing is None:
            self._writing = asyncio.create_task(self._drain(), name="check writer")
        return await asyncio.shield(future)

    async def wait_idle(self) -> None:
        """Until every check handed over so far is written (before the database is closed)."""
        while self._writing is not None:
            await asyncio.shield(self._writing)

    async def _drain(self) -> None:
        batch: list[tuple[CheckRecord, asyncio.Future[CheckResult]]] = []
        try:
            while self._queue:
                if self.window_s > 0:
                    await asyncio.sleep(self.window_s)
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
                try:
                    results = await asyncio.to_thread(record_checks, self.db, [record for record, _ in batch])
                except Exception as exc:  # the transaction failed: nothing of the batch is stored
                    results = [exc] * len(batch)
                for (_, future), result in zip(batch, results, strict=True):
                    if future.done():
                        continue
                    if isinstance(result, Exception):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
                batch = []
        except asyncio.CancelledError:  # the loop is shutting down: no caller may wait for a write that never comes
            for _, future in batch + self._queue:
                future.cancel()
            self._queue = []
            raise
        finally:
            self._writing = None
