"""Overview (/): every watched supplier with status and open findings; charts and parser health at /stats."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from monitor.severity import Severity
from monitor.web.context import render, web_state
from monitor.web.plot import checks_chart, findings_chart
from storage import DEFAULT_POLICY, parser_health
from storage.dashboard import OverviewRow, check_outcomes_per_day, findings_per_day, overview_rows

router = APIRouter()
Status = Literal["ok", "blocked", "failing", "never checked"]
Sort = Literal["findings", "name", "id", "last_check", "last_change", "status"]


class SupplierFilters:
    """The overview's filters and sort as query parameters, shared with /api/suppliers so both always show
    the same rows (FastAPI reads them from this constructor; bad values are a 422)."""

    def __init__(
        self,
        tag: Annotated[str | None, Query(max_length=100)] = None,
        severity: Severity | None = None,
        status: Status | None = None,
        sort: Sort = "findings",
        q: Annotated[str | None, Query(max_length=200)] = None,
    ) -> None:
        self.tag, self.severity, self.status, self.sort, self.q = tag, severity, status, sort, q

    def apply(self, rows: list[OverviewRow]) -> list[OverviewRow]:
        if self.tag:
            rows = [r for r in rows if self.tag in r.tags]
        if self.severity:
            rows = [r for r in rows if r.open_findings.get(self.severity, 0) > 0]
        if self.status:
            rows = [r for r in rows if r.status == self.status]
        if self.q:
            needle = self.q.casefold()
            rows = [r for r in rows if needle in r.name.casefold() or needle in r.id]
        rows.sort(key=_SORT_KEYS[self.sort])
        return rows

    def form_values(self) -> dict[str, str]:
        return {
            "tag": self.tag or "",
            "severity": self.severity or "",
            "status": self.status or "",
            "sort": self.sort,
            "q": self.q or "",
        }


def _newest_first(value: datetime | None) -> tuple[bool, float]:
    return value is None, -(value.timestamp() if value else 0)


_STATUS_ORDER = {"failing": 0, "blocked": 1, "never checked": 2, "ok": 3}
_SORT_KEYS: dict[str, Callable[[OverviewRow], Any]] = {
    "findings": lambda r: (*tuple(-r.open_findings.get(s, 0) for s in Severity), r.id),
    "name": lambda r: r.name.casefold(),
    "id": lambda r: r.id,
    "last_check": lambda r: _newest_first(r.last_check_at),
    "last_change": lambda r: _newest_first(r.last_change_at),
    "status": lambda r: (_STATUS_ORDER[r.status], r.id),
}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview(request: Request, filters: Annotated[SupplierFilters, Depends()]) -> HTMLResponse:
    """Every watched supplier at a glance: is it checked, is it blocked, what is wrong with its claims."""
    state = web_state(request)
    all_rows = overview_rows(state.db)
    tags = sorted({t for r in all_rows for t in r.tags})
    return render(
        request,
        "overview.html",
        {
            "rows": filters.apply(list(all_rows)),
            "total": len(all_rows),
            "tags": tags,
            "severities": list(Severity),
            "statuses": list(get_args(Status)),
            "sorts": list(get_args(Sort)),
            "f": filters.form_values(),
        },
    )


@router.get("/stats", response_class=HTMLResponse, include_in_schema=False)
def stats(request: Request, days: Annotated[int, Query(ge=1, le=365)] = 30) -> HTMLResponse:
    """Trends a table hides: open findings per severity, check outcomes per day, and parser health (a
    family of pages that stopped yielding a field looks like many suppliers each dropping a claim)."""
    health = parser_health(web_state(request).db)
    return render(request, "stats.html", {"days": days, "health": health, "policy": DEFAULT_POLICY})


@router.get("/stats/findings.svg", include_in_schema=False)
def findings_svg(request: Request, days: Annotated[int, Query(ge=1, le=365)] = 30) -> Response:
    svg = findings_chart(findings_per_day(web_state(request).db, days=days))
    return Response(svg, media_type="image/svg+xml")


@router.get("/stats/checks.svg", include_in_schema=False)
def checks_svg(request: Request, days: Annotated[int, Query(ge=1, le=365)] = 30) -> Response:
    svg = checks_chart(check_outcomes_per_day(web_state(request).db, days=days))
    return Response(svg, media_type="image/svg+xml")
