"""Passwords are masked in every URL shape that is printed (scrapers.fetch.base.redact_url, re-exported by
monitor.config), and URLs read from pages are masked wherever the CLI shows them (issue 10, part 8)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from monitor.checks import sync_watch_list
from monitor.config import load_config, redact_url
from monitor.report import outcomes_table, safe
from monitor.web.app import create_app
from monitor.web.security import Credentials
from scrapers.fetch.base import redact_url as fetch_redact_url
from storage import open_database
from storage.recording import record_check


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        # The shapes the issue names.
        ("postgresql://u:p@ss@host/db", "postgresql://u:***@host/db"),
        ("postgresql://u:pa/ss@host:5432/db", "postgresql://u:***@host:5432/db"),
        ("https://token@host/x", "https://***@host/x"),
        ("https://host/path?email=a@b.com", "https://host/path?email=a@b.com"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        ("postgresql+psycopg://user:secret@[::1]:5432/db", "postgresql+psycopg://user:***@[::1]:5432/db"),
        # More of them.
        ("postgresql://user:secret@db.example.com:5432/monitor", "postgresql://user:***@db.example.com:5432/monitor"),
        ("https://u:p@host", "https://u:***@host"),
        ("https://u:@host/", "https://u:***@host/"),
        ("mysql://u:p:q@h/d", "mysql://u:***@h/d"),
        ("postgresql://app:Xy#9?z@db.internal:5432/prod", "postgresql://app:***@db.internal:5432/prod"),
        ("https://u:p#q@host/x", "https://u:***@host/x"),
        ("https://u:p@ss@host/x?next=a@b.com", "https://u:***@host/x?next=a@b.com"),
        ("https://host/a@b/c", "https://host/a@b/c"),
        ("https://host:8080?email=a@b.com", "https://host:8080?email=a@b.com"),
        ("https://host:8080/p?email=a@b.com", "https://host:8080/p?email=a@b.com"),
        ("https://host/#frag@x", "https://host/#frag@x"),
        ("sqlite:///data/monitor.db", "sqlite:///data/monitor.db"),
        ("mailto:someone@example.com", "mailto:someone@example.com"),
        ("", ""),
        ("not a url", "not a url"),
    ],
)
def test_passwords_are_masked_in_any_url_shape(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert fetch_redact_url is redact_url, "monitor.config re-exports the one implementation"


def test_urls_in_printed_text_have_their_passwords_masked() -> None:
    """Reasons and notes quote URLs from pages (redirects, documents): the CLI masks them when printing."""
    text = "redirected to https://admin:hunter2@intranet.example/login, see also https://host/path?email=a@b.com"
    assert safe(text, 500).plain == (
        "redirected to https://admin:***@intranet.example/login, see also https://host/path?email=a@b.com"
    )


def test_the_outcomes_table_masks_urls_in_reasons() -> None:
    from rich.console import Console

    from monitor.checks import PageOutcome

    outcome = PageOutcome(
        supplier_id="acme",
        url="https://acme.example/about",
        status="error",
        reason="not_found: redirected to error page https://u:pw@mirror.example/404",
        fetch_method="http",
        duration_ms=12,
    )
    console = Console(width=300, record=True)
    console.print(outcomes_table([outcome], {"acme": "Acme"}))
    printed = console.export_text()
    assert "https://u:***@mirror.example/404" in printed and "pw@" not in printed


def test_extract_json_masks_passwords_in_page_urls(tmp_path) -> None:
    """A certificate link with a password in it, read from a saved page by `supplier-monitor extract --json`."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    page = tmp_path / "about.html"
    page.write_text(
        "<!DOCTYPE html><html><head><title>Brightwave</title>"
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Organization", '
        '"legalName": "Ningbo Brightwave Kettles Co., Ltd.", "foundingDate": "2006"}</script></head>'
        '<body><main><h2>Certificates</h2><ul class="certs"><li>'
        '<a href="https://user:s3cret@files.example/BV-ISO9001-2015-certificate.pdf">ISO 9001 certificate (PDF)</a>'
        "</li></ul></main></body></html>",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    env.pop("SUPPLIER_MONITOR_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "extract", str(page), "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "s3cret" not in done.stdout
    [document] = json.loads(done.stdout)["documents"]
    assert document["url"] == "https://user:***@files.example/BV-ISO9001-2015-certificate.pdf"


def test_the_dashboard_masks_passwords_in_a_checks_reason(tmp_path: Path) -> None:
    """A redirect or document URL quoted in a fetch error is shown with its password masked."""
    config_path = tmp_path / "config.toml"
    config_path.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "monitor.db"}"\n'
        '[[suppliers]]\nid = "acme"\nurl = "https://acme.example/profile"\n'
    )
    config = load_config(config_path)
    now = datetime.now(UTC)
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        record_check(
            db,
            supplier_id="acme",
            url="https://acme.example/profile",
            started_at=now,
            finished_at=now,
            status="error",
            fetch_method="http",
            error="too_many_redirects: last hop https://admin:hunter2@intranet.example/login",
        )
    app = create_app(config_path, credentials=Credentials())
    with TestClient(app, base_url="http://127.0.0.1") as client:
        page = client.get("/suppliers/acme")
    assert page.status_code == 200
    assert "https://admin:***@intranet.example/login" in page.text and "hunter2" not in page.text
