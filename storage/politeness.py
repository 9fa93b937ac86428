"""Politeness state shared by every process: host backoff, per-host pacing and the robots.txt cache.

The fetch layer (scrapers.fetch.politeness) keeps these in memory; given a store it makes the database the truth,
so a ``check`` from the command line, a second worker on another machine and a restarted daemon all respect the
same backoff, spacing and robots.txt. The module functions are small and synchronous, like the rest of storage;
``DatabasePoliteness`` is the async facade the fetch layer calls (each call runs in a worker thread, so the event
loop never waits on the database). All times are aware UTC.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import Database
from storage.models import HostBackoffRecord, HostPacing, RobotsTxtRecord, utcnow

#: robots.txt bodies are capped at 500 KiB when fetched (RFC 9309 §2.5); the store never keeps more.
ROBOTS_MAX_CHARS = 500 * 1024
ROBOTS_STATES = frozenset({"parsed", "unavailable", "unreachable"})


@dataclass(frozen=True)
class BackoffState:
    """One origin's backoff as stored: trouble counts, until when it is left alone (UTC) and why."""

    origin: str
    errors: int
    blocks: int
    until: datetime
    reason: str


@dataclass(frozen=True)
class RobotsEntry:
    """One origin's robots.txt as last fetched by any process."""

    origin: str
    robots_url: str
    state: str
    detail: str
    body: str | None
    failure: str | None
    fetched_at: datetime
    expires_at: datetime


def _insert(db: Database) -> Any:
    """INSERT ... ON CONFLICT for the database's dialect (both spell the upsert the same way)."""
    return postgresql.insert if db.dialect == "postgresql" else sqlite.insert


# --- backoff -----------------------------------------------------------------------------------------------


def _backoff(row: HostBackoffRecord) -> BackoffState:
    return BackoffState(row.origin, row.errors, row.blocks, row.until, row.reason)


def load_backoff(db: Database, origin: str) -> BackoffState | None:
    """The stored backoff of ``origin`` (None: the host is in good standing)."""
    with db.session() as session:
        row = session.get(HostBackoffRecord, origin)
        return _backoff(row) if row is not None else None


def save_backoff(db: Database, origin: str, *, errors: int, blocks: int, until: datetime, reason: str) -> None:
    """Record ``origin``'s trouble. ``until`` never moves earlier: a shorter backoff from another process (an
    in-flight fetch failing later) does not shorten a longer one already running."""
    values = {"errors": errors, "blocks": blocks, "until": until, "reason": reason[:2000], "updated_at": utcnow()}
    stmt = _insert(db)(HostBackoffRecord).values(origin=origin, **values)
    later = func.greatest if db.dialect == "postgresql" else func.max  # SQLite's max(a, b) is scalar
    stmt = stmt.on_conflict_do_update(
        index_elements=[HostBackoffRecord.origin],
        set_={**{k: stmt.excluded[k] for k in values}, "until": later(HostBackoffRecord.until, stmt.excluded.until)},
    )
    with db.session(write=True) as session:
        session.execute(stmt)


def clear_backoff(db: Database, origin: str) -> None:
    """A fetch from ``origin`` went well: its trouble is over for every process."""
    with db.session(write=True) as session:
        session.execute(delete(HostBackoffRecord).where(HostBackoffRecord.origin == origin))


def backoffs(db: Database) -> dict[str, BackoffState]:
    """Every stored backoff by origin (running or ended but not yet cleared by a good fetch), for status."""
    with db.session() as session:
        rows = session.execute(select(HostBackoffRecord).order_by(HostBackoffRecord.origin)).scalars()
        return {row.origin: _backoff(row) for row in rows}


# --- pacing ------------------------------------------------------------------------------------------------

_PG_RESERVE = text(
    """
    INSERT INTO host_pacing (origin, next_free_at)
    VALUES (:origin, clock_timestamp() + make_interval(secs => CAST(:gap AS double precision)))
    ON CONFLICT (origin) DO UPDATE
    SET next_free_at = GREATEST(host_pacing.next_free_at, clock_timestamp())
        + make_interval(secs => CAST(:gap AS double precision))
    RETURNING EXTRACT(EPOCH FROM (host_pacing.next_free_at - clock_timestamp())) - CAST(:gap AS double precision)
    """
)


