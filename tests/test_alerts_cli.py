"""`supplier-monitor alerts list / send / resend` end to end, as an operator runs them: separate processes, a
real SQLite file, alerts raised by a real check of the demo marketplace (plain HTTP, no browser needed), and
real receivers on loopback (http.server for webhooks, aiosmtpd for mail). Nothing under test is mocked."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope
from test_cli import Ran, cli_here

SUPPLIER = "xinlong-hardware"
OUR_NAME = "Xinlong Hardware (buyer's name)"
#: The demo page's statement that raises the one "high" finding of this supplier (ISO named as certifier).
STATEMENT = "Our factory is certified by ISO"
TOKEN = "SECRET-HOOK-TOKEN"


def cli(*args: str, cwd: Path) -> Ran:
    """``supplier-monitor`` in this process (``test_cli.cli_here``: its own argv, cwd, environment and output),
    wide enough that table cells are not folded. test_cli runs the installed command in processes of its own."""
    result = cli_here(*args, cwd=cwd, columns=400)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def listed(cwd: Path, *options: str) -> list[dict[str, Any]]:
    result = cli("alerts", "list", "--json", *options, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Receiver:
    """A webhook endpoint on loopback recording every POST; ``statuses`` maps a path to the status it answers."""

    def __init__(self, port: int = 0) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: dict[str, int] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.statuses.get(self.path, 200)
                receiver.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "body": json.loads(body), "status": status}
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accepted(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == path and 200 <= r["status"] < 300]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers() -> Iterator[Callable[..., Receiver]]:
    started: list[Receiver] = []

    def start(port: int = 0) -> Receiver:
        started.append(Receiver(port))
        return started[-1]

    yield start
    for receiver in started:
        receiver.close()


def write_config(folder: Path, marketplace: Any, recipients: str, alerts: str = "") -> None:
    """One watched demo supplier, fetched over plain HTTP (its certificate picture not read), and the given
    [[recipients]] tables."""
    url = f"{marketplace.base_url}/store/{SUPPLIER}/company_profile.html"
    (folder / "config.toml").write_text(
        f"""
[database]
url = "sqlite:///data/monitor.db"

[fetch]
method = "http"
allow_private_addresses = true

[politeness]
min_delay_per_host = "0s"
block_backoff = "0s"

# These tests are about delivering the page's alerts: OCR of the supplier's certificate picture (model load
# plus reading, seconds of CPU in every `check` process) would only slow them. Documents read by checks:
# tests/test_documents_pipeline.py, tests/test_cli_documents.py.
[documents]
read = false

[alerts]
{alerts}

{recipients}

