"""Which alerts one stored check raises, decided inside the check's transaction (see record_check).

Claim changes (already confirmed by the checker), new and resolved findings, a failure streak reaching
the threshold, and the recovery that ends it. Only ok checks can change claims or findings: a blocked or
failed page says nothing about the supplier, so it never produces "removed" or "resolved". A skipped page
(not fetched while its host is left alone) raises nothing at all: it is neither a failure nor a recovery.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import object_session

from monitor.alerts.model import Alert, AlertSupplier
from monitor.alerts.routing import deliveries_for
from monitor.changes import ClaimChange
from monitor.changes.events import check_failing_alert, claim_change_alerts, finding_alerts, recovered_alert
from monitor.config import Config, SupplierConfig
from storage import SKIPPED, CheckFacts
from storage.dashboard import suppressed_identities


def outbox_row(alert: Alert, config: Config, supplier_tags: list[str]) -> dict[str, Any]:
    return {
        "id": alert.id,
        "kind": alert.kind.value,
        "severity": alert.severity,
        "supplier_id": alert.supplier.id,
        "payload": alert.payload(),
        "observed_at": alert.observed_at,
        "deliveries": deliveries_for(alert, config.recipients, supplier_tags),
    }


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
        alerts = self.alerts(facts)
        return [outbox_row(a, self.config, list(self.supplier.tags)) for a in alerts]

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
                rows = (*update.new, *update.resolved, *update.persisting)
                session = next((object_session(r) for r in rows), None)
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
