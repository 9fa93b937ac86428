"""JSON API under /api: the same data as the pages, for scripts; CSV export of suppliers with findings.

POSTs need the CSRF header (browser sessions) or ``Authorization: Bearer <token>`` (API clients).
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from monitor.config import Config, SchedulerConfig, SupplierConfig, parse_interval
from monitor.distributed import QUEUES
from monitor.distributed.queue_status import queue_status
from monitor.severity import Severity, counts_by_severity
from monitor.watchlist import recipient_links, update_supplier
from monitor.web.context import RowId, not_found, principal, web_state
from monitor.web.routes.findings import open_findings_worst_first
from monitor.web.routes.overview import SupplierFilters
from monitor.web.security import check_csrf
from storage import get_snapshot, get_supplier, list_checks, list_deliveries, list_snapshots, parser_health
from storage.dashboard import OverviewRow, overview_rows
from storage.models import StoredFinding

router = APIRouter(prefix="/api", tags=["api"])
SupplierId = Annotated[str, Path(max_length=200)]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _supplier_row(row: OverviewRow) -> dict[str, Any]:
    """A supplier as the API shows it: open findings counted for every severity, worst first, zeros included."""
    return {**row.to_dict(), "open_findings": counts_by_severity(row.open_findings)}


def _finding(f: StoredFinding) -> dict[str, Any]:
    return {
        "id": f.id,
        "supplier_id": f.supplier_id,
        "code": f.code,
        "severity": f.severity,
        "message": f.message,
        "evidence": f.evidence,
        "rule_source": f.rule_source,
        "certification": f.certification,
        "statement": f.statement,
        "url": f.url,
        "first_seen_at": _iso(f.first_seen_at),
        "last_seen_at": _iso(f.last_seen_at),
        "resolved_at": _iso(f.resolved_at),
    }


@router.get("/suppliers")
def api_suppliers(request: Request, filters: Annotated[SupplierFilters, Depends()]) -> list[dict[str, Any]]:
    """Every supplier with status and open findings by severity (same filters as the overview page)."""
    return [_supplier_row(r) for r in filters.apply(overview_rows(web_state(request).db))]


@router.get("/suppliers/{supplier_id}")
def api_supplier(request: Request, supplier_id: SupplierId) -> dict[str, Any]:
    db = web_state(request).db
    row = next((r for r in overview_rows(db) if r.id == supplier_id), None)
    supplier = get_supplier(db, supplier_id)
    if row is None or supplier is None:
        raise not_found(f"supplier {supplier_id!r}")
    checks = list_checks(db, supplier_id, limit=20)
    config, _error = web_state(request).try_config()
    watched = next((s for s in config.suppliers if s.id == supplier_id), None) if config else None
    return {
        **_supplier_row(row),
        "urls": list(supplier.urls),
        "recipients": [r.to_dict() for r in recipient_links(config, watched)] if config and watched else [],
        "findings": [_finding(r.finding) for r in open_findings_worst_first(db, supplier_id=supplier_id)],
        "checks": [
            {
                "id": c.id,
                "url": c.url,
                "started_at": _iso(c.started_at),
                "status": c.status,
                "error": c.error,
                "changed": c.changed,
                "snapshot_id": c.snapshot_id,
            }
            for c in checks
        ],
    }


@router.get("/suppliers/{supplier_id}/snapshots")
def api_snapshots(request: Request, supplier_id: SupplierId) -> list[dict[str, Any]]:
    db = web_state(request).db
    if get_supplier(db, supplier_id) is None:
        raise not_found(f"supplier {supplier_id!r}")
    return [
        {"id": s.id, "url": s.url, "first_seen_at": _iso(s.first_seen_at), "last_seen_at": _iso(s.last_seen_at)}
        for s in list_snapshots(db, supplier_id)
    ]


@router.get("/snapshots/{snapshot_id}")
def api_snapshot(request: Request, snapshot_id: RowId) -> dict[str, Any]:
    """One snapshot with its claims document (docs/claims-schema.md)."""
    s = get_snapshot(web_state(request).db, snapshot_id)
    if s is None:
        raise not_found(f"snapshot {snapshot_id}")
    return {
        "id": s.id,
        "supplier_id": s.supplier_id,
        "url": s.url,
        "first_seen_at": _iso(s.first_seen_at),
        "last_seen_at": _iso(s.last_seen_at),
        "claims": s.claims,
    }


@router.get("/findings")
def api_findings(
    request: Request,
    severity: Severity | None = None,
    state: Literal["open", "acknowledged", "snoozed"] | None = None,
    supplier: Annotated[str | None, Query(max_length=200)] = None,
) -> list[dict[str, Any]]:
    """Open findings with their operator state."""
    rows = open_findings_worst_first(web_state(request).db, supplier_id=supplier, severity=severity, state=state)
    return [
        {**_finding(r.finding), "state": r.state.state, "state_until": _iso(r.state.until), "state_by": r.state.actor}
        for r in rows
    ]


@router.get("/alerts")
def api_alerts(request: Request, failed: bool = False) -> list[dict[str, Any]]:
    """Deliveries newest first (targets redacted)."""
    from storage.outbox import redact_text

    return [
        {
            "delivery_id": r.id,
            "alert_id": r.alert_id,
            "kind": r.kind,
            "severity": r.severity,
            "title": r.title,
            "supplier_id": r.supplier_id,
            "recipient": r.recipient,
            "channel": r.channel,
            "target": r.redacted_target,
            "status": r.status,
            "attempts": r.attempts,
            "last_error": redact_text(r.last_error, r.target) if r.last_error else None,
            "sent_at": _iso(r.sent_at),
            "created_at": _iso(r.created_at),
        }
        for r in list_deliveries(web_state(request).db, failed_only=failed, limit=500)
    ]


@router.get("/parser-health")
def api_parser_health(request: Request) -> list[dict[str, Any]]:
    """Per platform and page family: pages with a recent ok check, each field's baseline and recent fill
    share, and the fields the family dropped (definitions in storage.parser_health)."""
    return [family.to_dict() for family in parser_health(web_state(request).db)]


@router.post("/suppliers/{supplier_id}/check", status_code=202, dependencies=[Depends(check_csrf)])
def api_check_now(request: Request, supplier_id: SupplierId) -> dict[str, Any]:
    """Queue a check of one supplier now; poll /api/jobs/{id} for queued / running / done."""
    state = web_state(request)
    config, error = state.try_config()
    if config is None or supplier_id not in {s.id for s in config.suppliers}:
        raise HTTPException(status_code=404, detail=error or f"supplier {supplier_id!r} is not on the watch list")
    return state.runner.submit(supplier_id, principal(request).actor).to_dict()


class SupplierEdit(BaseModel):
    """A watch list edit: keys left out stay as they are; ``interval: null`` falls back to the default.

    ``interval`` (1 s to 366 d) and ``cron`` (UTC crontab) exclude each other: set one, null the other.
    """

    model_config = ConfigDict(extra="forbid")

    interval: str | None = Field(default=None, max_length=20, examples=["6h"])
    cron: str | None = Field(default=None, max_length=100, examples=["0 6 * * *"])
    tags: list[Annotated[str, Field(max_length=100)]] | None = Field(default=None, max_length=100)
    paused: bool | None = None
    #: Everyone who should get this supplier's alerts (names of [[recipients]]); see monitor.watchlist.
    recipients: list[Annotated[str, Field(max_length=300)]] | None = Field(default=None, max_length=500)


def _watch_entry(config: Config, supplier: SupplierConfig) -> dict[str, Any]:
    return {
        "id": supplier.id,
        "interval_seconds": supplier.interval.total_seconds() if supplier.interval else None,
        "tags": list(supplier.tags),
        "paused": supplier.paused,
        "recipients": [r.to_dict() for r in recipient_links(config, supplier)],
    }


@router.patch("/suppliers/{supplier_id}", dependencies=[Depends(check_csrf)])
def api_edit_supplier(request: Request, supplier_id: SupplierId, edit: SupplierEdit) -> dict[str, Any]:
    """Edit a watched supplier in config.toml (comments kept), like the watch list page's form.

    ``recipients`` lists everyone who should get its alerts: the id is added to or removed from each
    recipient's ``suppliers``. One following through "*", a shared tag or an empty list cannot be left out (422).
    """
    from monitor.checks import sync_watch_list

    state = web_state(request)
    config, error = state.try_config()
    if config is None or supplier_id not in {s.id for s in config.suppliers}:
        raise HTTPException(status_code=404, detail=error or f"supplier {supplier_id!r} is not on the watch list")
    given = edit.model_fields_set
    changes: dict[str, object] = {}
    if "interval" in given:
        changes["interval"] = (edit.interval or "").strip() or None
        if changes["interval"]:
            try:
                parse_interval(changes["interval"])
            except ValueError as exc:
                raise HTTPException(status_code=422, detail=f"interval: {exc}") from None
    if "cron" in given:
        changes["cron"] = (edit.cron or "").strip() or None
    if "tags" in given:
        changes["tags"] = [t.strip() for t in edit.tags or [] if t.strip()]
    if "paused" in given:
        changes["paused"] = edit.paused or None
    try:
        config = update_supplier(state.config_path, supplier_id, changes, recipients=edit.recipients)
    except ValueError as exc:  # ConfigError (the whole config validated: file untouched) or a bad value
        raise HTTPException(status_code=422, detail=str(exc)) from None
    sync_watch_list(state.db, config)
    return _watch_entry(config, config.supplier(supplier_id))


@router.get("/jobs/{job_id}")
def api_job(request: Request, job_id: RowId) -> dict[str, Any]:
    job = web_state(request).runner.jobs.get(job_id)
    if job is None:
        raise not_found(f"job {job_id}")
    return job.to_dict()


@router.get("/queue")
def api_queue(request: Request) -> dict[str, Any]:
    """The distributed mode's job queue: jobs per queue and each worker's heartbeat (available False without it)."""
    state = web_state(request)
    config, _error = state.try_config()
    stall = config.scheduler.worker_stall_timeout if config is not None else SchedulerConfig().worker_stall_timeout
    return queue_status(state.db, stall, QUEUES).to_json()


def _csv_cell(value: str) -> str:
    """Neutralise spreadsheet formulas: scraped names like '=HYPERLINK(...)' must stay text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@router.get("/export/suppliers.csv", response_class=Response)
def export_csv(request: Request) -> Response:
    """One row per open finding (suppliers without findings get one empty row), for spreadsheets."""
    db = web_state(request).db
    by_supplier: dict[str, list[StoredFinding]] = {}
    for r in open_findings_worst_first(db):
        by_supplier.setdefault(r.finding.supplier_id, []).append(r.finding)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["supplier_id", "name", "status", "last_check_at", "finding_code", "severity", "message"])
    for row in overview_rows(db):
        base = [row.id, _csv_cell(row.name), row.status, _iso(row.last_check_at) or ""]
        findings = by_supplier.get(row.id) or [None]
        for f in findings:
            writer.writerow(base + ([f.code, f.severity, _csv_cell(f.message)] if f else ["", "", ""]))
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="suppliers.csv"'},
    )
