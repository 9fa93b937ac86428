"""Delivering the outbox: claim due deliveries, send each through its channel, record the outcome.

Guarantee: every stored alert reaches each of its targets at least once, and a sent one is never sent
again by a restart (it is marked sent right after its channel accepted it). The one window left is a
crash between the channel accepting a message and ``mark_sent``: that single delivery is sent again once
its lease expires. Every message carries the alert's stable id, so receivers deduplicate on it.

Failures: DeliveryError(permanent=True) gives up at once; any other failure (a temporary DeliveryError
or any unexpected exception from a channel) is retried after retry_backoff * 2**(attempts-1), ±20%
jitter, at most 6 h, until alerts.max_attempts. Targets may hold tokens (webhook and apprise URLs):
logs, reports and stored errors only ever show scheme and host.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import ValidationError

from monitor.alerts.channels.base import Channel, DeliveryError, channel_class
from monitor.alerts.model import Alert
from storage import Database
from storage.outbox import (
    DEFAULT_LEASE,
    DeliveryJob,
    claim_digest_deliveries,
    claim_due_deliveries,
    mark_failed,
    mark_sent,
    redact_text,
    release_deliveries,
)

if TYPE_CHECKING:
    from monitor.config import Config

log = logging.getLogger(__name__)

MAX_RETRY_DELAY = timedelta(hours=6)
#: Never retry within the same instant: keeps one deliver_due call from spinning on a zero backoff.
MIN_RETRY_DELAY = timedelta(seconds=1)
JITTER = 0.2
#: Stop working through a claimed batch once this share of its lease is used, and hand the rest back,
#: so that a slow channel never lets the lease expire under a message still being sent.
LEASE_SAFETY = 0.8


@dataclass
class DeliveryReport:
    """What one deliver_due / deliver_digests call did, counted in deliveries (one alert to one target)."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    #: Claimed but handed back untried (lease nearly used up): they are due again at once.
    released: int = 0
    #: Messages the channels accepted (a digest is one message for many deliveries).
    messages: int = 0
    #: One line per failed attempt, redacted: "delivery 7 (alert-..., ops via webhook https://host): ...".
    errors: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.retrying + self.failed

    def __str__(self) -> str:
        return f"sent {self.sent}, retrying {self.retrying}, failed {self.failed}"


