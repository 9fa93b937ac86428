"""Alerts end to end: real Chromium against the demo marketplace, a real SMTP server (aiosmtpd) and a real
webhook receiver on loopback. What a sourcing manager must be able to trust: no alert from a captcha,
exactly one for a removed certificate, none for a page that flapped, one "failing" and one "recovered"."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from conftest import requires_browser
from rich.console import Console

from monitor.alerts.delivery import deliver_due
from monitor.checks import Checker, PageOutcome, sync_watch_list
from monitor.config import Config, load_config
from monitor.demo.marketplace import DemoMarketplace
from monitor.demo.runner import LOOPBACK_POLITENESS
from monitor.demo.scenario import demo_suppliers, demo_verify_settings
from monitor.engine import Monitor, check_round
from monitor.fetchers import Fetchers
from monitor.status import print_status, status_report
from storage import (
    consecutive_failures,
    list_alerts,
    list_checks,
    list_deliveries,
    list_snapshots,
    open_database,
    open_findings,
)

pytestmark = requires_browser


class WebhookReceiver:
    """A real HTTP endpoint that records every JSON body it is sent."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def ids(self, kind: str | None = None) -> list[str]:
        return [b["id"] for b in self.bodies if kind is None or b["kind"] == kind]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


WATCHED = {"xinlong-hardware", "kangda-medical", "jiahe-electronics"}


def _config(
    tmp_path: Path,
    market: DemoMarketplace,
    hook: WebhookReceiver,
    smtp_port: int,
    *,
    watched: set[str] = WATCHED,
    politeness: dict[str, Any] = LOOPBACK_POLITENESS,
    extra_recipients: tuple[dict[str, Any], ...] = (),
    **alerts: Any,
) -> Config:
    buyers = {
        "name": "Hardware buyers",
        "email": "buyer@example.com",
        "webhook": hook.url,
        "tags": ["family:cpmodules"],
        "min_severity": "medium",
    }
    operators = {"name": "Operators", "webhook": hook.url, "operator": True, "min_severity": "critical"}
    return load_config(
        tmp_path / "config.toml",
        data={
            "database": {"url": f"sqlite:///{tmp_path / 'monitor.db'}"},
            "fetch": {"allow_private_addresses": True},  # the marketplace is on loopback
            "politeness": politeness,
            "smtp": {"host": "127.0.0.1", "port": smtp_port, "security": "none", "from": "monitor@example.com"},
            "alerts": {"failure_threshold": 3, **alerts},
            "recipients": [buyers, operators, *extra_recipients],
            "verify": demo_verify_settings(),
            "suppliers": [s for s in demo_suppliers(market.base_url) if s["id"] in watched],
        },
    )


def _round(config: Config, db: Any, ids: set[str] | None = None) -> dict[str, PageOutcome]:
    targets = [s for s in config.suppliers if ids is None or s.id in ids]
    outcomes = asyncio.run(check_round(config, db, targets))
    deliver_due(db, config)
    return {o.supplier_id: o for o in outcomes}


def _removals(hook: WebhookReceiver) -> list[dict[str, Any]]:
    return [b for b in hook.bodies if b["kind"] == "claim_change" and b["details"]["change"].endswith("_removed")]


