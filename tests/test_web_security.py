"""The dashboard's trust boundaries, against uvicorn on an ephemeral loopback port (real HTTP, real Host
headers) over a database filled by real checks of the demo marketplace:

- Host names: only its own (DNS rebinding: a page served as rebind.attacker.example that resolves to
  127.0.0.1 must not read or change anything).
- CSRF: tokens the server signed for this browser's session; a cookie and field pair a page on another
  localhost port chose itself is refused.
- Bad values through HTTP: ids beyond SQLite's integers and impossible durations or crons are 404/422, never 500.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from monitor.config import ConfigError
from monitor.web.app import create_app
from monitor.web.security import (
    CSRF_FIELD,
    CSRF_MAX_AGE,
    SECRET_ENV,
    SESSION_COOKIE,
    Credentials,
    CredentialsError,
)
from tests.test_web import DemoSite, copy_site, session_demo_site

SECRET = "s" * 40
REBIND = "rebind.attacker.example"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> DemoSite:
    """The demo site (built once per session) for tests that only read it or whose changes must be refused."""
    return session_demo_site(tmp_path_factory, "websec")


@pytest.fixture
def own_site(site: DemoSite, tmp_path: Path) -> DemoSite:
    """This test's own copy of the site (config and database), to change."""
    return copy_site(site, tmp_path)


@pytest.fixture
def config_path(own_site: DemoSite) -> Path:
    """The config of this test's own copy of the site, to edit."""
    return own_site.config_path


@contextmanager
def live(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread on 127.0.0.1 (ephemeral port); yields its base URL."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.025)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextmanager
def browser(base: str) -> Iterator[httpx.Client]:
    """An HTTP client that keeps cookies like a browser and does not follow redirects."""
    with httpx.Client(base_url=base, follow_redirects=False, timeout=30) as client:
        yield client


def page_token(client: httpx.Client, path: str = "/findings") -> str:
    """Load a page as a browser would; the CSRF token it carries (the forms' hidden field)."""
    html = client.get(path).text
    found = re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', html) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', html
    )
    assert found, html[:500]
    return found.group(1)


def finding_state(client: httpx.Client, finding_id: int) -> str:
    return str(next(f for f in client.get("/api/findings").json() if f["id"] == finding_id)["state"])


# --- host names (DNS rebinding) ----------------------------------------------------------------------


def test_rebound_host_name_is_refused_before_anything_runs(site: DemoSite) -> None:
    """A page at rebind.attacker.example (resolving to 127.0.0.1) can neither read nor change anything."""
    app = create_app(site.config_path, credentials=Credentials(), secret=SECRET)
    with live(app) as base, browser(base) as client:
        port = base.rsplit(":", 1)[1]
        for host in (REBIND, f"{REBIND}:{port}", f"127.0.0.1.{REBIND}", "localhost.attacker.example", "127.0.0.2"):
            headers = {"Host": host}
            for path in ("/", "/watchlist", "/api/suppliers", "/openapi.json", "/static/app.js", "/no/such/page"):
                r = client.get(path, headers=headers)
                assert r.status_code == 400, (host, path, r.status_code)
                assert r.headers["content-type"].startswith("text/plain")
                assert r.text == "Invalid host header"
                assert "set-cookie" not in r.headers
            # Even with a session and a token from the real page, a request under the foreign name is refused.
            token = page_token(client)
            r = client.post("/api/suppliers/haoyu-valves/check", headers={**headers, "X-CSRF-Token": token})
            assert r.status_code == 400
            r = client.post(
                "/watchlist/add", headers=headers, data={CSRF_FIELD: token, "id": "x", "url": "https://e.com"}
            )
            assert r.status_code == 400
        assert app.state.web.runner.jobs == {}
        assert "https://e.com" not in site.config_path.read_text(encoding="utf-8")


