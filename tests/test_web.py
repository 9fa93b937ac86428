"""The dashboard and JSON API through FastAPI's TestClient, over a database filled by REAL checks of the demo
marketplace (plain HTTP here; tests/test_web_browser.py drives real Chromium against a live server).

Rounds 0 and 2 are checked: in round 2 xinlong-hardware loses its CE certificate and jiahe-electronics' ISO
9001 validity moves from 2027-03-17 to 2025-03-17. lumina-led's name carries a <script> tag.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomlkit
from fastapi.testclient import TestClient

from monitor.checks import sync_watch_list
from monitor.demo.marketplace import DemoMarketplace
from monitor.demo.runner import LOOPBACK_POLITENESS, demo_config
from monitor.demo.scenario import demo_suppliers, demo_verify_settings
from monitor.engine import check_round
from monitor.web.app import create_app
from monitor.web.security import (
    CSRF_FIELD,
    Credentials,
    CredentialsError,
    hash_password,
    require_credentials_for,
    verify_password,
)
from storage import list_snapshots, open_database, open_findings
from storage.dashboard import acknowledge, finding_state

#: TestClient's base URL: the dashboard answers only to its own host names (not TestClient's "testserver").
LOOPBACK = "http://127.0.0.1"


@dataclass
class DemoSite:
    """A config file and database after real checks of rounds 0 and 2 of the demo marketplace."""

    config_path: Path
    database_url: str
    base_url: str


def build_demo_site(directory: Path, market: DemoMarketplace, method: str = "http") -> DemoSite:
    """Run real checks (check_round over demo_config) for rounds 0 and 2; write a matching config.toml."""
    database_url = f"sqlite:///{directory / 'web.db'}"
    config = demo_config(market.base_url, database_url, method)
    # The demo marketplace listens on loopback, which checks fetch only when allowed to.
    config = config.model_copy(update={"fetch": config.fetch.model_copy(update={"allow_private_addresses": True})})
    document = tomlkit.document()
    document["database"] = {"url": database_url}
    document["fetch"] = {"method": method, "timeout": "20s", "allow_private_addresses": True}
    document["politeness"] = dict(LOOPBACK_POLITENESS)
    document["verify"] = demo_verify_settings()
    suppliers = tomlkit.aot()
    for entry in demo_suppliers(market.base_url):
        suppliers.append(tomlkit.item(entry))
    document["suppliers"] = suppliers
    config_path = directory / "config.toml"
    config_path.write_text("# web test config\n" + tomlkit.dumps(document), encoding="utf-8")
    with open_database(database_url) as db:
        sync_watch_list(db, config)
        for round_no in (0, 2):
            market.set_round(round_no)
            asyncio.run(check_round(config, db, config.suppliers))
    return DemoSite(config_path, database_url, market.base_url)


def copy_site(site: DemoSite, directory: Path) -> DemoSite:
    """The site's database and config copied into ``directory`` (the config naming the copy): a test that changes
    either starts from the same data whatever ran before it. SQLite's backup API copies what the WAL holds too."""
    database_url = f"sqlite:///{directory / 'web.db'}"
    with (
        closing(sqlite3.connect(site.database_url.removeprefix("sqlite:///"))) as source,
        closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as target,
    ):
        source.backup(target)
    text = site.config_path.read_text(encoding="utf-8")
    assert text.count(site.database_url) == 1, "the config names its database once"
    config_path = directory / "config.toml"
    config_path.write_text(text.replace(site.database_url, database_url), encoding="utf-8")
    return DemoSite(config_path, database_url, site.base_url)


def session_demo_site(tmp_path_factory: pytest.TempPathFactory, name: str) -> DemoSite:
    """A copy of the plain-HTTP demo site, which is built once per test session (its real checks of two rounds
    take seconds) and copied for each module that asks. Nothing fetches from its marketplace afterwards."""
    built = tmp_path_factory.getbasetemp() / "demo-site-http"
    if not (built / "site.json").exists():  # site.json is written last: a build that failed is redone
        shutil.rmtree(built, ignore_errors=True)
        built.mkdir()
        with DemoMarketplace() as market:
            site = build_demo_site(built, market)
        (built / "site.json").write_text(json.dumps({"base_url": site.base_url}), encoding="utf-8")
    base_url = json.loads((built / "site.json").read_text(encoding="utf-8"))["base_url"]
    source = DemoSite(built / "config.toml", f"sqlite:///{built / 'web.db'}", base_url)
    return copy_site(source, tmp_path_factory.mktemp(name))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> DemoSite:
    """The demo site for tests that only read it (a test that changes the config or database uses ``own_site``)."""
    return session_demo_site(tmp_path_factory, "web")


