"""Parser health per platform and page family, against real databases (SQLite file and PostgreSQL): fill
shares, field drops raising one layout_changed alert, the status report and the dashboard.

Checks are recorded through storage.record_check with claims documents built by the scrapers' claims
model, as the checker stores them; "now" is yesterday noon, every check a fixed offset before it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import Field
from rich.console import Console
from typer.testing import CliRunner

from monitor.alerts.layout import MIN_PAGES_FOR_LAYOUT_ALERT, raise_layout_alerts
from monitor.checks import PageOutcome, sync_watch_list
from monitor.cli import app as cli_app
from monitor.config import Config, load_config
from monitor.status import print_status, status_report
from monitor.web.app import create_app
from monitor.web.security import Credentials
from scrapers.claims import Badge, Certification, ClaimsDocument, Source, Statement
from scrapers.claims import Supplier as ClaimsSupplier
from storage import (
    Database,
    FamilyHealth,
    HealthPolicy,
    PageRef,
    claim_fields,
    filled_fields,
    list_alerts,
    list_deliveries,
    open_database,
    parser_health,
    record_check,
    upsert_suppliers,
)

IDS = ("anke", "bolt", "cora", "dena")
PROFILE = ("alibaba", "company_profile")
HOSTILE = "<script>alert(1)</script>"
#: What every company profile page of these suppliers shows (main_markets: never, to have a field no page yields).
FULL_PROFILE: dict[str, Any] = {
    "business_type": "Manufacturer",
    "country": "CN",
    "location": "Zhejiang, China",
    "year_established": 2009,
    "years_on_platform": 7,
    "employees": "51 - 100 People",
    "annual_revenue": "US$5 Million - US$10 Million",
    "main_products": ["Kettles"],
}
FILLED = frozenset({"name", *FULL_PROFILE, "badges", "certifications", "statements"})
#: The supplier fields docs/claims-schema.md lists (the model may grow more).
SUPPLIER_FIELDS = (
    "name", "business_type", "country", "location", "year_established", "years_on_platform", "employees",
    "annual_revenue", "main_products", "main_markets",
)  # fmt: skip
LISTS = ("badges", "certifications", "statements")


def url_of(supplier_id: str) -> str:
    return f"https://{supplier_id}.en.alibaba.com/company_profile.html"


def page_claims(
    supplier_id: str, at: datetime, *, lose: Sequence[str] = (), family: tuple[str, str] = PROFILE
) -> dict[str, Any]:
    """The claims document of one supplier's profile page, as a parser builds it, minus the ``lose`` fields."""
    supplier = {"name": f"{supplier_id.title()} Appliance Co., Ltd.", **FULL_PROFILE}
    lists: dict[str, list[Any]] = {
        "badges": [Badge(name="Verified Supplier", issuer="TÜV Rheinland")],
        "certifications": [Certification(name="ISO 9001:2015", standard="ISO 9001", kind="management_system")],
        "statements": [Statement(text="Our factory is ISO 9001 certified.", location="overview")],
    }
    for name in lose:
        if name in lists:
            lists[name] = []
        else:
            supplier[name] = [] if isinstance(supplier[name], list) else None
    document = ClaimsDocument(
        source=Source(url=url_of(supplier_id), platform=family[0], page_type=family[1], fetched_at=at),
        supplier=ClaimsSupplier(**supplier),
        **lists,
    )
    return document.to_json_dict()


def ok_check(db: Database, supplier_id: str, at: datetime, **claims: Any) -> PageOutcome:
    """Store one ok check as the checker does; the outcome is what the checker hands to raise_layout_alerts."""
    result = record_check(
        db,
        supplier_id=supplier_id,
        url=url_of(supplier_id),
        started_at=at,
        finished_at=at + timedelta(seconds=2),
        status="ok",
        fetch_method="http",
        http_status=200,
        claims=page_claims(supplier_id, at, **claims),
    )
    return PageOutcome(supplier_id, url_of(supplier_id), "ok", "", "http", 2000, changed=result.changed)


def unparseable_check(db: Database, supplier_id: str, at: datetime) -> PageOutcome:
    record_check(
        db,
        supplier_id=supplier_id,
        url=url_of(supplier_id),
        started_at=at,
        finished_at=at + timedelta(seconds=2),
        status="unparseable",
        fetch_method="http",
        error="no supplier data found",
    )
    return PageOutcome(supplier_id, url_of(supplier_id), "unparseable", "no supplier data found", "http", 2000)


