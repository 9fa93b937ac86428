"""The dashboard and JSON API: ``create_app(config_path)`` builds it, ``serve()`` runs it with uvicorn.

Server-rendered pages (FastAPI + Jinja2, no JS build), a small JSON API under /api, and the security
layer of monitor.web.security applied as middleware to every response.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from monitor.config import load_config
from monitor.web.context import STATIC_DIR, WebState, render
from monitor.web.security import (
    BASE_CSP,
    Credentials,
    CsrfTokens,
    allowed_host_names,
    authenticate,
    is_loopback,
    require_credentials_for,
    secret_from_env,
    set_session_cookie,
)
from storage import open_database

log = logging.getLogger(__name__)
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _error(request: Request, status: int, title: str, detail: Any) -> Response:
    """A 4xx/5xx as JSON under /api and as an HTML page elsewhere; never a traceback."""
    if _wants_json(request):
        return JSONResponse({"detail": detail}, status_code=status)
    if isinstance(detail, list):  # validation errors: say which parameter and why, in plain words
        detail = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg', 'invalid')}" for e in detail
        )
    return render(request, "error.html", {"status": status, "title": title, "detail": str(detail)}, status)


def create_app(
    config_path: Path,
    *,
    credentials: Credentials | None = None,
    database_url: str | None = None,
    listen_host: str | None = None,
    secret: str | None = None,
) -> FastAPI:
    """The dashboard over the database named in ``config_path`` (or ``database_url``).

    Credentials default to the environment ($SUPPLIER_MONITOR_WEB_TOKEN / _PASSWORD_HASH); with none,
    requests are not authenticated and the actor is "local operator" (serve() allows that on loopback only).
    It answers only to the host names of ``[dashboard] allowed_hosts``, or (none configured) to the loopback
    names and ``listen_host``, the address serve() listens on. CSRF tokens are signed with ``secret``
    (default: $SUPPLIER_MONITOR_WEB_SECRET, else random per start).
    """
    from monitor.checks import sync_watch_list
    from monitor.web.routes import alerts, api, findings, health, overview, suppliers, watchlist

    config_path = Path(config_path)
    config = load_config(config_path)
    hosts = allowed_host_names(config.dashboard.allowed_hosts, listen_host)
    csrf = CsrfTokens(secret or secret_from_env())
    creds = credentials if credentials is not None else Credentials.from_env()
    db = open_database(database_url or config.database.url)
    sync_watch_list(db, config)
    state = WebState(config_path, db, creds)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        state.runner.stop()
        db.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="supplier-monitor",
        description="Watched suppliers, their certification findings and the alerts sent about them.",
        version="1",
        docs_url=None,
        redoc_url=None,
    )
    app.state.web = state
    app.state.csrf = csrf
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (overview, suppliers, findings, alerts, watchlist, api, health):
        app.include_router(module.router)

    @app.middleware("http")
    async def security_middleware(request: Request, call_next: Any) -> Response:
        """Authenticate, then add the security headers and the session cookie to whatever the route answered."""
        principal = authenticate(request, creds)
        if principal is None and not request.url.path.startswith("/static/"):
            response: Response
            if _wants_json(request):
                response = JSONResponse({"detail": "authentication required"}, status_code=401)
            else:
                response = Response("authentication required", status_code=401, media_type="text/plain")
            response.headers["WWW-Authenticate"] = 'Basic realm="supplier-monitor", charset="UTF-8"'
            if creds.token:
                response.headers["WWW-Authenticate"] += ', Bearer realm="supplier-monitor"'
            _secure_headers(response)
            return response
        request.state.principal = principal
        response = await call_next(request)
        _secure_headers(response)
        set_session_cookie(request, response)
        return response

    # Added last, so outermost: a request under a foreign host name (DNS rebinding) gets a plain 400 before
    # authentication, routing or static files see it.
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts, www_redirect=False)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {403: "Refused", 404: "Not found", 405: "Method not allowed", 409: "Conflict"}
        response = _error(request, exc.status_code, titles.get(exc.status_code, "Error"), exc.detail)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        in_path = next((e for e in exc.errors() if e.get("loc", ())[:1] == ("path",)), None)
        if in_path is not None:
            # An id that is no number, below 1 or beyond the database's integers names nothing: 404, as for
            # an id that is merely unused (the database is never asked, so 2**64 cannot overflow it).
            name = str(in_path["loc"][-1]).removesuffix("_id")
            return _error(request, 404, "Not found", f"{name} {str(in_path.get('input', ''))[:40]!r} not found")
        return _error(request, 422, "Invalid request", errors)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return _error(request, 500, "Server error", "something went wrong; the details are in the server log")

    return app


def _secure_headers(response: Response) -> None:
    """CSP, framing, sniffing and referrer policy; a route that set its own CSP (evidence) keeps it."""
    if "content-security-policy" not in response.headers:
        response.headers["Content-Security-Policy"] = BASE_CSP
        response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")


def serve(
    config_path: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, database_url: str | None = None
) -> None:
    """Run the dashboard with uvicorn; refuses non-loopback addresses unless credentials are configured."""
    import uvicorn

    credentials = Credentials.from_env()
    require_credentials_for(host, credentials)
    app = create_app(config_path, credentials=credentials, database_url=database_url, listen_host=host)
    if not is_loopback(host) and not load_config(config_path).dashboard.allowed_hosts:
        print(
            f"The dashboard answers only to {host} and the loopback names; to reach it by another name or "
            "address, list them in [dashboard] allowed_hosts.",
            file=sys.stderr,
        )
    uvicorn.run(app, host=host, port=port, proxy_headers=False, server_header=False)


def serve_demo(db_path: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Serve the dashboard over the demo's database (after ``supplier-monitor demo``).

    The demo has no config file, so one is written next to the database, listing the suppliers the demo
    stored (the demo marketplace is gone by then: "check now" will report those pages unreachable).
    """
    import tomlkit

    from storage import list_suppliers

    db_path = Path(db_path).resolve()
    url = f"sqlite:///{db_path}"
    with open_database(url) as db:
        stored = list_suppliers(db)
    document = tomlkit.document()
    document.add(tomlkit.comment("Written by `supplier-monitor demo --serve` for the dashboard; safe to delete."))
    document["database"] = {"url": url}
    document["politeness"] = {"min_delay_per_host": "0s", "max_concurrency_per_host": 16}
    suppliers = tomlkit.aot()
    for s in stored:
        if s.urls:
            suppliers.append(tomlkit.item({"id": s.id, "name": s.name, "urls": list(s.urls), "tags": list(s.tags)}))
    document["suppliers"] = suppliers
    config_path = db_path.with_name(db_path.stem + "-dashboard.toml")
    config_path.write_text(tomlkit.dumps(document), encoding="utf-8")
    print(f"Dashboard over {db_path} at http://{host}:{port}/ (Ctrl-C to stop)")
    serve(config_path, host, port)