@pytest.fixture
def own_site(site: DemoSite, tmp_path: Path) -> DemoSite:
    """This test's own copy of the site, to change."""
    return copy_site(site, tmp_path)


@contextmanager
def dashboard(site: DemoSite) -> Iterator[TestClient]:
    """The dashboard over ``site``, through FastAPI's TestClient."""
    app = create_app(site.config_path, credentials=Credentials())
    with TestClient(app, base_url=LOOPBACK, follow_redirects=False) as client:
        yield client


@pytest.fixture
def client(site: DemoSite) -> Iterator[TestClient]:
    """The dashboard over the shared site; the requests that would change it are refused (CSRF, bad ids)."""
    with dashboard(site) as c:
        yield c


@pytest.fixture
def own_client(own_site: DemoSite) -> Iterator[TestClient]:
    """The dashboard over this test's own copy of the site."""
    with dashboard(own_site) as c:
        yield c


def csrf(client: TestClient) -> str:
    """Load a page (which starts the session); return the CSRF token its forms carry."""
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/findings").text)
    assert found
    return found.group(1)


# --- pages -------------------------------------------------------------------------------------------


def test_every_page_answers_200_with_security_headers(client: TestClient) -> None:
    snaps = client.get("/api/suppliers/jiahe-electronics/snapshots").json()
    pages = [
        "/",
        "/?sort=name&status=ok&q=jiahe",
        "/?severity=high&tag=demo",
        "/findings",
        "/findings?severity=high&state=open",
        "/alerts",
        "/alerts?failed=true",
        "/watchlist",
        "/stats",
        "/suppliers/jiahe-electronics",
        "/suppliers/lumina-led",
        f"/snapshots/{snaps[0]['id']}",
        f"/suppliers/jiahe-electronics/diff?a={snaps[-1]['id']}&b={snaps[0]['id']}",
    ]
    for page in pages:
        r = client.get(page)
        assert r.status_code == 200, (page, r.text[:500])
        assert r.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in r.headers["content-security-policy"]
        assert "'unsafe-inline'" not in r.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "<script>" not in r.text.replace('<script src="/static/app.js" defer></script>', "")
    for svg in ("/stats/findings.svg", "/stats/checks.svg?days=7"):
        r = client.get(svg)
        assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
        assert "<rect" in r.text and "<script" not in r.text


def test_overview_lists_every_supplier_with_status(client: TestClient, site: DemoSite) -> None:
    html = client.get("/").text
    for entry in demo_suppliers(site.base_url):
        assert f'data-supplier="{entry["id"]}"' in html
    assert "st-ok" in html


