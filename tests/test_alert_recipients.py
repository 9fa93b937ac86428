"""Alerts are queued only for someone (issue 13): an alert no recipient wants is never written to the outbox.

A first round used to queue every finding of every page (134 alerts, about 233 KB) for a config with no recipient
at all. The check's findings and snapshot are stored all the same; only the messages nobody would get are gone.
Real loopback site, real checker, store and outbox; the CLI and the dashboard as operators use them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from loopback_site import SUPPLIER_ID, Answer, SupplierSite, site_config, supplier_page
from typer.testing import CliRunner

from monitor.checks import PageOutcome, sync_watch_list
from monitor.cli import app as cli_app
from monitor.config import Config, load_config
from monitor.engine import check_round
from monitor.web.app import create_app
from monitor.web.security import Credentials
from storage import list_alerts, list_deliveries, open_database, open_findings
from storage.outbox import DeliveryRow

#: Three expired ISO 9001 certificates: three high EXPIRED findings and three low MISSING_ACCREDITATION ones.
PAGE = supplier_page(3, expired=True)
#: Recipients the routing rules filter out for this supplier (it has no tags) and these findings (none critical).
OTHER_TAG = {"name": "Valve buyers", "console": True, "min_severity": "info", "tags": ["valves"]}
OTHER_SUPPLIER = {"name": "Pump buyers", "console": True, "min_severity": "info", "suppliers": ["pumps"]}
CRITICAL_ONLY = {"name": "Escalations", "console": True, "min_severity": "critical", "operator": True}


@pytest.fixture
def site() -> Iterator[SupplierSite]:
    server = SupplierSite(Answer(200, PAGE))
    yield server
    server.close()


def _first_check(config: Config) -> tuple[PageOutcome, list[Any], list[DeliveryRow], dict[str, str]]:
    """One real check: its outcome, the stored alerts, their deliveries and the open findings (identity: severity)."""
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        [outcome] = asyncio.run(check_round(config, db, config.suppliers))
        findings = {f.identity: f.severity for f in open_findings(db, SUPPLIER_ID)}
        return outcome, list_alerts(db, limit=None), list_deliveries(db, limit=None), findings


@pytest.mark.parametrize(
    "recipients",
    [[], [OTHER_TAG], [OTHER_SUPPLIER], [CRITICAL_ONLY], [OTHER_TAG, OTHER_SUPPLIER, CRITICAL_ONLY]],
    ids=["none", "other-tag", "other-supplier", "min-severity", "all-filtered"],
)
def test_an_alert_nobody_wants_is_not_queued(tmp_path: Path, site: SupplierSite, recipients: list[Any]) -> None:
    outcome, alerts, deliveries, findings = _first_check(site_config(tmp_path, site, recipients=recipients))
    assert outcome.status == "ok" and outcome.findings_update is not None
    assert len(outcome.findings_update.new) == 6, "the check raises findings..."
    assert sorted(findings.values()) == ["high"] * 3 + ["low"] * 3, "...kept as evidence, none of them critical"
    assert (outcome.alerts, alerts, deliveries) == ([], [], [])


def test_only_the_recipients_who_want_an_alert_get_a_delivery(tmp_path: Path, site: SupplierSite) -> None:
    """A digest-only recipient still gets every alert queued; a filtered-out recipient adds no delivery."""
    daily = {"name": "Daily", "console": True, "min_severity": "info", "digest": True}
    buyers = {"name": "Buyers", "console": True, "min_severity": "medium"}
    config = site_config(tmp_path, site, recipients=[OTHER_TAG, daily, buyers, CRITICAL_ONLY])
    outcome, alerts, deliveries, findings = _first_check(config)
    assert sorted(a.payload["details"]["identity"] for a in alerts) == sorted(findings)
    assert sorted(outcome.alerts) == sorted(a.id for a in alerts)
    severity = {a.id: a.severity for a in alerts}
    daily_rows = [d for d in deliveries if d.recipient == "Daily"]
    assert len(daily_rows) == 6 and all(d.digest and d.status == "pending" for d in daily_rows)
    assert sorted(severity[d.alert_id] for d in deliveries if d.recipient == "Buyers") == ["high"] * 3
    assert {d.recipient for d in deliveries} == {"Daily", "Buyers"}


def test_digest_only_alerts_are_queued(tmp_path: Path, site: SupplierSite) -> None:
    """The low findings only a digest recipient wants are queued for it, and for nobody else."""
    daily = {"name": "Daily", "console": True, "min_severity": "low", "digest": True}
    buyers = {"name": "Buyers", "console": True, "min_severity": "high"}
    _, alerts, deliveries, _ = _first_check(site_config(tmp_path, site, recipients=[daily, buyers]))
    low = {a.id for a in alerts if a.severity == "low"}
    assert len(low) == 3 and {(d.recipient, d.digest) for d in deliveries if d.alert_id in low} == {("Daily", True)}


def test_alerts_list_and_the_dashboard_say_when_no_recipient_is_configured(tmp_path: Path, site: SupplierSite) -> None:
    config_path = tmp_path / "config.toml"
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    config_path.write_text(
        f'[database]\nurl = "{url}"\n[fetch]\nmethod = "http"\nallow_private_addresses = true\n'
        f'[[suppliers]]\nid = "{SUPPLIER_ID}"\nurl = "{site.url}"\n',
        encoding="utf-8",
    )
    outcome, alerts, _, findings = _first_check(load_config(config_path))
    assert outcome.status == "ok" and findings and alerts == []

    def shown() -> tuple[str, str]:
        listed = CliRunner().invoke(cli_app, ["--config", str(config_path), "alerts", "list"])
        assert listed.exit_code == 0, listed.output
        with TestClient(create_app(config_path, credentials=Credentials()), base_url="http://127.0.0.1") as client:
            page = client.get("/alerts")
        assert page.status_code == 200
        return " ".join(listed.output.split()), page.text

    text, page = shown()
    assert "0 deliveries" in text and "No recipient is configured" in text
    assert 'id="no-recipients"' in page and 'href="/findings"' in page
    with config_path.open("a", encoding="utf-8") as f:
        f.write('[[recipients]]\nname = "Ops"\nconsole = true\n')
    text, page = shown()
    assert "No recipient is configured" not in text and 'id="no-recipients"' not in page
