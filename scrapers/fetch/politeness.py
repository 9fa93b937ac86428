"""Polite fetching: robots.txt, per-host pacing and backing off from hosts that struggle or block us.

The monitor runs for months against a few marketplaces, so every fetch goes through the same three checks:
robots.txt (RFC 9309) says whether the page may be fetched at all, a ``HostBackoff`` says whether the host
is being left alone after errors or a block page, and a ``HostGate`` spaces and limits the fetches that do
go out. ``PoliteFetcher`` wraps any fetcher (browser or plain HTTP) with all three.

Each of the three keeps its state in memory. Given a ``PolitenessStore`` (the database's is
storage.politeness.DatabasePoliteness) the store is the truth shared by every process: backoffs are written
through and read back (a host another process backs off from is refused here within ``refresh_s``), each fetch
reserves its start time in the store, and robots.txt is read from the store before it is fetched. The memory is
then a cache of that truth. When the store fails, each piece goes on with its in-memory state, which is how it
works without a store (one warning per outage; see ``GuardedStore``): a fetch is never lost because the
database hiccupped, at the price of politeness holding only within this process until the store answers again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, ParamSpec, Protocol, TypeVar
from urllib.parse import urlsplit

import httpx
from protego import Protego

from scrapers.fetch.base import FetchedDocument, FetchedPage, FetchError, validate_url
from scrapers.fetch.policy import AddressPolicy, vetted_transport

log = logging.getLogger(__name__)

#: RFC 9309 §2.5: crawlers must parse at least 500 KiB; anything after that is dropped.
ROBOTS_MAX_BYTES = 500 * 1024
#: RFC 9309 §2.3.1.2: follow at least five redirects for robots.txt.
ROBOTS_MAX_REDIRECTS = 5
#: How soon a robots.txt that could not be fetched (5xx, 429, timeout, unreachable) is tried again.
ROBOTS_ERROR_TTL_S = 600.0
#: Fetch failures that say something about the host (not about our browser, the page's size or an address we
#: refuse to fetch: "blocked_address" is our decision, and backing off would not change it).
NETWORK_FAILURES = frozenset({"timeout", "unreachable", "http_error"})
OVERRIDE_HINT = "set ignore_robots_txt = true for this supplier only if the site has given you permission"

Outcome = Literal["ok", "error", "blocked"]


def origin_of(url: str) -> str:
    """``scheme://host:port`` with the default port made explicit: the unit robots.txt and pacing apply to."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if scheme == "https" else 80)
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


def _wall(seconds_from_now: float) -> datetime:
    return (datetime.now(UTC) + timedelta(seconds=max(0.0, seconds_from_now))).replace(microsecond=0)


# --- state shared between processes ----------------------------------------------------------------------


class StoredBackoff(Protocol):
    """One origin's backoff as a store keeps it; ``until`` is aware UTC."""

    @property
    def errors(self) -> int: ...
    @property
    def blocks(self) -> int: ...
    @property
    def until(self) -> datetime: ...
    @property
    def reason(self) -> str: ...


class StoredRobots(Protocol):
    """One origin's robots.txt as a store keeps it; ``body`` is the text of a parsed one; times aware UTC."""

    @property
    def robots_url(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def body(self) -> str | None: ...
    @property
    def failure(self) -> str | None: ...
    @property
    def fetched_at(self) -> datetime: ...
    @property
    def expires_at(self) -> datetime: ...


class PolitenessStore(Protocol):
    """Politeness state shared by every process that fetches (storage.politeness.DatabasePoliteness).

    Origins are ``scheme://host:port`` (``origin_of``); times are aware UTC. ``reserve_start`` must be atomic
    across processes: it takes ``start = max(now, next_free)``, stores ``start + gap_s`` as the origin's next
    free time and returns the seconds from now until ``start``.
    """

    async def load_backoff(self, origin: str) -> StoredBackoff | None: ...
    async def save_backoff(self, origin: str, *, errors: int, blocks: int, until: datetime, reason: str) -> None: ...
    async def clear_backoff(self, origin: str) -> None: ...
    async def backoffs(self) -> Mapping[str, StoredBackoff]: ...
    async def reserve_start(self, origin: str, gap_s: float) -> float: ...
    async def load_robots(self, origin: str) -> StoredRobots | None: ...
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
    ) -> None: ...
    async def robots_entries(self) -> Mapping[str, StoredRobots]: ...


class StoreUnavailable(Exception):
    """The politeness store failed just now or recently: the caller goes on with its in-memory state."""


P = ParamSpec("P")
R = TypeVar("R")
#: After a store failure, how long the pieces use their memory alone before trying the store again.
STORE_RETRY_S = 30.0