@pytest.mark.parametrize(
    "url",
    [
        "/suppliers/no-such-supplier",
        "/snapshots/999999",
        "/snapshots/abc",
        "/snapshots/0",
        "/suppliers/jiahe-electronics/diff?a=999998&b=999999",
    ],
)
def test_bad_ids_give_404_pages(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "Not found" in r.text and "Traceback" not in r.text


def test_snapshot_of_another_supplier_is_404_in_diff(client: TestClient) -> None:
    theirs = client.get("/api/suppliers/lumina-led/snapshots").json()[0]["id"]
    mine = client.get("/api/suppliers/jiahe-electronics/snapshots").json()[0]["id"]
    assert client.get(f"/suppliers/jiahe-electronics/diff?a={theirs}&b={mine}").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/?severity=catastrophic",
        "/?status=sleeping",
        "/?sort=random",
        "/suppliers/jiahe-electronics/diff?a=x&b=1",
        "/suppliers/jiahe-electronics/diff?a=1",
        "/findings?state=maybe",
        "/stats?days=0",
    ],
)
def test_bad_parameters_give_422_pages(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 422, url
    assert r.headers["content-type"].startswith("text/html")
    assert "Invalid request" in r.text and "Traceback" not in r.text


def test_api_errors_are_json(client: TestClient) -> None:
    r = client.get("/api/suppliers/nope")
    assert r.status_code == 404 and r.json() == {"detail": "supplier 'nope' not found"}
    r = client.get("/api/suppliers?severity=bad")
    assert r.status_code == 422 and r.headers["content-type"] == "application/json"
    assert client.get("/api/snapshots/0").status_code == 404


# --- data shown --------------------------------------------------------------------------------------


def test_diff_shows_changed_certificate_field(client: TestClient) -> None:
    snaps = client.get("/api/suppliers/jiahe-electronics/snapshots").json()
    assert len(snaps) >= 2
    html = client.get(f"/suppliers/jiahe-electronics/diff?a={snaps[-1]['id']}&b={snaps[0]['id']}").text
    row = re.search(r'<td class="field">valid_until</td><td class="from">([^<]*)</td><td class="to">([^<]*)</td>', html)
    assert row is not None, html
    assert row.groups() == ("2027-03-17", "2025-03-17")


def test_supplier_page_shows_findings_with_rule_explanation(client: TestClient) -> None:
    html = client.get("/suppliers/xinlong-hardware").text
    assert "Certifications and findings" in html
    assert 'class="finding"' in html
    assert "Source:" in html
    # The removed CE certificate is visible as a change between its snapshots.
    snaps = client.get("/api/suppliers/xinlong-hardware/snapshots").json()
    diff = client.get(f"/suppliers/xinlong-hardware/diff?a={snaps[-1]['id']}&b={snaps[0]['id']}").text
    assert "certification removed" in diff or "removed" in diff


def test_hostile_names_are_escaped(client: TestClient) -> None:
    for page in ("/", "/suppliers/lumina-led", "/watchlist", "/findings?supplier=lumina-led"):
        html = client.get(page).text
        assert "<script>alert(1)</script>" not in html, page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/").text
    api = client.get("/api/suppliers").json()
    assert any("<script>alert(1)</script>" in r["name"] for r in api)  # JSON keeps the data as it is


def test_stored_html_only_sandboxed_or_as_text(client: TestClient) -> None:
    snap = client.get("/api/suppliers/lumina-led/snapshots").json()[0]["id"]
    page = client.get("/suppliers/lumina-led").text
    frames = re.findall(r"<iframe[^>]*>", page)
    assert frames and all(" sandbox " in f or " sandbox>" in f for f in frames)
    assert all("allow-scripts" not in f and "allow-same-origin" not in f for f in frames)
    r = client.get(f"/evidence/snapshots/{snap}/page")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert csp.startswith("sandbox") and "frame-ancestors 'self'" in csp and "script-src" not in csp
    assert "default-src 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "x-frame-options" not in r.headers
    t = client.get(f"/evidence/snapshots/{snap}/page.txt")
    assert t.headers["content-type"].startswith("text/plain")
    assert t.headers["content-disposition"].startswith("attachment")
    assert t.headers["content-security-policy"].startswith("sandbox")
    assert "<html" in t.text.lower()
    assert client.get("/evidence/snapshots/999999/page").status_code == 404


def test_api_counts_match_overview(client: TestClient) -> None:
    api = {r["id"]: r for r in client.get("/api/suppliers").json()}
    html = client.get("/").text
    for sid, row in api.items():
        block = html.split(f'data-supplier="{sid}"', 1)[1].split("</tr>", 1)[0]
        for severity, count in row["open_findings"].items():
            cell = re.search(rf'data-severity="{severity}">(.*?)</td>', block)
            assert cell is not None
            assert re.sub(r"<[^>]+>", "", cell.group(1)) == str(count), (sid, severity)
    assert sum(sum(r["open_findings"].values()) for r in api.values()) == len(client.get("/api/findings").json())
    one = client.get("/api/suppliers/jiahe-electronics").json()
    assert one["open_findings"] == api["jiahe-electronics"]["open_findings"]
    snaps = client.get("/api/suppliers/jiahe-electronics/snapshots").json()
    claims = client.get(f"/api/snapshots/{snaps[0]['id']}").json()["claims"]
    assert claims["schema"] == "supplier-claims/1"


def test_csv_export(client: TestClient) -> None:
    r = client.get("/api/export/suppliers.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    findings = client.get("/api/findings").json()
    assert sum(1 for row in rows if row["finding_code"]) == len(findings)
    assert {row["supplier_id"] for row in rows} == {s["id"] for s in client.get("/api/suppliers").json()}
    assert not any(row["name"].startswith(("=", "+", "@")) for row in rows)


def test_openapi_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/suppliers", "/api/suppliers/{supplier_id}", "/api/findings", "/api/export/suppliers.csv"):
        assert path in paths


# --- actions -----------------------------------------------------------------------------------------


def test_acknowledge_snooze_reopen_keep_history(own_client: TestClient, own_site: DemoSite) -> None:
    client, site = own_client, own_site
    finding = client.get("/api/findings?supplier=jiahe-electronics").json()[0]
    token = csrf(client)
    fid = finding["id"]
    r = client.post(f"/findings/{fid}/acknowledge", data={CSRF_FIELD: token, "note": "asked for <b>renewal</b>"})
    assert r.status_code == 303
    assert next(f for f in client.get("/api/findings").json() if f["id"] == fid)["state"] == "acknowledged"
    html = client.get("/findings").text
    assert "local operator" in html and "&lt;b&gt;renewal&lt;/b&gt;" in html
    assert client.post(f"/findings/{fid}/snooze", data={CSRF_FIELD: token, "until": "2000-01-01"}).status_code == 422
    assert client.post(f"/findings/{fid}/snooze", data={CSRF_FIELD: token, "until": "2999-01-01"}).status_code == 303
    assert next(f for f in client.get("/api/findings").json() if f["id"] == fid)["state_until"] == "2999-01-01"
    assert client.post(f"/findings/{fid}/reopen", data={CSRF_FIELD: token}).status_code == 303
    with open_database(site.database_url) as db:
        from storage.dashboard import finding_actions, suppressed_identities

        assert [a.action for a in finding_actions(db, fid)] == ["acknowledge", "snooze", "reopen"]
        assert finding_state(db, fid).state == "open"
        acknowledge(db, fid, actor="test")
        identity = next(f.identity for f in open_findings(db) if f.id == fid)
        assert identity in suppressed_identities(db, "jiahe-electronics")
        from storage.dashboard import reopen

        reopen(db, fid, actor="test")
        assert identity not in suppressed_identities(db, "jiahe-electronics")
    assert client.post("/findings/999999/acknowledge", data={CSRF_FIELD: token}).status_code == 404


def test_state_changing_requests_need_csrf(client: TestClient) -> None:
    fid = client.get("/api/findings").json()[0]["id"]
    client.get("/")  # cookie present, but the form does not repeat it
    assert client.post(f"/findings/{fid}/acknowledge", data={}).status_code == 403
    assert client.post(f"/findings/{fid}/acknowledge", data={CSRF_FIELD: "x" * 43}).status_code == 403
    assert client.post("/watchlist/jiahe-electronics/pause", data={}).status_code == 403
    assert client.post("/alerts/deliveries/1/resend", data={}).status_code == 403
    assert client.post("/api/suppliers/jiahe-electronics/check").status_code == 403
    assert next(f for f in client.get("/api/findings").json() if f["id"] == fid)["state"] == "open"
    cookie = client.get("/").headers.get("set-cookie", "") or "samesite=strict"
    assert "samesite=strict" in cookie.lower()


def test_watchlist_edit_pause_remove_add_keep_comments(own_client: TestClient, own_site: DemoSite) -> None:
    client, site = own_client, own_site
    token = csrf(client)
    r = client.post("/watchlist/haoyu-valves/edit", data={CSRF_FIELD: token, "interval": "6h", "tags": "valves, eu"})
    assert r.status_code == 303
    text = site.config_path.read_text()
    assert text.startswith("# web test config") and 'interval = "6h"' in text
    assert client.post("/watchlist/haoyu-valves/edit", data={CSRF_FIELD: token, "interval": "soon"}).status_code == 422
    assert client.post("/watchlist/haoyu-valves/pause", data={CSRF_FIELD: token}).status_code == 303
    assert "paused = true" in site.config_path.read_text()
    assert client.post("/watchlist/haoyu-valves/resume", data={CSRF_FIELD: token}).status_code == 303
    new = {CSRF_FIELD: token, "id": "kettles", "url": "https://kettles.en.alibaba.com/company_profile.html"}
    assert client.post("/watchlist/add", data={**new, "tags": "kitchen"}).status_code == 303
    assert client.post("/watchlist/add", data=new).status_code == 422  # duplicate id, file untouched
    assert client.post("/watchlist/kettles/remove", data={CSRF_FIELD: token}).status_code == 303
    assert "kettles" not in site.config_path.read_text()
    assert client.post("/watchlist/nobody/remove", data={CSRF_FIELD: token}).status_code == 422


def test_check_now_runs_in_background(own_client: TestClient, own_site: DemoSite) -> None:
    client, site = own_client, own_site
    token = csrf(client)
    with DemoMarketplace() as market:
        # point one supplier at a live marketplace for this test
        from monitor.watchlist import update_supplier

        url = next(e["url"] for e in demo_suppliers(market.base_url) if e["id"] == "haoyu-valves")
        update_supplier(site.config_path, "haoyu-valves", {"url": url})
        job = client.post("/api/suppliers/haoyu-valves/check", headers={"X-CSRF-Token": token}).json()
        assert job["status"] in ("queued", "running", "done")
        import time

        deadline = time.monotonic() + 90  # generous: the check runs in the app's worker on a shared machine
        while time.monotonic() < deadline:
            job = client.get(f"/api/jobs/{job['id']}").json()
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.1)
        assert job["status"] == "done", job
        assert "ok" in job["summary"]
        assert 'data-job="' in client.get("/watchlist").text
    assert client.post("/watchlist/nobody/check", data={CSRF_FIELD: token}).status_code == 404
    assert client.post("/api/suppliers/nobody/check", headers={"X-CSRF-Token": token}).status_code == 404


# --- recipients on the watch list ------------------------------------------------------------------

#: Appended to the demo config: one recipient named by id, one for "*", one by tag, one naming a single supplier.
RECIPIENTS_TOML = """
# Who is told what.
[[recipients]]
name = "Valve buyers"  # follows suppliers by id
email = "valves@example.com"
suppliers = [
  "jiahe-electronics",  # the list's own comment
]

# Operators see everything.
[[recipients]]
name = "Ops"
console = true
suppliers = ["*"]
operator = true

[[recipients]]
name = "Security"
email = "security@example.com"
tags = ["hostile-name"]

[[recipients]]
name = "Solo"
console = true
suppliers = ["haoyu-valves"]
"""


def add_test_recipients(config_path: Path) -> None:
    """Append RECIPIENTS_TOML to a config file (the dashboard reads the file on every request)."""
    config_path.write_text(config_path.read_text(encoding="utf-8") + RECIPIENTS_TOML, encoding="utf-8")


def recipient_suppliers(config_path: Path) -> dict[str, list[str]]:
    """Each recipient's suppliers list as the file on disk has it now."""
    import tomllib

    data = tomllib.loads(config_path.read_text(encoding="utf-8"))
    return {r["name"]: r.get("suppliers", []) for r in data.get("recipients", [])}


@pytest.fixture
def rclient(own_site: DemoSite) -> Iterator[tuple[TestClient, Path]]:
    """A dashboard over its own copy of the demo site, the config with RECIPIENTS_TOML."""
    add_test_recipients(own_site.config_path)
    with dashboard(own_site) as c:
        yield c, own_site.config_path


def _checkbox(html: str, supplier_id: str, name: str) -> str:
    """The <input type=checkbox> of recipient ``name`` in the watch list row of ``supplier_id``."""
    row = html.split(f'data-supplier="{supplier_id}"', 1)[1].split("</tr>", 1)[0]
    found = re.search(rf'<input type="checkbox" name="recipients" value="{re.escape(name)}"[^>]*>', row)
    assert found is not None, (supplier_id, name, row)
    return found.group(0)


def _edit_form(config_path: Path, supplier_id: str, token: str, *recipients: str) -> dict[str, object]:
    """The watch list row's form as a browser sends it: current tags, the ticked recipients (hidden twins too)."""
    from monitor.config import load_config

    tags = ", ".join(load_config(config_path).supplier(supplier_id).tags)
    return {CSRF_FIELD: token, "tags": tags, "recipients_shown": "true", "recipients": list(recipients)}


def test_watchlist_shows_who_gets_each_suppliers_alerts(rclient: tuple[TestClient, Path]) -> None:
    client, _ = rclient
    html = client.get("/watchlist").text
    valve = _checkbox(html, "haoyu-valves", "Valve buyers")
    assert " checked" not in valve and " disabled" not in valve
    assert " checked" in _checkbox(html, "jiahe-electronics", "Valve buyers")
    ops = _checkbox(html, "haoyu-valves", "Ops")
    assert " checked" in ops and " disabled" in ops
    security = _checkbox(html, "lumina-led", "Security")
    assert " checked" in security and " disabled" in security
    assert "(tag hostile-name)" in html.split('data-supplier="lumina-led"', 1)[1].split("</tr>", 1)[0]
    assert "(all suppliers)" in html.split('data-supplier="haoyu-valves"', 1)[1].split("</tr>", 1)[0]
    assert " checked" not in _checkbox(html, "haoyu-valves", "Security")
    solo = _checkbox(html, "haoyu-valves", "Solo")
    assert " checked" in solo and " disabled" in solo  # unticking would leave [] = every supplier


def test_ticking_and_unticking_a_recipient_edits_config_toml(rclient: tuple[TestClient, Path]) -> None:
    client, config_path = rclient
    token = csrf(client)
    form = _edit_form(config_path, "haoyu-valves", token, "Valve buyers", "Ops", "Solo")
    r = client.post("/watchlist/haoyu-valves/edit", data=form)
    assert r.status_code == 303, r.text
    lists = recipient_suppliers(config_path)
    assert lists["Valve buyers"] == ["jiahe-electronics", "haoyu-valves"]
    assert lists["Ops"] == ["*"] and lists["Solo"] == ["haoyu-valves"] and lists["Security"] == []
    text = config_path.read_text(encoding="utf-8")
    for comment in ("# web test config", "# Who is told what.", "# the list's own comment", "# Operators see"):
        assert comment in text, comment
    assert " checked" in _checkbox(client.get("/watchlist").text, "haoyu-valves", "Valve buyers")
    # The config the daemon loads agrees: the recipient now follows the supplier by its id.
    from monitor.config import load_config

    valve = next(r for r in load_config(config_path).recipients if r.name == "Valve buyers")
    assert valve.wants("haoyu-valves", []) and not valve.wants("lumina-led", [])

    r = client.post("/watchlist/haoyu-valves/edit", data=_edit_form(config_path, "haoyu-valves", token, "Ops", "Solo"))
    assert r.status_code == 303, r.text
    lists = recipient_suppliers(config_path)
    assert lists["Valve buyers"] == ["jiahe-electronics"] and lists["Ops"] == ["*"]
    assert "# the list's own comment" in config_path.read_text(encoding="utf-8")
    assert " checked" not in _checkbox(client.get("/watchlist").text, "haoyu-valves", "Valve buyers")
    # A form without the checkboxes (recipients_shown unset) leaves every recipient as it is.
    before = config_path.read_text(encoding="utf-8")
    tags = _edit_form(config_path, "haoyu-valves", token)["tags"]
    assert client.post("/watchlist/haoyu-valves/edit", data={CSRF_FIELD: token, "tags": tags}).status_code == 303
    assert config_path.read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    ("supplier_id", "ticked", "reason"),
    [
        ("haoyu-valves", ["Ops", "Solo", "Nobody"], "no recipient named 'Nobody'"),
        ("haoyu-valves", ["Solo"], "'Ops' cannot be unticked for haoyu-valves alone (all suppliers)"),
        ("lumina-led", ["Ops"], "'Security' cannot be unticked for lumina-led alone (tag hostile-name)"),
        ("haoyu-valves", ["Ops"], "'Solo' cannot be unticked for haoyu-valves alone (its only supplier"),
    ],
)
def test_refused_recipient_edits_leave_the_file_alone(
    rclient: tuple[TestClient, Path], supplier_id: str, ticked: list[str], reason: str
) -> None:
    client, config_path = rclient
    before = config_path.read_text(encoding="utf-8")
    r = client.post(f"/watchlist/{supplier_id}/edit", data=_edit_form(config_path, supplier_id, csrf(client), *ticked))
    assert r.status_code == 422
    assert reason in r.text.replace("&#39;", "'")
    assert config_path.read_text(encoding="utf-8") == before


