"""Watch list (/watchlist): add, edit, pause, remove suppliers in config.toml; "check now" in the background."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from monitor.config import parse_interval
from monitor.distributed import QUEUES
from monitor.distributed.queue_status import queue_status
from monitor.watchlist import add_supplier, recipient_links, remove_supplier, update_supplier
from monitor.web.context import principal, render, web_state
from monitor.web.security import check_csrf

router = APIRouter()
SupplierId = Annotated[str, Path(max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


def _tags(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _page(request: Request, error: str | None = None, status: int = 200) -> HTMLResponse:
    state = web_state(request)
    config, config_error = state.try_config()
    jobs = state.runner.recent()
    job_queue = None
    if config is not None and config.scheduler.mode == "distributed":
        job_queue = queue_status(state.db, config.scheduler.worker_stall_timeout, QUEUES)
    return render(
        request,
        "watchlist.html",
        {
            "config": config,
            "recipients": {s.id: recipient_links(config, s) for s in config.suppliers} if config else {},
            "config_path": str(state.config_path),
            "error": error or config_error,
            "jobs": jobs,
            "busy": any(j.status in ("queued", "running") for j in jobs),
            "job_queue": job_queue,
        },
        status,
    )


@router.get("/watchlist", response_class=HTMLResponse, include_in_schema=False)
def watchlist(request: Request) -> HTMLResponse:
    return _page(request)


def _apply(request: Request, edit: object) -> Response:
    """Run a config edit; a refused edit re-renders the page with the reason (file left untouched)."""
    from monitor.checks import sync_watch_list

    try:
        config = edit() if callable(edit) else None
    except ValueError as exc:  # ConfigError (the whole config validated: file untouched) or a bad value
        return _page(request, str(exc), 422)
    if config is not None:
        sync_watch_list(web_state(request).db, config)
    return RedirectResponse("/watchlist", status_code=303)


@router.post("/watchlist/add", dependencies=[Depends(check_csrf)], include_in_schema=False)
def add(
    request: Request,
    id: Annotated[str, Form(max_length=64)],
    url: Annotated[str, Form(max_length=2000)],
    name: Annotated[str, Form(max_length=300)] = "",
    tags: Annotated[str, Form(max_length=500)] = "",
    interval: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    entry: dict[str, object] = {"id": id.strip(), "name": name.strip(), "url": url.strip(), "tags": _tags(tags)}
    if interval.strip():
        try:
            parse_interval(interval.strip())
        except ValueError as exc:
            return _page(request, f"interval: {exc}", 422)
        entry["interval"] = interval.strip()
    return _apply(request, lambda: add_supplier(web_state(request).config_path, entry))


@router.post("/watchlist/{supplier_id}/edit", dependencies=[Depends(check_csrf)], include_in_schema=False)
def edit(
    request: Request,
    supplier_id: SupplierId,
    interval: Annotated[str, Form(max_length=20)] = "",
    tags: Annotated[str, Form(max_length=500)] = "",
    recipients: Annotated[list[str] | None, Form(max_length=500)] = None,
    recipients_shown: Annotated[bool, Form()] = False,
) -> Response:
    """Save interval, tags and (when the form showed them) the recipient checkboxes in one write.

    Unticked checkboxes send nothing, so ``recipients_shown`` tells "none ticked" from "not on this form".
    """
    changes: dict[str, object] = {"tags": _tags(tags), "interval": interval.strip() or None}
    if interval.strip():
        try:
            parse_interval(interval.strip())
        except ValueError as exc:
            return _page(request, f"interval: {exc}", 422)
    wanted = (recipients or []) if recipients_shown else None
    path = web_state(request).config_path
    return _apply(request, lambda: update_supplier(path, supplier_id, changes, recipients=wanted))


@router.post("/watchlist/{supplier_id}/pause", dependencies=[Depends(check_csrf)], include_in_schema=False)
def pause(request: Request, supplier_id: SupplierId) -> Response:
    return _apply(request, lambda: update_supplier(web_state(request).config_path, supplier_id, {"paused": True}))


@router.post("/watchlist/{supplier_id}/resume", dependencies=[Depends(check_csrf)], include_in_schema=False)
def resume(request: Request, supplier_id: SupplierId) -> Response:
    return _apply(request, lambda: update_supplier(web_state(request).config_path, supplier_id, {"paused": None}))


@router.post("/watchlist/{supplier_id}/remove", dependencies=[Depends(check_csrf)], include_in_schema=False)
def remove(request: Request, supplier_id: SupplierId) -> Response:
    return _apply(request, lambda: remove_supplier(web_state(request).config_path, supplier_id))


@router.post("/watchlist/{supplier_id}/check", dependencies=[Depends(check_csrf)], include_in_schema=False)
def check_now(request: Request, supplier_id: SupplierId) -> Response:
    state = web_state(request)
    config, error = state.try_config()
    if config is None or supplier_id not in {s.id for s in config.suppliers}:
        raise HTTPException(status_code=404, detail=error or f"supplier {supplier_id!r} is not on the watch list")
    state.runner.submit(supplier_id, principal(request).actor)
    return RedirectResponse("/watchlist", status_code=303)