def test_captcha_round_gives_no_removal_and_a_removed_certificate_exactly_one(
    tmp_path: Path, marketplace: DemoMarketplace, hook: WebhookReceiver, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    config = _config(tmp_path, marketplace, hook, port)
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        _round(config, db)
        first_findings = len(hook.ids("finding"))
        assert first_findings, "the xinlong page's findings reach its buyers"
        assert all(b["supplier"]["id"] in {"xinlong-hardware", "jiahe-electronics"} for b in hook.bodies)

        marketplace.set_round(1)  # kangda-medical answers with the captcha page
        _round(config, db)
        assert _removals(hook) == [] and hook.ids("finding_resolved") == []

        marketplace.set_round(2)  # xinlong-hardware's CE certificate is gone; jiahe's ISO 9001 now expired
        _round(config, db)
        removed = _removals(hook)
        assert len(removed) == 1
        assert removed[0]["supplier"]["id"] == "xinlong-hardware" and removed[0]["severity"] == "high"
        assert "CE" in removed[0]["title"]
        assert set(removed[0]) >= {"id", "kind", "severity", "supplier", "title", "details", "observed_at"}

        _round(config, db)  # same page again: nothing new is said
        assert len(_removals(hook)) == 1
        assert len(hook.ids()) == len(set(hook.ids())), "no alert id was delivered twice"

    # The same alerts went out by e-mail, each carrying its id for deduplication.
    mailed = {m["X-Supplier-Monitor-Alert-Id"] for m in box.messages}
    assert set(hook.ids()) <= mailed, "buyers get every alert by mail and by webhook"
    assert removed[0]["id"] in mailed


def test_flapping_page_is_confirmed_by_a_second_fetch_and_not_alerted(
    tmp_path: Path, marketplace: DemoMarketplace, hook: WebhookReceiver, mailbox: tuple[Mailbox, int]
) -> None:
    config = _config(tmp_path, marketplace, hook, mailbox[1])
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        _round(config, db, {"xinlong-hardware"})
        marketplace.glitch("xinlong-hardware", "drop_certificate")  # the next fetch only shows one fewer cert
        outcome = _round(config, db, {"xinlong-hardware"})["xinlong-hardware"]
        assert outcome.status == "ok" and not outcome.changed
        assert outcome.reason.startswith("unconfirmed change")
        assert _removals(hook) == []
        assert list_checks(db, "xinlong-hardware", limit=1)[0].error.startswith("unconfirmed change")

        # A real removal survives the second fetch and is alerted once.
        marketplace.set_round(2)
        _round(config, db, {"xinlong-hardware"})
        assert len(_removals(hook)) == 1


def test_failures_give_one_failing_alert_and_one_recovered(
    tmp_path: Path, marketplace: DemoMarketplace, hook: WebhookReceiver, mailbox: tuple[Mailbox, int]
) -> None:
    config = _config(tmp_path, marketplace, hook, mailbox[1])
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        _round(config, db, {"jiahe-electronics"})
        marketplace.glitch("jiahe-electronics", *["server_error"] * 5)
        for _ in range(5):
            assert _round(config, db, {"jiahe-electronics"})["jiahe-electronics"].status != "ok"
        failing = [b for b in hook.bodies if b["kind"] == "check_failing"]
        assert len(failing) == 1, "three failures in a row raise it once, more failures do not repeat it"
        assert failing[0]["details"]["failures"] == 3
        _round(config, db, {"jiahe-electronics"})
        recovered = [b for b in hook.bodies if b["kind"] == "recovered"]
        assert len(recovered) == 1 and recovered[0]["details"]["failures"] == 5
        # Operator-only alerts go to the operator recipient, not to the buyers' mailbox.
        assert not any(m["X-Supplier-Monitor-Alert-Id"] == failing[0]["id"] for m in mailbox[0].messages)
        assert _removals(hook) == [], "failed checks never claim that certificates were removed"


def test_a_new_layout_for_a_whole_family_is_one_operator_alert(
    tmp_path: Path, marketplace: DemoMarketplace, hook: WebhookReceiver, mailbox: tuple[Mailbox, int]
) -> None:
    config = _config(tmp_path, marketplace, hook, mailbox[1])
    family = {"xinlong-hardware", "jiahe-electronics"}  # both module-data profiles
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        _round(config, db, family)
        for supplier_id in family:
            marketplace.glitch(supplier_id, "new_layout")
        outcomes = _round(config, db, family)
        assert {o.status for o in outcomes.values()} == {"unparseable"}
        layout = [b for b in hook.bodies if b["kind"] == "layout_changed"]
        assert len(layout) == 1
        assert layout[0]["details"]["page_type"] == "company_profile_modules"
        assert _removals(hook) == []
        assert [a for a in list_alerts(db) if a.kind == "layout_changed"]


def test_a_layout_change_seen_by_two_engines_in_halves_is_one_alert_with_a_shared_window(
    tmp_path: Path, marketplace: DemoMarketplace, hook: WebhookReceiver, mailbox: tuple[Mailbox, int]
) -> None:
    """Distributed workers each check a share of a family: judged on the database's latest checks, the family's
    layout change is still seen; judged on one engine's own checks (the control), it is not."""
    config = _config(tmp_path, marketplace, hook, mailbox[1])
    family = ["xinlong-hardware", "jiahe-electronics"]  # both module-data profiles

    async def check_apart(shared: bool) -> list[str]:
        for supplier_id in family:  # one engine per "worker", one supplier each
            async with Monitor(config, db=db, shared_layout=shared) as worker:
                [outcome] = await worker.check_supplier(supplier_id)
                assert outcome.status == "unparseable"
        return [a.id for a in list_alerts(db) if a.kind == "layout_changed"]

    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        _round(config, db, set(family))
        for supplier_id in family:
            marketplace.glitch(supplier_id, "new_layout", "new_layout")
        assert asyncio.run(check_apart(shared=False)) == [], "one engine alone sees half the family"
        assert len(asyncio.run(check_apart(shared=True))) == 1
        layout = [b for b in hook.bodies if b["kind"] == "layout_changed"]
        assert len(layout) == 0, "delivered by the next delivery pass, not by the check"
        deliver_due(db, config)
        assert [b["details"]["page_type"] for b in hook.bodies if b["kind"] == "layout_changed"] == [
            "company_profile_modules"
        ]


def test_failed_deliveries_are_kept_and_retried_not_dropped(
    tmp_path: Path, marketplace: DemoMarketplace, hook: WebhookReceiver
) -> None:
    dead_smtp = _free_port()  # nothing listens: every mail attempt fails
    config = _config(tmp_path, marketplace, hook, dead_smtp)
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        _round(config, db, {"xinlong-hardware"})
        emails = [d for d in list_deliveries(db, limit=1000) if d.channel == "email"]
        assert emails and all(d.status == "pending" and d.attempts == 1 and d.last_error for d in emails)
        webhooks = [d for d in list_deliveries(db, limit=1000) if d.channel == "webhook"]
        assert webhooks and all(d.status == "sent" for d in webhooks)
    queue = status_report(config)["queue"]
    assert queue["retrying_deliveries"] == queue["pending_deliveries"] == len(emails)
    assert queue["failed_deliveries"] == 0


def test_an_acknowledged_finding_does_not_alert_again_when_it_comes_back(
    tmp_path: Path, marketplace: DemoMarketplace, hook: WebhookReceiver, mailbox: tuple[Mailbox, int]
) -> None:
    from storage import open_findings
    from storage.dashboard import acknowledge

    config = _config(tmp_path, marketplace, hook, mailbox[1])

    def expired_alerts() -> list[dict[str, Any]]:
        return [b for b in hook.bodies if b["kind"] == "finding" and b["details"].get("code") == "EXPIRED"
                and "58342" in json.dumps(b["details"])]  # fmt: skip

    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        _round(config, db, {"jiahe-electronics"})
        marketplace.set_round(2)  # jiahe's ISO 9001 (no. 12 100 58342 TMS) now ended in 2025
        _round(config, db, {"jiahe-electronics"})
        assert len(expired_alerts()) == 1
        expired = next(
            f for f in open_findings(db, "jiahe-electronics") if f.code == "EXPIRED" and "58342" in f.evidence
        )
        acknowledge(db, expired.id, actor="buyer@example.com", note="supplier sent the renewed certificate")

        marketplace.set_round(0)  # the page shows the old validity again: the finding resolves ...
        _round(config, db, {"jiahe-electronics"})
        marketplace.set_round(2)  # ... and comes back: acknowledged, so nobody is told again
        _round(config, db, {"jiahe-electronics"})
        assert len(expired_alerts()) == 1


async def _one_by_one(config: Config, db: Any, ids: list[str], fetchers: Fetchers | None = None) -> list[PageOutcome]:
    """Check suppliers in this order; with new fetchers (a fresh host backoff, as `supplier-monitor check`)
    unless ``fetchers`` are given (kept across checks, as the daemon does)."""
    if fetchers is None:
        async with Fetchers(config) as fresh:
            return await _one_by_one(config, db, ids, fresh)
    checker = Checker(config, db, fetchers)
    return [outcome for sid in ids for outcome in await checker.check_supplier(config.supplier(sid))]


def test_a_store_backing_off_its_host_does_not_make_the_other_stores_fail(
    tmp_path: Path, marketplace: DemoMarketplace, hook: WebhookReceiver, mailbox: tuple[Mailbox, int]
) -> None:
    """One store's captcha backs the shared host off: the other store is skipped, never "check failing"."""
    blocked, healthy = "kangda-medical", "jiahe-electronics"
    politeness = {**LOOPBACK_POLITENESS, "block_backoff": "10m"}  # like a real marketplace: leave it alone
    # An alert is queued only for someone who wants it: the auditors want every alert, so that "nothing queued
    # for the healthy store" below holds for low-severity resolutions too, not only for what the buyers want.
    auditors = {"name": "Auditors", "console": True, "operator": True, "min_severity": "info"}
    config = _config(
        tmp_path,
        marketplace,
        hook,
        mailbox[1],
        watched={blocked, healthy},
        politeness=politeness,
        extra_recipients=(auditors,),
        failure_threshold=2,
    )

    def alerts(kind: str, supplier_id: str) -> list[dict[str, Any]]:
        return [b for b in hook.bodies if b["kind"] == kind and b["supplier"]["id"] == supplier_id]

    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        assert {o.status for o in asyncio.run(_one_by_one(config, db, [blocked, healthy]))} == {"ok"}
        deliver_due(db, config)
        findings_before = {f.identity for f in open_findings(db, healthy)}
        assert findings_before, "jiahe's page has findings that a failed check must not resolve"
        bodies_before = len(hook.bodies)

        marketplace.glitch(blocked, "captcha", "captcha", "captcha")
        for n in (1, 2, 3):
            first, second = asyncio.run(_one_by_one(config, db, [blocked, healthy]))
            deliver_due(db, config)
            assert (first.supplier_id, first.status) == (blocked, "blocked")
            assert (second.supplier_id, second.status) == (healthy, "skipped"), second.reason
            assert second.reason.startswith("backing_off: not fetched:") and "left alone until" in second.reason
            assert consecutive_failures(db, blocked) == n
            assert consecutive_failures(db, healthy) == 0

        # The blocked store's own failures count and alert once at the threshold; the healthy store is quiet.
        [failing] = alerts("check_failing", blocked)
        assert failing["details"]["failures"] == 2 and failing["details"]["status"] == "blocked"
        assert [b["kind"] for b in hook.bodies[bodies_before:] if b["supplier"]["id"] == healthy] == []
        assert [a.kind for a in list_alerts(db, healthy) if a.kind in ("check_failing", "finding_resolved")] == []
        assert {f.identity for f in open_findings(db, healthy)} == findings_before
        assert len(list_snapshots(db, healthy)) == 1
        assert [c.status for c in list_checks(db, healthy)] == ["skipped"] * 3 + ["ok"]

        # `supplier-monitor status` says why the healthy store has no fresher check, and that it is not failing.
        report = status_report(config, db)
        rows = {r["id"]: r for r in report["suppliers"]}
        assert (rows[healthy]["last_status"], rows[healthy]["consecutive_failures"]) == ("ok", 0)
        assert "left alone until" in rows[healthy]["not_fetched"]["reason"]
        assert (rows[blocked]["last_status"], rows[blocked]["consecutive_failures"]) == ("blocked", 3)
        console = Console(record=True, width=250)
        print_status(report, console)
        assert f"{healthy}: not fetched at" in console.export_text()

        # Back to normal: the blocked store recovers from its 3 failures; the healthy one had none to recover from.
        asyncio.run(_one_by_one(config, db, [blocked, healthy]))
        deliver_due(db, config)
        [recovered] = alerts("recovered", blocked)
        assert recovered["details"]["failures"] == 3
        assert alerts("recovered", healthy) == [] and alerts("check_failing", healthy) == []

        # Daemon-like fetchers that live on: the blocked store's own check during its backoff is skipped too,
        # and it neither adds to nor resets its streak (the next real failure continues it).
        marketplace.glitch(blocked, "captcha", "captcha")

        async def daemon_like() -> list[PageOutcome]:
            async with Fetchers(config) as fetchers:
                return await _one_by_one(config, db, [blocked, blocked, healthy], fetchers)

        assert [o.status for o in asyncio.run(daemon_like())] == ["blocked", "skipped", "skipped"]
        streak_start = list_checks(db, blocked, limit=2)[1]
        assert (streak_start.status, consecutive_failures(db, blocked)) == ("blocked", 1)
        asyncio.run(_one_by_one(config, db, [blocked]))
        deliver_due(db, config)
        assert consecutive_failures(db, blocked) == 2
        second_failing = [b for b in alerts("check_failing", blocked) if b["id"] != failing["id"]]
        assert [b["details"]["first_failed_check_id"] for b in second_failing] == [streak_start.id]
        assert consecutive_failures(db, healthy) == 0 and alerts("check_failing", healthy) == []