def test_recipient_edit_needs_csrf(rclient: tuple[TestClient, Path]) -> None:
    client, config_path = rclient
    before = config_path.read_text(encoding="utf-8")
    client.get("/watchlist")
    form = _edit_form(config_path, "haoyu-valves", "", "Valve buyers", "Ops", "Solo")
    del form[CSRF_FIELD]
    assert client.post("/watchlist/haoyu-valves/edit", data=form).status_code == 403
    assert client.post("/watchlist/haoyu-valves/edit", data={**form, CSRF_FIELD: "x" * 43}).status_code == 403
    patch = {"recipients": ["Valve buyers", "Ops", "Solo"]}
    assert client.patch("/api/suppliers/haoyu-valves", json=patch).status_code == 403
    assert config_path.read_text(encoding="utf-8") == before


def test_api_edits_recipients_like_the_form(rclient: tuple[TestClient, Path]) -> None:
    client, config_path = rclient
    headers = {"X-CSRF-Token": csrf(client)}
    tags = client.get("/api/suppliers/haoyu-valves").json()["tags"]
    shown = client.get("/api/suppliers/haoyu-valves").json()["recipients"]
    assert {r["name"]: (r["follows"], r["locked"]) for r in shown} == {
        "Valve buyers": (False, None),
        "Ops": (True, "all suppliers"),
        "Security": (False, None),
        "Solo": (True, "its only supplier; an empty list means all"),
    }
    r = client.patch(
        "/api/suppliers/haoyu-valves", json={"recipients": ["Valve buyers", "Ops", "Solo"]}, headers=headers
    )
    assert r.status_code == 200, r.text
    assert next(x for x in r.json()["recipients"] if x["name"] == "Valve buyers")["follows"] is True
    assert "haoyu-valves" in recipient_suppliers(config_path)["Valve buyers"]
    assert r.json()["tags"] == tags  # keys left out stay as they are
    r = client.patch("/api/suppliers/haoyu-valves", json={"recipients": ["Ops", "Solo"]}, headers=headers)
    assert r.status_code == 200 and recipient_suppliers(config_path)["Valve buyers"] == ["jiahe-electronics"]
    r = client.patch("/api/suppliers/haoyu-valves", json={"recipients": ["Nobody"]}, headers=headers)
    assert r.status_code == 422 and "no recipient named 'Nobody'" in r.json()["detail"]
    r = client.patch("/api/suppliers/haoyu-valves", json={"recipients": ["Solo"]}, headers=headers)
    assert r.status_code == 422 and "'Ops' cannot be unticked" in r.json()["detail"]
    assert client.patch("/api/suppliers/nobody", json={"recipients": []}, headers=headers).status_code == 404
    assert client.patch("/api/suppliers/haoyu-valves", json={"owner": "x"}, headers=headers).status_code == 422
    r = client.patch("/api/suppliers/haoyu-valves", json={"interval": "6h", "paused": True}, headers=headers)
    assert r.status_code == 200 and r.json()["interval_seconds"] == 6 * 3600 and r.json()["paused"] is True
    assert "# the list's own comment" in config_path.read_text(encoding="utf-8")