def test_every_get_route_is_behind_the_host_check(site: DemoSite) -> None:
    """Routes added later (/healthz) too: the check wraps the whole app, before authentication and routing."""
    import importlib
    import pkgutil

    import monitor.web.routes

    app = create_app(site.config_path, credentials=Credentials(token="t" * 32), secret=SECRET)
    routes = list(app.routes)
    for module in pkgutil.iter_modules(monitor.web.routes.__path__):
        routes += getattr(importlib.import_module(f"monitor.web.routes.{module.name}"), "router", app.router).routes
    paths = sorted(
        {
            route.path
            for route in routes
            if "GET" in (getattr(route, "methods", None) or ()) and "{" not in getattr(route, "path", "{")
        }
    )
    assert {"/", "/findings", "/api/suppliers", "/openapi.json"} <= set(paths)
    with live(app) as base, browser(base) as client:
        for path in paths:
            r = client.get(path, headers={"Host": REBIND, "Authorization": "Bearer " + "t" * 32})
            assert r.status_code == 400, path


def test_own_host_names_are_served(site: DemoSite) -> None:
    app = create_app(site.config_path, credentials=Credentials(), secret=SECRET)
    with live(app) as base, browser(base) as client:
        port = base.rsplit(":", 1)[1]
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LOCALHOST:{port}", f"[::1]:{port}", "localhost"):
            r = client.get("/api/suppliers", headers={"Host": host})
            assert r.status_code == 200, host
        assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("listen_host", "accepted", "refused"),
    [
        ("192.0.2.7", ["192.0.2.7:8765", "127.0.0.1:8765"], [REBIND, "192.0.2.8:8765"]),
        ("2001:db8::7", ["[2001:db8::7]:8765", "[::1]:8765"], [REBIND, "[2001:db8::8]:8765"]),
        ("monitor.internal", ["monitor.internal:8765", "localhost"], [REBIND, "evil.monitor.internal"]),
    ],
)
def test_the_address_it_listens_on_is_accepted(
    site: DemoSite, listen_host: str, accepted: list[str], refused: list[str]
) -> None:
    app = create_app(site.config_path, credentials=Credentials(token="t" * 32), secret=SECRET, listen_host=listen_host)
    bearer = {"Authorization": "Bearer " + "t" * 32}
    with live(app) as base, browser(base) as client:
        for host in accepted:
            assert client.get("/api/suppliers", headers={**bearer, "Host": host}).status_code == 200, host
        for host in refused:
            assert client.get("/api/suppliers", headers={**bearer, "Host": host}).status_code == 400, host


def test_configured_allowed_hosts_replace_the_loopback_names(config_path: Path) -> None:
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(
        '[dashboard]\nallowed_hosts = ["monitor.example.com", "*.corp.example"]\n\n' + text, encoding="utf-8"
    )
    app = create_app(config_path, credentials=Credentials(), secret=SECRET)
    with live(app) as base, browser(base) as client:
        for host in ("monitor.example.com", "MONITOR.example.com:8765", "dash.corp.example", "a.b.corp.example"):
            assert client.get("/api/suppliers", headers={"Host": host}).status_code == 200, host
        for host in ("127.0.0.1", "corp.example", "evilcorp.example", "monitor.example.com.evil", REBIND):
            assert client.get("/api/suppliers", headers={"Host": host}).status_code == 400, host


@pytest.mark.parametrize("pattern", ["monitor.*.example", "*example.com", "**.example.com", "a b", "", "*"])
def test_unusable_allowed_hosts_are_a_config_error(config_path: Path, pattern: str) -> None:
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(f'[dashboard]\nallowed_hosts = ["{pattern}"]\n\n' + text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"dashboard\.allowed_hosts"):
        create_app(config_path, credentials=Credentials(), secret=SECRET)


def _served_app(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    """Make uvicorn.run record the app serve() would run instead of running it."""
    import uvicorn

    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append((app, kwargs)))
    monkeypatch.delenv("SUPPLIER_MONITOR_WEB_TOKEN", raising=False)
    monkeypatch.delenv("SUPPLIER_MONITOR_WEB_PASSWORD_HASH", raising=False)
    monkeypatch.setenv(SECRET_ENV, SECRET)
    return calls


