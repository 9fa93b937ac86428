"""Adaptive rendering against the demo marketplace: plain HTTP first where the data is in the HTML, the
real browser when that fails, the route remembered per page and the cheap way retried periodically."""

from __future__ import annotations

import asyncio
from pathlib import Path

from conftest import requires_browser

from monitor.checks import PageOutcome, sync_watch_list
from monitor.config import Config, load_config
from monitor.demo.marketplace import DemoMarketplace
from monitor.demo.runner import LOOPBACK_POLITENESS
from monitor.demo.scenario import demo_suppliers, demo_verify_settings
from monitor.engine import check_round
from storage import get_route, list_checks, open_database

pytestmark = requires_browser


def _config(tmp_path: Path, market: DemoMarketplace, ids: set[str]) -> Config:
    return load_config(
        tmp_path / "config.toml",
        data={
            "database": {"url": f"sqlite:///{tmp_path / 'monitor.db'}"},
            "politeness": LOOPBACK_POLITENESS,
            "fetch": {"method": "auto", "retry_http_every": 2, "allow_private_addresses": True},
            "verify": demo_verify_settings(),
            "suppliers": [s for s in demo_suppliers(market.base_url) if s["id"] in ids],
        },
    )


def _check(config: Config, db: object) -> dict[str, PageOutcome]:
    return {o.supplier_id: o for o in asyncio.run(check_round(config, db, config.suppliers))}


def test_plain_http_is_used_where_the_data_is_in_the_html(tmp_path: Path, marketplace: DemoMarketplace) -> None:
    ids = {"haoyu-valves", "kangda-medical", "jiahe-electronics", "hengtai-machinery"}  # all four families
    config = _config(tmp_path, marketplace, ids)
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        outcomes = _check(config, db)
        assert {o.status for o in outcomes.values()} == {"ok"}
        assert {o.fetch_method for o in outcomes.values()} == {"http"}
        assert all(get_route(db, o.supplier_id, o.url).method == "http" for o in outcomes.values())


def test_a_blocked_http_answer_falls_back_to_the_browser_and_http_is_retried_later(
    tmp_path: Path, marketplace: DemoMarketplace
) -> None:
    config = _config(tmp_path, marketplace, {"xinlong-hardware"})
    url = config.suppliers[0].page_urls[0]
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        marketplace.glitch("xinlong-hardware", "captcha")  # only the next request (plain HTTP) is blocked
        first = _check(config, db)["xinlong-hardware"]
        assert (first.status, first.fetch_method) == ("ok", "browser")
        assert "plain HTTP gave blocked" in first.reason
        assert list_checks(db, "xinlong-hardware", limit=1)[0].error.startswith("plain HTTP gave blocked")
        assert get_route(db, "xinlong-hardware", url).method == "browser"

        # Remembered: the browser is used directly ...
        assert _check(config, db)["xinlong-hardware"].fetch_method == "browser"
        assert _check(config, db)["xinlong-hardware"].fetch_method == "browser"
        # ... until retry_http_every browser checks have passed; then the cheap way is tried again and kept.
        assert _check(config, db)["xinlong-hardware"].fetch_method == "http"
        assert _check(config, db)["xinlong-hardware"].fetch_method == "http"
        assert get_route(db, "xinlong-hardware", url).method == "http"


def test_an_address_refused_to_plain_http_is_not_tried_with_the_browser(
    tmp_path: Path, marketplace: DemoMarketplace
) -> None:
    config = _config(tmp_path, marketplace, {"haoyu-valves"})
    config = config.model_copy(update={"fetch": config.fetch.model_copy(update={"allow_private_addresses": False})})
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        outcome = _check(config, db)["haoyu-valves"]
        assert (outcome.status, outcome.fetch_method) == ("error", "http")
        assert outcome.reason.startswith("blocked_address")
