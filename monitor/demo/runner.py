"""The demo: start the synthetic marketplace, watch its suppliers for several rounds, show each round.

This is the README's first command. It uses the real pipeline (real Chromium, real parsers, the real
store), only the marketplace is local and its scenario clock moves between rounds.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from rich.console import Console

from monitor.checks import PageOutcome
from monitor.config import Config, load_config
from monitor.demo.marketplace import DemoMarketplace
from monitor.demo.scenario import demo_suppliers, demo_verify_settings, last_scripted_round
from monitor.engine import Monitor
from monitor.report import outcomes_table, round_findings_table, safe

DEFAULT_DEMO_DB = Path("data/demo.db")
#: One loopback host serves every demo store, where the marketplace gives each its own subdomain: a captcha on
#: one store must not back the others off, and pacing meant for real marketplaces would only make the demo wait.
LOOPBACK_POLITENESS = {"min_delay_per_host": "0s", "max_concurrency_per_host": 16, "block_backoff": "0s"}


def demo_config(base_url: str, database_url: str, method: str = "browser") -> Config:
    return load_config(
        Path("demo.toml"),
        data={
            "database": {"url": database_url},
            # The marketplace is on loopback, which is refused unless allowed: only ever for a local marketplace.
            "fetch": {"method": method, "timeout": "20s", "allow_private_addresses": True},
            "politeness": LOOPBACK_POLITENESS,
            # Two failed rounds are enough to show a "check failing" alert within the demo's five rounds.
            "alerts": {"failure_threshold": 2},
            "verify": demo_verify_settings(),  # the story's day: its certificates are dated for it
            "recipients": [{"name": "Demo sourcing team", "console": True, "operator": True, "min_severity": "medium"}],
            "suppliers": demo_suppliers(base_url),
        },
    )


def run_demo(
    console: Console,
    *,
    rounds: int | None = None,
    db_path: Path = DEFAULT_DEMO_DB,
    method: str = "browser",
    delay_ms: int = 0,
) -> list[list[PageOutcome]]:
    """Run ``rounds`` check rounds (default: round 0 to the last scripted change) against a fresh demo database;
    return the outcomes of each round."""
    if rounds is None:
        rounds = last_scripted_round() + 1
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (db_path, db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    with DemoMarketplace(delay_ms=delay_ms) as market:
        config = demo_config(market.base_url, f"sqlite:///{db_path.resolve()}", method)
        console.print(f"Demo marketplace at [bold]{market.base_url}[/]; database {db_path}")
        history = asyncio.run(_rounds(console, market, config, rounds))
    console.print(
        f"Done: {rounds} rounds. Every snapshot is kept in {db_path}; "
        "inspect one page with `supplier-monitor extract URL_OR_FILE`."
    )
    return history


async def _rounds(console: Console, market: DemoMarketplace, config: Config, rounds: int) -> list[list[PageOutcome]]:
    """The rounds through one engine (one browser for the whole demo), the scenario clock moved between them."""
    names = {s.id: s.display_name for s in config.suppliers}
    history: list[list[PageOutcome]] = []
    async with Monitor(config) as monitor:
        for round_no in range(rounds):
            market.set_round(round_no)
            outcomes = await monitor.check()
            outcomes.sort(key=lambda o: o.supplier_id)
            console.print(outcomes_table(outcomes, names, title=f"Round {round_no}"))
            _print_round_summary(console, outcomes, names)
            findings = round_findings_table(outcomes, names, first_round=round_no == 0)
            console.print(findings if findings else "  no findings appeared or were resolved")
            console.rule(f"Alerts of round {round_no} (console channel)")
            delivered = await monitor.deliver()
            console.print(f"  alerts delivered: {delivered.alerts}")
            history.append(outcomes)
    return history


def _print_round_summary(console: Console, outcomes: list[PageOutcome], names: dict[str, str]) -> None:
    counts = Counter(o.status for o in outcomes)
    console.print("  " + ", ".join(f"{status}: {n}" for status, n in sorted(counts.items())))
    # The table shows page types only; which parser read each page is the point of watching several platforms.
    parsers = Counter(o.claims.source.platform for o in outcomes if o.ok and o.claims is not None)
    if parsers:
        console.print("  read by: " + ", ".join(f"{platform} {n}" for platform, n in sorted(parsers.items())))
    for o in outcomes:
        name = names.get(o.supplier_id, o.supplier_id)
        if o.ok and o.changed and o.previous_snapshot_id is not None:
            console.print("  changed:", safe(name), "- claims differ from the last snapshot (new evidence kept)")
        elif not o.ok:
            console.print("  ", safe(f"{name}: {o.status}: {o.reason}"), "- no snapshot stored, claims not compared")
