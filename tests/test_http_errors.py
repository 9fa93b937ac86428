"""An HTTP error answer is never an ok page, whatever its body shows (issue 10, part 5).

A 503/500/403 page that still carries the supplier's header was read as an ok page without certificates:
"Certificate removed" and "Resolved" alerts, then "added" again on the next ok check. These checks run against
a real loopback site over plain HTTP, with the real checker, store and outbox.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from loopback_site import EVERYTHING, SUPPLIER_ID, Answer, SupplierSite, site_config, supplier_page

from monitor.checks import PageOutcome, sync_watch_list
from monitor.config import Config
from monitor.engine import check_round
from scrapers.claims import PageStatus
from scrapers.extract import read_page
from storage import (
    Database,
    consecutive_failures,
    list_alerts,
    list_checks,
    list_snapshots,
    open_database,
    open_findings,
)

OK_PAGE = supplier_page(3, expired=True)  # three expired certificates: open findings a bad check could resolve
AKAMAI_WALL = (
    "<html><head><title>Access Denied</title></head><body><h1>Access Denied</h1>"
    'You don\'t have permission to access "http://127.0.0.1/about" on this server.<p>'
    "Reference #18.6b1d2417.1732629070.1a2b3c4d</body></html>"
)


@pytest.fixture
def site() -> Iterator[SupplierSite]:
    server = SupplierSite(Answer(200, OK_PAGE))
    yield server
    server.close()


def _check(config: Config, db: Database) -> PageOutcome:
    [outcome] = asyncio.run(check_round(config, db, config.suppliers))
    return outcome


def _claim_alerts(db: Database) -> list[tuple[str, str]]:
    """(kind, title) of every stored alert about claims or findings going away or coming back."""
    return [
        (a.kind, a.payload["title"])
        for a in list_alerts(db, SUPPLIER_ID, limit=None)
        if a.kind in ("claim_change", "finding_resolved")
    ]


@pytest.mark.parametrize(
    ("status", "html", "stored", "says"),
    [
        (503, supplier_page(0, header_only=True), "error", "http_error: HTTP 503"),
        (500, supplier_page(0, header_only=True), "error", "http_error: HTTP 500"),
        (403, supplier_page(0, header_only=True), "error", "http_error: HTTP 403"),
        (502, "<html><body><h1>Bad gateway</h1></body></html>", "error", "http_error: HTTP 502"),
        (503, OK_PAGE, "error", "http_error: HTTP 503"),  # the whole page, served as an error: not trusted either
        (404, supplier_page(0, header_only=True), "not_found", "HTTP 404"),
        (410, supplier_page(0, header_only=True), "not_found", "HTTP 410"),
        (403, AKAMAI_WALL, "blocked", "akamai reference"),  # a wall stays a wall (its host backs off)
        (403, AKAMAI_WALL.replace("<body>", f"<body>{supplier_page(0, header_only=True)}"), "blocked", "akamai"),
    ],
)
def test_an_http_error_page_is_a_failed_check_that_compares_and_resolves_nothing(
    tmp_path: Path, site: SupplierSite, status: int, html: str, stored: str, says: str
) -> None:
    config = site_config(tmp_path, site, recipients=[EVERYTHING])
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        first = _check(config, db)
        assert first.status == "ok" and len(first.claims.certifications) == 3
        findings = {f.identity for f in open_findings(db, SUPPLIER_ID)}
        assert findings, "the ok page has findings a failed check must not resolve"
        assert {a.kind for a in list_alerts(db, SUPPLIER_ID)} == {"finding"}, "the recipient is told everything"

        site.answer = Answer(status, html)
        failed = _check(config, db)
        assert failed.status == stored, failed.reason
        assert says in failed.reason
        assert failed.snapshot_id is None and not failed.changes and failed.findings_update is None
        assert _claim_alerts(db) == []
        assert {f.identity for f in open_findings(db, SUPPLIER_ID)} == findings
        assert consecutive_failures(db, SUPPLIER_ID) == 1
        check = list_checks(db, SUPPLIER_ID)[0]
        assert (check.status, check.http_status) == (stored, status)
        assert check.evidence_blob is not None, "the error page is kept for the operator"

        site.answer = Answer(200, OK_PAGE)
        back = _check(config, db)
        assert back.status == "ok" and not back.changed and not back.changes
        assert back.snapshot_id == first.snapshot_id
        assert _claim_alerts(db) == [], "nothing was removed, so nothing is 'added' again"
        assert len(list_snapshots(db, SUPPLIER_ID)) == 1
        assert consecutive_failures(db, SUPPLIER_ID) == 0


def test_http_errors_count_towards_check_failing(tmp_path: Path, site: SupplierSite) -> None:
    config = site_config(tmp_path, site, recipients=[EVERYTHING], failure_threshold=2)
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        assert _check(config, db).status == "ok"
        site.answer = Answer(503, supplier_page(0, header_only=True))
        _check(config, db)
        _check(config, db)
        assert consecutive_failures(db, SUPPLIER_ID) == 2
        [failing] = [a for a in list_alerts(db, SUPPLIER_ID) if a.kind == "check_failing"]
        assert failing.payload["details"]["status"] == "error"
        assert "HTTP 503" in failing.payload["details"]["reason"]
        site.answer = Answer(200, OK_PAGE)
        assert _check(config, db).status == "ok"
        assert [a.kind for a in list_alerts(db, SUPPLIER_ID) if a.kind == "recovered"] == ["recovered"]
        assert _claim_alerts(db) == []


@pytest.mark.parametrize("status", [400, 401, 403, 429, 500, 502, 503, 504])
def test_read_page_never_calls_an_error_answer_ok(status: int) -> None:
    for html in (OK_PAGE, supplier_page(0, header_only=True)):
        reading = read_page(html, "https://brightwave.example/about", http_status=status)
        assert reading.status is not PageStatus.OK
        assert str(status) in reading.classification.reason
        assert not reading.claims.has_claims(), "only ok documents carry claims"
    assert read_page(OK_PAGE, "https://brightwave.example/about", http_status=200).status is PageStatus.OK
