"""Claim-level change detection (monitor.changes.diff) and the alerts built from it (monitor.changes.events)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

import pytest

from monitor.alerts.model import Alert, AlertKind, AlertSupplier
from monitor.changes import (
    SEVERITY,
    ClaimChange,
    check_failing_alert,
    claim_change_alerts,
    diff_claims,
    finding_alerts,
    layout_changed_alert,
    parse_quantity,
    recovered_alert,
)
from monitor.changes.diff import KINDS
from monitor.demo.pages import render_supplier
from monitor.demo.scenario import Scenario
from scrapers.claims import (
    Badge,
    CertificateDocument,
    Certification,
    ClaimsDocument,
    DocumentReading,
    PageStatus,
    Source,
    Supplier,
)
from scrapers.extract import read_page

NOW = datetime(2026, 11, 26, 13, 40, tzinfo=UTC)


def iso9001(**overrides: Any) -> Certification:
    values: dict[str, Any] = {
        "name": "ISO9001:2015",
        "standard": "ISO 9001",
        "edition": "2015",
        "number": "12 100 45678 TMS",
        "issuer": "TÜV SÜD",
        "scope": "Design and manufacture of power adapters",
        "valid_from": date(2024, 3, 18),
        "valid_until": date(2027, 3, 17),
        "platform_verified": True,
        "kind": "management_system",
    }
    values.update(overrides)
    return Certification(**values)


def ce(number: str | None = "CE-1", **overrides: Any) -> Certification:
    values: dict[str, Any] = {"name": "CE", "standard": "CE", "number": number, "kind": "product"}
    values.update(overrides)
    return Certification(**values)


def certificate_picture(certification: str, sha256: str) -> CertificateDocument:
    reading = DocumentReading(sha256=sha256, media_type="image/png", method="ocr")
    return CertificateDocument(url=f"https://img.example.com/{sha256[:8]}.png", kind="image",
                               certification=certification, reading=reading)  # fmt: skip


def doc(
    certifications: list[Certification] | None = None,
    badges: list[Badge] | None = None,
    fetched_at: datetime | None = NOW,
    **supplier: Any,
) -> ClaimsDocument:
    profile: dict[str, Any] = {
        "name": "Dongguan Example Electronics Co., Ltd.",
        "business_type": "Manufacturer, Trading Company",
        "country": "CN",
        "location": "Guangdong, China",
        "year_established": 2009,
        "years_on_platform": 7,
        "employees": "51 - 100 People",
        "annual_revenue": "US$5 Million - US$10 Million",
        "main_products": ["Power adapters", "Chargers"],
        "main_markets": ["North America 30%", "Western Europe 20%"],
    }
    profile.update(supplier)
    default_badges = [
        Badge(name="Verified Supplier", issuer="TÜV Rheinland", detail="assessed by TÜV Rheinland"),
        Badge(name="Gold Supplier", detail="5 years"),
        Badge(name="Trade Assurance", detail="limit US $120,000"),
    ]
    return ClaimsDocument(
        source=Source(
            url="https://example.en.alibaba.com/",
            platform="alibaba",
            page_type="company_profile",
            fetched_at=fetched_at,
        ),
        supplier=Supplier(**profile),
        certifications=[iso9001(), ce()] if certifications is None else certifications,
        badges=default_badges if badges is None else badges,
    )


def only(changes: list[ClaimChange]) -> ClaimChange:
    assert len(changes) == 1, [c.to_dict() for c in changes]
    return changes[0]


def fields(change: ClaimChange) -> dict[str, tuple[Any, Any]]:
    return {f["field"]: (f["from"], f["to"]) for f in change.fields}


# --------------------------------------------------------------------------------------------------
# certifications
# --------------------------------------------------------------------------------------------------


def test_identical_documents_have_no_changes() -> None:
    assert diff_claims(doc(), doc()) == []


def test_certification_removed_is_high_and_needs_confirmation() -> None:
    change = only(diff_claims(doc(), doc(certifications=[iso9001()])))
    assert change.kind == "certification_removed"
    assert change.severity == "high"
    assert change.confirm_needed
    assert change.subject == "CE (no. CE-1)"
    assert fields(change)["number"] == ("CE-1", None)


def test_certification_added_is_info() -> None:
    change = only(diff_claims(doc(certifications=[iso9001()]), doc()))
    assert (change.kind, change.severity, change.confirm_needed) == ("certification_added", "info", False)
    assert fields(change)["name"] == (None, "CE")


def test_valid_until_shortened() -> None:
    change = only(diff_claims(doc(), doc(certifications=[iso9001(valid_until=date(2025, 3, 17)), ce()])))
    assert change.kind == "certification_changed"
    assert change.subject == "ISO 9001:2015 (no. 12 100 45678 TMS)"
    assert change.fields == ({"field": "valid_until", "from": "2027-03-17", "to": "2025-03-17"},)
    assert change.severity == "medium"
    assert not change.confirm_needed


def test_valid_until_extended_is_low() -> None:
    change = only(diff_claims(doc(), doc(certifications=[iso9001(valid_until=date(2030, 3, 17)), ce()])))
    assert change.severity == "low"


def test_valid_until_removed_needs_confirmation() -> None:
    change = only(diff_claims(doc(), doc(certifications=[iso9001(valid_until=None), ce()])))
    assert fields(change) == {"valid_until": ("2027-03-17", None)}
    assert change.severity == "medium"
    assert change.confirm_needed


@pytest.mark.parametrize(
    ("before", "after", "severity"),
    [(True, False, "high"), (False, True, "low"), (True, None, "medium"), (None, False, "low")],
)
def test_platform_verified(before: bool | None, after: bool | None, severity: str) -> None:
    old = doc(certifications=[iso9001(platform_verified=before)])
    new = doc(certifications=[iso9001(platform_verified=after)])
    change = only(diff_claims(old, new))
    assert fields(change) == {"platform_verified": (before, after)}
    assert change.severity == severity


@pytest.mark.parametrize(
    ("field", "value", "severity"),
    [
        ("issuer", "SGS", "high"),
        ("scope", "Trading of power adapters", "medium"),
        ("accreditation_body", "DAkkS", "low"),  # added: None -> DAkkS
        ("valid_from", date(2024, 3, 19), "low"),
        ("name", "ISO 9001:2015 Quality Management", "low"),
    ],
)
def test_each_certificate_field_is_reported(field: str, value: Any, severity: str) -> None:
    old_cert = iso9001()
    change = only(diff_claims(doc(certifications=[old_cert]), doc(certifications=[iso9001(**{field: value})])))
    expected_from = getattr(old_cert, field)
    expected_from = expected_from.isoformat() if isinstance(expected_from, date) else expected_from
    expected_to = value.isoformat() if isinstance(value, date) else value
    assert change.kind == "certification_changed"
    assert fields(change) == {field: (expected_from, expected_to)}
    assert change.severity == severity


def test_number_change_with_same_standard_and_issuer_is_one_change() -> None:
    old = doc(certifications=[iso9001()])
    new = doc(certifications=[iso9001(number="12 100 99999 TMS", valid_from=date(2027, 3, 18))])
    change = only(diff_claims(old, new))
    assert change.kind == "certification_changed"
    assert fields(change) == {
        "number": ("12 100 45678 TMS", "12 100 99999 TMS"),
        "valid_from": ("2024-03-18", "2027-03-18"),
    }
    assert change.severity == "high"
    assert change.key == "cert:iso9001:no:1210045678tms"  # the claim the buyer knew


def test_edition_change_with_same_number() -> None:
    old = doc(certifications=[iso9001(name="ISO 9001:2008", edition="2008")])
    change = only(diff_claims(old, doc(certifications=[iso9001()])))
    assert fields(change) == {"name": ("ISO 9001:2008", "ISO9001:2015"), "edition": ("2008", "2015")}
    assert change.severity == "medium"


def test_number_added_and_removed() -> None:
    with_number, without = doc(certifications=[iso9001()]), doc(certifications=[iso9001(number=None)])
    removed = only(diff_claims(with_number, without))
    assert (removed.kind, removed.severity, removed.confirm_needed) == ("certification_changed", "high", True)
    added = only(diff_claims(without, with_number))
    assert (added.kind, added.severity) == ("certification_changed", "low")
    assert fields(added) == {"number": (None, "12 100 45678 TMS")}


def test_duplicates_with_different_numbers_reordered_are_not_changes() -> None:
    old = doc(certifications=[ce("CE-1", scope="Adapters"), ce("CE-2", scope="Chargers"), iso9001()])
    new = doc(certifications=[iso9001(), ce("CE-2", scope="Chargers"), ce("CE-1", scope="Adapters")])
    assert diff_claims(old, new) == []


def test_duplicates_one_changed_one_removed() -> None:
    old = doc(certifications=[ce("CE-1", scope="Adapters"), ce("CE-2", scope="Chargers")])
    new = doc(certifications=[ce("CE-2", scope="Chargers, cables")])
    changes = diff_claims(old, new)
    assert [(c.kind, c.key) for c in changes] == [
        ("certification_removed", "cert:ce:no:ce1"),
        ("certification_changed", "cert:ce:no:ce2"),
    ]
    assert fields(changes[1]) == {"scope": ("Chargers", "Chargers, cables")}


def test_one_of_two_ce_gets_a_new_number_from_its_issuer() -> None:
    old = doc(certifications=[ce("CE-1", issuer="Lab A"), ce("CE-2", issuer="Lab B")])
    new = doc(certifications=[ce("CE-2", issuer="Lab B"), ce("CE-3", issuer="Lab A")])
    change = only(diff_claims(old, new))
    assert change.kind == "certification_changed"
    assert fields(change) == {"number": ("CE-1", "CE-3")}


def test_unrelated_certificates_are_removed_and_added_not_matched() -> None:
    # No issuer, other scope, other date: nothing ties CE-1 to CE-9, so it is not a "number change".
    old = doc(certifications=[ce("CE-1", scope="Adapters", valid_from=date(2020, 1, 1))])
    new = doc(certifications=[ce("CE-9", scope="Cables", valid_from=date(2024, 1, 1))])
    assert sorted(c.kind for c in diff_claims(old, new)) == ["certification_added", "certification_removed"]


def test_ambiguous_numberless_duplicates_are_not_guessed() -> None:
    old = doc(certifications=[ce(None, scope="A"), ce(None, scope="B")])
    new = doc(certifications=[ce(None, scope="C"), ce(None, scope="D")])
    assert sorted(c.kind for c in diff_claims(old, new)) == ["certification_added"] * 2 + ["certification_removed"] * 2


def test_numberless_duplicates_reordered_and_one_changed() -> None:
    old = doc(certifications=[ce(None, scope="A"), ce(None, scope="B")])
    new = doc(certifications=[ce(None, scope="B2"), ce(None, scope="A")])
    change = only(diff_claims(old, new))
    assert fields(change) == {"scope": ("B", "B2")}


def test_identical_duplicates_removed_get_distinct_keys() -> None:
    old = doc(certifications=[ce(None, scope="A"), ce(None, scope="A"), iso9001()])
    changes = diff_claims(old, doc(certifications=[iso9001()]))
    assert [c.kind for c in changes] == ["certification_removed"] * 2
    assert len({c.key for c in changes}) == 2


def test_certificate_without_standard_is_matched_by_name() -> None:
    old = doc(certifications=[Certification(name="Honour Award", issuer="City Council", valid_until=date(2026, 1, 1))])
    new = doc(certifications=[Certification(name="honour  award", issuer="City Council", valid_until=date(2028, 1, 1))])
    change = only(diff_claims(old, new))
    assert fields(change) == {"valid_until": ("2026-01-01", "2028-01-01")}


def test_certificate_issuer_change_matched_by_name() -> None:
    old = doc(certifications=[ce(None, issuer="Lab A")])
    change = only(diff_claims(old, doc(certifications=[ce(None, issuer="Lab B")])))
    assert fields(change) == {"issuer": ("Lab A", "Lab B")}
    assert change.severity == "high"


# --------------------------------------------------------------------------------------------------
# near misses
# --------------------------------------------------------------------------------------------------


def test_cosmetic_differences_are_not_changes() -> None:
    old = doc()
    new = doc(
        certifications=[
            ce(" ce-1 "),
            iso9001(
                name="ISO 9001 : 2015",
                number="12100 45678-tms",
                issuer="TUV  SUD",  # accents and spacing
                scope="design and manufacture of power adapters.",
                platform_verified=True,
            ),
        ],
        badges=[
            Badge(name="Trade Assurance", detail="limit US$ 120,000"),
            Badge(name="gold supplier", detail="5 Years"),
            Badge(name="Verified  Supplier", issuer="tüv rheinland", detail="Assessed by TÜV Rheinland"),
        ],
        name="  Dongguan Example Electronics Co.,Ltd ",
        business_type="Trading Company, Manufacturer",
        country="cn",
        location="Guangdong,China",
        employees="51-100 people",
        main_products=["chargers", "Power  Adapters"],
        main_markets=["Western Europe 25%", "north america 30%"],  # a share moved: the market is the claim
        fetched_at=NOW + timedelta(hours=6),
    )
    assert diff_claims(old, new) == []


def test_none_and_empty_are_the_same() -> None:
    old = doc(certifications=[iso9001(scope=None, accreditation_body="")], location=None, employees=None)
    new = doc(certifications=[iso9001(scope="  ", accreditation_body=None)], location="", employees="")
    assert diff_claims(old, new) == []


def test_unicode_width_is_not_a_change() -> None:
    old = doc(certifications=[ce("ＣＥ－２０２４")], name="Ｘｉｎｌｏｎｇ Hardware")
    new = doc(certifications=[ce("CE-2024")], name="Xinlong Hardware")
    assert diff_claims(old, new) == []


def test_years_on_platform_plus_one_is_not_reported() -> None:
    assert diff_claims(doc(years_on_platform=7), doc(years_on_platform=8)) == []


def test_years_on_platform_may_grow_with_elapsed_time() -> None:
    later = NOW + timedelta(days=3 * 365 + 10)
    assert diff_claims(doc(years_on_platform=7), doc(years_on_platform=10, fetched_at=later)) == []
    jumped = only(diff_claims(doc(years_on_platform=7), doc(years_on_platform=10)))
    assert (jumped.kind, jumped.severity, fields(jumped)) == ("numeric_changed", "low", {"years_on_platform": (7, 10)})


def test_years_on_platform_decrease_is_medium() -> None:
    change = only(diff_claims(doc(years_on_platform=7), doc(years_on_platform=1)))
    assert (change.kind, change.severity) == ("numeric_changed", "medium")


def test_order_of_everything_does_not_matter() -> None:
    certs = [iso9001(), ce("CE-1"), ce("CE-2", issuer="Lab"), Certification(name="BSCI", standard="BSCI")]
    badges = [Badge(name="Onsite Check"), Badge(name="Gold Supplier", detail="3 years")]
    new_certs = [iso9001(valid_until=date(2025, 1, 1)), ce("CE-2", issuer="Lab B")]
    forward = diff_claims(doc(certs, badges), doc(new_certs, badges[:1]))
    backward = diff_claims(doc(certs[::-1], badges[::-1]), doc(new_certs[::-1], badges[:1]))
    assert forward == backward
    assert [c.to_dict() for c in forward] == [c.to_dict() for c in backward]


# --------------------------------------------------------------------------------------------------
# badges, identity, numbers, lists
# --------------------------------------------------------------------------------------------------


def _without(name: str) -> list[Badge]:
    return [b for b in doc().badges if b.name != name]


def test_badge_lost_is_medium_and_confirmed() -> None:
    change = only(diff_claims(doc(), doc(badges=_without("Gold Supplier"))))
    assert (change.kind, change.subject, change.severity, change.confirm_needed) == (
        "badge_lost",
        "Gold Supplier",
        "medium",
        True,
    )
    assert change.key == "badge:gold supplier"


def test_verified_supplier_lost_is_high() -> None:
    change = only(diff_claims(doc(), doc(badges=_without("Verified Supplier"))))
    assert (change.kind, change.severity) == ("badge_lost", "high")


def test_badge_gained_is_info() -> None:
    change = only(diff_claims(doc(badges=_without("Gold Supplier")), doc()))
    assert (change.kind, change.severity, change.confirm_needed) == ("badge_gained", "info", False)


def test_badge_details() -> None:
    years = [Badge(name="Gold Supplier", detail="6 years") if b.name == "Gold Supplier" else b for b in doc().badges]
    change = only(diff_claims(doc(), doc(badges=years)))
    assert (change.kind, change.severity, fields(change)) == (
        "badge_changed",
        "info",
        {"detail": ("5 years", "6 years")},
    )
    amount = [
        Badge(name="Trade Assurance", detail="limit US $20,000") if b.name == "Trade Assurance" else b
        for b in doc().badges
    ]
    change = only(diff_claims(doc(), doc(badges=amount)))
    assert (change.kind, change.severity) == ("badge_changed", "low")
    assessor = [
        Badge(name="Verified Supplier", issuer="SGS", detail="assessed by SGS") if b.name.startswith("Ver") else b
        for b in doc().badges
    ]
    change = only(diff_claims(doc(), doc(badges=assessor)))
    assert set(fields(change)) == {"issuer", "detail"}
    assert change.severity == "medium"


@pytest.mark.parametrize(
    ("field", "value", "severity"),
    [
        ("name", "Shenzhen Other Trading Co., Ltd.", "high"),
        ("business_type", "Trading Company", "medium"),
        ("location", "Zhejiang, China", "medium"),
        ("country", "VN", "medium"),
    ],
)
def test_identity_changes(field: str, value: str, severity: str) -> None:
    change = only(diff_claims(doc(), doc(**{field: value})))
    assert (change.kind, change.severity, change.confirm_needed) == ("identity_changed", severity, True)
    assert change.fields[0]["field"] == field
    assert change.fields[0]["to"] == value
    assert change.key == f"supplier:{field}"


def test_year_established_any_change_is_medium() -> None:
    change = only(diff_claims(doc(), doc(year_established=2015)))
    assert (change.kind, change.severity, fields(change)) == (
        "numeric_changed",
        "medium",
        {"year_established": (2009, 2015)},
    )


def test_employees_threshold() -> None:
    change = only(diff_claims(doc(), doc(employees="101 - 200 People")))  # 75.5 -> 150.5
    assert (change.kind, fields(change)) == ("numeric_changed", {"employees": ("51 - 100 People", "101 - 200 People")})
    assert diff_claims(doc(employees="80"), doc(employees="90")) == []  # +12.5 %
    assert len(diff_claims(doc(employees="80"), doc(employees="90"), numeric_threshold=0.1)) == 1
    assert only(diff_claims(doc(employees="43"), doc(employees="120"))).severity == "medium"  # nearly tripled
    assert only(diff_claims(doc(employees="96"), doc(employees="135"))).severity == "low"


def test_annual_revenue() -> None:
    change = only(diff_claims(doc(), doc(annual_revenue="US$10 Million - US$50 Million")))
    assert change.fields[0]["field"] == "annual_revenue"
    assert diff_claims(doc(), doc(annual_revenue="US$5 - 10 million")) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("51 - 100 People", 75.5),
        ("43", 43),
        ("Above 1000 People", 1000),
        ("1,200", 1200),
        ("US$2.5 Million - US$5 Million", 3_750_000),
        ("US$5 - 10 Million", 7_500_000),
        ("Below US$1 Million", 1_000_000),
        ("", None),
        (None, None),
        ("unknown", None),
    ],
)
def test_parse_quantity(text: str | None, value: float | None) -> None:
    assert parse_quantity(text) == value


def test_list_changes() -> None:
    change = only(diff_claims(doc(), doc(main_products=["Power adapters", "USB cables"])))
    assert change.kind == "list_changed"
    entry = change.fields[0]
    assert (entry["field"], entry["added"], entry["removed"]) == ("main_products", ["USB cables"], ["Chargers"])
    assert change.severity == "low"
    markets = only(diff_claims(doc(), doc(main_markets=["North America 30%"])))
    assert (markets.severity, markets.fields[0]["removed"]) == ("info", ["Western Europe 20%"])


def test_every_kind_fires_and_fields_are_json() -> None:
    old = doc(badges=[*_without("Onsite Check"), Badge(name="Audited Supplier")])
    new = doc(
        certifications=[iso9001(valid_until=date(2025, 3, 17)), Certification(name="RoHS", standard="RoHS")],
        badges=[*_without("Gold Supplier"), Badge(name="Onsite Check"), Badge(name="Trade Assurance", detail="US $1")],
        name="Renamed Co.",
        year_established=2001,
        main_products=["Cables"],
    )
    new = new.model_copy(update={"badges": [b for b in new.badges if b.detail != "limit US $120,000"]})
    old, new = (  # the ISO 9001 certificate's picture replaced by another file
        d.model_copy(update={"documents": [certificate_picture(d.certifications[0].name, sha)]})
        for d, sha in ((old, "a" * 64), (new, "b" * 64))
    )
    changes = diff_claims(old, new)
    assert {c.kind for c in changes} == set(KINDS)
    json.dumps([c.to_dict() for c in changes])
    ranks = [{"critical": 4, "high": 3, "medium": 2, "low": 1, "info": 0}[c.severity] for c in changes]
    assert ranks == sorted(ranks, reverse=True)


def test_not_ok_documents_are_refused() -> None:
    blocked = doc().model_copy(update={"status": PageStatus.BLOCKED})
    with pytest.raises(ValueError, match="ok"):
        diff_claims(doc(), blocked)


def test_severity_table_uses_known_kinds_and_levels() -> None:
    for (kind, _field), severity in SEVERITY.items():
        assert kind in KINDS
        assert severity in {"critical", "high", "medium", "low", "info"}


# --------------------------------------------------------------------------------------------------
# alerts
# --------------------------------------------------------------------------------------------------

SUPPLIER = AlertSupplier(id="jiahe-electronics", name="Dongguan Jiahe", url="http://127.0.0.1:1/store/jiahe")
HOSTILE = AlertSupplier(id="lumina-led", name='<script>alert(1)</script> & "Quotes"', url=None)


def _payloads(alerts: list[Alert]) -> str:
    return json.dumps([a.payload() for a in alerts], ensure_ascii=False)


def test_claim_change_alerts_titles_and_details() -> None:
    changes = diff_claims(doc(), doc(certifications=[iso9001(valid_until=date(2025, 3, 17))]))
    alerts = claim_change_alerts(SUPPLIER, changes, previous_snapshot_id=3, snapshot_id=4, observed_at=NOW)
    titles = {a.title for a in alerts}
    assert titles == {
        "Certificate changed: ISO 9001:2015 (no. 12 100 45678 TMS) — valid until 2027-03-17 → 2025-03-17",
        "Certificate removed: CE (no. CE-1)",
    }
    removed = next(a for a in alerts if a.details["change"] == "certification_removed")
    assert removed.kind == AlertKind.CLAIM_CHANGE
    assert removed.severity == "high"
    assert removed.details["subject"] == "CE (no. CE-1)"
    assert {"field": "number", "from": "CE-1", "to": None} in removed.details["fields"]
    assert removed.details["confirm_needed"] is True
    _payloads(alerts)


def test_claim_change_alert_ids_are_stable() -> None:
    changes = diff_claims(doc(), doc(certifications=[iso9001()], name="Other Co."))
    first = claim_change_alerts(SUPPLIER, changes, previous_snapshot_id=3, snapshot_id=4, observed_at=NOW)
    again = claim_change_alerts(
        SUPPLIER,
        diff_claims(doc(), doc(certifications=[iso9001()], name="Other Co.")),
        previous_snapshot_id=3,
        snapshot_id=4,
        observed_at=NOW + timedelta(minutes=5),  # noticed later (re-run after a crash): same event, same id
    )
    assert [a.id for a in first] == [a.id for a in again]
    assert len({a.id for a in first}) == len(first) == 2
    other_pair = claim_change_alerts(SUPPLIER, changes, previous_snapshot_id=4, snapshot_id=5, observed_at=NOW)
    assert not {a.id for a in first} & {a.id for a in other_pair}
    other_supplier = claim_change_alerts(HOSTILE, changes, previous_snapshot_id=3, snapshot_id=4, observed_at=NOW)
    assert not {a.id for a in first} & {a.id for a in other_supplier}


def test_hostile_text_stays_plain_text() -> None:
    hostile = '<script>alert(1)</script> & "Quotes"\n<b>'
    changes = diff_claims(doc(), doc(name=hostile, certifications=[iso9001(), ce(number="<img src=x>")]))
    alerts = claim_change_alerts(HOSTILE, changes, previous_snapshot_id=1, snapshot_id=2, observed_at=NOW)
    titles = {a.title for a in alerts}
    assert titles == {
        'Company name changed: Dongguan Example Electronics Co., Ltd. → <script>alert(1)</script> & "Quotes" <b>',
        "Certificate added: CE (no. <img src=x>)",
        "Certificate removed: CE (no. CE-1)",
    }  # kept as typed (escaping is the channels' job), the line break flattened
    assert alerts[0].supplier.name == HOSTILE.name
    json.loads(_payloads(alerts))


def test_titles_are_one_line_and_bounded() -> None:
    long_name = "A" * 1000
    alerts = claim_change_alerts(
        SUPPLIER, diff_claims(doc(), doc(name=long_name)), previous_snapshot_id=1, snapshot_id=2, observed_at=NOW
    )
    assert len(alerts[0].title) <= 300
    assert alerts[0].details["fields"][0]["to"] == long_name  # details keep the full value


def _finding(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "identity": "EXPIRED:0123456789abcdef",
        "code": "EXPIRED",
        "severity": "high",
        "message": "This certificate expired on 2025-03-17 but is still shown.",
        "evidence": "ISO 9001:2015, no. 12 100 58342 TMS, valid until 2025-03-17",
        "rule_source": "cert_rules CV-01",
        "certification": {"name": "ISO 9001:2015", "number": "12 100 58342 TMS", "valid_until": date(2025, 3, 17)},
        "statement": None,
        "first_seen_at": datetime(2026, 11, 26, 14, 0, tzinfo=UTC),
        "resolved_at": None,
    }
    row.update(overrides)
    return row


def test_finding_alerts() -> None:
    resolved_row = _finding(resolved_at=datetime(2026, 12, 1, tzinfo=UTC))
    alerts = finding_alerts(SUPPLIER, [_finding()], [resolved_row], NOW)
    new, resolved = alerts
    assert (new.kind, new.severity) == (AlertKind.FINDING, "high")
    assert new.title == "Expired certificate still displayed: ISO 9001:2015 (no. 12 100 58342 TMS)"
    assert new.details["code"] == "EXPIRED"
    assert new.details["certification"]["valid_until"] == "2025-03-17"
    assert new.details["rule_source"] == "cert_rules CV-01"
    assert resolved.kind == AlertKind.FINDING_RESOLVED
    assert resolved.title.startswith("Resolved: Expired certificate")
    assert resolved.severity == "high"  # reaches whoever got the finding (min_severity routing)
    assert resolved.details["resolved_at"] == "2026-12-01T00:00:00+00:00"
    assert new.id != resolved.id
    _payloads(alerts)


def test_finding_alert_ids() -> None:
    base = finding_alerts(SUPPLIER, [_finding()], [], NOW)[0].id
    # the same row read back from storage: naive UTC or an ISO string is the same instant
    naive = _finding(first_seen_at=datetime(2026, 11, 26, 14, 0))
    text = _finding(first_seen_at="2026-11-26T14:00:00Z")
    assert finding_alerts(SUPPLIER, [naive], [], NOW + timedelta(hours=1))[0].id == base
    assert finding_alerts(SUPPLIER, [text], [], NOW)[0].id == base
    # the finding came back after a resolution: a new period, a new alert
    later = _finding(first_seen_at=datetime(2026, 12, 5, tzinfo=UTC))
    assert finding_alerts(SUPPLIER, [later], [], NOW)[0].id != base


def test_statement_finding_title() -> None:
    row = _finding(
        code="VAGUE_ISO_CLAIM", certification=None, statement="We are <b>ISO</b> certified.", severity="medium"
    )
    alert = finding_alerts(SUPPLIER, [row], [], NOW)[0]
    assert alert.title == "'ISO certified' without a standard: “We are <b>ISO</b> certified.”"
    assert alert.details["statement"] == "We are <b>ISO</b> certified."


def test_operational_alerts() -> None:
    since = datetime(2026, 11, 25, tzinfo=UTC)
    failing = check_failing_alert(
        SUPPLIER,
        failures=3,
        reason="captcha page",
        status="blocked",
        since=since,
        observed_at=NOW,
        first_failed_check_id=17,
    )
    again = check_failing_alert(
        SUPPLIER,
        failures=4,
        reason="captcha page",
        status="blocked",
        since=since,
        observed_at=NOW,
        first_failed_check_id=17,
    )
    assert failing.id == again.id  # one alert per streak
    assert failing.kind == AlertKind.CHECK_FAILING and failing.kind.for_operators
    assert failing.details["since"] == since.isoformat()
    recovered = recovered_alert(SUPPLIER, failures=4, first_failed_check_id=17, observed_at=NOW)
    assert recovered.id != failing.id
    assert recovered.severity == failing.severity
    assert recovered.id == recovered_alert(SUPPLIER, failures=4, first_failed_check_id=17, observed_at=NOW).id
    layout = layout_changed_alert("alibaba", "company_profile", ["b", "a", "b"], NOW, window_key="2026-11-26")
    assert layout.supplier == AlertSupplier(id=None, name=None, url=None)
    assert layout.details["suppliers"] == ["a", "b"]
    assert layout.id == layout_changed_alert("alibaba", "company_profile", ["c"], NOW, window_key="2026-11-26").id
    assert layout.id != layout_changed_alert("alibaba", "company_profile", ["a"], NOW, window_key="2026-11-27").id
    _payloads([failing, recovered, layout])


# --------------------------------------------------------------------------------------------------
# the demo marketplace's scripted rounds
# --------------------------------------------------------------------------------------------------

_SCENARIO = Scenario()
BASE = "http://127.0.0.1:1"


@cache
def demo_claims(supplier_id: str, round_: int) -> ClaimsDocument:
    supplier = _SCENARIO.supplier(supplier_id, round=round_)
    reading = read_page(render_supplier(supplier, BASE), BASE + supplier.path, platform=supplier.platform)
    assert reading.status == PageStatus.OK
    return reading.claims


EXPECTED: dict[tuple[str, int], list[tuple[str, str, dict[str, tuple[Any, Any]]]]] = {
    ("haoyu-valves", 1): [("numeric_changed", "supplier:employees", {"employees": ("96", "135")})],
    ("jiahe-electronics", 2): [
        (
            "certification_changed",
            "cert:iso9001:no:1210058342tms",
            {"valid_until": ("2027-03-17", "2025-03-17")},
        )
    ],
    ("xinlong-hardware", 2): [("certification_removed", "cert:ce:no:democexl1180", {})],
    ("hengtai-machinery", 3): [("badge_lost", "badge:gold supplier", {})],
    # Made-in-China shows certification names only, so the key has neither number nor issuer.
    ("ruifeng-pumps", 2): [("certification_removed", "cert:iso 14001:by:", {"name": ("ISO 14001", None)})],
    ("nilgiri-pumps", 2): [
        ("numeric_changed", "supplier:employees", {"employees": ("26 to 50 People", "51 to 100 People")})
    ],
    ("voltris-power", 3): [("badge_lost", "badge:verified manufacturer", {})],
    ("meichu-appliances", 4): [("certification_removed", "cert:iso45001:no:00124s21456r1m", {})],
    # kettlecraft's round-4 sentence is a new statement: statements are judged by rules, not diffed.
}


@pytest.mark.parametrize("round_", [1, 2, 3, 4])
def test_demo_rounds_are_found_exactly(round_: int) -> None:
    for supplier_id in _SCENARIO.supplier_ids:
        changes = diff_claims(demo_claims(supplier_id, round_ - 1), demo_claims(supplier_id, round_))
        expected = EXPECTED.get((supplier_id, round_), [])
        assert [(c.kind, c.key) for c in changes] == [(k, key) for k, key, _ in expected], supplier_id
        for change, (_, _, field_changes) in zip(changes, expected, strict=True):
            for name, values in field_changes.items():
                assert fields(change)[name] == values


def test_demo_changes_become_alerts() -> None:
    changes = diff_claims(demo_claims("xinlong-hardware", 1), demo_claims("xinlong-hardware", 2))
    supplier = AlertSupplier(id="xinlong-hardware", name="Foshan Xinlong", url=None)
    (alert,) = claim_change_alerts(supplier, changes, previous_snapshot_id=10, snapshot_id=11, observed_at=NOW)
    assert alert.title == "Certificate removed: CE (no. DEMO-CE-XL-1180)"
    assert alert.severity == "high" and alert.details["confirm_needed"]


@pytest.mark.parametrize("supplier_id", _SCENARIO.supplier_ids)
def test_demo_documents_reordered_are_unchanged(supplier_id: str) -> None:
    claims = demo_claims(supplier_id, 0)
    shuffled = claims.model_copy(
        update={
            "certifications": claims.certifications[::-1],
            "badges": claims.badges[::-1],
            "supplier": claims.supplier.model_copy(
                update={
                    "main_products": claims.supplier.main_products[::-1],
                    "main_markets": claims.supplier.main_markets[::-1],
                }
            ),
        }
    )
    assert diff_claims(claims, shuffled) == []
    removed_all = diff_claims(claims, claims.model_copy(update={"certifications": [], "badges": []}))
    assert len(removed_all) == len(claims.certifications) + len(claims.badges)
    assert all(c.confirm_needed for c in removed_all)