def test_new_keys_land_inside_their_table(tmp_path: Path) -> None:
    """tomlkit counts the comment above the next table as part of this one; new keys must go above it."""
    from monitor.config import load_config
    from monitor.watchlist import update_supplier

    path = tmp_path / "config.toml"
    path.write_text(
        "# Watched suppliers.\n"
        '[[suppliers]]\nid = "kettles"\nurl = "https://kettles.en.alibaba.com/company_profile.html"\n\n'
        "# Pumps, checked weekly.\n"
        '[[suppliers]]\nid = "pumps"\nurl = "https://pumps.en.alibaba.com/company_profile.html"\n\n'
        "# Kitchen buyers.\n"
        '[[recipients]]\nname = "Buyers"\nemail = "b@example.com"\ntags = ["kitchen"]\n\n'
        "# Operators.\n"
        '[[recipients]]\nname = "Ops"\nconsole = true\nsuppliers = ["*"]\n',
        encoding="utf-8",
    )
    update_supplier(path, "kettles", {"interval": "6h"}, recipients=["Buyers", "Ops"])
    text = path.read_text(encoding="utf-8")
    assert 'company_profile.html"\ninterval = "6h"\n\n# Pumps, checked weekly.\n[[suppliers]]\nid = "pumps"' in text
    assert 'tags = ["kitchen"]\nsuppliers = ["kettles"]\n\n# Operators.\n[[recipients]]' in text
    buyers = load_config(path).recipients[0]
    assert buyers.wants("kettles", []) and not buyers.wants("pumps", [])


