"""Parser health: when the watched pages of one platform/page family all stop yielding claims, or all stop
yielding a field their family normally yields, the marketplace changed its layout. Operators get one alert
for the family instead of each supplier looking broken (the pages are unparseable, never "claims
removed") or each supplier looking as if it quietly dropped its employees or certificates.

What a family normally yields and what its recent checks filled is storage.parser_health's (definitions
of window, baseline and thresholds there); this module only turns its dropped fields into alerts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from monitor.alerts.compose import outbox_rows
from monitor.alerts.model import Alert
from monitor.changes.events import layout_changed_alert
from monitor.config import Config, SupplierConfig
from storage import MIN_PAGES_FOR_DROP, Database, enqueue_alerts, family_of, latest_snapshot, parser_health

#: A single page going unparseable (or losing a field) is that supplier's problem; the family needs at
#: least this many. One number for both cases, defined where the field drop is computed.
MIN_PAGES_FOR_LAYOUT_ALERT = MIN_PAGES_FOR_DROP


class CheckedPage(Protocol):
    supplier_id: str
    url: str
    status: str
    #: An ok check that stored new claims: the only way a field can go missing.
    changed: bool


def raise_layout_alerts(
    config: Config,
    db: Database,
    suppliers: Sequence[SupplierConfig],
    outcomes: Iterable[CheckedPage],
    *,
    now: datetime | None = None,
) -> list[str]:
    """Queue one layout_changed alert per page family whose every checked page came back unparseable, and
    one per family whose recent checks dropped fields it normally yields (only looked at when one of the
    ``outcomes`` stored new claims). Ids are per family and day (and field set): re-runs queue nothing new.
    """
    outcomes = list(outcomes)
    now = now if now is not None else datetime.now(UTC)
    window_key = now.date().isoformat()
    alerts = _unparseable_family_alerts(db, outcomes, now, window_key)
    if any(o.status == "ok" and o.changed for o in outcomes):
        alerts += _dropped_field_alerts(db, now, window_key)
    rows = [row for _, row in outbox_rows(alerts, config, [])]  # none without an operator recipient
    return enqueue_alerts(db, rows) if rows else []


def _unparseable_family_alerts(
    db: Database, outcomes: Sequence[CheckedPage], now: datetime, window_key: str
) -> list[Alert]:
    """Families (known from each page's latest snapshot) whose every page checked now is unparseable."""
    if not any(o.status == "unparseable" for o in outcomes):
        return []  # no family can be all unparseable: the pages' snapshots need not be read
    families: dict[tuple[str, str], list[CheckedPage]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.status not in ("ok", "unparseable"):
            continue  # blocked or failed pages say nothing about the layout
        snapshot = latest_snapshot(db, outcome.supplier_id, outcome.url)
        if snapshot is None:
            continue
        families[family_of(snapshot.claims)].append(outcome)
    return [
        layout_changed_alert(platform, page_type, [p.supplier_id for p in pages], now, window_key=window_key)
        for (platform, page_type), pages in sorted(families.items())
        if len(pages) >= MIN_PAGES_FOR_LAYOUT_ALERT and all(p.status == "unparseable" for p in pages)
    ]


def _dropped_field_alerts(db: Database, now: datetime, window_key: str) -> list[Alert]:
    """Families whose recent checks no longer fill fields they normally yield, naming those fields."""
    return [
        layout_changed_alert(
            family.platform,
            family.page_type,
            family.lost_suppliers,
            now,
            window_key=window_key,
            missing_fields=family.dropped,
        )
        for family in parser_health(db, now=now)
        if family.dropped
    ]
