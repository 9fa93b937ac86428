"""GET /healthz: is the scheduler daemon checking? JSON for load balancers and uptime monitors.

The verdict is monitor.health's, read from the daemon's heartbeat in the database: 200 for ``ok``, for
``no_daemon`` (none has ever run on this database: a dashboard alone is healthy) and for ``stopped`` (an
operator stopped it); 503 for ``stalled``, ``database_error`` and ``no_heartbeat``, and when the dashboard
cannot read its database (``database_error`` too). Like every route it sits behind the dashboard's
authentication when credentials are configured: probe it with the bearer token.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from monitor.config import SchedulerConfig
from monitor.health import DATABASE_ERROR, daemon_health
from monitor.watchdog import describe
from monitor.web.context import web_state

router = APIRouter(tags=["health"])


def _stall_after(request: Request) -> timedelta:
    config, _error = web_state(request).try_config()  # a broken config file must not break the probe
    return config.scheduler.stall_after if config is not None else SchedulerConfig().stall_after


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    """The daemon's verdict and heartbeat (see monitor.health); 503 when checks are not running as they should."""
    stall_after = _stall_after(request)
    try:
        health = daemon_health(web_state(request).db, stall_after)
    except Exception as exc:  # the dashboard's own database read failed: say so, as JSON, not as a 500 page
        now = datetime.now(UTC)
        body = {
            "status": DATABASE_ERROR,
            "healthy": False,
            "message": f"the dashboard cannot read the database: {describe(exc)}",
            "checked_at": now.isoformat(),
            "stall_after_seconds": stall_after.total_seconds(),
            "stalled_since": None,
            "daemon": None,
        }
        return JSONResponse(body, status_code=503)
    return JSONResponse(health.to_dict(), status_code=200 if health.healthy else 503)
