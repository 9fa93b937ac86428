"""Findings inbox (/findings): open findings across suppliers; acknowledge, snooze, reopen (history kept)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from monitor.severity import Severity, worst_first
from monitor.web.context import RowId, not_found, principal, render, web_state
from monitor.web.routes.suppliers import rule_info
from monitor.web.security import check_csrf
from storage import Database
from storage.dashboard import InboxRow, UnknownFindingError, acknowledge, findings_inbox, reopen, snooze

router = APIRouter()
FindingId = RowId
Note = Annotated[str, Form(max_length=2000)]


def open_findings_worst_first(db: Database, **filters: str | None) -> list[InboxRow]:
    """The inbox as every view lists it: worst severity first, then by supplier, oldest first."""
    return worst_first(findings_inbox(db, **filters), lambda row: row.finding.severity)


@router.get("/findings", response_class=HTMLResponse, include_in_schema=False)
def inbox(
    request: Request,
    severity: Severity | None = None,
    state: Literal["open", "acknowledged", "snoozed"] | None = None,
    supplier: Annotated[str | None, Query(max_length=200)] = None,
    code: Annotated[str | None, Query(max_length=100, pattern=r"^[A-Z0-9_]+$")] = None,
) -> HTMLResponse:
    """What needs a decision: every unresolved finding, worst first, with who handled it and when."""
    rows = open_findings_worst_first(
        web_state(request).db, supplier_id=supplier, severity=severity, state=state, code=code
    )
    return render(
        request,
        "findings.html",
        {
            "rows": [(r, rule_info(r.finding.code)) for r in rows],
            "severities": list(Severity),
            "f": {"severity": severity or "", "state": state or "", "supplier": supplier or "", "code": code or ""},
            "today": datetime.now(UTC).date(),
        },
    )


def _back(request: Request) -> RedirectResponse:
    target = request.query_params.get("next", "/findings")
    if not target.startswith("/") or target.startswith("//"):
        target = "/findings"  # never an open redirect
    return RedirectResponse(target, status_code=303)


@router.post("/findings/{finding_id}/acknowledge", dependencies=[Depends(check_csrf)], include_in_schema=False)
def acknowledge_finding(request: Request, finding_id: FindingId, note: Note = "") -> RedirectResponse:
    try:
        acknowledge(web_state(request).db, finding_id, actor=principal(request).actor, note=note or None)
    except UnknownFindingError:
        raise not_found(f"finding {finding_id}") from None
    return _back(request)


@router.post("/findings/{finding_id}/snooze", dependencies=[Depends(check_csrf)], include_in_schema=False)
def snooze_finding(
    request: Request, finding_id: FindingId, until: Annotated[date, Form()], note: Note = ""
) -> RedirectResponse:
    if until <= datetime.now(UTC).date():
        raise HTTPException(status_code=422, detail="snooze until a date in the future")
    try:
        snooze(web_state(request).db, finding_id, until, actor=principal(request).actor, note=note or None)
    except UnknownFindingError:
        raise not_found(f"finding {finding_id}") from None
    return _back(request)


@router.post("/findings/{finding_id}/reopen", dependencies=[Depends(check_csrf)], include_in_schema=False)
def reopen_finding(request: Request, finding_id: FindingId, note: Note = "") -> RedirectResponse:
    try:
        reopen(web_state(request).db, finding_id, actor=principal(request).actor, note=note or None)
    except UnknownFindingError:
        raise not_found(f"finding {finding_id}") from None
    return _back(request)
