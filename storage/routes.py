"""Per-page fetch routes for adaptive rendering (see models.PageRoute)."""

from __future__ import annotations

from storage.db import Database
from storage.models import PageRoute, utcnow


def get_route(db: Database, supplier_id: str, url: str) -> PageRoute | None:
    with db.session() as session:
        route = session.get(PageRoute, (supplier_id, url))
        if route is not None:
            session.expunge(route)
        return route


def set_route(db: Database, supplier_id: str, url: str, method: str, browser_checks: int) -> None:
    """Remember how the page was fetched; a route that stays as it was is not written again (``updated_at`` is
    when it last changed), so a page read the cheap way every time costs no write for its route."""
    known = get_route(db, supplier_id, url)
    if known is not None and (known.method, known.browser_checks) == (method, browser_checks):
        return
    with db.session(write=True) as session:
        route = session.get(PageRoute, (supplier_id, url))
        if route is None:
            session.add(PageRoute(supplier_id=supplier_id, url=url, method=method, browser_checks=browser_checks))
        else:
            route.method, route.browser_checks, route.updated_at = method, browser_checks, utcnow()