@dataclass
class Site:
    config_path: Path
    config: Config
    db: Database
    now: datetime


@pytest.fixture
def site(db_url: str, tmp_path: Path) -> Iterator[Site]:
    """A config.toml watching IDS plus an operator, its database synced as the checker syncs it."""
    lines = [f'[database]\nurl = "{db_url}"\n']
    lines.append('[[recipients]]\nname = "Operators"\nwebhook = "https://hooks.example.com/ops"\noperator = true\n')
    for supplier_id in (*IDS, "mica", "hostile"):
        lines.append(f'[[suppliers]]\nid = "{supplier_id}"\nurl = "{url_of(supplier_id)}"\n')
    config_path = tmp_path / "config.toml"
    config_path.write_text("\n".join(lines), encoding="utf-8")
    config = load_config(config_path)
    db = open_database(config.database.url)
    sync_watch_list(db, config)
    try:
        # Yesterday noon: every check is in the past, and "later the same day" is still the same day.
        noon = (datetime.now(UTC) - timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
        yield Site(config_path, config, db, noon)
    finally:
        db.dispose()


def family(report: list[FamilyHealth], key: tuple[str, str] = PROFILE) -> FamilyHealth:
    [found] = [f for f in report if (f.platform, f.page_type) == key]
    return found


def layout_alerts(db: Database) -> list[dict[str, Any]]:
    return [a.payload for a in list_alerts(db) if a.kind == "layout_changed"]


# --- fields and fill shares ----------------------------------------------------------------------------


class SupplierWithNewFields(ClaimsSupplier):
    """The claims model after someone adds a claim field and a map of where each value was read."""

    export_licence: str | None = None
    provenance: dict[str, str] = Field(default_factory=dict)


def test_fields_come_from_the_claims_model_without_provenance() -> None:
    fields = claim_fields()
    assert set(SUPPLIER_FIELDS) <= set(fields) and fields[-3:] == LISTS and "provenance" not in fields
    assert claim_fields(SupplierWithNewFields) == (*fields[:-3], "export_licence", *LISTS)

    empty = {"supplier": {"name": "", "main_products": [], "employees": None}, "badges": [], "provenance": {}}
    assert filled_fields(empty) == frozenset()
    full = page_claims("anke", datetime(2026, 1, 1, tzinfo=UTC))
    assert filled_fields(full) == FILLED


def test_fill_shares_per_family_against_each_pages_baseline(site: Site) -> None:
    db, now = site.db, site.now
    for supplier_id in IDS:
        ok_check(db, supplier_id, now - timedelta(days=3))
    ok_check(db, "mica", now - timedelta(days=3), family=("made_in_china", "company"))
    ok_check(db, "hostile", now - timedelta(days=20))  # no ok check within the 7-day window: not counted
    # One supplier took its employee count off the page; the others were checked again, unchanged.
    ok_check(db, "anke", now - timedelta(hours=1), lose=["employees"])
    for supplier_id in IDS[1:]:
        ok_check(db, supplier_id, now - timedelta(hours=1))

    report = parser_health(db, now=now)
    assert [(f.platform, f.page_type, f.pages) for f in report] == [
        ("alibaba", "company_profile", 4),
        ("made_in_china", "company", 1),
    ]
    profile = family(report)
    fills = {f.field: f for f in profile.fields}
    assert (fills["employees"].baseline, fills["employees"].recent) == (1.0, 0.75)
    assert fills["employees"].lost == (PageRef("anke", url_of("anke")),)
    assert fills["employees"].normal and not fills["employees"].dropped
    assert (fills["certifications"].baseline, fills["certifications"].recent, fills["certifications"].lost) == (
        1.0,
        1.0,
        (),
    )
    assert (fills["main_markets"].baseline, fills["main_markets"].recent, fills["main_markets"].normal) == (0, 0, False)
    assert profile.dropped == () and profile.lost_suppliers == ()
    assert {f.field for f in profile.fields if f.normal} == FILLED
    assert profile.fill == pytest.approx(1 - 0.25 / len(FILLED))

    # A supplier no longer watched is no page of the family.
    upsert_suppliers(db, [(s, s, "auto", [url_of(s)], []) for s in IDS[1:]], deactivate_missing=True)
    assert family(parser_health(db, now=now)).pages == 3


def test_a_page_that_moved_to_another_family_has_no_baseline_there(site: Site) -> None:
    db, now = site.db, site.now
    for supplier_id in IDS[:3]:
        ok_check(db, supplier_id, now - timedelta(days=3))
    modules = ("alibaba", "company_profile_modules")
    for supplier_id in IDS[:2]:
        ok_check(db, supplier_id, now - timedelta(hours=1), lose=["employees"], family=modules)
    report = parser_health(db, now=now)
    moved = family(report, modules)
    assert moved.pages == 2 and moved.dropped == ()
    employees = next(f for f in moved.fields if f.field == "employees")
    assert (employees.baseline, employees.recent, employees.normal) == (0, 0, False)
    assert family(report).pages == 1


# --- drops and the layout_changed alert ----------------------------------------------------------------


def test_a_field_lost_across_the_family_is_one_layout_alert_naming_the_fields(site: Site) -> None:
    db, now, config = site.db, site.now, site.config
    for supplier_id in IDS[:3]:
        ok_check(db, supplier_id, now - timedelta(days=3))
    assert raise_layout_alerts(config, db, config.suppliers, [], now=now) == []
    outcomes = [ok_check(db, s, now - timedelta(hours=2), lose=["employees", "certifications"]) for s in IDS[:3]]

    assert family(parser_health(db, now=now)).dropped == ("employees", "certifications")
    [alert_id] = raise_layout_alerts(config, db, config.suppliers, outcomes, now=now)
    [alert] = layout_alerts(db)
    assert alert["id"] == alert_id and alert["severity"] == "high" and alert["supplier"]["id"] is None
    assert alert["title"] == (
        "Page layout changed? alibaba company_profile pages lost employees, certifications for 3 suppliers"
    )
    details = alert["details"]
    assert details["missing_fields"] == ["employees", "certifications"]
    assert details["suppliers"] == ["anke", "bolt", "cora"]
    assert (details["platform"], details["page_type"]) == PROFILE
    assert [d.recipient for d in list_deliveries(db, alert_id=alert_id)] == ["Operators"]

    # The same drop judged again later that day, and after unchanged re-checks (the drop persists), is the
    # same alert; the next day it is told once more while it lasts.
    assert raise_layout_alerts(config, db, config.suppliers, outcomes, now=now) == []
    assert raise_layout_alerts(config, db, config.suppliers, outcomes, now=now + timedelta(hours=6)) == []
    again = [ok_check(db, s, now - timedelta(hours=1), lose=["employees", "certifications"]) for s in IDS[:3]]
    assert not any(o.changed for o in again)
    assert family(parser_health(db, now=now)).dropped == ("employees", "certifications")
    assert raise_layout_alerts(config, db, config.suppliers, outcomes + again, now=now) == []
    assert len(layout_alerts(db)) == 1
    assert len(raise_layout_alerts(config, db, config.suppliers, again, now=now + timedelta(days=1))) == 0
    assert len(raise_layout_alerts(config, db, config.suppliers, outcomes, now=now + timedelta(days=1))) == 1

    # The parser reads the fields again: nothing dropped, nothing queued.
    fixed = [ok_check(db, s, now - timedelta(minutes=30)) for s in IDS[:3]]
    assert family(parser_health(db, now=now)).dropped == ()
    assert raise_layout_alerts(config, db, config.suppliers, fixed, now=now) == []


def test_one_supplier_removing_a_claim_raises_no_layout_alert(site: Site) -> None:
    db, now, config = site.db, site.now, site.config
    for supplier_id in IDS[:3]:
        ok_check(db, supplier_id, now - timedelta(days=3))
    outcomes = [ok_check(db, "anke", now - timedelta(hours=1), lose=["employees", "badges"])]
    outcomes += [ok_check(db, s, now - timedelta(hours=1)) for s in IDS[1:3]]
    assert outcomes[0].changed
    assert family(parser_health(db, now=now)).dropped == ()
    assert raise_layout_alerts(config, db, config.suppliers, outcomes, now=now) == []
    assert layout_alerts(db) == []


def test_a_drop_needs_every_recent_page_and_a_field_the_family_normally_yields(site: Site) -> None:
    db, now = site.db, site.now
    for supplier_id in IDS[:3]:
        ok_check(db, supplier_id, now - timedelta(days=3))
    ok_check(db, "dena", now - timedelta(days=3), lose=["annual_revenue"])  # 3 of 4 pages show revenue
    for supplier_id in IDS[:3]:
        ok_check(db, supplier_id, now - timedelta(hours=1), lose=["employees", "annual_revenue"])
    ok_check(db, "dena", now - timedelta(hours=1), lose=["annual_revenue"])  # still shows its employees

    health = family(parser_health(db, now=now))
    fills = {f.field: f for f in health.fields}
    assert len(fills["employees"].lost) == 3 and fills["employees"].recent == 0.25
    assert fills["annual_revenue"].baseline == 0.75 and not fills["annual_revenue"].normal
    assert health.dropped == ()  # dena still fills employees; revenue is not something the family normally yields
    lenient = HealthPolicy(drop_share=0.75, normal_fill=0.75)
    assert family(parser_health(db, now=now, policy=lenient)).dropped == ("employees", "annual_revenue")
    assert MIN_PAGES_FOR_LAYOUT_ALERT == HealthPolicy().min_pages == 2


def test_a_drop_on_a_single_page_family_is_not_a_layout_change(site: Site) -> None:
    db, now = site.db, site.now
    ok_check(db, "anke", now - timedelta(days=3))
    ok_check(db, "anke", now - timedelta(hours=1), lose=["employees"])
    fills = {f.field: f for f in family(parser_health(db, now=now)).fields}
    assert fills["employees"].normal and fills["employees"].recent == 0 and not fills["employees"].dropped
    assert family(parser_health(db, now=now, policy=HealthPolicy(min_pages=1))).dropped == ("employees",)


def test_a_family_gone_unparseable_is_still_one_layout_alert(site: Site) -> None:
    db, now, config = site.db, site.now, site.config
    for supplier_id in IDS[:3]:
        ok_check(db, supplier_id, now - timedelta(days=3))
    outcomes = [unparseable_check(db, s, now - timedelta(hours=1)) for s in IDS[:3]]
    [alert_id] = raise_layout_alerts(config, db, config.suppliers, outcomes, now=now)
    [alert] = layout_alerts(db)
    assert alert["id"] == alert_id
    assert alert["title"] == "Page layout changed? alibaba company_profile pages unreadable for 3 suppliers"
    assert "missing_fields" not in alert["details"]
    assert raise_layout_alerts(config, db, config.suppliers, outcomes, now=now) == []


# --- status and dashboard ------------------------------------------------------------------------------


def _dropped_family(site: Site) -> None:
    """Three profile pages that lost their employees; a page whose parser name is hostile markup."""
    for supplier_id in IDS[:3]:
        ok_check(site.db, supplier_id, site.now - timedelta(days=3))
        ok_check(site.db, supplier_id, site.now - timedelta(hours=1), lose=["employees"])
    ok_check(site.db, "hostile", site.now - timedelta(hours=1), family=(HOSTILE, HOSTILE))


def test_status_reports_parser_health(site: Site) -> None:
    _dropped_family(site)
    report = status_report(site.config, site.db)
    sections = {(f["platform"], f["page_type"]): f for f in report["parser_health"]}
    profile = sections[PROFILE]
    assert (profile["pages"], profile["dropped"]) == (3, ["employees"])
    employees = next(f for f in profile["fields"] if f["field"] == "employees")
    assert employees == {
        "field": "employees",
        "baseline": 1.0,
        "recent": 0.0,
        "normal": True,
        "lost_pages": 3,
        "dropped": True,
    }
    assert sections[(HOSTILE, HOSTILE)]["dropped"] == []

    result = CliRunner().invoke(cli_app, ["--config", str(site.config_path), "status", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["parser_health"] == report["parser_health"]

    console = Console(record=True, width=200)
    print_status(report, console)
    text = console.export_text()
    assert "Parser health" in text
    [row] = [line for line in text.splitlines() if "alibaba company_profile" in line]
    assert "│ 3 " in row and "employees" in row


def test_dashboard_and_api_show_parser_health_escaped(site: Site) -> None:
    _dropped_family(site)
    app = create_app(site.config_path, credentials=Credentials())
    with TestClient(app, base_url="http://127.0.0.1", follow_redirects=False) as client:
        page = client.get("/stats")
        api = client.get("/api/parser-health")
        schema = client.get("/openapi.json").json()
    assert page.status_code == 200
    html = page.text
    row = html[html.index('data-family="alibaba/company_profile"') :].split("</tr>")[0]
    assert '<span class="status st-failing">employees</span>' in row
    assert "employees 100% → 0%" in row
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    assert api.status_code == 200
    families = {(f["platform"], f["page_type"]): f for f in api.json()}
    assert families[PROFILE]["dropped"] == ["employees"] and families[PROFILE]["pages"] == 3
    assert families[(HOSTILE, HOSTILE)]["pages"] == 1
    assert "/api/parser-health" in schema["paths"]
