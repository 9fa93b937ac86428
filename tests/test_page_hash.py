"""A page served as it was is not read again, and nothing a full read would see is missed (issue 13).

Unit: what the served page's fingerprint ignores (per-request noise) and what it never ignores. On the real
captured pages: removing the noise never changes what a page reads as, so a same fingerprint always means the
same claims. End to end: a real loopback site, the real checker and store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import SHARED_PAGES
from loopback_site import SUPPLIER_ID, Answer, SupplierSite, site_config, supplier_page

from monitor.checks import UNCHANGED_REASON, Checker, Observation, PageOutcome
from monitor.config import Config
from monitor.engine import Monitor
from monitor.verify import Finding
from scrapers.extract import read_page
from scrapers.fetch.encoding import decode_html
from scrapers.page_hash import served_page_hash, strip_noise
from storage import Database, claims_hash, last_read, list_checks, list_snapshots, open_database

TEST_PAGES = Path(__file__).with_name("pages")
PAGE = supplier_page(2)


def _hash(html: str, **changes: object) -> str:
    where: dict[str, object] = {
        "url": "https://a.example.com/about", "final_url": None, "http_status": 200, "platform": "auto",
        "method": "http", **changes,
    }  # fmt: skip
    return served_page_hash(html, **where)  # type: ignore[arg-type]


def _noisy(token: str, stamp: int) -> str:
    head = (
        f'<meta name="csrf-token" content="{token}"><script nonce="{token}">var x=1;</script>'
        f'<script src="/app.js?t={stamp}"></script><!-- rendered {stamp} by node 7 -->'
    )
    form = f'<form><input type="hidden" name="_csrf" value="{token}"></form>'
    return PAGE.replace("<head>", "<head>" + head).replace("</main>", form + "</main>")


def test_per_request_noise_does_not_change_the_fingerprint() -> None:
    assert _hash(_noisy("a1b2c3", 1733220000123)) == _hash(_noisy("zz99yy", 1733220999999))


@pytest.mark.parametrize(
    "changed",
    [
        PAGE.replace("QMS-0001", "QMS-0002"),  # a certificate number
        PAGE.replace("2030-01-31", "2030-01-30"),  # a date
        PAGE.replace("We make kettles.", "We make kettles!"),  # any text
        PAGE.replace("</main>", '<img src="/cert.jpg?v=2"></main>'),  # markup (a short version is no cache buster)
    ],
)
def test_any_change_outside_the_noise_changes_the_fingerprint(changed: str) -> None:
    assert changed != PAGE
    assert _hash(changed) != _hash(PAGE)


@pytest.mark.parametrize(
    "where",
    [
        {"http_status": 503},
        {"final_url": "https://a.example.com/login"},
        {"platform": "alibaba"},
        {"method": "browser"},
    ],
)
def test_how_the_page_was_served_and_read_is_part_of_the_fingerprint(where: dict[str, object]) -> None:
    assert _hash(PAGE, **where) != _hash(PAGE)


def _pages() -> list[Path]:
    found = sorted(p for p in TEST_PAGES.rglob("*.htm*") if p.is_file())
    if SHARED_PAGES.is_dir():
        found += sorted(p for p in SHARED_PAGES.rglob("*.htm*") if p.is_file())
    return found


def test_removing_the_noise_never_changes_what_a_page_reads_as() -> None:
    """Over every captured page (ours, and ../shared/pages when present): the noise is nothing a reader reads."""
    pages = _pages()
    assert len(pages) > 20
    for path in pages:
        html = decode_html(path.read_bytes())
        url = "https://www.example.com/" + path.name
        plain, stripped = read_page(html, url), read_page(strip_noise(html), url)
        assert stripped.status == plain.status, path
        assert stripped.claims.claims_fingerprint_dict() == plain.claims.claims_fingerprint_dict(), path


# --- end to end -----------------------------------------------------------------------------------------------


def test_the_claims_hash_an_unchanged_page_keeps_is_the_one_its_claims_have() -> None:
    """The fast path gives the observation the stored claims' hash instead of computing it again: that is the hash
    of the copied claims (they differ in ``source.fetched_at`` only), and an observation made from it with other
    claims computes its own."""
    claims = read_page(PAGE, "https://a.example.com/about", platform="auto").claims
    assert claims.supplier.name  # a page that reads as something
    stored = Observation(datetime(2026, 3, 1, tzinfo=UTC), "http", "ok", "", claims).claims_digest
    assert stored is not None
    later = claims.model_copy(update={"source": claims.source.model_copy(update={"fetched_at": datetime.now(UTC)})})
    seen = Observation(datetime.now(UTC), "http", "ok", UNCHANGED_REASON, later).knowing_digest(stored)
    assert seen.claims_digest == claims_hash(later.to_json_dict()) == stored
    other = claims.model_copy(update={"supplier": claims.supplier.model_copy(update={"name": "Someone Else Ltd."})})
    assert replace(seen, claims=other).claims_digest == claims_hash(other.to_json_dict()) != stored


@pytest.fixture
def site() -> Iterator[SupplierSite]:
    server = SupplierSite(Answer(200, _noisy("t0", 1733220000000)))
    yield server
    server.close()


async def _checks(config: Config, db: Database, pages: list[str | Answer], site: SupplierSite) -> list[PageOutcome]:
    """One check per page served in turn (HTML: a 200 answer), through one engine (as the daemon runs them)."""
    outcomes = []
    async with Monitor(config, db=db) as monitor:
        for page in pages:
            site.answer = page if isinstance(page, Answer) else Answer(200, page)
            outcomes += await monitor.check_supplier(SUPPLIER_ID)
    return outcomes


def test_an_unchanged_page_is_not_read_again_and_a_changed_one_is(tmp_path: Path, site: SupplierSite) -> None:
    config = site_config(tmp_path, site)
    changed = _noisy("t3", 1733220000003).replace("QMS-0001", "QMS-7777")
    pages = [_noisy("t0", 1733220000000), _noisy("t1", 1733220000001), _noisy("t2", 1733220000002), changed]
    with open_database(config.database.url) as db:
        first, same, again, new = asyncio.run(_checks(config, db, pages, site))
        assert first.ok and first.reason != UNCHANGED_REASON
        for outcome in (same, again):  # new tokens only: the claims are the last check's, nothing new stored
            assert outcome.ok and outcome.reason == UNCHANGED_REASON and not outcome.changed
            assert outcome.snapshot_id == first.snapshot_id
            assert outcome.claims is not None and outcome.claims.source.fetched_at is not None
            assert {f.code for f in outcome.findings} == {f.code for f in first.findings}
        assert new.ok and new.changed and new.reason != UNCHANGED_REASON
        assert any("QMS-7777" in str(c.to_dict()) for c in new.changes), new.changes
        assert len(list_snapshots(db, SUPPLIER_ID)) == 2
        assert all(c.page_hash for c in list_checks(db, SUPPLIER_ID))


def test_a_new_process_takes_the_last_reading_from_the_database(tmp_path: Path, site: SupplierSite) -> None:
    """A restarted daemon, another worker: the fingerprint and claims of the last ok check are in the store."""
    config = site_config(tmp_path, site)
    page = _noisy("t0", 1733220000000)
    with open_database(config.database.url) as db:
        [first] = asyncio.run(_checks(config, db, [page], site))
        stored = last_read(db, SUPPLIER_ID, first.url)
        assert stored is not None and stored.page_hash == list_checks(db, SUPPLIER_ID)[0].page_hash
        [second] = asyncio.run(_checks(config, db, [_noisy("t9", 1733220000009)], site))  # a fresh engine
        assert second.reason == UNCHANGED_REASON and second.snapshot_id == first.snapshot_id
        # The same body as an error answer is never taken for the last reading.
        [failed] = asyncio.run(_checks(config, db, [Answer(503, page)], site))
        assert failed.status == "error" and failed.reason.startswith("http_error")


def test_claims_another_engine_replaced_are_compared_with_what_it_stored(tmp_path: Path, site: SupplierSite) -> None:
    """Engine A remembers the page as it stored it; engine B (another worker) stores a change; the page goes back to
    what A saw. A's check is a change from B's snapshot, told as one, not taken as unchanged from A's memory."""
    config = site_config(tmp_path, site)
    page = _noisy("t0", 1733220000000)
    changed = _noisy("t1", 1733220000001).replace("QMS-0001", "QMS-7777")

    async def scenario(db: Database) -> tuple[PageOutcome, PageOutcome, PageOutcome]:
        async with Monitor(config, db=db) as a, Monitor(config, db=db) as b:
            site.answer = Answer(200, page)
            [first] = await a.check_supplier(SUPPLIER_ID)
            site.answer = Answer(200, changed)
            [elsewhere] = await b.check_supplier(SUPPLIER_ID)
            site.answer = Answer(200, _noisy("t2", 1733220000002))
            [back] = await a.check_supplier(SUPPLIER_ID)
        return first, elsewhere, back

    with open_database(config.database.url) as db:
        first, elsewhere, back = asyncio.run(scenario(db))
        assert first.ok and elsewhere.changed and elsewhere.snapshot_id != first.snapshot_id
        assert back.ok and back.changed and back.previous_snapshot_id == elsewhere.snapshot_id
        told = " ".join(str(c.to_dict()) for c in back.changes)
        assert "QMS-7777" in told and "QMS-0001" in told, back.changes
        assert len(list_snapshots(db, SUPPLIER_ID)) == 3