def reserve_start(db: Database, origin: str, gap_s: float) -> float:
    """Reserve the next start time for a fetch from ``origin`` and return the seconds to wait until it.

    Atomic across processes: the start is ``max(now, next_free_at)`` and ``next_free_at`` becomes start + gap in
    one statement (PostgreSQL: an upsert, which locks the row, measured on the server's clock so machines
    with skewed clocks still space their fetches) or one write transaction (SQLite: BEGIN IMMEDIATE holds the
    database's write lock). Returning a wait rather than a time keeps each caller's own clock out of it.
    """
    gap_s = max(0.0, gap_s)
    if db.dialect == "postgresql":
        with db.session(write=True) as session:
            wait = session.execute(_PG_RESERVE, {"origin": origin, "gap": gap_s}).scalar_one()
        return max(0.0, float(wait))
    with db.session(write=True) as session:
        row = session.get(HostPacing, origin)
        now = utcnow()
        start = now if row is None else max(now, row.next_free_at)
        if row is None:
            session.add(HostPacing(origin=origin, next_free_at=start + timedelta(seconds=gap_s)))
        else:
            row.next_free_at = start + timedelta(seconds=gap_s)
        return (start - now).total_seconds()


# --- robots.txt --------------------------------------------------------------------------------------------


def _robots(row: RobotsTxtRecord) -> RobotsEntry:
    return RobotsEntry(
        row.origin, row.robots_url, row.state, row.detail, row.body, row.failure, row.fetched_at, row.expires_at
    )


def load_robots(db: Database, origin: str) -> RobotsEntry | None:
    """The stored robots.txt of ``origin``, expired or not (the caller compares ``expires_at``)."""
    with db.session() as session:
        row = session.get(RobotsTxtRecord, origin)
        return _robots(row) if row is not None else None


def save_robots(
    db: Database,
    origin: str,
    *,
    robots_url: str,
    state: str,
    detail: str,
    body: str | None,
    failure: str | None,
    fetched_at: datetime,
    expires_at: datetime,
) -> None:
    """Replace ``origin``'s robots.txt entry (the body cut to 500 KiB, as fetching does)."""
    if state not in ROBOTS_STATES:
        raise ValueError(f"unknown robots.txt state {state!r}; use one of {sorted(ROBOTS_STATES)}")
    values = {
        "robots_url": robots_url,
        "state": state,
        "detail": detail[:2000],
        "body": body[:ROBOTS_MAX_CHARS] if body is not None else None,
        "failure": failure,
        "fetched_at": fetched_at,
        "expires_at": expires_at,
    }
    stmt = _insert(db)(RobotsTxtRecord).values(origin=origin, **values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[RobotsTxtRecord.origin], set_={k: stmt.excluded[k] for k in values}
    )
    with db.session(write=True) as session:
        session.execute(stmt)


def robots_entries(db: Database) -> dict[str, RobotsEntry]:
    """Every stored robots.txt entry by origin, for status."""
    with db.session() as session:
        rows = session.execute(select(RobotsTxtRecord).order_by(RobotsTxtRecord.origin)).scalars()
        return {row.origin: _robots(row) for row in rows}


# --- the async facade ----------------------------------------------------------------------------------------


class DatabasePoliteness:
    """The database as the fetch layer's ``PolitenessStore``: the functions above, each in a worker thread.

    Errors are the database's own (SQLAlchemy / driver): the fetch layer decides what to do about them (it falls
    back to its in-memory state and says so once, see scrapers.fetch.politeness.GuardedStore).
    """

    def __init__(self, db: Database) -> None:
        self.db = db

    async def load_backoff(self, origin: str) -> BackoffState | None:
        return await asyncio.to_thread(load_backoff, self.db, origin)

    async def save_backoff(self, origin: str, *, errors: int, blocks: int, until: datetime, reason: str) -> None:
        await asyncio.to_thread(
            lambda: save_backoff(self.db, origin, errors=errors, blocks=blocks, until=until, reason=reason)
        )

    async def clear_backoff(self, origin: str) -> None:
        await asyncio.to_thread(clear_backoff, self.db, origin)

    async def backoffs(self) -> dict[str, BackoffState]:
        return await asyncio.to_thread(backoffs, self.db)

    async def reserve_start(self, origin: str, gap_s: float) -> float:
        return await asyncio.to_thread(reserve_start, self.db, origin, gap_s)

    async def load_robots(self, origin: str) -> RobotsEntry | None:
        return await asyncio.to_thread(load_robots, self.db, origin)

    async def save_robots(
        self,
        origin: str,
        *,
        robots_url: str,
        state: str,
        detail: str,
        body: str | None,
        failure: str | None,
        fetched_at: datetime,
        expires_at: datetime,
    ) -> None:
        await asyncio.to_thread(
            lambda: save_robots(
                self.db,
                origin,
                robots_url=robots_url,
                state=state,
                detail=detail,
                body=body,
                failure=failure,
                fetched_at=fetched_at,
                expires_at=expires_at,
            )
        )

    async def robots_entries(self) -> dict[str, RobotsEntry]:
        return await asyncio.to_thread(robots_entries, self.db)
