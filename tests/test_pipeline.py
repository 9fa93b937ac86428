"""The whole check pipeline against the demo marketplace: real Chromium, real parsers, real database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from conftest import requires_browser

from monitor.checks import PageOutcome, sync_watch_list
from monitor.config import Config
from monitor.demo.runner import LOOPBACK_POLITENESS, demo_config
from monitor.engine import check_round
from storage import (
    consecutive_failures,
    database_size_bytes,
    finding_history,
    latest_snapshot,
    list_alerts,
    list_checks,
    list_snapshots,
    open_database,
    open_findings,
    snapshot_html,
)

pytestmark = requires_browser

MIC = "ruifeng-pumps"  # the demo's Made-in-China.com showroom


def _run(config: Config, db, ids: list[str] | None = None) -> dict[str, PageOutcome]:
    targets = [s for s in config.suppliers if ids is None or s.id in ids]
    outcomes = asyncio.run(check_round(config, db, targets))
    return {o.supplier_id: o for o in outcomes}


@pytest.fixture
def demo(marketplace, tmp_path: Path):
    config = demo_config(marketplace.base_url, f"sqlite:///{tmp_path / 'demo.db'}")
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        yield marketplace, config, db


def test_every_demo_supplier_is_read_with_the_browser_and_an_unchanged_recheck_stores_no_snapshot(demo) -> None:
    _market, config, db = demo
    outcomes = _run(config, db)
    assert {o.status for o in outcomes.values()} == {"ok"}
    assert all(o.fetch_method == "browser" for o in outcomes.values())
    page_types = {o.claims.source.page_type for o in outcomes.values()}
    assert page_types == {
        *("company_profile", "product_detail", "company_profile_modules", "company_profile_legacy"),
        *("shop_profile", "unknown"),  # the 1688 shop and the supplier's own website
    }
    platforms = {sid: o.claims.source.platform for sid, o in outcomes.items()}
    assert platforms.pop(MIC) == "made_in_china"
    assert (platforms.pop("voltris-power"), platforms.pop("nilgiri-pumps")) == ("global_sources", "indiamart")
    assert (platforms.pop("meichu-appliances"), platforms.pop("kettlecraft")) == ("1688", "website")
    assert set(platforms.values()) == {"alibaba"}
    jiahe = outcomes["jiahe-electronics"].claims
    iso = next(c for c in jiahe.certifications if c.standard == "ISO 9001")
    assert (iso.edition, iso.platform_verified, iso.kind) == ("2015", True, "management_system")
    assert iso.valid_until is not None and iso.number
    # Every first check stores one snapshot with its page as evidence.
    for supplier in config.suppliers:
        snapshot = latest_snapshot(db, supplier.id)
        assert snapshot is not None and snapshot.claims["status"] == "ok"
        assert "<html" in (snapshot_html(db, snapshot.id) or "").lower()

    # The same pages again: a check row each, no new snapshot, no copy of the page.
    size_before = database_size_bytes(db)
    second = _run(config, db)
    assert not any(o.changed for o in second.values())
    for supplier in config.suppliers:
        assert len(list_snapshots(db, supplier.id)) == 1
        assert len(list_checks(db, supplier.id)) == 2
    growth_per_check = (database_size_bytes(db) - size_before) / len(config.suppliers)
    assert growth_per_check < 4096, "an unchanged re-check must not store the page again"


def test_js_rendered_profile_is_read_from_the_rendered_page(demo) -> None:
    _market, config, db = demo
    outcome = _run(config, db, ["haoyu-valves"])["haoyu-valves"]
    names = {c.standard for c in outcome.claims.certifications}
    assert "ISO 9001" in names
    assert outcome.claims.supplier.employees


def test_captcha_round_is_blocked_and_never_a_snapshot(demo) -> None:
    market, config, db = demo
    _run(config, db, ["kangda-medical"])
    market.set_round(1)
    blocked = _run(config, db, ["kangda-medical"])["kangda-medical"]
    assert blocked.status == "blocked"
    assert "punish" in blocked.reason
    assert blocked.snapshot_id is None
    assert consecutive_failures(db, "kangda-medical") == 1
    market.set_round(2)
    back = _run(config, db, ["kangda-medical"])["kangda-medical"]
    assert back.status == "ok" and not back.changed, "the claims hidden by the captcha are unchanged"
    assert len(list_snapshots(db, "kangda-medical")) == 1
    assert consecutive_failures(db, "kangda-medical") == 0


def test_changes_between_rounds_make_new_snapshots(demo) -> None:
    market, config, db = demo
    ids = ["haoyu-valves", "xinlong-hardware", "jiahe-electronics", "hengtai-machinery"]
    _run(config, db, ids)
    market.set_round(3)
    later = _run(config, db, ids)
    assert all(later[i].changed for i in ids)
    old = list_snapshots(db, "xinlong-hardware")[-1].claims
    new = list_snapshots(db, "xinlong-hardware")[0].claims
    assert len(new["certifications"]) == len(old["certifications"]) - 1
    hengtai_badges = {b["name"] for b in list_snapshots(db, "hengtai-machinery")[0].claims["badges"]}
    assert not any("Gold" in name for name in hengtai_badges)


def test_made_in_china_showroom_is_watched_the_same_way(demo) -> None:
    market, config, db = demo
    first = _run(config, db, [MIC])[MIC]
    assert first.status == "ok" and first.fetch_method == "browser"
    assert (first.claims.source.platform, first.claims.source.page_type) == ("made_in_china", "company_profile")
    assert {b.name for b in first.claims.badges} == {"Diamond Member", "Audited Supplier", "Secured Trading Service"}
    # "Our products are ISO 9001 certified" in the introduction
    assert "PRODUCT_CLAIM_FROM_SYSTEM_CERT" in {f.code for f in first.findings}
    market.set_round(2)  # ISO 14001 is no longer in its Management System Certification row
    later = _run(config, db, [MIC])[MIC]
    assert later.status == "ok" and later.changed
    assert later.previous_snapshot_id == first.snapshot_id
    assert [(c.kind, c.subject) for c in later.changes] == [("certification_removed", "ISO 14001")]
    new, old = (s.claims for s in list_snapshots(db, MIC)[:2])
    assert [c["name"] for c in old["certifications"]] == ["ISO 9001", "ISO 14001"]
    assert [c["name"] for c in new["certifications"]] == ["ISO 9001"]


def test_missing_stores_are_not_found(demo) -> None:
    market, config, db = demo
    market.set_round(4)
    outcomes = _run(config, db, ["brightpath-textiles", "greenleaf-foods"])
    assert outcomes["brightpath-textiles"].status == "not_found"
    assert outcomes["greenleaf-foods"].status == "not_found"
    assert latest_snapshot(db, "greenleaf-foods") is None


def test_dead_host_and_bad_page_are_reported_per_supplier_and_the_run_goes_on(marketplace, tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    config = demo_config(marketplace.base_url, f"sqlite:///{tmp_path / 'x.db'}")
    extra = [
        {"id": "dead-host", "url": f"http://127.0.0.1:{dead_port}/store/x/company_profile.html"},
        {"id": "not-a-marketplace", "url": f"{marketplace.base_url}/robots.txt"},
    ]
    data = {
        "database": {"url": config.database.url},
        "fetch": {"timeout": "10s", "allow_private_addresses": True},
        "politeness": LOOPBACK_POLITENESS,
        "suppliers": extra,
    }
    from monitor.config import load_config

    config = load_config(tmp_path / "c.toml", data=data)
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        outcomes = _run(config, db)
    assert outcomes["dead-host"].status == "error"
    assert outcomes["dead-host"].reason.startswith("unreachable")
    assert outcomes["not-a-marketplace"].status in {"not_found", "unparseable"}


def test_findings_are_judged_on_every_ok_check_and_kept_as_history(demo) -> None:
    market, config, db = demo
    ids = ["jiahe-electronics", "kangda-medical", "xinlong-hardware"]
    first = _run(config, db, ids)
    assert not any(f.code == "EXPIRED" and f.certification is not None and
                   first["jiahe-electronics"].claims.certifications[f.certification].standard == "ISO 9001"
                   for f in first["jiahe-electronics"].findings)  # fmt: skip
    assert "FDA_APPROVAL_CLAIM" in {f.code for f in first["kangda-medical"].findings}
    assert "UNVERIFIED_BY_PLATFORM" in {f.code for f in first["xinlong-hardware"].findings}
    assert "ISO_AS_CERTIFIER" in {f.code for f in first["xinlong-hardware"].findings}
    kangda_open = {f.identity for f in open_findings(db, "kangda-medical")}
    assert kangda_open

    market.set_round(1)  # captcha for kangda: its findings stay open, nothing is resolved
    blocked = _run(config, db, ["kangda-medical"])["kangda-medical"]
    assert blocked.status == "blocked" and blocked.findings_update is None
    assert {f.identity for f in open_findings(db, "kangda-medical")} == kangda_open

    market.set_round(2)  # jiahe's ISO 9001 now ended in 2025: a new EXPIRED finding, one row that persists
    second = _run(config, db, ids)
    new_codes = {f.code for f in second["jiahe-electronics"].findings_update.new}
    assert "EXPIRED" in new_codes
    # The certificate's dates changed but it is the same certificate: its other findings persist.
    assert not second["jiahe-electronics"].findings_update.resolved
    assert "MISSING_ACCREDITATION" not in new_codes
    assert not second["kangda-medical"].findings_update.new, "same claims, same findings: nothing new"
    _run(config, db, ["jiahe-electronics"])
    expired_rows = [f for f in finding_history(db, "jiahe-electronics") if f.code == "EXPIRED"]
    assert len({f.identity for f in expired_rows}) == len(expired_rows), "a persisting finding is one row"


@pytest.mark.parametrize(
    ("method", "robots", "budget"),
    [
        ("http", True, 1),  # runs out while robots.txt is fetched
        pytest.param("browser", False, 3, marks=pytest.mark.browser),  # runs out in Chromium's navigation
    ],
)
def test_a_check_out_of_check_timeout_is_a_stored_failure(
    marketplace, tmp_path: Path, method: str, robots: bool, budget: int
) -> None:
    """A page that does not finish within scheduler.check_timeout is a failed check with the reason, counted
    towards "check failing"; the page the check never reached is skipped, and nothing half-done is kept."""
    from datetime import timedelta

    from monitor.config import load_config

    base = marketplace.base_url
    product, profile = f"{base}/product-detail/kangda-medical.html", f"{base}/store/kangda-medical/company_profile.html"
    config = load_config(
        tmp_path / "c.toml",
        data={
            "database": {"url": f"sqlite:///{tmp_path / 'timeout.db'}"},
            # The page alone would be waited for; the test server is on loopback.
            "fetch": {"method": method, "timeout": "30s", "allow_private_addresses": True},
            "politeness": {**LOOPBACK_POLITENESS, "obey_robots_txt": robots},
            "scheduler": {"check_timeout": f"{budget}s"},
            "alerts": {"failure_threshold": 2},
            # Operators' alerts are queued only when someone is to be told.
            "recipients": [{"name": "Operators", "console": True, "operator": True}],
            "suppliers": [{"id": "kangda-medical", "platform": "alibaba", "urls": [product, profile]}],
        },
    )
    marketplace.delay_ms = (budget + 5) * 1000  # every answer takes longer than the whole check may
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        for n in (1, 2):
            outcomes = asyncio.run(check_round(config, db, config.suppliers))
            assert [(o.url, o.status) for o in outcomes] == [(product, "error"), (profile, "skipped")]
            took = f"took longer than {budget}s (scheduler.check_timeout)"
            assert outcomes[0].reason == f"check_timeout: the whole check {took}"
            assert outcomes[1].reason.startswith(f"check_timeout: not fetched: the whole check used up its {budget}s")
            assert consecutive_failures(db, "kangda-medical") == n
        checks = list_checks(db, "kangda-medical")
        assert len(checks) == 4, "one row per page and check: nothing written twice by a cancelled store"
        assert all(c.snapshot_id is None and c.evidence_blob is None for c in checks)
        assert [c.status for c in checks if c.url == product] == ["error", "error"]
        assert all(c.error.startswith("check_timeout:") for c in checks)
        [failing] = [a for a in list_alerts(db, "kangda-medical") if a.kind == "check_failing"]
        assert failing.payload["details"]["failures"] == 2
        assert failing.payload["details"]["reason"] == f"check_timeout: the whole check {took}"
        assert list_snapshots(db, "kangda-medical") == []

        # The marketplace answers again (and the budget covers Chromium's start): both pages read and stored.
        marketplace.delay_ms = 0
        roomy = config.model_copy(
            update={"scheduler": config.scheduler.model_copy(update={"check_timeout": timedelta(minutes=1)})}
        )
        outcomes = asyncio.run(check_round(roomy, db, roomy.suppliers))
        assert [o.status for o in outcomes] == ["ok", "ok"]
        assert consecutive_failures(db, "kangda-medical") == 0
        assert len(list_snapshots(db, "kangda-medical")) == 2
        assert [a.kind for a in list_alerts(db, "kangda-medical") if a.kind == "recovered"] == ["recovered"]


def test_certificate_documents_are_read_and_a_borrowed_certificate_is_flagged(marketplace, tmp_path: Path) -> None:
    """The demo's certificate pictures are read (OCR) beside the listing: the matching ones raise no high finding;
    hengtai's picture swapped for another company's certificate in round 2 is a replaced document and a
    certificate in another company's name; jiahe's listing that shortens its period contradicts its document."""
    config = demo_config(marketplace.base_url, f"sqlite:///{tmp_path / 'demo.db'}", method="http")
    ids = ["haoyu-valves", "jiahe-electronics", "hengtai-machinery", "meichu-appliances"]
    with open_database(config.database.url) as db:
        sync_watch_list(db, config)
        first = _run(config, db, ids)
        for supplier_id in ids:
            outcome = first[supplier_id]
            assert outcome.claims is not None and outcome.claims.documents, supplier_id
            assert all(d.reading is not None and d.reading.readable for d in outcome.claims.documents), supplier_id
            high = [f for f in outcome.findings if f.code.startswith("CERT_") and f.severity.rank >= 3]
            assert not high, (supplier_id, [(f.code, f.message) for f in high])

        marketplace.set_round(2)
        second = _run(config, db, ids)
        hengtai = second["hengtai-machinery"]
        assert [c.kind for c in hengtai.changes] == ["certification_document_changed"]
        [holder] = [f for f in hengtai.findings if f.code == "CERT_HOLDER_MISMATCH"]
        assert holder.severity == "high" and "Jinhe" in holder.message
        assert "CERT_HOLDER_MISMATCH" in {f.code for f in open_findings(db, "hengtai-machinery")}
        jiahe = {f.code for f in second["jiahe-electronics"].findings}
        assert "CERT_DATES_MISMATCH" in jiahe
