"""The demo's data files (monitor/demo/data/): the shipped ones hold together, and a broken one is refused with an
error that names the file, the entry and the key."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from monitor.checks import sync_watch_list
from monitor.demo.marketplace import DemoMarketplace
from monitor.demo.runner import demo_config
from monitor.demo.scenario import (
    DATA_DIR,
    FAMILIES,
    SUPPLIERS_FILE,
    DemoDataError,
    Scenario,
    base_suppliers,
    demo_as_of,
    last_scripted_round,
    load_as_of,
    load_changes,
    load_suppliers,
    scripted_changes,
)
from monitor.engine import check_round
from storage import open_database

FILES = DATA_DIR.parent / "files"


def test_every_family_has_a_supplier_and_ids_are_unique() -> None:
    suppliers = base_suppliers()
    assert {s.family for s in suppliers} == set(FAMILIES)
    assert len({s.id for s in suppliers}) == len(suppliers)


def test_every_document_a_page_shows_exists() -> None:
    """A picture path with no file would be a 404 on every check: a broken demo, not a finding."""
    scenario = Scenario()
    for round_no in range(last_scripted_round() + 1):
        for sid in scenario.supplier_ids:
            for cert in scenario.supplier(sid, round_no).certificates:
                if not cert.photo:
                    continue
                if m := re.fullmatch(r"/files/([\w-]+)/([\w.-]+)", cert.photo):
                    assert (FILES / m[1] / m[2]).is_file(), (sid, round_no, cert.photo)
                else:
                    m = re.fullmatch(r"/sites/([\w-]+)/files/([\w-]+)\.pdf", cert.photo)
                    assert m and m[1] == sid and (FILES / sid / f"{m[2]}.pdf").is_file(), (sid, cert.photo)


def test_changes_apply_from_their_round_to_a_copy() -> None:
    scenario = Scenario()
    change = next(c for c in scripted_changes() if c.set_fields)
    after = scenario.supplier(change.supplier_id, change.round)
    before = scenario.supplier(change.supplier_id, change.round - 1)  # asked after: the base was left alone
    for name, value in change.set_fields.items():
        assert getattr(after, name) == value and getattr(before, name) != value
    first, second = base_suppliers(), base_suppliers()
    assert first == second and all(a is not b for a, b in zip(first, second, strict=True))


def test_a_round_only_change_ends_with_its_round() -> None:
    scenario = Scenario()
    change = next(c for c in scripted_changes() if c.only_in_round)
    assert scenario.availability(change.supplier_id, change.round) == change.availability
    assert scenario.availability(change.supplier_id, change.round + 1) == "ok"


# --- broken files ----------------------------------------------------------------------------------------------

SUPPLIER = """
[[supplier]]
id = "acme"
name = "Acme Co., Ltd."
family = "legacy"
business_type = "Manufacturer"
country = "CN"
location = "Zhejiang, China"
established_year = 2010
employees = "11 - 50 People"
employee_count = 20
join_years = 3
main_products = ["Valves"]
description = "Valves."
main_markets = [["Europe", "0.5"]]
annual_revenue = "US$1 Million"

[[supplier.certificates]]
key = "iso9001"
name = "ISO 9001:2015"
kind = "company"
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_minimal_supplier_loads(tmp_path: Path) -> None:
    [acme] = load_suppliers(write(tmp_path, "s.toml", SUPPLIER))
    assert acme.main_markets == [("Europe", "0.5")]
    assert acme.certificates[0].number is None and acme.gold_supplier is True  # the dataclass defaults


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace('employee_count = 20', 'employee_count = "twenty"'), r"supplier 'acme': employee_count"),
        (lambda t: t.replace('family = "legacy"', 'family = "ebay"'), r"supplier 'acme': family"),
        (lambda t: t + 'colour = "red"\n', r"supplier 'acme': certificates\.0\.colour"),
        (lambda t: t.replace('country = "CN"\n', 'country = "CN"\nfounded = 1999\n'), r"supplier 'acme': founded"),
        (lambda t: t.replace('name = "Acme Co., Ltd."\n', ""), r"supplier 'acme': name: .*required"),
        (lambda t: t + t, r"supplier 'acme' is listed twice"),
        (lambda t: t.replace("[[supplier]]", "[[supplier"), r"s\.toml: .*line"),
        (lambda t: t.replace("[[supplier]]", "[supplier]"), r"expected \[\[supplier\]\] tables"),
    ],
    ids=["wrong-type", "unknown-family", "unknown-certificate-key", "unknown-key", "missing-key", "duplicate",
         "not-toml", "not-a-list"],
)  # fmt: skip
def test_a_broken_suppliers_file_names_the_entry_and_key(
    tmp_path: Path, edit: Callable[[str], str], message: str
) -> None:
    path = write(tmp_path, "s.toml", edit(SUPPLIER))
    with pytest.raises(DemoDataError, match=message) as info:
        load_suppliers(path)
    assert str(path) in str(info.value)


