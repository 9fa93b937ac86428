"""Overview (/): every watched supplier with status and open findings; charts at /stats."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from monitor.web.context import render, web_state
from monitor.web.plot import checks_chart, findings_chart
from storage.dashboard import SEVERITIES, OverviewRow, check_outcomes_per_day, findings_per_day, overview_rows

router = APIRouter()
Severity = Literal["critical", "high", "medium", "low", "info"]
Status = Literal["ok", "blocked", "failing", "never checked"]
Sort = Literal["findings", "name", "id", "last_check", "last_change", "status"]
_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def filter_rows(
    rows: list[OverviewRow],
    *,
    tag: str | None = None,
    severity: str | None = None,
    status: str | None = None,
    q: str | None = None,
    sort: str = "findings",
) -> list[OverviewRow]:
    """The overview's filters and sort, shared with /api/suppliers so both always show the same rows."""
    if tag:
        rows = [r for r in rows if tag in r.tags]
    if severity:
        rows = [r for r in rows if r.open_findings.get(severity, 0) > 0]
    if status:
        rows = [r for r in rows if r.status == status]
    if q:
        needle = q.casefold()
        rows = [r for r in rows if needle in r.name.casefold() or needle in r.id]
    if sort == "findings":
        rows.sort(key=lambda r: (*tuple(-r.open_findings.get(s, 0) for s in SEVERITIES), r.id))
    elif sort == "name":
        rows.sort(key=lambda r: r.name.casefold())
    elif sort == "last_check":
        rows.sort(key=lambda r: (r.last_check_at is None, -(r.last_check_at.timestamp() if r.last_check_at else 0)))
    elif sort == "last_change":
        rows.sort(key=lambda r: (r.last_change_at is None, -(r.last_change_at.timestamp() if r.last_change_at else 0)))
    elif sort == "status":
        order = {"failing": 0, "blocked": 1, "never checked": 2, "ok": 3}
        rows.sort(key=lambda r: (order[r.status], r.id))
    else:
        rows.sort(key=lambda r: r.id)
    return rows


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview(
    request: Request,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    severity: Severity | None = None,
    status: Status | None = None,
    sort: Sort = "findings",
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """Every watched supplier at a glance: is it checked, is it blocked, what is wrong with its claims."""
    state = web_state(request)
    all_rows = overview_rows(state.db)
    tags = sorted({t for r in all_rows for t in r.tags})
    rows = filter_rows(all_rows, tag=tag, severity=severity, status=status, q=q, sort=sort)
    return render(
        request,
        "overview.html",
        {
            "rows": rows,
            "total": len(all_rows),
            "tags": tags,
            "severities": SEVERITIES,
            "statuses": ["ok", "blocked", "failing", "never checked"],
            "sorts": ["findings", "name", "id", "last_check", "last_change", "status"],
            "f": {"tag": tag or "", "severity": severity or "", "status": status or "", "sort": sort, "q": q or ""},
        },
    )


@router.get("/stats", response_class=HTMLResponse, include_in_schema=False)
def stats(request: Request, days: Annotated[int, Query(ge=1, le=365)] = 30) -> HTMLResponse:
    """Trends a table hides: open findings per severity and check outcomes per day."""
    return render(request, "stats.html", {"days": days})


@router.get("/stats/findings.svg", include_in_schema=False)
def findings_svg(request: Request, days: Annotated[int, Query(ge=1, le=365)] = 30) -> Response:
    svg = findings_chart(findings_per_day(web_state(request).db, days=days))
    return Response(svg, media_type="image/svg+xml")


@router.get("/stats/checks.svg", include_in_schema=False)
def checks_svg(request: Request, days: Annotated[int, Query(ge=1, le=365)] = 30) -> Response:
    svg = checks_chart(check_outcomes_per_day(web_state(request).db, days=days))
    return Response(svg, media_type="image/svg+xml")
