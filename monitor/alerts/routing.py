"""Who gets an alert, and through which channels: decided once, when the alert is queued.

Deliveries are fixed at that moment (recipient, channel, target), so the outbox is an audit trail of
what was meant for whom even after the config changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from monitor.alerts.channels.webhook import webhook_target
from monitor.alerts.model import Alert, AlertKind
from monitor.config import RecipientConfig
from monitor.severity import Severity


def routing_severity(alert: Alert) -> str:
    """A resolved finding is routed like the finding it resolves, so whoever was told hears the end of it."""
    if alert.kind is AlertKind.FINDING_RESOLVED:
        return str(alert.details.get("severity") or alert.severity)
    return alert.severity


def recipient_wants(recipient: RecipientConfig, alert: Alert, supplier_tags: Iterable[str]) -> bool:
    if alert.kind.for_operators:
        return recipient.operator and recipient.wants(alert.supplier.id, list(supplier_tags))
    if not recipient.wants(alert.supplier.id, list(supplier_tags)):
        return False
    return Severity.rank_of(routing_severity(alert)) >= recipient.min_severity.rank


def deliveries_for(
    alert: Alert, recipients: Iterable[RecipientConfig], supplier_tags: Iterable[str] = ()
) -> list[dict[str, Any]]:
    """One delivery per (recipient, channel, target) that should carry this alert."""
    tags = list(supplier_tags)
    deliveries: list[dict[str, Any]] = []
    for recipient in recipients:
        if not recipient_wants(recipient, alert, tags):
            continue
        targets: list[tuple[str, str]] = []
        if recipient.email:
            targets.append(("email", recipient.email))
        if recipient.webhook:
            targets.append(("webhook", webhook_target(recipient.webhook, recipient.webhook_format)))
        targets.extend(("apprise", url) for url in recipient.apprise)
        if recipient.console:
            targets.append(("console", "stdout"))
        deliveries.extend(
            {"recipient": recipient.name, "channel": channel, "target": target, "digest": recipient.digest}
            for channel, target in targets
        )
    return deliveries