CHANGE = """
[[change]]
round = 2
supplier = "acme"
description = "a change"
"""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('set = { employee_count = 30 }', None),
        ('certificate = "iso9001"\nwith = { valid_until = "2025-01-01" }', None),
        ('availability = "captcha"\nonly_in_round = true', None),
        ('append_description = "More."', None),
        ('drop_certificates = ["iso9001"]', None),
        ('set = { employee_count = 30 }\nsupplier_name = "x"', r"change #1 \(acme, round 2\): supplier_name"),
        ('set = { employee_count = "many" }', r"change #1 \(acme, round 2\): .*employee_count"),
        ('set = { staff = 30 }', r"change #1 \(acme, round 2\): .*staff"),
        ('drop_certificates = ["ce"]', r"'acme' lists no certificate 'ce'"),
        ('certificate = "iso9001"', r"`certificate` and `with` go together"),
        ('availability = "gone"', r"change #1 \(acme, round 2\): availability"),
        ('', r"changes nothing"),
    ],
)  # fmt: skip
def test_a_broken_rounds_file_names_the_change(tmp_path: Path, body: str, message: str | None) -> None:
    suppliers = load_suppliers(write(tmp_path, "s.toml", SUPPLIER))
    path = write(tmp_path, "r.toml", CHANGE + body + "\n")
    if message is None:
        [change] = load_changes(suppliers, path)
        assert change.supplier_id == "acme" and change.round == 2
        return
    with pytest.raises(DemoDataError, match=message) as info:
        load_changes(suppliers, path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [('"acme"', '"nobody"', r"no supplier 'nobody'"), ("round = 2", "round = -1", r"round must be 0 or more")],
)
def test_a_change_for_no_supplier_or_no_round_is_refused(tmp_path: Path, old: str, new: str, message: str) -> None:
    suppliers = load_suppliers(write(tmp_path, "s.toml", SUPPLIER))
    path = write(tmp_path, "r.toml", CHANGE.replace(old, new) + "set = { employee_count = 1 }\n")
    with pytest.raises(DemoDataError, match=message):
        load_changes(suppliers, path)


def test_the_shipped_files_are_the_ones_read() -> None:
    assert SUPPLIERS_FILE.is_file() and SUPPLIERS_FILE.parent == DATA_DIR
    assert [s.id for s in load_suppliers()] == Scenario().supplier_ids


@pytest.mark.parametrize(
    ("text", "message"),
    [("", r"as_of: expected a TOML date"), ('as_of = "2026-12-01"', r"as_of: expected a TOML date"),
     ("as_of = 2026-12-01T10:00:00", r"as_of: expected a TOML date"), ("as_of = 2026-12-01", None)],
)  # fmt: skip
def test_the_story_day_must_be_a_date(tmp_path: Path, text: str, message: str | None) -> None:
    path = write(tmp_path, "r.toml", text + "\n")
    if message is None:
        assert load_as_of(path) == date(2026, 12, 1)
    else:
        with pytest.raises(DemoDataError, match=message):
            load_as_of(path)


@pytest.mark.parametrize(("as_of", "expiring"), [("2026-06-01", False), ("2027-02-01", True)])
def test_checks_are_judged_as_of_the_configured_day(tmp_path: Path, as_of: str, expiring: bool) -> None:
    """jiahe-electronics' ISO 9001 runs to 2027-03-17: about to expire on one day, not on the other, whatever
    the real date is (so the demo and the tests that watch it keep their story)."""
    with DemoMarketplace() as market:
        config = demo_config(market.base_url, f"sqlite:///{tmp_path / 'monitor.db'}", method="http")
        config = config.model_copy(
            update={
                "verify": config.verify.model_copy(update={"as_of": date.fromisoformat(as_of)}),
                "documents": config.documents.model_copy(update={"read": False}),  # the listing is what is judged
            }
        )
        with open_database(config.database.url) as db:
            sync_watch_list(db, config)
            [outcome] = asyncio.run(check_round(config, db, ["jiahe-electronics"]))
    assert outcome.ok, outcome.reason
    soon = [f for f in outcome.findings if f.code == "EXPIRING_SOON"]
    assert bool(soon) is expiring, [f.code for f in outcome.findings]
    if expiring:
        assert "2027-03-17" in soon[0].message


def test_the_demo_is_judged_on_its_story_day() -> None:
    config = demo_config("http://127.0.0.1:1", "sqlite:///:memory:")
    assert config.verify.as_of == demo_as_of() == load_as_of()