def test_the_rules_run_again_when_the_day_changes_not_for_every_check(tmp_path: Path, site: SupplierSite) -> None:
    """Without registries the same claims on the same day give the same findings, so they are judged once; the
    next day they are judged again: a certificate valid through 31 January 2030 is expired on 1 February."""
    config = site_config(tmp_path, site)
    claims = read_page(supplier_page(1), site.url).claims
    assert claims is not None and claims.certifications[0].valid_until is not None
    supplier = config.supplier(SUPPLIER_ID)

    def seen(day: int, month: int = 1) -> Observation:
        return Observation(datetime(2030, month, day, 9, tzinfo=UTC), "http", "ok", "supplier data present", claims)

    async def judge_all(checker: Checker) -> list[set[str]]:
        days = [seen(31), seen(31), seen(1, month=2)]
        return [{f.code for f in await checker._judge(o, supplier, site.url)} for o in days]

    async def scenario(db: Database) -> tuple[list[set[str]], int]:
        async with Monitor(config, db=db) as monitor:
            checker = monitor.checker
            real, calls = checker.findings.judge, []

            def counted(*args: object, **kwargs: object) -> list[Finding]:
                calls.append(args)
                return real(*args, **kwargs)  # type: ignore[arg-type]

            checker.findings.judge = counted  # type: ignore[method-assign]
            return await judge_all(checker), len(calls)

    with open_database(config.database.url) as db:
        (last_valid_day, same_day, next_day), judged = asyncio.run(scenario(db))
    assert judged == 2  # the second check of 31 January took the first one's findings
    assert same_day == last_valid_day
    expired = next_day - last_valid_day
    assert expired and all("EXPIR" in code.upper() for code in expired), (last_valid_day, next_day)