def test_serve_and_serve_demo_refuse_foreign_host_names(
    site: DemoSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.web.app import serve, serve_demo

    calls = _served_app(monkeypatch)
    serve(site.config_path, "127.0.0.1", 8765)
    demo_db = tmp_path / "demo.db"
    demo_db.write_bytes(Path(site.database_url.removeprefix("sqlite:///")).read_bytes())
    serve_demo(demo_db)
    assert [kwargs["host"] for _app, kwargs in calls] == ["127.0.0.1", "127.0.0.1"]
    for app, _kwargs in calls:
        with live(app) as base, browser(base) as client:
            assert client.get("/api/suppliers").status_code == 200
            assert client.get("/api/suppliers", headers={"Host": REBIND}).status_code == 400
            assert client.get("/", headers={"Host": f"{REBIND}:8765"}).status_code == 400


# --- CSRF --------------------------------------------------------------------------------------------


def test_forms_and_scripts_work_with_the_signed_token(own_site: DemoSite) -> None:
    app = create_app(own_site.config_path, credentials=Credentials(), secret=SECRET)
    with live(app) as base, browser(base) as client:
        fid = client.get("/api/findings").json()[0]["id"]
        token = page_token(client)
        r = client.post(f"/findings/{fid}/acknowledge", data={CSRF_FIELD: token, "note": "form"})
        assert r.status_code == 303 and finding_state(client, fid) == "acknowledged"
        r = client.post(f"/findings/{fid}/reopen", data={CSRF_FIELD: page_token(client, "/watchlist")})
        assert r.status_code == 303 and finding_state(client, fid) == "open"
        r = client.post("/api/suppliers/nobody/check", headers={"X-CSRF-Token": token})
        assert r.status_code == 404  # past the CSRF check: the supplier is unknown
        # The meta tag carries the same kind of token for scripts.
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/").text)
        assert meta is not None
        r = client.post(f"/findings/{fid}/acknowledge", data={CSRF_FIELD: meta.group(1)})
        assert r.status_code == 303
        client.post(f"/findings/{fid}/reopen", data={CSRF_FIELD: token})


def test_a_cookie_and_field_pair_chosen_by_another_page_is_refused(site: DemoSite) -> None:
    """Any page on any localhost port can set cookies for 127.0.0.1 (cookies ignore ports): the old
    double-submit check accepted ``sm_csrf=x`` with ``csrf_token=x``. Only a token the server signed passes."""
    app = create_app(site.config_path, credentials=Credentials(), secret=SECRET)
    with live(app) as base, browser(base) as client:
        fid = client.get("/api/findings").json()[0]["id"]
        forged = "x" * 43
        for name in ("sm_csrf", SESSION_COOKIE):
            client.cookies.set(name, forged, domain="127.0.0.1", path="/")
        for sent in (forged, "", f"{forged}.{forged}"):
            r = client.post(f"/findings/{fid}/acknowledge", data={CSRF_FIELD: sent})
            assert r.status_code == 403, sent
            r = client.post("/api/suppliers/haoyu-valves/check", headers={"X-CSRF-Token": sent})
            assert r.status_code == 403, sent
            r = client.patch("/api/suppliers/haoyu-valves", json={"paused": True}, headers={"X-CSRF-Token": sent})
            assert r.status_code == 403, sent
        # A token signed for the session the attacker chose cannot be had without the server's secret.
        wrong_secret = URLSafeTimedSerializer("attacker" * 8, salt="csrf").dumps(forged)
        r = client.post(f"/findings/{fid}/acknowledge", data={CSRF_FIELD: wrong_secret})
        assert r.status_code == 403
        assert finding_state(client, fid) == "open"
        assert app.state.web.runner.jobs == {}
        assert "paused" not in site.config_path.read_text(encoding="utf-8")


def test_a_token_is_tied_to_its_session(own_site: DemoSite) -> None:
    app = create_app(own_site.config_path, credentials=Credentials(), secret=SECRET)
    with live(app) as base, browser(base) as alice, browser(base) as mallory:
        fid = alice.get("/api/findings").json()[0]["id"]
        alices = page_token(alice)
        page_token(mallory)  # mallory has a session of her own
        assert alice.cookies.get(SESSION_COOKIE) != mallory.cookies.get(SESSION_COOKIE)
        assert mallory.post(f"/findings/{fid}/acknowledge", data={CSRF_FIELD: alices}).status_code == 403
        assert mallory.post(f"/findings/{fid}/acknowledge", data={CSRF_FIELD: page_token(mallory)}).status_code == 303
        assert mallory.post(f"/findings/{fid}/reopen", data={CSRF_FIELD: page_token(mallory)}).status_code == 303
        # Without any session cookie no token passes, not even a once valid one.
        mallory.cookies.clear()
        assert mallory.post(f"/findings/{fid}/acknowledge", data={CSRF_FIELD: alices}).status_code == 403
        assert finding_state(alice, fid) == "open"


def test_expired_tampered_and_foreign_secret_tokens_are_refused(own_site: DemoSite) -> None:
    class TwelveHoursAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - CSRF_MAX_AGE - 60

    app = create_app(own_site.config_path, credentials=Credentials(), secret=SECRET)
    with live(app) as base, browser(base) as client:
        fid = client.get("/api/findings").json()[0]["id"]
        token = page_token(client)
        session = client.cookies.get(SESSION_COOKIE)
        assert session
        old = URLSafeTimedSerializer(SECRET, salt="csrf", signer=TwelveHoursAgo).dumps(session)
        restarted = URLSafeTimedSerializer("another secret, another start", salt="csrf").dumps(session)
        other_salt = URLSafeTimedSerializer(SECRET, salt="session").dumps(session)
        tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        for sent in (old, restarted, other_salt, tampered, session):
            assert client.post(f"/findings/{fid}/acknowledge", data={CSRF_FIELD: sent}).status_code == 403, sent
        fresh = URLSafeTimedSerializer(SECRET, salt="csrf").dumps(session)
        assert client.post(f"/findings/{fid}/acknowledge", data={CSRF_FIELD: fresh}).status_code == 303
        assert client.post(f"/findings/{fid}/reopen", data={CSRF_FIELD: token}).status_code == 303


def test_session_cookie_flags(site: DemoSite) -> None:
    """HttpOnly, SameSite=Strict, Path=/; Secure only over https (plain-HTTP loopback must keep working)."""
    from fastapi.testclient import TestClient

    app = create_app(site.config_path, credentials=Credentials(), secret=SECRET)
    with live(app) as base, browser(base) as client:
        cookies = client.get("/findings").headers.get_list("set-cookie")
        assert len(cookies) == 1 and cookies[0].startswith(f"{SESSION_COOKIE}=")
        flags = {part.strip().lower() for part in cookies[0].split(";")[1:]}
        assert {"httponly", "samesite=strict", "path=/"} <= flags and "secure" not in flags
        assert not any(flag.startswith(("max-age", "expires", "domain")) for flag in flags)
        assert client.get("/findings").headers.get("set-cookie") is None  # the session is kept
    with TestClient(app, base_url="https://127.0.0.1") as tls:
        cookie = tls.get("/findings").headers["set-cookie"]
        assert "secure" in {part.strip().lower() for part in cookie.split(";")}


def test_secret_from_the_environment_survives_a_restart(own_site: DemoSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "e" * 40)
    first = create_app(own_site.config_path, credentials=Credentials())
    with live(first) as base, browser(base) as client:
        fid = client.get("/api/findings").json()[0]["id"]
        token = page_token(client)
        session = client.cookies.get(SESSION_COOKIE)
    second = create_app(own_site.config_path, credentials=Credentials())
    with live(second) as base, browser(base) as client:
        client.cookies.set(SESSION_COOKIE, session or "", domain="127.0.0.1", path="/")
        assert client.post(f"/findings/{fid}/acknowledge", data={CSRF_FIELD: token}).status_code == 303
        assert client.post(f"/findings/{fid}/reopen", data={CSRF_FIELD: token}).status_code == 303
    monkeypatch.delenv(SECRET_ENV)
    third = create_app(own_site.config_path, credentials=Credentials())  # a random secret per start
    with live(third) as base, browser(base) as client:
        client.cookies.set(SESSION_COOKIE, session or "", domain="127.0.0.1", path="/")
        assert client.post(f"/findings/{fid}/acknowledge", data={CSRF_FIELD: token}).status_code == 403
    monkeypatch.setenv(SECRET_ENV, "short")
    with pytest.raises(CredentialsError, match="too short"):
        create_app(own_site.config_path, credentials=Credentials())


# --- bad values through HTTP -------------------------------------------------------------------------

BAD_IDS = [
    "9223372036854775808",
    "18446744073709551616",
    "1" + "0" * 40,
    "-1",
    "0",
    "abc",
    "1e3",
    "9223372036854775807",
]
GET_ID_ROUTES = [
    "/snapshots/{}",
    "/evidence/snapshots/{}/page",
    "/evidence/snapshots/{}/page.txt",
    "/evidence/snapshots/{}/screenshot.png",
    "/evidence/checks/{}/page.txt",
    "/api/snapshots/{}",
    "/api/jobs/{}",
]
POST_ID_ROUTES = [
    "/findings/{}/acknowledge",
    "/findings/{}/snooze",
    "/findings/{}/reopen",
    "/alerts/deliveries/{}/resend",
]


def test_ids_out_of_range_or_not_numbers_are_404(site: DemoSite) -> None:
    app = create_app(site.config_path, credentials=Credentials(), secret=SECRET)
    with live(app) as base, browser(base) as client:
        token = page_token(client)
        for bad in BAD_IDS:
            for route in GET_ID_ROUTES:
                r = client.get(route.format(bad))
                assert r.status_code == 404, (route, bad, r.status_code, r.text[:300])
                if route.startswith("/api/"):
                    assert r.headers["content-type"] == "application/json" and "detail" in r.json()
                else:
                    assert "Not found" in r.text
            for route in POST_ID_ROUTES:
                r = client.post(route.format(bad), data={CSRF_FIELD: token, "until": "2999-01-01"})
                assert r.status_code == 404, (route, bad, r.status_code, r.text[:300])
            r = client.get(f"/suppliers/jiahe-electronics/diff?a={bad}&b=1")
            assert r.status_code in (404, 422), (bad, r.status_code)
            assert "Traceback" not in r.text
        for huge in BAD_IDS[:3]:
            assert client.get(f"/suppliers/jiahe-electronics/diff?a=1&b={huge}").status_code == 404


@pytest.mark.parametrize("interval", ["1e300", "99999999999d", "inf", "nan", "1ms", "0s", "-1h", "1e30s", "soon"])
def test_impossible_intervals_are_422_naming_the_key(config_path: Path, interval: str) -> None:
    before = config_path.read_text(encoding="utf-8")
    app = create_app(config_path, credentials=Credentials(), secret=SECRET)
    with live(app) as base, browser(base) as client:
        token = page_token(client, "/watchlist")
        r = client.patch("/api/suppliers/haoyu-valves", json={"interval": interval}, headers={"X-CSRF-Token": token})
        assert r.status_code == 422, r.text
        assert r.json()["detail"].startswith("interval: "), r.json()
        r = client.post("/watchlist/haoyu-valves/edit", data={CSRF_FIELD: token, "interval": interval, "tags": ""})
        assert r.status_code == 422 and "interval: " in r.text and "Traceback" not in r.text
        new = {
            CSRF_FIELD: token,
            "id": "kettles",
            "url": "https://kettles.en.alibaba.com/company_profile.html",
            "interval": interval,
        }
        r = client.post("/watchlist/add", data=new)
        assert r.status_code == 422 and "interval: " in r.text
    assert config_path.read_text(encoding="utf-8") == before


@pytest.mark.parametrize(
    ("cron", "reason"), [("0 0 31 2 *", "never fires"), ("61 * * * *", "not a crontab expression"), ("x", "fields")]
)
def test_impossible_cron_is_422(config_path: Path, cron: str, reason: str) -> None:
    before = config_path.read_text(encoding="utf-8")
    app = create_app(config_path, credentials=Credentials(), secret=SECRET)
    with live(app) as base, browser(base) as client:
        headers = {"X-CSRF-Token": page_token(client)}
        r = client.patch("/api/suppliers/haoyu-valves", json={"cron": cron, "interval": None}, headers=headers)
        assert r.status_code == 422, r.text
        assert f"cron {cron!r}" in r.json()["detail"] and reason in r.json()["detail"], r.json()
    assert config_path.read_text(encoding="utf-8") == before
    with live(create_app(config_path, credentials=Credentials(), secret=SECRET)) as base, browser(base) as client:
        headers = {"X-CSRF-Token": page_token(client)}
        r = client.patch("/api/suppliers/haoyu-valves", json={"cron": "0 6 * * *", "interval": None}, headers=headers)
        assert r.status_code == 200, r.text
    assert 'cron = "0 6 * * *"' in config_path.read_text(encoding="utf-8")