def retry_delay(attempts: int, backoff: timedelta, *, rng: random.Random | None = None) -> timedelta:
    """Wait before the next attempt after ``attempts`` failed ones: exponential, jittered, capped at 6 h.

    Jitter spreads the retries of alerts that failed together (one SMTP outage) so they do not all hit
    the recovering server in the same second.
    """
    exponent = min(max(attempts - 1, 0), 40)  # 2**40 minutes is far past the cap already
    seconds = backoff.total_seconds() * (2.0**exponent) * (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return max(MIN_RETRY_DELAY, min(MAX_RETRY_DELAY, timedelta(seconds=seconds)))


class _Channels:
    """Channel instances for one call: the caller's overrides first, else built once per name."""

    def __init__(self, config: Config, overrides: Mapping[str, Channel] | None) -> None:
        self._config = config
        self._overrides = overrides or {}
        self._built: dict[str, Channel | DeliveryError] = {}

    def get(self, name: str) -> Channel:
        """The channel, or raise DeliveryError (permanent for an unknown name, else temporary)."""
        if name in self._overrides:
            return self._overrides[name]
        if name not in self._built:
            self._built[name] = self._build(name)
        found = self._built[name]
        if isinstance(found, DeliveryError):
            raise found
        return found

    def _build(self, name: str) -> Channel | DeliveryError:
        try:
            try:
                cls = channel_class(name)
            except ImportError:
                # One broken optional channel module (a missing library) must not stop the others.
                registered = Channel._registry.get(name)
                if registered is None:
                    raise
                cls = registered
        except LookupError as exc:
            return DeliveryError(str(exc), permanent=True)
        except Exception as exc:
            return DeliveryError(f"channel {name!r} unavailable: {type(exc).__name__}: {exc}")
        try:
            factory = getattr(cls, "from_config", None)
            return factory(self._config) if callable(factory) else cls()
        except Exception as exc:  # e.g. e-mail without [smtp]: retried, so fixing the config is enough
            return DeliveryError(f"channel {name!r} could not be set up: {type(exc).__name__}: {exc}")


def _clock(now: datetime | None) -> Callable[[], datetime]:
    if now is not None:
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError(f"now must be timezone-aware (got naive {now!r})")
        return lambda: now
    return lambda: datetime.now(UTC)


def _describe(job: DeliveryJob) -> str:
    return f"delivery {job.id} ({job.alert_id}, {job.recipient} via {job.channel} {job.redacted_target})"


def _attempt(send: Callable[[], None], target: str) -> tuple[bool, bool, str]:
    """Run one send: (ok, permanent, redacted error). Nothing a channel raises escapes (but exits)."""
    try:
        send()
    except DeliveryError as exc:
        return False, exc.permanent, redact_text(str(exc) or type(exc).__name__, target)
    except Exception as exc:
        return False, False, redact_text(f"{type(exc).__name__}: {exc}", target)
    return True, False, ""


def _record_failure(
    db: Database,
    jobs: list[DeliveryJob],
    error: str,
    permanent: bool,
    config: Config,
    at: datetime,
    report: DeliveryReport,
    rng: random.Random | None,
) -> None:
    attempts = max(j.attempts for j in jobs)
    give_up = permanent or attempts >= config.alerts.max_attempts
    retry_at = None if give_up else at + retry_delay(attempts, config.alerts.retry_backoff, rng=rng)
    for job in jobs:
        mark_failed(db, job.id, error, now=at, retry_at=retry_at)
        report.errors.append(f"{_describe(job)}: {error}")
    if give_up:
        report.failed += len(jobs)
        reason = "permanent error" if permanent else f"{attempts} attempts"
        for job in jobs:
            log.warning("giving up on %s after %s: %s", _describe(job), reason, error)
    else:
        report.retrying += len(jobs)
        for job in jobs:
            log.info("%s failed (attempt %d), retrying at %s: %s", _describe(job), attempts, retry_at, error)


def _usable(
    db: Database,
    jobs: list[DeliveryJob],
    config: Config,
    at: datetime,
    report: DeliveryReport,
) -> list[tuple[DeliveryJob, Alert]]:
    """The jobs that may be sent, with their alerts; the others are failed for good right here."""
    usable: list[tuple[DeliveryJob, Alert]] = []
    for job in jobs:
        if job.attempts > config.alerts.max_attempts:
            # Its earlier senders never reported back (crashed or hung while sending): stop, or a message
            # that kills its sender would be retried forever.
            error = f"gave up: {job.attempts - 1} attempts without an outcome (sender crashed or hung)"
            _record_failure(db, [job], error, True, config, at, report, None)
            continue
        try:
            usable.append((job, Alert.model_validate(job.payload)))
        except ValidationError as exc:
            error = f"stored payload is not a valid alert: {exc.error_count()} error(s)"
            _record_failure(db, [job], error, True, config, at, report, None)
    return usable


def deliver_due(
    db: Database,
    config: Config,
    *,
    now: datetime | None = None,
    channels: Mapping[str, Channel] | None = None,
    batch_size: int = 20,
    lease: timedelta = DEFAULT_LEASE,
    rng: random.Random | None = None,
) -> DeliveryReport:
    """Send every due non-digest delivery, one message each, until none is due; never raises for a channel.

    Each delivery is marked sent as soon as its channel accepted it, so a crash repeats at most the one
    delivery that was in flight. ``channels`` overrides channels by name (tests, a shared console);
    others are built from the registry (``from_config(config)`` when the class has it).
    """
    clock = _clock(now)
    report = DeliveryReport()
    resolver = _Channels(config, channels)
    seen: set[int] = set()
    while True:
        at = clock()
        jobs = claim_due_deliveries(db, at, limit=batch_size, lease=lease)
        if not jobs:
            break
        again = [j.id for j in jobs if j.id in seen]
        usable = _usable(db, [j for j in jobs if j.id not in seen], config, at, report)
        started = time.monotonic()
        for index, (job, alert) in enumerate(usable):
            if time.monotonic() - started > lease.total_seconds() * LEASE_SAFETY:
                report.released += release_deliveries(db, [j.id for j, _ in usable[index:]])
                break
            seen.add(job.id)
            try:
                channel = resolver.get(job.channel)
            except DeliveryError as exc:
                _record_failure(db, [job], str(exc), exc.permanent, config, clock(), report, rng)
                continue
            ok, permanent, error = _attempt(
                lambda c=channel, a=alert, j=job: c.send([a], j.target, recipient=j.recipient), job.target
            )
            if ok:
                mark_sent(db, [job.id], clock())
                report.sent += 1
                report.messages += 1
                log.info("sent %s", _describe(job))
            else:
                _record_failure(db, [job], error, permanent, config, clock(), report, rng)
        if again:
            # Due again within this call (its retry time already reached): leave it to the next call.
            report.released += release_deliveries(db, again)
            break
    return report


def digest_slot(now: datetime, digest_hour: int) -> datetime | None:
    """Today's digest time (UTC) if ``now`` is at or after it, else None: nothing to send yet today."""
    now = now.astimezone(UTC)
    slot = now.replace(hour=digest_hour, minute=0, second=0, microsecond=0)
    return slot if now >= slot else None


def deliver_digests(
    db: Database,
    config: Config,
    *,
    now: datetime | None = None,
    channels: Mapping[str, Channel] | None = None,
    lease: timedelta = DEFAULT_LEASE,
    rng: random.Random | None = None,
) -> DeliveryReport:
    """Once a day, at or after alerts.digest_hour UTC: one message per (recipient, channel, target).

    Each message holds all that target's pending digest alerts; when its channel accepts it they are all
    marked sent. A target already served since today's digest hour is skipped, so calling this every
    minute sends one digest per day; alerts arriving later wait for tomorrow's. A failed digest is
    retried (as a whole) like any delivery.
    """
    clock = _clock(now)
    report = DeliveryReport()
    at = clock()
    slot = digest_slot(at, config.alerts.digest_hour)
    if slot is None:
        return report
    jobs = claim_digest_deliveries(db, at, since=slot, lease=lease)
    groups: dict[tuple[str, str, str], list[DeliveryJob]] = {}
    for job in jobs:
        groups.setdefault((job.recipient, job.channel, job.target), []).append(job)
    resolver = _Channels(config, channels)
    started = time.monotonic()
    for (recipient, channel_name, target), group in groups.items():
        if time.monotonic() - started > lease.total_seconds() * LEASE_SAFETY:
            report.released += release_deliveries(db, [j.id for j in group])
            continue
        usable = _usable(db, group, config, at, report)
        if not usable:
            continue
        sendable = [job for job, _ in usable]
        try:
            channel = resolver.get(channel_name)
        except DeliveryError as exc:
            _record_failure(db, sendable, str(exc), exc.permanent, config, clock(), report, rng)
            continue
        alerts = [alert for _, alert in usable]
        ok, permanent, error = _attempt(
            lambda c=channel, a=alerts, r=recipient, t=target: c.send(a, t, recipient=r), target
        )
        if ok:
            mark_sent(db, [j.id for j in sendable], clock())
            report.sent += len(sendable)
            report.messages += 1
            log.info(
                "sent digest of %d alert(s) to %s via %s %s",
                len(alerts),
                recipient,
                channel_name,
                sendable[0].redacted_target,
            )
        else:
            _record_failure(db, sendable, error, permanent, config, clock(), report, rng)
    return report


__all__ = ["DeliveryReport", "deliver_digests", "deliver_due", "digest_slot", "retry_delay"]
