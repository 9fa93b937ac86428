"""Parser health: when every watched page of one platform/page family stops yielding claims at once,
the marketplace changed its layout. Operators get one alert for the family instead of each supplier
looking broken (the pages are unparseable, never "claims removed")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from monitor.alerts.compose import outbox_row
from monitor.changes.events import layout_changed_alert
from monitor.config import Config, SupplierConfig
from storage import Database, enqueue_alerts, latest_snapshot

#: A single page going unparseable is that supplier's problem; the family needs at least this many.
MIN_PAGES_FOR_LAYOUT_ALERT = 2


class CheckedPage(Protocol):
    supplier_id: str
    url: str
    status: str


def raise_layout_alerts(
    config: Config, db: Database, suppliers: Sequence[SupplierConfig], outcomes: Iterable[CheckedPage]
) -> list[str]:
    """Queue one layout_changed alert per page family whose every checked page came back unparseable."""
    families: dict[tuple[str, str], list[CheckedPage]] = defaultdict(list)
    for outcome in outcomes:
        if outcome.status not in ("ok", "unparseable"):
            continue  # blocked or failed pages say nothing about the layout
        snapshot = latest_snapshot(db, outcome.supplier_id, outcome.url)
        if snapshot is None:
            continue
        source = snapshot.claims.get("source") or {}
        families[(str(source.get("platform")), str(source.get("page_type")))].append(outcome)
    now = datetime.now(UTC)
    rows = []
    for (platform, page_type), pages in sorted(families.items()):
        if len(pages) >= MIN_PAGES_FOR_LAYOUT_ALERT and all(p.status == "unparseable" for p in pages):
            alert = layout_changed_alert(
                platform, page_type, [p.supplier_id for p in pages], now, window_key=now.date().isoformat()
            )
            rows.append(outbox_row(alert, config, []))
    return enqueue_alerts(db, rows) if rows else []
