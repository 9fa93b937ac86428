"""Alerts log (/alerts): what was sent to whom through which channel; failed deliveries can be resent."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from monitor.web.context import RowId, render, web_state
from monitor.web.security import check_csrf
from storage import list_deliveries, reset_delivery
from storage.outbox import redact_text

router = APIRouter()


@router.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
def alerts_log(request: Request, failed: bool = False) -> HTMLResponse:
    """Deliveries newest first; targets are redacted (they may hold webhook tokens)."""
    rows = list_deliveries(web_state(request).db, failed_only=failed, limit=300)
    view = [
        {"row": r, "target": r.redacted_target, "error": redact_text(r.last_error, r.target) if r.last_error else None}
        for r in rows
    ]
    config, _ = web_state(request).try_config()
    no_recipients = config is not None and not config.recipients
    return render(request, "alerts.html", {"rows": view, "failed": failed, "no_recipients": no_recipients})


@router.post("/alerts/deliveries/{delivery_id}/resend", dependencies=[Depends(check_csrf)], include_in_schema=False)
def resend(request: Request, delivery_id: RowId) -> RedirectResponse:
    """Queue a delivery again (the daemon or `supplier-monitor alerts send` delivers it)."""
    if not reset_delivery(web_state(request).db, delivery_id, datetime.now(UTC)):
        raise HTTPException(status_code=404, detail=f"delivery {delivery_id} not found or being sent right now")
    return RedirectResponse("/alerts", status_code=303)
