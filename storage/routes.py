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
    with db.session(write=True) as session:
        route = session.get(PageRoute, (supplier_id, url))
        if route is None:
            session.add(PageRoute(supplier_id=supplier_id, url=url, method=method, browser_checks=browser_checks))
        else:
            route.method, route.browser_checks, route.updated_at = method, browser_checks, utcnow()
