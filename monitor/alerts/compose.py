"""Which alerts one stored check raises, decided inside the check's transaction (see record_check).

Claim changes (already confirmed by the checker), new and resolved findings, a failure streak reaching
the threshold, and the recovery that ends it. Only ok checks can change claims or findings: a blocked or
failed page says nothing about the supplier, so it never produces "removed" or "resolved". A skipped page
(not fetched while its host is left alone) raises nothing at all: it is neither a failure nor a recovery.

A check can raise hundreds of alerts at once (a page that gained 2,000 certificates). Each recipient gets at
most ``[alerts] max_messages_per_check`` of them one by one, the most severe first, and the rest in one summary
message ("and 480 more", counted per kind and severity). Every such alert is still stored, and its delivery to that
recipient is kept as ``summarised`` (listed, never sent alone unless resent). Digests are one message already.

An alert no recipient wants (routing.deliveries_for finds no delivery) is not queued at all: the outbox holds
what is to be told to someone. What happened stays in the evidence store (snapshots, the findings table with
first and last seen), which the dashboard reads; a config without recipients builds no alert at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import object_session

from monitor.alerts.model import Alert, AlertKind, AlertSupplier, alert_id
from monitor.alerts.routing import deliveries_for, routing_severity
from monitor.changes import ClaimChange
from monitor.changes.events import check_failing_alert, claim_change_alerts, finding_alerts, recovered_alert
from monitor.config import Config, SupplierConfig
from monitor.severity import Severity, worst_first
from storage import SKIPPED, CheckFacts
from storage.dashboard import suppressed_identities


def outbox_row(alert: Alert, config: Config, supplier_tags: list[str]) -> dict[str, Any] | None:
    """The alert as storage.enqueue_alerts takes it, or None when no recipient wants it (nothing to queue)."""
    deliveries = deliveries_for(alert, config.recipients, supplier_tags)
    if not deliveries:
        return None
    return {
        "id": alert.id,
        "kind": alert.kind.value,
        "severity": alert.severity,
        "supplier_id": alert.supplier.id,
        "payload": alert.payload(),
        "observed_at": alert.observed_at,
        "deliveries": deliveries,
    }


def outbox_rows(alerts: Sequence[Alert], config: Config, tags: list[str]) -> list[tuple[Alert, dict[str, Any]]]:
    """The alerts someone wants, each with its outbox row; the others are dropped (see the module docstring)."""
    return [(alert, row) for alert in alerts if (row := outbox_row(alert, config, tags)) is not None]


#: A summary names at most this many of the alerts it stands for (all are listed in the dashboard anyway).
MAX_SUMMARY_IDS = 500
_KIND_NOUNS = {
    AlertKind.CLAIM_CHANGE: ("claim change", "claim changes"),
    AlertKind.FINDING: ("finding", "findings"),
    AlertKind.FINDING_RESOLVED: ("resolved finding", "resolved findings"),
    AlertKind.CHECK_FAILING: ("check failing alert", "check failing alerts"),
    AlertKind.RECOVERED: ("recovery", "recoveries"),
    AlertKind.LAYOUT_CHANGED: ("layout change", "layout changes"),
}


def _rank(alert: Alert) -> int:
    return Severity.rank_of(routing_severity(alert))


def _counted(counts: Counter[str], nouns: dict[str, tuple[str, str]] | None = None) -> str:
    return ", ".join(f"{n} {(nouns or {}).get(key, (key, key))[n != 1]}" for key, n in counts.items())


def summary_alert(summarised: Sequence[Alert], who: AlertSupplier, observed_at: datetime) -> Alert:
    """The one message standing for ``summarised`` (alerts of one check): how many, of which kind and severity.

    Its id derives from theirs, so storing the same check's alerts again stores (and sends) nothing new.
    """
    worst = max(summarised, key=_rank)
    by_kind = Counter(a.kind.value for a in summarised)
    by_severity = Counter(worst_first((routing_severity(a) for a in summarised), lambda s: s))
    nouns = {kind.value: words for kind, words in _KIND_NOUNS.items()}
    more = len(summarised)
    ids = [a.id for a in summarised]
    return Alert(
        id=alert_id("summary", who.id, who.url, *sorted(ids)),
        kind=AlertKind.SUMMARY,
        severity=routing_severity(worst),
        supplier=who,
        title=f"and {more} more alerts from this check ({_counted(by_kind, nouns)}; {_counted(by_severity)})",
        details={
            "more": more,
            "by_kind": dict(by_kind),
            "by_severity": dict(by_severity),
            "alert_ids": ids[:MAX_SUMMARY_IDS],
            "listed_in": "the dashboard's Alerts page and `supplier-monitor alerts list` (status summarised)",
        },
        observed_at=observed_at,
    )


def limit_messages(
    rows: Sequence[dict[str, Any]],
    alerts: Sequence[Alert],
    limit: int,
    *,
    who: AlertSupplier,
    observed_at: datetime,
) -> list[dict[str, Any]]:
    """The outbox rows of one check's ``alerts`` with at most ``limit`` messages per recipient.

    ``rows[i]`` is ``alerts[i]``'s outbox row. Per recipient with more than ``limit`` non-digest alerts, the
    ``limit`` most severe keep their deliveries (ties: in the check's order); the others' deliveries to that
    recipient are marked ``summarised`` and one summary alert is added, delivered to every channel of every
    recipient it stands for the same alerts for. Rows are copied, never changed in place.
    """
    wanted: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        for recipient in dict.fromkeys(d["recipient"] for d in row.get("deliveries") or () if not d.get("digest")):
            wanted.setdefault(recipient, []).append(index)
    overflow = {
        recipient: sorted(sorted(indexes, key=lambda i: -_rank(alerts[i]))[limit:])
        for recipient, indexes in wanted.items()
        if len(indexes) > limit
    }
    if not overflow:
        return list(rows)
    out = [{**row, "deliveries": [dict(d) for d in row.get("deliveries") or ()]} for row in rows]
    summaries: dict[tuple[int, ...], list[dict[str, Any]]] = {}
    for recipient, indexes in overflow.items():
        channels: dict[tuple[str, str], dict[str, Any]] = {}
        for index in indexes:
            for d in out[index]["deliveries"]:
                if d["recipient"] == recipient and not d.get("digest"):
                    d["summarised"] = True
                    channels.setdefault((d["channel"], d["target"]), {**d, "summarised": False})
        summaries.setdefault(tuple(indexes), []).extend(channels.values())
    for indexes, deliveries in summaries.items():
        summary = summary_alert([alerts[i] for i in indexes], who, observed_at)
        out.append(
            {
                "id": summary.id,
                "kind": summary.kind.value,
                "severity": summary.severity,
                "supplier_id": who.id,
                "payload": summary.payload(),
                "observed_at": observed_at,
                "deliveries": deliveries,
            }
        )
    return out


class CheckAlerts:
    """The ``alerts`` callback of one record_check call."""

    def __init__(
        self,
        config: Config,
        supplier: SupplierConfig,
        url: str,
        *,
        name: str | None,
        changes: list[ClaimChange],
        reason: str,
        observed_at: datetime,
    ) -> None:
        self.config = config
        self.supplier = supplier
        self.who = AlertSupplier(id=supplier.id, name=name or supplier.display_name, url=url)
        self.changes = changes
        self.reason = reason
        self.observed_at = observed_at

    def __call__(self, facts: CheckFacts) -> list[dict[str, Any]]:
        if not self.config.recipients:
            return []  # nobody to tell: not even built (the findings and snapshots are stored all the same)
        queued = outbox_rows(self.alerts(facts), self.config, list(self.supplier.tags))
        alerts, rows = [a for a, _ in queued], [r for _, r in queued]
        limit = self.config.alerts.max_messages_per_check
        return limit_messages(rows, alerts, limit, who=self.who, observed_at=self.observed_at)

    def alerts(self, facts: CheckFacts) -> list[Alert]:
        threshold = self.config.alerts.failure_threshold
        found: list[Alert] = []
        if facts.status == SKIPPED:
            return found  # not fetched (host left alone): no news about the supplier, good or bad
        if facts.status == "ok":
            if self.changes and facts.changed and facts.previous_snapshot_id is not None:
                assert facts.snapshot_id is not None
                found += claim_change_alerts(
                    self.who,
                    self.changes,
                    previous_snapshot_id=facts.previous_snapshot_id,
                    snapshot_id=facts.snapshot_id,
                    observed_at=self.observed_at,
                )
            if (update := facts.findings_update) is not None:
                # Findings a buyer acknowledged (or snoozed) stay quiet; read in the check's own transaction.
                # Only new findings are announced: without one there is nothing to keep quiet (and nothing to read).
                session = next((object_session(r) for r in update.new), None)
                quiet = suppressed_identities(session, facts.supplier_id) if session is not None else set()
                new = [row.model_dump() for row in update.new if row.identity not in quiet]
                resolved = [row.model_dump() for row in update.resolved]
                found += finding_alerts(self.who, new, resolved, self.observed_at)
            if facts.ended_failures >= threshold and facts.ended_first_failed_check_id is not None:
                found.append(
                    recovered_alert(
                        self.who,
                        failures=facts.ended_failures,
                        first_failed_check_id=facts.ended_first_failed_check_id,
                        observed_at=self.observed_at,
                    )
                )
        elif facts.consecutive_failures == threshold and facts.first_failed_check_id is not None:
            found.append(
                check_failing_alert(
                    self.who,
                    failures=facts.consecutive_failures,
                    reason=self.reason,
                    status=facts.status,
                    since=None,
                    observed_at=self.observed_at,
                    first_failed_check_id=facts.first_failed_check_id,
                )
            )
        return found