# --- authentication ----------------------------------------------------------------------------------


def test_token_and_password_auth(site: DemoSite) -> None:
    token = "t" * 32
    creds = Credentials(token=token, password_hash=hash_password("correct horse"))
    with TestClient(create_app(site.config_path, credentials=creds), base_url=LOOPBACK) as c:
        assert c.get("/").status_code == 401
        assert "Basic" in c.get("/").headers["www-authenticate"]
        assert c.get("/api/suppliers").status_code == 401
        assert c.get("/api/suppliers", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/api/suppliers", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        basic = base64.b64encode(b"alice:correct horse").decode()
        r = c.get("/findings", headers={"Authorization": f"Basic {basic}"})
        assert r.status_code == 200 and "alice" in r.text
        # Bearer clients need no CSRF token; a browser session (Basic) does.
        r = c.post("/api/suppliers/nobody/check", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 404
        r = c.post("/api/suppliers/nobody/check", headers={"Authorization": f"Basic {basic}"})
        assert r.status_code == 403


def test_binding_beyond_loopback_needs_credentials() -> None:
    require_credentials_for("127.0.0.1", Credentials())
    require_credentials_for("::1", Credentials())
    with pytest.raises(CredentialsError, match=r"refusing to serve on 0\.0\.0\.0"):
        require_credentials_for("0.0.0.0", Credentials())
    require_credentials_for("0.0.0.0", Credentials(token="x" * 32))
    stored = hash_password("pw")
    assert verify_password("pw", stored) and not verify_password("nope", stored)
    import hashlib

    pb = hashlib.pbkdf2_hmac("sha256", b"pw", b"salt", 1000).hex()
    assert verify_password("pw", f"pbkdf2_sha256$1000${b'salt'.hex()}${pb}")


def test_serve_refuses_public_bind_without_credentials(site: DemoSite, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.web.app import serve

    monkeypatch.delenv("SUPPLIER_MONITOR_WEB_TOKEN", raising=False)
    monkeypatch.delenv("SUPPLIER_MONITOR_WEB_PASSWORD_HASH", raising=False)
    with pytest.raises(CredentialsError):
        serve(site.config_path, "0.0.0.0", 0)
    monkeypatch.setenv("SUPPLIER_MONITOR_WEB_TOKEN", "short")
    with pytest.raises(CredentialsError, match="too short"):
        serve(site.config_path, "0.0.0.0", 0)


def test_snapshots_listed_newest_first(site: DemoSite) -> None:
    with open_database(site.database_url) as db:
        snaps = list_snapshots(db, "jiahe-electronics")
    assert len(snaps) == 2


def test_a_retrying_delivery_is_shown_and_can_be_retried_now(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from storage.outbox import claim_due_deliveries, enqueue_alerts, list_deliveries, mark_failed

    url = f"sqlite:///{tmp_path / 'alerts.db'}"
    (tmp_path / "config.toml").write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    now = datetime.now(UTC)
    hook = "https://hooks.example.com/services/T0/SECRET-TOKEN"
    payload = {"id": "alert-ops-1", "kind": "check_failing", "severity": "high", "supplier": None,
               "title": "Checks failing", "details": {}, "observed_at": now.isoformat()}  # fmt: skip
    with open_database(url) as db:
        enqueue_alerts(db, [{
            "id": "alert-ops-1", "kind": "check_failing", "severity": "high", "supplier_id": None, "payload": payload,
            "observed_at": now, "deliveries": [{"recipient": "Ops", "channel": "webhook", "target": hook}],
        }])  # fmt: skip
        (job,) = claim_due_deliveries(db, now)
        error = "webhook https://hooks.example.com unreachable (ConnectError)"
        assert mark_failed(db, job.id, error, now=now, retry_at=now + timedelta(hours=1))
    app = create_app(tmp_path / "config.toml", credentials=Credentials())
    with TestClient(app, base_url=LOOPBACK, follow_redirects=False) as client:
        page = client.get("/alerts?failed=true").text
        assert "retrying" in page and "Retry now" in page and "unreachable" in page
        assert "SECRET-TOKEN" not in page
        response = client.post(f"/alerts/deliveries/{job.id}/resend", data={CSRF_FIELD: csrf(client)})
        assert response.status_code == 303
    with open_database(url) as db:
        (row,) = list_deliveries(db)
        assert (row.status, row.attempts) == ("pending", 0) and row.next_attempt_at <= datetime.now(UTC)
