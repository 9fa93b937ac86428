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
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import tomlkit
from fastapi.testclient import TestClient

from monitor.checks import check_suppliers, sync_watch_list
from monitor.demo.marketplace import DemoMarketplace
from monitor.demo.runner import LOOPBACK_POLITENESS, demo_config
from monitor.demo.scenario import demo_suppliers
from monitor.web.app import create_app
from monitor.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    Credentials,
    CredentialsError,
    hash_password,
    require_credentials_for,
    verify_password,
)
from storage import list_snapshots, open_database, open_findings
from storage.dashboard import acknowledge, finding_state


@dataclass
class DemoSite:
    """A config file and database after real checks of rounds 0 and 2 of the demo marketplace."""

    config_path: Path
    database_url: str
    base_url: str


def build_demo_site(directory: Path, market: DemoMarketplace, method: str = "http") -> DemoSite:
    """Run real checks (check_suppliers over demo_config) for rounds 0 and 2; write a matching config.toml."""
    database_url = f"sqlite:///{directory / 'web.db'}"
    config = demo_config(market.base_url, database_url, method)
    document = tomlkit.document()
    document["database"] = {"url": database_url}
    document["fetch"] = {"method": method, "timeout": "20s"}
    document["politeness"] = dict(LOOPBACK_POLITENESS)
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
            asyncio.run(check_suppliers(config, db, config.suppliers))
    return DemoSite(config_path, database_url, market.base_url)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    with DemoMarketplace() as market:
        yield build_demo_site(tmp_path_factory.mktemp("web"), market)


@pytest.fixture
def client(site: DemoSite) -> Iterator[TestClient]:
    app = create_app(site.config_path, credentials=Credentials())
    with TestClient(app, follow_redirects=False) as c:
        yield c


def csrf(client: TestClient) -> str:
    """Load a page so the CSRF cookie is set; return its value."""
    client.get("/findings")
    token = client.cookies.get(CSRF_COOKIE)
    assert token
    return token


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
    ["/suppliers/no-such-supplier", "/snapshots/999999", "/suppliers/jiahe-electronics/diff?a=999998&b=999999"],
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
        "/snapshots/abc",
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
    assert client.get("/api/snapshots/0").status_code == 422


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


def test_acknowledge_snooze_reopen_keep_history(client: TestClient, site: DemoSite) -> None:
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


def test_watchlist_edit_pause_remove_add_keep_comments(client: TestClient, site: DemoSite) -> None:
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


def test_check_now_runs_in_background(client: TestClient, site: DemoSite) -> None:
    token = csrf(client)
    with DemoMarketplace() as market:
        # point one supplier at a live marketplace for this test
        from monitor.watchlist import update_supplier

        url = next(e["url"] for e in demo_suppliers(market.base_url) if e["id"] == "haoyu-valves")
        update_supplier(site.config_path, "haoyu-valves", {"url": url})
        job = client.post("/api/suppliers/haoyu-valves/check", headers={"X-CSRF-Token": token}).json()
        assert job["status"] in ("queued", "running", "done")
        import time

        for _ in range(200):
            job = client.get(f"/api/jobs/{job['id']}").json()
            if job["status"] in ("done", "failed"):
                break
            time.sleep(0.1)
        assert job["status"] == "done", job
        assert "ok" in job["summary"]
        assert 'data-job="' in client.get("/watchlist").text
    assert client.post("/watchlist/nobody/check", data={CSRF_FIELD: token}).status_code == 404
    assert client.post("/api/suppliers/nobody/check", headers={"X-CSRF-Token": token}).status_code == 404


# --- authentication ----------------------------------------------------------------------------------


def test_token_and_password_auth(site: DemoSite) -> None:
    token = "t" * 32
    creds = Credentials(token=token, password_hash=hash_password("correct horse"))
    with TestClient(create_app(site.config_path, credentials=creds)) as c:
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