[[suppliers]]
id = "{SUPPLIER}"
name = "{OUR_NAME}"
url = "{url}"
""",
        encoding="utf-8",
    )


def check(folder: Path) -> list[str]:
    """Run a real check (it stores the alerts and tries to deliver them once); the ids of every alert it
    raised, including those no recipient wants (they are stored all the same)."""
    result = cli("check", "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    (outcome,) = json.loads(result.stdout)
    assert outcome["status"] == "ok", outcome
    return list(outcome["alerts"])


def test_dead_webhook_is_listed_as_failing_and_resend_delivers_it_once(
    tmp_path: Path, marketplace: Any, receivers: Callable[..., Receiver]
) -> None:
    port = free_port()  # nothing listens here yet: the receiver is down
    hook = f"http://127.0.0.1:{port}/hook/{TOKEN}"
    write_config(tmp_path, marketplace, f'[[recipients]]\nname = "Buyers"\nwebhook = "{hook}"\nmin_severity = "high"')
    raised = check(tmp_path)  # delivers the one high finding of this page once, right away

    # Failing right now, long before max_attempts: listed, with the error and when it is tried next.
    (row,) = listed(tmp_path, "--failed")
    alert_id = row["alert_id"]
    assert alert_id in raised and row["severity"] == "high"
    assert (row["status"], row["failure_state"], row["attempts"]) == ("pending", "retrying", 1)
    assert "unreachable" in row["last_error"] and row["target"] == "http://127.0.0.1"
    assert datetime.fromisoformat(row["next_attempt_at"]) > datetime.now(UTC)
    table = cli("alerts", "list", "--failed", cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert "1 delivery whose last attempt failed" in table.stdout
    assert "retrying" in table.stdout and "unreachable" in table.stdout and " UTC (in " in table.stdout
    assert TOKEN not in table.stdout + json.dumps(row)

    # `send` honours the backoff: nothing is due yet, so nothing is attempted (or dropped).
    sent = cli("alerts", "send", cwd=tmp_path)
    assert sent.returncode == 0 and "sent 0, retrying 0, failed 0" in sent.stdout, sent.stdout
    assert listed(tmp_path, "--failed")[0]["attempts"] == 1

    receiver = receivers(port)  # the receiver comes up
    resend = cli("alerts", "resend", str(row["id"]), cwd=tmp_path)
    assert resend.returncode == 0 and f"Delivery {row['id']} queued again" in resend.stdout
    sent = cli("alerts", "send", cwd=tmp_path)
    assert sent.returncode == 0 and "sent 1, retrying 0, failed 0" in sent.stdout, sent.stdout + sent.stderr

    (request,) = receiver.requests  # exactly one POST, carrying the stable alert id
    assert request["path"] == f"/hook/{TOKEN}" and request["body"]["id"] == alert_id
    assert request["headers"]["X-Supplier-Monitor-Alert-Id"] == alert_id
    assert request["body"]["supplier"]["id"] == SUPPLIER and STATEMENT in request["body"]["title"]

    (done,) = listed(tmp_path)
    assert (done["status"], done["failure_state"], done["next_attempt_at"]) == ("sent", None, None)
    assert done["sent_at"] is not None
    assert listed(tmp_path, "--failed") == []
    everything = cli("alerts", "list", cwd=tmp_path)
    assert "1 delivery" in everything.stdout and " sent " in everything.stdout
    assert "0 deliveries whose last attempt failed" in cli("alerts", "list", "--failed", cwd=tmp_path).stdout
    assert cli("alerts", "send", cwd=tmp_path).returncode == 0
    assert len(receiver.requests) == 1, "a sent alert is never sent again"


def test_retry_now_and_given_up_deliveries(
    tmp_path: Path, marketplace: Any, receivers: Callable[..., Receiver]
) -> None:
    receiver = receivers()
    receiver.statuses = {"/busy": 503, "/gone": 404}  # temporary: retried; permanent: given up at once
    base = f"http://127.0.0.1:{receiver.port}"
    write_config(
        tmp_path,
        marketplace,
        f'[[recipients]]\nname = "Buyers"\nwebhook = "{base}/busy"\nmin_severity = "high"\n\n'
        f'[[recipients]]\nname = "Auditors"\nwebhook = "{base}/gone"\nmin_severity = "high"',
    )
    raised = check(tmp_path)
    failing = {row["recipient"]: row for row in listed(tmp_path, "--failed")}
    (alert_id,) = {row["alert_id"] for row in failing.values()}
    assert alert_id in raised
    assert {name: row["failure_state"] for name, row in failing.items()} == {
        "Buyers": "retrying",
        "Auditors": "given up",
    }
    assert "HTTP 503" in failing["Buyers"]["last_error"] and failing["Buyers"]["next_attempt_at"]
    assert "HTTP 404" in failing["Auditors"]["last_error"] and failing["Auditors"]["next_attempt_at"] is None
    assert failing["Auditors"]["status"] == "failed"
    table = cli("alerts", "list", "--failed", cwd=tmp_path).stdout
    assert "2 deliveries whose last attempt failed" in table and "given up" in table and "retrying" in table

    receiver.statuses = {}  # both endpoints fixed
    assert "sent 0" in cli("alerts", "send", cwd=tmp_path).stdout  # the retry still waits for its backoff
    now = cli("alerts", "send", "--retry-now", cwd=tmp_path)
    assert now.returncode == 0, now.stderr
    assert "Retrying 1 delivery now" in now.stdout and "sent 1, retrying 0, failed 0" in now.stdout
    assert [r["body"]["id"] for r in receiver.accepted("/busy")] == [alert_id]
    assert receiver.accepted("/gone") == [], "a given-up delivery waits for an operator's resend"
    (still,) = listed(tmp_path, "--failed")
    assert (still["recipient"], still["failure_state"]) == ("Auditors", "given up")

    assert cli("alerts", "resend", str(still["id"]), cwd=tmp_path).returncode == 0
    assert "sent 1" in cli("alerts", "send", cwd=tmp_path).stdout
    assert [r["body"]["id"] for r in receiver.accepted("/gone")] == [alert_id]
    assert listed(tmp_path, "--failed") == []
    assert {row["status"] for row in listed(tmp_path)} == {"sent"}
    assert cli("alerts", "resend", "999", cwd=tmp_path).returncode == 2


class Mailbox:
    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


def test_mail_from_a_real_check_keeps_scraped_text_out_of_the_headers(tmp_path: Path, marketplace: Any) -> None:
    import monitor.verify.rules  # noqa: F401  (registers the rules)
    from monitor.verify.findings import RULES

    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        write_config(
            tmp_path, marketplace, '[[recipients]]\nname = "Buyers"\nemail = "buyer@example.com"\nmin_severity = "high"'
        )
        with (tmp_path / "config.toml").open("a", encoding="utf-8") as config:
            config.write(
                f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nfrom = "monitor@example.com"\n'
            )
        raised = check(tmp_path)
    finally:
        controller.stop()

    (envelope,) = box.envelopes
    msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
    headers = envelope.content.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
    decoded = " | ".join(f"{name}: {value}" for name, value in msg.items())
    scraped_name = json.loads(cli("extract", marketplace.base_url + f"/store/{SUPPLIER}/company_profile.html",
                                  "--json", "--method", "http", cwd=tmp_path).stdout)["supplier"]["name"]  # fmt: skip
    assert scraped_name and scraped_name != OUR_NAME
    for scraped in (STATEMENT, scraped_name):
        assert scraped not in headers and scraped not in decoded
    assert msg["Subject"] == f"[HIGH] {OUR_NAME}: {RULES['ISO_AS_CERTIFIER'].title}"
    assert msg["X-Supplier-Monitor-Alert-Id"] in raised
    # The page's words are in the body, as text and (escaped) as HTML.
    assert STATEMENT in msg.get_body(preferencelist=("plain",)).get_content()
    assert STATEMENT in msg.get_body(preferencelist=("html",)).get_content()
    assert scraped_name in msg.get_body(preferencelist=("plain",)).get_content()
