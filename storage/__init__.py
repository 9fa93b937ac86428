"""Evidence store for supplier-monitor: every check, every distinct set of claims, the pages behind them.

Open with `open_database(url)` (migrates to head), then use the repository functions. Claims are the
plain JSON dict of docs/claims-schema.md; this package imports neither scrapers nor monitor.
"""

from storage.db import (
    DEFAULT_DATABASE_URL,
    Database,
    database_size_bytes,
    default_database_url,
    migrate,
    open_database,
)
from storage.fingerprint import claims_hash
from storage.models import Blob, Check, Snapshot, Supplier
from storage.repository import (
    CheckResult,
    SupplierSpec,
    SupplierStatus,
    SupplierSyncResult,
    UnknownSupplierError,
    check_evidence_html,
    consecutive_failures,
    get_snapshot,
    get_supplier,
    latest_snapshot,
    list_checks,
    list_snapshots,
    list_suppliers,
    load_blob,
    previous_snapshot,
    record_check,
    snapshot_html,
    snapshot_screenshot,
    status_summary,
    upsert_suppliers,
)

__all__ = [
    "DEFAULT_DATABASE_URL",
    "Blob",
    "Check",
    "CheckResult",
    "Database",
    "Snapshot",
    "Supplier",
    "SupplierSpec",
    "SupplierStatus",
    "SupplierSyncResult",
    "UnknownSupplierError",
    "check_evidence_html",
    "claims_hash",
    "consecutive_failures",
    "database_size_bytes",
    "default_database_url",
    "get_snapshot",
    "get_supplier",
    "latest_snapshot",
    "list_checks",
    "list_snapshots",
    "list_suppliers",
    "load_blob",
    "migrate",
    "open_database",
    "previous_snapshot",
    "record_check",
    "snapshot_html",
    "snapshot_screenshot",
    "status_summary",
    "upsert_suppliers",
]