class GuardedStore:
    """A ``PolitenessStore`` whose failures become ``StoreUnavailable``, told once per outage.

    Any exception from the store counts (the fetch layer cannot know a database's error types): the first one
    is logged as a warning with its traceback, the calls of the next ``retry_s`` seconds do not touch the store
    at all (a database that hangs must not slow every fetch down), and the first call that works again is
    logged too. In between, each piece (backoff, gate, robots.txt) works from its in-memory state, as it does
    without a store: fetches go on, paced and backed off within this process only.
    """

    def __init__(
        self, store: PolitenessStore, *, retry_s: float = STORE_RETRY_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.store = store
        self.retry_s = retry_s
        self._clock = clock
        self._failing_since: datetime | None = None
        self._retry_at = 0.0

    @property
    def failing(self) -> bool:
        """Whether the last call to the store failed (the pieces are on their in-memory state)."""
        return self._failing_since is not None

    async def _call(self, what: str, call: Callable[P, Awaitable[R]], *args: P.args, **kwargs: P.kwargs) -> R:
        if self._failing_since is not None and self._clock() < self._retry_at:
            raise StoreUnavailable(f"politeness store failing since {self._failing_since.isoformat()}")
        try:
            result = await call(*args, **kwargs)
        except Exception as exc:
            self._retry_at = self._clock() + self.retry_s
            if self._failing_since is None:
                self._failing_since = datetime.now(UTC)
                log.warning(
                    "politeness store failed while %s (%s: %s); this process goes on with its in-memory backoff, "
                    "pacing and robots.txt cache (other processes do not see its backoffs and it does not see "
                    "theirs) and tries the store again every %.0fs; check that the database is up and migrated",
                    what,
                    type(exc).__name__,
                    str(exc).strip().splitlines()[0] if str(exc).strip() else "",
                    self.retry_s,
                )
                # The warning is the operator's; a database outage is an incident, not a bug, so its traceback
                # is only for whoever turns on debug logging.
                log.debug("politeness store failure while %s", what, exc_info=True)
            raise StoreUnavailable(f"politeness store failed while {what}: {exc}") from exc
        if self._failing_since is not None:
            log.warning(
                "politeness store answers again (failing since %s); shared politeness state is back in use",
                self._failing_since.isoformat(),
            )
            self._failing_since = None
        return result

    async def load_backoff(self, origin: str) -> StoredBackoff | None:
        return await self._call("reading a host's backoff", self.store.load_backoff, origin)

    async def save_backoff(self, origin: str, *, errors: int, blocks: int, until: datetime, reason: str) -> None:
        await self._call(
            "recording a host's backoff",
            self.store.save_backoff,
            origin,
            errors=errors,
            blocks=blocks,
            until=until,
            reason=reason,
        )

    async def clear_backoff(self, origin: str) -> None:
        await self._call("clearing a host's backoff", self.store.clear_backoff, origin)

    async def backoffs(self) -> Mapping[str, StoredBackoff]:
        return await self._call("listing backoffs", self.store.backoffs)

    async def reserve_start(self, origin: str, gap_s: float) -> float:
        return await self._call("reserving a fetch start", self.store.reserve_start, origin, gap_s)

    async def load_robots(self, origin: str) -> StoredRobots | None:
        return await self._call("reading robots.txt", self.store.load_robots, origin)

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
        await self._call(
            "recording robots.txt",
            self.store.save_robots,
            origin,
            robots_url=robots_url,
            state=state,
            detail=detail,
            body=body,
            failure=failure,
            fetched_at=fetched_at,
            expires_at=expires_at,
        )

    async def robots_entries(self) -> Mapping[str, StoredRobots]:
        return await self._call("listing robots.txt entries", self.store.robots_entries)


def guarded(store: PolitenessStore | None) -> GuardedStore | None:
    """``store`` behind a ``GuardedStore`` (unless it already is one, so pieces sharing it share its outage)."""
    if store is None or isinstance(store, GuardedStore):
        return store
    return GuardedStore(store)


def _seconds_until(moment: datetime) -> float:
    """Seconds from now (wall clock) until ``moment``; the stores' UTC times meet the monotonic clocks here."""
    return (moment - datetime.now(UTC)).total_seconds()


# --- robots.txt ----------------------------------------------------------------------------------------


@dataclass
class _Robots:
    """One origin's robots.txt as last fetched; ``parser`` None means no rules (allow) or disallow-all."""

    robots_url: str
    state: Literal["parsed", "unavailable", "unreachable"]
    detail: str
    parser: Protego | None
    expires: float
    fetched_at: datetime
    #: Set when the host did not answer at all: the check fails as that, not as a robots refusal.
    failure: Literal["timeout", "unreachable"] | None = None
    #: The text a ``parsed`` entry was parsed from, kept for the store (other processes rebuild the parser).
    body: str | None = None


class RobotsPolicy:
    """robots.txt per origin, fetched on first use and cached for ``ttl_s``.

    RFC 9309: a 4xx robots.txt means no rules; a 5xx, 429, timeout or unreachable host means complete
    disallow for now, retried after ``error_ttl_s`` rather than the full TTL so one outage does not stop
    checks for half a day. With a ``backoff``, a host that does not answer at all (timeout, connection
    refused) is recorded there as an error and retried when that backoff ends. Bodies over 500 KiB are
    truncated. With an ``address_policy`` robots.txt is fetched only from addresses it allows, redirect hops
    included; a refused one counts as no robots.txt, and the page's own fetch then reports the refusal.

    With a ``store``, an origin not cached here is looked up there first and what this process fetches is
    written there, so other processes do not fetch it again before it expires (never later than this policy's
    own TTLs after it was fetched). Two processes missing the same origin at the same moment may both fetch it:
    no lock is held across a network request.
    """

    def __init__(
        self,
        ttl_s: float = 12 * 3600,
        *,
        error_ttl_s: float = ROBOTS_ERROR_TTL_S,
        timeout_s: float = 30.0,
        gate: HostGate | None = None,
        backoff: HostBackoff | None = None,
        address_policy: AddressPolicy | None = None,
        store: PolitenessStore | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.store = guarded(store)
        #: Which addresses robots.txt may be fetched from (the page fetchers' policy); None: any.
        self.address_policy = address_policy
        self.backoff = backoff
        self.error_ttl_s = min(error_ttl_s, ttl_s)
        self.timeout_s = timeout_s
        #: Fetching robots.txt is a request to the host like any other: it waits for the host's gate.
        self.gate = gate
        self._clock = clock
        self._cache: dict[str, _Robots] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._clients: dict[str | None, httpx.AsyncClient] = {}

    async def allowed(self, url: str, user_agent: str, *, proxy: str | None = None) -> bool:
        """Whether robots.txt lets ``user_agent`` fetch ``url`` (fetching robots.txt when not cached)."""
        entry = await self._entry(url, user_agent, proxy)
        if entry.state == "unreachable":
            return False
        if entry.parser is None:
            return True
        return entry.parser.can_fetch(url, user_agent)

    def failure(self, url: str) -> Literal["timeout", "unreachable"] | None:
        """``timeout``/``unreachable`` when the last robots.txt fetch got no answer from the host at all."""
        entry = self._cache.get(origin_of(url))
        return entry.failure if entry is not None and entry.state == "unreachable" else None

    def crawl_delay(self, url: str, user_agent: str) -> float | None:
        """The Crawl-delay for ``user_agent`` from the cached robots.txt of the URL's origin, if it sets one."""
        entry = self._cache.get(origin_of(url))
        if entry is None or entry.parser is None:
            return None
        return entry.parser.crawl_delay(user_agent)

    def explain(self, url: str, user_agent: str) -> str:
        """Why ``url`` is disallowed, naming the robots.txt rule (for the check record and the operator)."""
        entry = self._cache.get(origin_of(url))
        if entry is None:
            return f"{url}: robots.txt not fetched yet"
        if entry.failure is not None:
            return (
                f"robots.txt at {entry.robots_url} could not be fetched ({entry.detail}), so {url} was not "
                "fetched either (RFC 9309: an unreachable robots.txt means disallow)"
            )
        if entry.state == "unreachable":
            retry = _wall(entry.expires - self._clock()).isoformat()
            return (
                f"robots.txt at {entry.robots_url} could not be fetched ({entry.detail}); RFC 9309 says to treat "
                f"that as disallow-all, so {url} is not fetched; robots.txt is tried again after {retry}"
            )
        rule = _deciding_rule(entry.parser, url, user_agent) if entry.parser else None
        which = f" by {rule}" if rule else ""
        return f"{url} is disallowed for this user agent{which} in {entry.robots_url}"

    def state(self) -> dict[str, dict[str, Any]]:
        """Per origin: what robots.txt said and until when that is cached (for a status command)."""
        now = self._clock()
        return {
            origin: {
                "robots_url": e.robots_url,
                "state": e.state,
                "detail": e.detail,
                "fetched_at": e.fetched_at.isoformat(),
                "expires_at": _wall(e.expires - now).isoformat(),
            }
            for origin, e in self._cache.items()
        }

    async def shared_state(self) -> dict[str, dict[str, Any]]:
        """``state()`` of every origin the store holds (what all processes fetched); this process's alone when
        there is no store or it fails."""
        if self.store is None:
            return self.state()
        try:
            stored = await self.store.robots_entries()
        except StoreUnavailable:
            return self.state()
        return {
            origin: {
                "robots_url": e.robots_url,
                "state": e.state,
                "detail": e.detail,
                "fetched_at": e.fetched_at.replace(microsecond=0).isoformat(),
                "expires_at": e.expires_at.replace(microsecond=0).isoformat(),
            }
            for origin, e in stored.items()
        }

    async def _entry(self, url: str, user_agent: str, proxy: str | None) -> _Robots:
        origin = origin_of(url)
        entry = self._cache.get(origin)
        if entry is not None and entry.expires > self._clock():
            return entry
        # One fetch per origin at a time: concurrent checks of one host wait for the same robots.txt.
        async with self._locks.setdefault(origin, asyncio.Lock()):
            entry = self._cache.get(origin)
            if entry is None or entry.expires <= self._clock():
                entry = await self._stored(origin)
                if entry is None:
                    entry = await self._load(origin, user_agent, proxy)
                    await self._share(origin, entry)
                self._cache[origin] = entry
            return entry

    async def _stored(self, origin: str) -> _Robots | None:
        """The store's unexpired entry for ``origin`` with its parser rebuilt; None: fetch it."""
        if self.store is None:
            return None
        try:
            row = await self.store.load_robots(origin)
        except StoreUnavailable:
            return None
        if row is None or row.state not in ("parsed", "unavailable", "unreachable"):
            return None
        if row.state == "parsed" and row.body is None:
            return None
        ttl = self.error_ttl_s if row.state == "unreachable" else self.ttl_s
        # The writer's TTL may be longer than ours: ours caps how long an entry is believed.
        left = min(_seconds_until(row.expires_at), _seconds_until(row.fetched_at) + ttl)
        if left <= 0:
            return None
        parser = Protego.parse(row.body) if row.state == "parsed" and row.body is not None else None
        failure = row.failure if row.failure in ("timeout", "unreachable") else None
        return _Robots(
            row.robots_url,
            row.state,  # type: ignore[arg-type]  # checked above
            row.detail,
            parser,
            self._clock() + left,
            row.fetched_at,
            failure,  # type: ignore[arg-type]  # checked above
            row.body,
        )

    async def _share(self, origin: str, entry: _Robots) -> None:
        """Write what this process fetched to the store (a failure is told by the guard and ignored here)."""
        if self.backoff is not None:
            await self.backoff.flush()  # a backoff the fetch started is shared before the refusal is
        if self.store is None:
            return
        expires_at = datetime.now(UTC) + timedelta(seconds=entry.expires - self._clock())
        with contextlib.suppress(StoreUnavailable):
            await self.store.save_robots(
                origin,
                robots_url=entry.robots_url,
                state=entry.state,
                detail=entry.detail,
                body=entry.body,
                failure=entry.failure,
                fetched_at=entry.fetched_at,
                expires_at=expires_at,
            )

    async def _load(self, origin: str, user_agent: str, proxy: str | None) -> _Robots:
        robots_url = f"{origin}/robots.txt"
        fetched_at = datetime.now(UTC).replace(microsecond=0)

        def done(
            state: Literal["parsed", "unavailable", "unreachable"],
            detail: str,
            parser: Protego | None = None,
            failure: Literal["timeout", "unreachable"] | None = None,
            body: str | None = None,
        ) -> _Robots:
            ttl = self.error_ttl_s if state == "unreachable" else self.ttl_s
            if state != "parsed":
                log.info("robots.txt %s: %s (%s)", robots_url, state, detail)
            if failure is not None and self.backoff is not None:
                # The host's backoff decides when to try again; robots.txt is fetched afresh then.
                self.backoff.record(robots_url, "error", f"robots.txt: {failure}: {detail}")
                ttl = 0.0
            return _Robots(robots_url, state, detail, parser, self._clock() + ttl, fetched_at, failure, body)

        # The client (TLS context and all) is built before the host's slot is taken: building it after the
        # reserved start would make the request late, and the next fetch's spacing from it short.
        client = self._client(proxy)
        gate = self.gate.slot(robots_url) if self.gate else contextlib.nullcontext()
        try:
            async with gate, asyncio.timeout(self.timeout_s):
                status, body = await self._get(client, robots_url, user_agent)
        except TimeoutError:
            return done("unreachable", f"no answer within {self.timeout_s:g}s", failure="timeout")
        except httpx.TooManyRedirects:
            return done("unavailable", f"more than {ROBOTS_MAX_REDIRECTS} redirects; treated as no robots.txt")
        except FetchError as exc:  # the address policy refused the host or a redirect hop
            return done("unavailable", f"not fetched ({exc}); treated as no robots.txt")
        except (httpx.HTTPError, OSError) as exc:
            failure = "timeout" if isinstance(exc, httpx.TimeoutException) else "unreachable"
            return done("unreachable", f"{type(exc).__name__}: {exc}".rstrip(": "), failure=failure)
        if 200 <= status < 300:
            text = body.decode("utf-8", errors="replace").lstrip("\ufeff")
            truncated = " (truncated to 500 KiB)" if len(body) >= ROBOTS_MAX_BYTES else ""
            return done("parsed", f"HTTP {status}{truncated}", Protego.parse(text), body=text)
        # 429 is "slow down", not "no rules": like a 5xx it means we do not know the rules yet.
        if status >= 500 or status == 429:
            return done("unreachable", f"HTTP {status}")
        return done("unavailable", f"HTTP {status}; no rules apply")

    def _client(self, proxy: str | None) -> httpx.AsyncClient:
        client = self._clients.get(proxy)
        if client is None:
            if self.address_policy is not None:
                route: dict[str, Any] = {"transport": vetted_transport(self.address_policy, proxy=proxy)}
            else:
                route = {"proxy": proxy}
            client = self._clients[proxy] = httpx.AsyncClient(
                follow_redirects=True, max_redirects=ROBOTS_MAX_REDIRECTS, timeout=self.timeout_s, **route
            )
        return client

    async def _get(self, client: httpx.AsyncClient, robots_url: str, user_agent: str) -> tuple[int, bytes]:
        async with client.stream("GET", robots_url, headers={"User-Agent": user_agent}) as response:
            body = bytearray()
            if 200 <= response.status_code < 300:
                async for chunk in response.aiter_bytes():
                    body.extend(chunk)
                    if len(body) >= ROBOTS_MAX_BYTES:
                        del body[ROBOTS_MAX_BYTES:]
                        break
            return response.status_code, bytes(body)

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()


def _deciding_rule(parser: Protego, url: str, user_agent: str) -> str | None:
    """The group and rule that disallow ``url``, e.g. ``'User-agent: *' / 'Disallow: /store/'``.

    Protego answers yes/no only; naming the rule reads its internals, so any change there degrades the
    message to a generic one instead of breaking the fetch.
    """
    try:
        from protego._utils import _quote_path

        rule_set = parser._get_matching_rule_set(user_agent)
        if rule_set is None:
            return None
        path = _quote_path(url)
        for rule in rule_set._rules:
            if rule.value.match(path):
                return f"'User-agent: {rule_set.user_agent}' / '{rule.field.capitalize()}: {rule.value._pattern}'"
    except Exception:  # pragma: no cover - depends on Protego's private layout
        return None
    return None


# --- pacing --------------------------------------------------------------------------------------------


#: Added to the gap a store reservation keeps (at most a fifth of the gap): a reserved start is a promise made
#: before sleeping, and a late wake-up, a busy event loop or a slow connection set-up of one fetch (tens of ms,
#: a few hundred on a loaded machine) must not bring the next process's fetch closer than the gap at the host.
#: Erring towards more politeness costs little (2.2 s instead of 2 s by default). The in-memory gate needs
#: none: it measures the start it actually got.
PACING_MARGIN_S = 0.2


@dataclass
class _Lane:
    order: asyncio.Lock = field(default_factory=asyncio.Lock)
    slots: asyncio.Semaphore | None = None
    next_start: float = 0.0
    in_flight: int = 0
    waiting: int = 0


class HostGate:
    """At most ``max_concurrency`` fetches per origin at once, and ``min_delay_s`` between their starts.

    Waiters are served first come, first served (an ``asyncio.Lock`` queue), and wait by sleeping until
    their start time, never by polling.

    With a ``store`` the start time comes from the store's reservation, so the delay holds between the
    fetches of every process; the concurrency limit and the FIFO order stay per process. Should the store fail,
    the in-process spacing below takes over (this process's own fetches stay spaced).
    """

    def __init__(
        self,
        max_concurrency: int = 2,
        min_delay_s: float = 2.0,
        *,
        store: PolitenessStore | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self.max_concurrency = max_concurrency
        self.min_delay_s = max(0.0, min_delay_s)
        self.store = guarded(store)
        self._clock = clock
        self._lanes: dict[str, _Lane] = {}

    def _lane(self, url: str) -> _Lane:
        origin = origin_of(url)
        lane = self._lanes.get(origin)
        if lane is None:
            lane = self._lanes[origin] = _Lane(slots=asyncio.Semaphore(self.max_concurrency))
        return lane

    @contextlib.asynccontextmanager
    async def slot(
        self,
        url: str,
        *,
        min_delay_s: float | None = None,
        meanwhile: Callable[[], Awaitable[None]] | None = None,
    ) -> AsyncIterator[None]:
        """Hold one of the host's fetch slots; ``min_delay_s`` (a Crawl-delay) can only lengthen the gap.

        ``meanwhile`` runs while waiting for the start time (a last look at the backoff), so that its own
        latency does not land between the start and the request."""
        lane = self._lane(url)
        assert lane.slots is not None
        gap = self.min_delay_s if min_delay_s is None else max(self.min_delay_s, min_delay_s)
        lane.waiting += 1
        try:
            # Only the head of the FIFO queue waits for a free slot and then for its start time.
            async with lane.order:
                await lane.slots.acquire()
                try:
                    await self._wait_for_start(origin_of(url), lane, gap, meanwhile)
                except BaseException:
                    lane.slots.release()
                    raise
        finally:
            lane.waiting -= 1
        lane.in_flight += 1
        try:
            yield
        finally:
            lane.in_flight -= 1
            lane.slots.release()

    async def _wait_for_start(
        self, origin: str, lane: _Lane, gap: float, meanwhile: Callable[[], Awaitable[None]] | None
    ) -> None:
        """Sleep until this fetch may start: the store's reservation, else ``gap`` after this process's last."""
        start = lane.next_start
        if self.store is not None and gap > 0:  # no spacing asked for: nothing to share (and no write per fetch)
            with contextlib.suppress(StoreUnavailable):
                reserved = await self.store.reserve_start(origin, gap + min(PACING_MARGIN_S, gap / 5))
                # Never earlier than this process's own spacing (it ran alone while the store was failing).
                start = max(start, self._clock() + reserved)

        async def sleep_until_start() -> None:
            while (wait := start - self._clock()) > 0:
                await asyncio.sleep(wait)

        if meanwhile is None:
            await sleep_until_start()
        elif start <= self._clock():  # nothing to wait for: no tasks (each costs the loop a turn)
            await meanwhile()
        else:
            await asyncio.gather(sleep_until_start(), meanwhile())
        lane.next_start = max(start, self._clock()) + gap

    def state(self) -> dict[str, dict[str, Any]]:
        return {origin: {"in_flight": lane.in_flight, "waiting": lane.waiting} for origin, lane in self._lanes.items()}


# --- backing off ---------------------------------------------------------------------------------------


@dataclass
class _Trouble:
    errors: int = 0
    blocks: int = 0
    until: float = 0.0
    reason: str = ""


class HostBackoff:
    """Per origin: leave a host alone after errors (exponential, jittered) or a block page (doubling).

    Errors wait ``base * 2**(n-1)``; block pages wait ``block * 2**(n-1)``; both capped at ``max_s`` and
    jittered by ±``jitter`` (or drawn from [0, delay] with ``full_jitter``) so many suppliers on one host do
    not all come back in the same second. An ``ok`` outcome resets the host.

    With a ``store``, every change is written through (in the background: ``record`` stays synchronous; the
    writes keep their order, and ``flush`` waits for them) and ``refresh`` reads a host's state back from the
    store, at most every ``refresh_s`` seconds, so a backoff another process started is honoured here within
    that time. ``retry_after`` and ``explain`` answer from memory, as refreshed.
    """

    def __init__(
        self,
        base_s: float = 30.0,
        max_s: float = 6 * 3600,
        block_s: float = 1800.0,
        *,
        jitter: float = 0.2,
        full_jitter: bool = False,
        rng: random.Random | None = None,
        store: PolitenessStore | None = None,
        refresh_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_s = base_s
        self.max_s = max_s
        self.block_s = block_s
        self.jitter = min(max(jitter, 0.0), 1.0)
        self.full_jitter = full_jitter
        self._rng = rng or random.Random()
        self._clock = clock
        self._hosts: dict[str, _Trouble] = {}
        #: HTTP status of pages fetched but not yet reported (see ``report``), by URL.
        self._unreported: dict[str, int | None] = {}
        self.store = guarded(store)
        self.refresh_s = refresh_s
        #: Per origin: when it was last read from the store, and how many local changes it has had.
        self._read_at: dict[str, float] = {}
        self._changes: dict[str, int] = {}
        #: The last write to the store; each write waits for the one before it, so they land in order.
        self._last_write: asyncio.Task[None] | None = None

    def _delay(self, first: float, n: int) -> float:
        delay = min(self.max_s, first * 2 ** min(n - 1, 64))
        if self.full_jitter:
            delay = self._rng.uniform(0, delay)
        elif self.jitter:
            delay *= self._rng.uniform(1 - self.jitter, 1 + self.jitter)
        return min(self.max_s, delay)

    def record(self, url: str, outcome: Outcome, detail: str = "") -> float | None:
        """Note how a fetch of ``url`` went; returns the backoff (seconds) it started, if any."""
        origin = origin_of(url)
        if outcome == "ok":
            # Only a host known to be in trouble is cleared (in the store too): no write per good fetch.
            if self._hosts.pop(origin, None) is not None:
                self._share(origin)
            return None
        if outcome not in ("blocked", "error"):
            raise ValueError(f"unknown outcome {outcome!r}; use 'ok', 'error' or 'blocked'")
        first = self.block_s if outcome == "blocked" else self.base_s
        if first <= 0:  # backing off is switched off for this kind of trouble
            return None
        trouble = self._hosts.setdefault(origin, _Trouble())
        if outcome == "blocked":
            trouble.blocks += 1
            delay = self._delay(first, trouble.blocks)
            what = f"{trouble.blocks} block page(s) in a row"
        else:
            trouble.errors += 1
            delay = self._delay(first, trouble.errors)
            what = f"{trouble.errors} failed fetch(es) in a row"
        # A later, shorter backoff (an in-flight fetch failing) never shortens a longer one already running.
        trouble.until = max(trouble.until, self._clock() + delay)
        trouble.reason = f"{what}{': ' + detail if detail else ''}"
        log.warning("backing off from %s for %.0fs after %s", origin, delay, trouble.reason)
        self._share(origin)
        return delay

    def retry_after(self, url: str) -> float | None:
        """Seconds to wait before fetching from this URL's host again; None when it may be fetched now."""
        trouble = self._hosts.get(origin_of(url))
        if trouble is None:
            return None
        left = trouble.until - self._clock()
        return left if left > 0 else None

    def explain(self, url: str) -> str:
        left = self.retry_after(url) or 0.0
        trouble = self._hosts.get(origin_of(url), _Trouble())
        return f"{origin_of(url)} is left alone until {_wall(left).isoformat()} ({left:.0f}s) after {trouble.reason}"

    def fetched(self, url: str, http_status: int | None) -> None:
        """A page arrived: the network is fine (error count reset); how the page reads comes via ``report``."""
        self._unreported[url] = http_status
        trouble = self._hosts.get(origin_of(url))
        if trouble is not None and trouble.errors and (http_status is None or http_status < 500):
            trouble.errors = 0
            self._share(origin_of(url))

    def report(self, url: str, status: str) -> float | None:
        """The page status a fetched page was classified as; maps it to an outcome and records it.

        Only pages fetched through a ``PoliteFetcher`` count: reporting a fetch that failed (already recorded
        when it failed) or was refused (robots, backing off) is ignored, so a refusal never extends a backoff.
        """
        if url not in self._unreported:
            return None
        http_status = self._unreported.pop(url)
        return self.record(url, page_outcome(status, http_status), f"{status} page" + _http(http_status))

    # --- sharing through the store ---

    def _share(self, origin: str) -> None:
        """Write ``origin``'s state as it is now to the store, behind the writes before it."""
        if self.store is None:
            return
        self._changes[origin] = self._changes.get(origin, 0) + 1
        trouble = self._hosts.get(origin)
        state = None
        if trouble is not None:
            until = datetime.now(UTC) + timedelta(seconds=trouble.until - self._clock())
            state = {"errors": trouble.errors, "blocks": trouble.blocks, "until": until, "reason": trouble.reason}
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called outside any event loop: write now
            asyncio.run(self._write(origin, state, None))
            return
        before = self._last_write if self._last_write and self._last_write.get_loop() is loop else None
        self._last_write = loop.create_task(self._write(origin, state, before))

    async def _write(self, origin: str, state: dict[str, Any] | None, before: asyncio.Task[None] | None) -> None:
        if before is not None:
            await asyncio.wait([before])
        assert self.store is not None
        # A failing store is told once by the guard; the backoff stays in effect here, in memory.
        with contextlib.suppress(StoreUnavailable):
            if state is None:
                await self.store.clear_backoff(origin)
            else:
                await self.store.save_backoff(origin, **state)

    async def flush(self) -> None:
        """Wait until every change recorded so far has been written to the store (or given up on)."""
        last = self._last_write
        if last is not None and last.get_loop() is asyncio.get_running_loop():
            await asyncio.wait([last])

    async def refresh(self, url: str) -> None:
        """Bring the URL's host up to date with the store (every ``refresh_s`` at most): a backoff another
        process started or ended counts here from now on. Without a store, or while it fails, a no-op."""
        if self.store is None:
            return
        origin = origin_of(url)
        read_at = self._read_at.get(origin)
        if read_at is not None and self._clock() - read_at < self.refresh_s:
            return
        await self.flush()  # our own writes land first, so what we read back includes them
        changes = self._changes.get(origin, 0)
        try:
            stored = await self.store.load_backoff(origin)
        except StoreUnavailable:
            return
        if self._changes.get(origin, 0) != changes:
            return  # recorded here while reading: that is newer than what was read (and is being written)
        self._read_at[origin] = self._clock()
        if stored is None:
            self._hosts.pop(origin, None)
            return
        trouble = self._hosts.setdefault(origin, _Trouble())
        trouble.errors, trouble.blocks, trouble.reason = stored.errors, stored.blocks, stored.reason
        trouble.until = self._clock() + _seconds_until(stored.until)

    async def shared_state(self) -> dict[str, dict[str, Any]]:
        """``state()`` of every host the store holds (all processes' backoffs); this process's alone when
        there is no store or it fails."""
        if self.store is None:
            return self.state()
        try:
            stored = await self.store.backoffs()
        except StoreUnavailable:
            return self.state()
        now = datetime.now(UTC)
        return {
            origin: {
                "errors": b.errors,
                "blocks": b.blocks,
                "reason": b.reason,
                "backing_off": b.until > now,
                "until": b.until.replace(microsecond=0).isoformat() if b.until > now else None,
                "retry_in_s": round(max(0.0, (b.until - now).total_seconds()), 1),
            }
            for origin, b in stored.items()
        }

    def state(self) -> dict[str, dict[str, Any]]:
        now = self._clock()
        return {
            origin: {
                "errors": t.errors,
                "blocks": t.blocks,
                "reason": t.reason,
                "backing_off": t.until > now,
                "until": _wall(t.until - now).isoformat() if t.until > now else None,
                "retry_in_s": round(max(0.0, t.until - now), 1),
            }
            for origin, t in self._hosts.items()
        }


def _http(status: int | None) -> str:
    return f" (HTTP {status})" if status is not None else ""


def page_outcome(status: str, http_status: int | None = None) -> Outcome:
    """blocked -> blocked; error (or a 5xx that is not a block page) -> error; anything else the host served
    properly (ok, not_found, login_required, unparseable) -> ok."""
    if status == "blocked":
        return "blocked"
    if status == "error" or (http_status is not None and http_status >= 500):
        return "error"
    return "ok"


# --- the wrapper ---------------------------------------------------------------------------------------


class Fetcher(Protocol):
    method: str

    async def fetch(self, url: str, parser: Any = None, **options: Any) -> FetchedPage: ...


class PoliteFetcher:
    """A fetcher with the same ``fetch`` as ``inner`` that asks robots.txt, the backoff and the gate first.

    ``options`` are keyword arguments for every ``inner.fetch`` call (per-platform user agent, proxy,
    storage state); ``proxy`` is also used for fetching robots.txt.
    """

    def __init__(
        self,
        inner: Fetcher,
        *,
        robots: RobotsPolicy | None,
        gate: HostGate,
        backoff: HostBackoff,
        user_agent: str,
        proxy: str | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        self.inner = inner
        self.method = inner.method
        self.robots = robots
        self.gate = gate
        self.backoff = backoff
        self.user_agent = user_agent
        self.proxy = proxy
        self.options = dict(options or {})

    async def fetch(self, url: str, parser: Any = None, *, ignore_robots: bool = False, **options: Any) -> FetchedPage:
        url = validate_url(url)
        async with self._allowed(url, ignore_robots):
            try:
                page = await self.inner.fetch(url, parser, **{**self.options, **options})
            except FetchError as exc:
                if exc.reason in NETWORK_FAILURES:
                    self.backoff.record(url, "error", str(exc))
                    await self.backoff.flush()  # shared before the caller hears of it
                raise
            self.backoff.fetched(url, page.status_code)
        return page

    async def fetch_document(
        self,
        url: str,
        *,
        max_bytes: int,
        etag: str | None = None,
        last_modified: str | None = None,
        ignore_robots: bool = False,
    ) -> FetchedDocument:
        """A certificate document through the same robots.txt, backoff and gate as pages, always with plain HTTP
        (``inner`` must be an ``HttpFetcher``), with the platform's user agent. A document that arrives (or is
        unchanged, 304) is an ok outcome for its host; a 4xx is that document's problem, not the host's."""
        fetch_document = getattr(self.inner, "fetch_document", None)
        if fetch_document is None:
            raise TypeError(f"{type(self.inner).__name__} cannot fetch documents; use the plain HTTP fetcher")
        url = validate_url(url)
        async with self._allowed(url, ignore_robots):
            try:
                document: FetchedDocument = await fetch_document(
                    url,
                    max_bytes=max_bytes,
                    etag=etag,
                    last_modified=last_modified,
                    user_agent=self.options.get("user_agent"),
                )
            except FetchError as exc:
                host_trouble = exc.http_status is None or exc.http_status >= 500
                if exc.reason in NETWORK_FAILURES and host_trouble:
                    self.backoff.record(url, "error", str(exc))
                    await self.backoff.flush()  # shared before the caller hears of it
                raise
            self.backoff.record(url, "ok")
        return document

    @contextlib.asynccontextmanager
    async def _allowed(self, url: str, ignore_robots: bool) -> AsyncIterator[None]:
        """Refuse ``url`` when its host is backed off or robots.txt disallows it; else hold a slot of its host."""
        await self._refuse_if_backing_off(url)
        robots = None if ignore_robots else self.robots
        if robots is not None and not await robots.allowed(url, self.user_agent, proxy=self.proxy):
            failure = robots.failure(url)
            if failure is not None:  # the host is down: say so, as fetching the page itself would have
                raise FetchError(failure, robots.explain(url, self.user_agent))
            raise FetchError("robots_disallowed", f"{robots.explain(url, self.user_agent)}; {OVERRIDE_HINT}")
        crawl_delay = self.robots.crawl_delay(url, self.user_agent) if self.robots is not None else None
        refresh = functools.partial(self.backoff.refresh, url)
        async with self.gate.slot(url, min_delay_s=crawl_delay, meanwhile=refresh):
            # A fetch that queued behind one that failed or hit a block page (here or, read from the store while
            # waiting, in another process) must not go out after all.
            self._refuse_if_backing_off_now(url)
            yield

    def report(self, url: str, status: str) -> float | None:
        """How the fetched page of ``url`` was classified (``ok``, ``blocked``, ...): feeds the backoff."""
        return self.backoff.report(url, status)

    async def _refuse_if_backing_off(self, url: str) -> None:
        await self.backoff.refresh(url)  # another process may have backed off from the host
        self._refuse_if_backing_off_now(url)

    def _refuse_if_backing_off_now(self, url: str) -> None:
        if self.backoff.retry_after(url) is not None:
            raise FetchError("backing_off", f"not fetched: {self.backoff.explain(url)}")
