"""The dashboard's trust boundaries, against uvicorn on an ephemeral loopback port (real HTTP, real Host
headers) over a database filled by real checks of the demo marketplace:

- CSRF: tokens the server signed for this browser's session; a cookie and field pair a page on another
  localhost port chose itself is refused.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from fastapi import FastAPI
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.timed import TimestampSigner

from monitor.demo.marketplace import DemoMarketplace
from monitor.web.app import create_app
from monitor.web.security import (
    CSRF_FIELD,
    CSRF_MAX_AGE,
    SECRET_ENV,
    SESSION_COOKIE,
    Credentials,
    CredentialsError,
)
from tests.test_web import DemoSite, build_demo_site

SECRET = "s" * 40


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    with DemoMarketplace() as market:
        yield build_demo_site(tmp_path_factory.mktemp("websec"), market)


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
        for _ in range(400):
            if server.started or not thread.is_alive():
                break
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


# --- CSRF --------------------------------------------------------------------------------------------


def test_forms_and_scripts_work_with_the_signed_token(site: DemoSite) -> None:
    app = create_app(site.config_path, credentials=Credentials(), secret=SECRET)
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


def test_a_token_is_tied_to_its_session(site: DemoSite) -> None:
    app = create_app(site.config_path, credentials=Credentials(), secret=SECRET)
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


def test_expired_tampered_and_foreign_secret_tokens_are_refused(site: DemoSite) -> None:
    class TwelveHoursAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - CSRF_MAX_AGE - 60

    app = create_app(site.config_path, credentials=Credentials(), secret=SECRET)
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


def test_secret_from_the_environment_survives_a_restart(site: DemoSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "e" * 40)
    first = create_app(site.config_path, credentials=Credentials())
    with live(first) as base, browser(base) as client:
        fid = client.get("/api/findings").json()[0]["id"]
        token = page_token(client)
        session = client.cookies.get(SESSION_COOKIE)
    second = create_app(site.config_path, credentials=Credentials())
    with live(second) as base, browser(base) as client:
        client.cookies.set(SESSION_COOKIE, session or "", domain="127.0.0.1", path="/")
        assert client.post(f"/findings/{fid}/acknowledge", data={CSRF_FIELD: token}).status_code == 303
        assert client.post(f"/findings/{fid}/reopen", data={CSRF_FIELD: token}).status_code == 303
    monkeypatch.delenv(SECRET_ENV)
    third = create_app(site.config_path, credentials=Credentials())  # a random secret per start
    with live(third) as base, browser(base) as client:
        client.cookies.set(SESSION_COOKIE, session or "", domain="127.0.0.1", path="/")
        assert client.post(f"/findings/{fid}/acknowledge", data={CSRF_FIELD: token}).status_code == 403
    monkeypatch.setenv(SECRET_ENV, "short")
    with pytest.raises(CredentialsError, match="too short"):
        create_app(site.config_path, credentials=Credentials())
