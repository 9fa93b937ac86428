"""Notification channels against real servers on 127.0.0.1: aiosmtpd for mail, http.server for webhooks
and Apprise's json:// plugin. Nothing under test is mocked."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import re
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword

from monitor.alerts.channels.apprise_channel import AppriseChannel
from monitor.alerts.channels.base import Channel, DeliveryError, channel_class, delivery_key
from monitor.alerts.channels.console import ConsoleChannel
from monitor.alerts.channels.email import EmailChannel
from monitor.alerts.channels.webhook import WebhookChannel, parse_target, webhook_target
from monitor.alerts.model import Alert, AlertKind, AlertSupplier, alert_id
from monitor.alerts.render import clean_text, render_html, render_text, subject
from monitor.config import Config, ConfigError, SmtpConfig

HOSTILE_NAME = "Evil Co\r\nBcc: evil@x"
SCRIPT = "<script>alert(1)</script>"


def make_alert(n: int = 1, **overrides: Any) -> Alert:
    fields: dict[str, Any] = {
        "id": alert_id("supplier", n),
        "kind": AlertKind.CLAIM_CHANGE,
        "severity": "high",
        "supplier": AlertSupplier(id=f"sup-{n}", name=f"Supplier {n}", url=f"https://example.com/s{n}"),
        "title": f"ISO 9001 validity shortened (case {n})",
        "details": {
            "changes": [{"field": "valid_until", "from": "2027-03-17", "to": "2025-03-17"}],
            "certification": {"standard": "ISO 9001", "number": f"CN-{n}", "issuer": None},
        },
        "observed_at": datetime(2025, 5, 1, 8, n, tzinfo=UTC),
    }
    fields.update(overrides)
    return Alert(**fields)


def hostile_alert() -> Alert:
    return make_alert(
        supplier=AlertSupplier(id="evil", name=HOSTILE_NAME, url="javascript:alert(1)"),
        title=f"{HOSTILE_NAME} claims {SCRIPT}",
        details={"code": "bogus_cert", "message": SCRIPT, "evidence": "a & b < c", "rule_source": "[bold]x[/bold]"},
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- registry and rendering -------------------------------------------------------------------------------


def test_builtin_channels_register_by_name() -> None:
    assert channel_class("console") is ConsoleChannel
    assert channel_class("email") is EmailChannel
    assert channel_class("webhook") is WebhookChannel
    assert channel_class("apprise") is AppriseChannel


def test_from_config_hook() -> None:
    config = Config(smtp=SmtpConfig(host="mail.example.com", port=2525, security="ssl"))
    channel = EmailChannel.from_config(config)
    assert isinstance(channel, EmailChannel) and channel.smtp.host == "mail.example.com"
    for cls in (ConsoleChannel, WebhookChannel, AppriseChannel):
        assert isinstance(cls.from_config(config), Channel)


def test_render_changes_findings_and_digest() -> None:
    finding = make_alert(
        2,
        kind=AlertKind.FINDING,
        severity="critical",
        details={
            "code": "not_in_registry",
            "message": "No such certificate",
            "evidence": "l1\nl2",
            "rule_source": "IAF",
        },
    )
    text = render_text([make_alert(1)])
    assert "valid until: 2027-03-17 → 2025-03-17" in text
    assert "issuer: (none)" in text and "Supplier: Supplier 1 (sup-1)" in text
    digest = render_text([make_alert(1), finding])
    assert digest.startswith("2 supplier alerts (highest severity: critical)")
    assert digest.index("[CRITICAL]") < digest.index("[HIGH]")  # most severe first
    assert "code: not_in_registry" in digest and "rule source: IAF" in digest
    assert clean_text("a\x1b[2Jb\u202ec\r\nd", single_line=True) == "a[2Jbc d"
    assert subject([make_alert(title="x" * 500)]) == "[HIGH] sup-1: Claims changed"  # the title is not used
    assert len(subject([make_alert()], limit=20)) == 20


# --- console ----------------------------------------------------------------------------------------------


def test_console_shows_hostile_text_literally(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    alert = make_alert(
        supplier=AlertSupplier(id="evil", name="[bold red]Evil[/bold red] :smile:\x1b[2J", url=None),
        title="Claims [link=https://evil]ISO[/link] \x07",
    )
    ConsoleChannel().send([alert, make_alert(2)], "", recipient="ops")
    out = capsys.readouterr().out
    assert "[bold red]Evil[/bold red] :smile:" in out
    assert "Claims [link=https://evil]ISO[/link]" in out
    assert "\x1b" not in out and "\x07" not in out
    assert "2 supplier alerts" in out and "valid until: 2027-03-17 → 2025-03-17" in out


# --- e-mail through a real SMTP server --------------------------------------------------------------------


class RecordingHandler:
    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.reject: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def message(self, index: int = -1) -> EmailMessage:
        return email.message_from_bytes(self.envelopes[index].content, policy=email.policy.default)  # type: ignore[return-value]


class Authenticator:
    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data == (b"alice", b"s3cret-pw")
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


class SmtpServer:
    def __init__(self, **kwargs: Any) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    def config(self, **kwargs: Any) -> SmtpConfig:
        values: dict[str, Any] = {"host": "127.0.0.1", "port": self.port, "security": "none", "timeout": 5}
        values["from"] = "monitor@example.com"
        values.update(kwargs)
        return SmtpConfig.model_validate(values)


@pytest.fixture
def smtp_factory() -> Iterator[Any]:
    servers: list[SmtpServer] = []

    def start(**kwargs: Any) -> SmtpServer:
        server = SmtpServer(**kwargs)
        server.controller.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.controller.stop()


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 made with the openssl command (no new Python dependency)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert)]
    command += ["-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(command, check=True, capture_output=True)
    return cert, key


def server_tls(cert_key: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*cert_key)
    return context


def test_email_multipart_escaped_and_identified(smtp_factory: Any) -> None:
    server = smtp_factory()
    alert = hostile_alert()
    EmailChannel(server.config()).send([alert], "buyer@example.com", recipient="buyer")

    envelope = server.handler.envelopes[0]
    assert envelope.mail_from == "monitor@example.com"
    assert envelope.rcpt_tos == ["buyer@example.com"]  # the Bcc in the supplier name added no recipient
    raw_headers = envelope.content.split(b"\r\n\r\n", 1)[0]
    assert not re.search(rb"(?im)^bcc:", raw_headers)  # no header line of its own, only text inside Subject
    msg = server.handler.message()
    assert msg["Bcc"] is None
    # Not even folded into one harmless line: the scraped name and title stay out of the headers entirely,
    # and the supplier (not named in any config here) is shown by its id.
    assert msg["Subject"] == "[HIGH] evil: Claims changed"
    assert msg["Message-ID"] == f"<{alert.id}@supplier-monitor>"
    assert msg["X-Supplier-Monitor-Alert-Id"] == alert.id
    assert msg.get_content_type() == "multipart/alternative"

    plain = msg.get_body(preferencelist=("plain",)).get_content()
    html_part = msg.get_body(preferencelist=("html",)).get_content()
    assert SCRIPT in plain  # plain text is shown as text
    assert "<script>" not in html_part and "&lt;script&gt;alert(1)&lt;/script&gt;" in html_part
    assert "a &amp; b &lt; c" in html_part
    assert 'href="javascript' not in html_part  # only http(s) page URLs become links


HOSTILE_STATEMENT = (
    "FDA approved nitrile examination gloves <script>alert(1)</script>\r\nBcc: victim@evil.example\r\n"
    "X-Injected: yes\n\nbody starts here " + "and goes on " * 300
)
HOSTILE_FRAGMENTS = ("FDA approved", "script", "Bcc", "victim@evil.example", "X-Injected", "goes on", "Scraped")


def statement_finding_alert() -> Alert:
    """A finding alert built the way checks build them: its title quotes the statement from the page."""
    from monitor.changes.events import finding_alerts

    finding = {
        "identity": "FDA_APPROVAL_CLAIM:statement-1",
        "code": "FDA_APPROVAL_CLAIM",
        "severity": "high",
        "message": f"The page says {HOSTILE_STATEMENT}",
        "evidence": HOSTILE_STATEMENT,
        "rule_source": "21 CFR 807.39",
        "certification": None,
        "statement": HOSTILE_STATEMENT,
        "first_seen_at": "2025-05-01T08:00:00+00:00",
    }
    who = AlertSupplier(id="acme-gloves", name="Scraped Name Ltd\r\nBcc: evil@x", url="https://example.com/acme")
    (alert,) = finding_alerts(who, [finding], [], datetime(2025, 5, 1, 8, 0, tzinfo=UTC))
    assert "FDA approved" in alert.title  # the title does carry scraped text: the Subject must not use it
    return alert


def header_text(envelope: Envelope) -> tuple[str, list[str]]:
    """The raw header block as received, and every header value decoded (RFC 2047 words included)."""
    raw = envelope.content.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
    msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
    return raw, [f"{name}: {value}" for name, value in msg.items()]


def test_scraped_text_never_reaches_a_mail_header(smtp_factory: Any) -> None:
    server = smtp_factory()
    config = Config(
        smtp=server.config(),
        suppliers=[{"id": "acme-gloves", "name": "Acme Gloves (our buyer's name)", "url": "https://example.com/acme"}],
    )
    channel = EmailChannel.from_config(config)
    alert = statement_finding_alert()
    channel.send([alert], "buyer@example.com", recipient="buyer")
    channel.send([alert, make_alert(2, severity="low")], "buyer@example.com", recipient="buyer")  # a digest

    single, digest = server.handler.envelopes
    assert single.rcpt_tos == digest.rcpt_tos == ["buyer@example.com"]
    for envelope in (single, digest):
        raw, decoded = header_text(envelope)
        for fragment in HOSTILE_FRAGMENTS:
            assert fragment not in raw and not any(fragment in h for h in decoded), fragment
    msg = email.message_from_bytes(single.content, policy=email.policy.default)
    # Severity, the rule's title (ours) and the supplier as the operator named it in the config.
    assert (
        msg["Subject"]
        == "[HIGH] Acme Gloves (our buyer's name): FDA registration presented as approval or a certificate"
    )
    assert msg["X-Supplier-Monitor-Alert-Id"] == alert.id
    digest_msg = email.message_from_bytes(digest.content, policy=email.policy.default)
    assert digest_msg["Subject"] == "[HIGH] 2 supplier alerts (highest severity: high)"

    # The scraped details are all in the body: as text in the plain part, escaped in the HTML part.
    plain = msg.get_body(preferencelist=("plain",)).get_content()
    html_part = msg.get_body(preferencelist=("html",)).get_content()
    assert "FDA approved nitrile examination gloves <script>alert(1)</script>" in plain
    assert "Bcc: victim@evil.example" in plain and "Scraped Name Ltd" in plain
    assert "<script>" not in html_part
    assert "FDA approved nitrile examination gloves &lt;script&gt;alert(1)&lt;/script&gt;" in html_part
    assert "Bcc: victim@evil.example" in html_part and "X-Injected: yes" in html_part
    assert "FDA approved" in digest_msg.get_body(preferencelist=("html",)).get_content()


T_SUBJECT = datetime(2025, 5, 1, 8, 0, tzinfo=UTC)


def test_subject_names_only_our_words() -> None:
    from monitor.changes.events import check_failing_alert, layout_changed_alert

    who = AlertSupplier(id="acme-gloves", name="Scraped <b>Name</b>", url=None)
    names = {"acme-gloves": "Acme Gloves"}
    failing = check_failing_alert(
        who, failures=3, reason="HTTP 503 <script>", status="error", since=None, observed_at=T_SUBJECT,
        first_failed_check_id=7,
    )  # fmt: skip
    assert subject([failing], supplier_names=names) == "[HIGH] Acme Gloves: Checks failing (3 in a row)"
    assert subject([failing]) == "[HIGH] acme-gloves: Checks failing (3 in a row)"  # no configured name: the id
    layout = layout_changed_alert("alibaba", "company_profile_modules", ["a", "b"], T_SUBJECT, window_key="w")
    assert subject([layout]) == "[HIGH] Page layout changed? alibaba company_profile_modules for 2 suppliers"
    removed = make_alert(
        title="Certificate removed: CE <script> (no. X\r\nBcc: y)",
        details={"change": "certification_removed", "subject": "CE <script>", "fields": []},
    )
    assert subject([removed]) == "[HIGH] sup-1: Certificate removed"
    employees = make_alert(
        kind=AlertKind.CLAIM_CHANGE, title="Employees changed: 50 → 5000",
        details={"change": "numeric_changed", "fields": [{"field": "employees", "from": 50, "to": 5000}]},
    )  # fmt: skip
    assert subject([employees]) == "[HIGH] sup-1: Employees changed"
    forged = make_alert(details={"change": "x", "fields": [{"field": "Bcc: evil@x\r\nX: y"}]}, severity="\r\nBcc: z")
    assert subject([forged]) == "[ALERT] sup-1: Claims changed"
    unknown_rule = make_alert(kind=AlertKind.FINDING_RESOLVED, details={"code": "<script> FDA approved"})
    assert subject([unknown_rule]) == "[HIGH] sup-1: Resolved: Finding"
    long_name = subject([make_alert()], supplier_names={"sup-1": "n" * 500})
    assert long_name.endswith("…: Claims changed") and len(long_name) < 150


def test_email_digest_is_one_mail(smtp_factory: Any) -> None:
    server = smtp_factory()
    alerts = [make_alert(1), make_alert(2, severity="critical"), make_alert(3, severity="low")]
    EmailChannel(server.config()).send(alerts, "buyer@example.com", recipient="buyer")

    assert len(server.handler.envelopes) == 1
    msg = server.handler.message()
    assert msg["X-Supplier-Monitor-Alert-Id"] == ",".join(a.id for a in alerts)
    assert msg["Message-ID"] == f"<{delivery_key(alerts)}@supplier-monitor>"
    assert delivery_key(list(reversed(alerts))) == delivery_key(alerts)  # same set, same id
    assert msg["Subject"] == "[CRITICAL] 3 supplier alerts (highest severity: critical)"
    plain = msg.get_body(preferencelist=("plain",)).get_content()
    assert all(a.title in plain for a in alerts)
    assert all(a.title in msg.get_body(preferencelist=("html",)).get_content() for a in alerts)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_email_auth_with_password_from_env(smtp_factory: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    server = smtp_factory(authenticator=Authenticator(), auth_required=True, auth_require_tls=False)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret-pw")
    config = server.config(username="alice", password_env="TEST_SMTP_PASSWORD")
    EmailChannel(config).send([make_alert()], "buyer@example.com", recipient="buyer")
    assert len(server.handler.envelopes) == 1

    monkeypatch.setenv("TEST_SMTP_PASSWORD", "wrong-secret-value")
    with pytest.raises(DeliveryError) as info:
        EmailChannel(config).send([make_alert()], "buyer@example.com", recipient="buyer")
    assert info.value.permanent
    assert "TEST_SMTP_PASSWORD" in str(info.value) and "wrong-secret-value" not in str(info.value)

    monkeypatch.delenv("TEST_SMTP_PASSWORD")
    with pytest.raises(DeliveryError) as info:
        EmailChannel(config).send([make_alert()], "buyer@example.com", recipient="buyer")
    assert info.value.permanent and "TEST_SMTP_PASSWORD" in str(info.value)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_email_unauthenticated_on_auth_required_server_is_permanent(smtp_factory: Any) -> None:
    server = smtp_factory(authenticator=Authenticator(), auth_required=True, auth_require_tls=False)
    with pytest.raises(DeliveryError) as info:
        EmailChannel(server.config()).send([make_alert()], "buyer@example.com", recipient="buyer")
    assert info.value.permanent  # 530 authentication required


def test_email_refused_connection_is_temporary() -> None:
    config = SmtpConfig.model_validate({"host": "127.0.0.1", "port": free_port(), "security": "none", "timeout": 3})
    with pytest.raises(DeliveryError) as info:
        EmailChannel(config).send([make_alert()], "buyer@example.com", recipient="buyer")
    assert not info.value.permanent


def test_email_rejected_recipient_is_permanent(smtp_factory: Any) -> None:
    server = smtp_factory()
    server.handler.reject.add("gone@example.com")
    with pytest.raises(DeliveryError) as info:
        EmailChannel(server.config()).send([make_alert()], "gone@example.com", recipient="buyer")
    assert info.value.permanent and "550" in str(info.value)
    assert server.handler.envelopes == []


def test_email_refuses_hostile_target_address(smtp_factory: Any) -> None:
    server = smtp_factory()
    with pytest.raises(DeliveryError) as info:
        EmailChannel(server.config()).send([make_alert()], "a@example.com\r\nBcc: evil@x", recipient="buyer")
    assert info.value.permanent and server.handler.envelopes == []


def test_email_starttls_with_auth(
    smtp_factory: Any, self_signed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # auth_require_tls stays at its default (True): the login only works after STARTTLS succeeded.
    server = smtp_factory(tls_context=server_tls(self_signed), require_starttls=True, authenticator=Authenticator())
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret-pw")
    config = server.config(security="starttls", username="alice", password_env="TEST_SMTP_PASSWORD")
    trust = ssl.create_default_context(cafile=str(self_signed[0]))
    EmailChannel(config, ssl_context=trust).send([make_alert()], "buyer@example.com", recipient="buyer")
    assert len(server.handler.envelopes) == 1

    # The system trust store does not know the self-signed certificate: refuse, permanently.
    with pytest.raises(DeliveryError) as info:
        EmailChannel(config).send([make_alert()], "buyer@example.com", recipient="buyer")
    assert info.value.permanent and "certificate" in str(info.value)


def test_email_starttls_not_offered_is_not_sent_in_clear(smtp_factory: Any) -> None:
    server = smtp_factory()
    with pytest.raises(DeliveryError) as info:
        EmailChannel(server.config(security="starttls")).send([make_alert()], "buyer@example.com", recipient="b")
    assert info.value.permanent and server.handler.envelopes == []


def test_email_implicit_tls(smtp_factory: Any, self_signed: tuple[Path, Path]) -> None:
    server = smtp_factory(ssl_context=server_tls(self_signed))
    trust = ssl.create_default_context(cafile=str(self_signed[0]))
    EmailChannel(server.config(security="ssl"), ssl_context=trust).send([make_alert()], "b@example.com", recipient="b")
    assert server.handler.message()["X-Supplier-Monitor-Alert-Id"] == make_alert().id


# --- webhook to a real HTTP server ------------------------------------------------------------------------


class HttpRecorder:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.hang = False  # hold every answer until `release` is set (at teardown)
        self.release = threading.Event()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                recorder.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                if recorder.hang:
                    recorder.release.wait(120)
                self.send_response(recorder.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def json(self, index: int = -1) -> Any:
        return json.loads(self.requests[index]["body"])


@pytest.fixture
def http_server() -> Iterator[HttpRecorder]:
    recorder = HttpRecorder()
    recorder.thread.start()
    yield recorder
    recorder.release.set()
    recorder.server.shutdown()
    recorder.server.server_close()


def test_webhook_json_single_and_digest(http_server: HttpRecorder) -> None:
    alert = make_alert()
    WebhookChannel().send([alert], f"{http_server.url}/hook", recipient="ops")
    request = http_server.requests[0]
    assert request["path"] == "/hook"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["Idempotency-Key"] == alert.id
    assert request["headers"]["X-Supplier-Monitor-Alert-Id"] == alert.id
    assert http_server.json() == alert.payload()
    assert set(http_server.json()) == {"id", "kind", "severity", "supplier", "title", "details", "observed_at"}

    alerts = [make_alert(1), make_alert(2)]
    WebhookChannel().send(alerts, webhook_target(f"{http_server.url}/hook", "json"), recipient="ops")
    assert http_server.json() == {"digest": True, "alerts": [a.payload() for a in alerts]}
    headers = http_server.requests[-1]["headers"]
    assert headers["X-Supplier-Monitor-Alert-Id"] == f"{alerts[0].id},{alerts[1].id}"
    assert headers["Idempotency-Key"] == delivery_key(alerts)


def test_webhook_slack_escapes(http_server: HttpRecorder) -> None:
    alert = make_alert(title="Claims <!channel> & <https://evil|ISO>")
    target = webhook_target(f"{http_server.url}/slack", "slack")
    assert target.startswith("slack+http://")
    WebhookChannel().send([alert], target, recipient="ops")
    body = http_server.json()
    assert set(body) == {"text", "mrkdwn"}
    assert "Claims &lt;!channel&gt; &amp; &lt;https://evil|ISO&gt;" in body["text"]
    assert "<" not in body["text"] and ">" not in body["text"]
    assert http_server.requests[0]["path"] == "/slack"


def test_webhook_teams_adaptive_card(http_server: HttpRecorder) -> None:
    alerts = [make_alert(1), make_alert(2, severity="critical")]
    WebhookChannel().send(alerts, f"teams+{http_server.url}/teams", recipient="ops")
    body = http_server.json()
    assert body["type"] == "message"
    card = body["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    texts = [block["text"] for block in card["content"]["body"]]
    assert texts[0].startswith("2 supplier alerts")
    assert any(alerts[0].title in text for text in texts) and any(alerts[1].title in text for text in texts)


def test_webhook_constructor_format_for_bare_urls(http_server: HttpRecorder) -> None:
    WebhookChannel(format="slack").send([make_alert()], f"{http_server.url}/s", recipient="ops")
    assert "text" in http_server.json()
    assert parse_target("https://x.example/h") == ("json", "https://x.example/h")
    assert parse_target("teams+https://x.example/h", "slack") == ("teams", "https://x.example/h")


@pytest.mark.parametrize(
    ("status", "permanent"), [(400, True), (404, True), (408, False), (429, False), (500, False), (503, False)]
)
def test_webhook_status_handling(http_server: HttpRecorder, status: int, permanent: bool) -> None:
    http_server.status = status
    with pytest.raises(DeliveryError) as info:
        WebhookChannel().send([make_alert()], f"{http_server.url}/services/T0/SECRET-TOKEN", recipient="ops")
    assert info.value.permanent is permanent
    assert str(status) in str(info.value) and "SECRET-TOKEN" not in str(info.value)


def test_webhook_url_token_not_logged(http_server: HttpRecorder, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    WebhookChannel().send([make_alert()], f"{http_server.url}/services/T0/SECRET-TOKEN", recipient="ops")
    assert "HTTP Request: POST" in caplog.text  # httpx's own request log, redacted
    assert "SECRET-TOKEN" not in caplog.text


def test_webhook_hanging_server_times_out(http_server: HttpRecorder) -> None:
    # The server never answers while the test runs: without the client's timeout, send would block until
    # teardown's release (or pytest's timeout) and then succeed, so no clock is needed to tell.
    http_server.hang = True
    with pytest.raises(DeliveryError) as info:
        WebhookChannel(timeout=0.5).send([make_alert()], f"{http_server.url}/slow", recipient="ops")
    assert not info.value.permanent
    assert "did not answer within 0.5s" in str(info.value)


def test_webhook_connection_refused_is_temporary() -> None:
    with pytest.raises(DeliveryError) as info:
        WebhookChannel().send([make_alert()], f"http://127.0.0.1:{free_port()}/x?token=SECRET", recipient="ops")
    assert not info.value.permanent and "SECRET" not in str(info.value)


# --- Apprise (json:// posts to our local server) ----------------------------------------------------------


def test_apprise_json_delivers(http_server: HttpRecorder) -> None:
    alert = make_alert()
    AppriseChannel().send([alert], f"json://127.0.0.1:{http_server.port}/apprise", recipient="ops")
    assert len(http_server.requests) == 1
    assert http_server.requests[0]["path"].startswith("/apprise")
    body = http_server.json()
    assert body["title"] == subject([alert]) == "[HIGH] sup-1: Claims changed"
    assert alert.title in body["message"] and "valid until: 2027-03-17 → 2025-03-17" in body["message"]


def test_apprise_title_keeps_scraped_text_out(http_server: HttpRecorder) -> None:
    # Apprise's e-mail services (mailto://, ses://, ...) turn the title into a mail Subject.
    config = Config(suppliers=[{"id": "acme-gloves", "name": "Acme Gloves", "url": "https://example.com/acme"}])
    alert = statement_finding_alert()
    AppriseChannel.from_config(config).send([alert], f"json://127.0.0.1:{http_server.port}/", recipient="ops")
    body = http_server.json()
    assert body["title"] == "[HIGH] Acme Gloves: FDA registration presented as approval or a certificate"
    assert "FDA approved nitrile examination gloves <script>" in body["message"]


def test_apprise_digest(http_server: HttpRecorder) -> None:
    AppriseChannel().send([make_alert(1), make_alert(2)], f"json://127.0.0.1:{http_server.port}/", recipient="ops")
    body = http_server.json()
    assert body["title"] == "[HIGH] 2 supplier alerts (highest severity: high)"
    assert make_alert(1).title in body["message"] and make_alert(2).title in body["message"]


def test_apprise_invalid_url_is_permanent_and_redacted() -> None:
    with pytest.raises(DeliveryError) as info:
        AppriseChannel().send([make_alert()], "nosuchservice://token-SECRET@host", recipient="ops")
    assert info.value.permanent
    assert "SECRET" not in str(info.value) and "nosuchservice://" in str(info.value)


def test_apprise_server_error_is_temporary_and_redacted(http_server: HttpRecorder) -> None:
    http_server.status = 500
    with pytest.raises(DeliveryError) as info:
        AppriseChannel().send([make_alert()], f"json://user:SECRET-PW@127.0.0.1:{http_server.port}/x", recipient="ops")
    assert not info.value.permanent
    assert len(http_server.requests) == 1
    assert "SECRET-PW" not in str(info.value) and "json://" in str(info.value)


def test_html_render_escapes_everything() -> None:
    page = render_html([hostile_alert()])
    assert SCRIPT not in page and "[bold]x[/bold]" in page and "Bcc: evil@x" in page


def test_secret_urls_come_from_the_environment(http_server: HttpRecorder, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.alerts.routing import deliveries_for

    ops = {"name": "Ops", "webhook": "env:SM_TEST_HOOK", "webhook_format": "slack", "apprise": ["env:SM_TEST_APPRISE"]}
    config = Config(recipients=[ops])
    alert = make_alert()
    targets = {d["channel"]: d["target"] for d in deliveries_for(alert, config.recipients)}
    # The outbox keeps the reference, never the secret URL.
    assert targets == {"webhook": "slack+env:SM_TEST_HOOK", "apprise": "env:SM_TEST_APPRISE"}

    monkeypatch.delenv("SM_TEST_HOOK", raising=False)
    with pytest.raises(DeliveryError) as unset:
        WebhookChannel().send([alert], targets["webhook"], recipient="Ops")
    assert not unset.value.permanent and "SM_TEST_HOOK" in str(unset.value) and "not set" in str(unset.value)
    assert http_server.requests == []

    monkeypatch.setenv("SM_TEST_HOOK", f"{http_server.url}/hooks/T000-SECRET")
    monkeypatch.setenv("SM_TEST_APPRISE", f"json://127.0.0.1:{http_server.port}/apprise")
    WebhookChannel().send([alert], targets["webhook"], recipient="Ops")
    AppriseChannel().send([alert], targets["apprise"], recipient="Ops")
    assert http_server.requests[0]["path"] == "/hooks/T000-SECRET"
    assert set(http_server.json(0)) == {"text", "mrkdwn"}  # the slack format travelled with the reference
    assert http_server.requests[1]["path"].startswith("/apprise")


@pytest.mark.parametrize(
    ("recipient", "error"),
    [
        ({"webhook": "env:"}, "env: must be followed by an environment variable name"),
        ({"webhook": "env:HOOK-URL"}, "env: must be followed by an environment variable name"),
        ({"apprise": ["telegram-token"]}, "is not an Apprise URL"),
        ({"webhook": "hooks.example.com/x"}, "or write env:VARIABLE"),
    ],
)
def test_secret_reference_mistakes_name_the_key(recipient: dict[str, Any], error: str) -> None:
    from monitor.config import load_config

    with pytest.raises(ConfigError) as info:
        load_config(Path("config.toml"), data={"recipients": [{"name": "Ops", **recipient}]})
    assert "recipients[0]." in str(info.value) and error in str(info.value)
