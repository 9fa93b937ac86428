"""Claim-level change detection between two checks of a supplier, and the alerts built from it."""

from monitor.changes.diff import SEVERITY, ClaimChange, diff_claims, parse_quantity
from monitor.changes.events import (
    change_title,
    check_failing_alert,
    claim_change_alerts,
    finding_alerts,
    layout_changed_alert,
    recovered_alert,
)

__all__ = [
    "SEVERITY",
    "ClaimChange",
    "change_title",
    "check_failing_alert",
    "claim_change_alerts",
    "diff_claims",
    "finding_alerts",
    "layout_changed_alert",
    "parse_quantity",
    "recovered_alert",
]
