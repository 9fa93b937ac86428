"""Shared pytest fixtures.

This file currently provides only `db_url` (owned by the storage package); other fixtures will be added
here by others.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

PG_URL_ENV = "SUPPLIER_MONITOR_TEST_DATABASE_URL"


def _pg_schema_url(base_url: str, schema: str) -> str:
    """The base URL with search_path pinned to `schema`, so each test sees only its own tables."""
    from sqlalchemy import make_url

    url = make_url(base_url)
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for an empty database: a temp SQLite file, or a fresh PostgreSQL schema.

    The PostgreSQL variant needs $SUPPLIER_MONITOR_TEST_DATABASE_URL (e.g.
    postgresql+psycopg://postgres@127.0.0.1:5432/test) and is skipped without it. Each test gets a
    uniquely named schema (dropped afterwards) so tests can run concurrently without clashing.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'monitor.db'}"
        return

    base_url = os.environ.get(PG_URL_ENV)
    if not base_url:
        pytest.skip(f"PostgreSQL tests need ${PG_URL_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1/test)")
    from sqlalchemy import create_engine, text

    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield _pg_schema_url(base_url, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


# --- shared by the pipeline, CLI and browser tests ------------------------------------------------------

SHARED_PAGES = Path(__file__).resolve().parents[2] / "shared" / "pages"
CHROMIUM_MISSING_REASON = "no Chromium for Playwright: install Debian's chromium package (make browser)"


def chromium_available() -> bool:
    from scrapers.fetch.browser import find_system_chromium

    if find_system_chromium():
        return True
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            return Path(p.chromium.executable_path).exists()
    except Exception:
        return False


requires_browser = pytest.mark.skipif(not chromium_available(), reason=CHROMIUM_MISSING_REASON)


def chromium_descendants() -> set[int]:
    """PIDs of the live Chromium processes below this test process. A process that exits while it is being
    looked at is skipped, not an error: browsers start and end helper processes all the time."""
    import psutil

    found = set()
    for proc in psutil.Process(os.getpid()).children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "chrom" in proc.name().lower() and proc.status() != psutil.STATUS_ZOMBIE:
                found.add(proc.pid)
    return found


@pytest.fixture
def shared_pages() -> Path:
    """The real captured pages (data from public repositories), read in place, never copied."""
    if not SHARED_PAGES.is_dir():
        pytest.skip(f"real captured pages not found at {SHARED_PAGES} (the ../shared checkout is absent)")
    return SHARED_PAGES


@pytest.fixture
def marketplace() -> Iterator[object]:
    """The demo marketplace on an ephemeral loopback port, at round 0."""
    from monitor.demo.marketplace import DemoMarketplace

    with DemoMarketplace() as market:
        yield market


T = TypeVar("T")


# --- one event loop per test module, for fetchers and browsers shared by a module's tests -------------------


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.close()


@pytest.fixture(scope="module")
def run(loop: asyncio.AbstractEventLoop) -> Callable[[Coroutine[Any, Any, T]], T]:
    return loop.run_until_complete
