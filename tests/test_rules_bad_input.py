"""The rules on hostile and broken claims documents: no crash, no wrong EXPIRED, bounded time."""

from __future__ import annotations

import time
from datetime import date

import pytest

from monitor.verify import Severity, verify
from scrapers.claims import Certification, ClaimsDocument, PageStatus, Source, Statement, Supplier
from scrapers.normalize import parse_date, parse_validity_period

TODAY = date(2026, 11, 26)


def doc(certs: list[Certification] | None = None, statements: list[str] | None = None) -> ClaimsDocument:
    return ClaimsDocument(
        source=Source(url="https://x.en.alibaba.com/", platform="alibaba", page_type="profile"),
        supplier=Supplier(),
        certifications=certs or [],
        statements=[Statement(text=t, location="overview") for t in statements or []],
    )


def codes(claims: ClaimsDocument) -> set[str]:
    return {f.code for f in verify(claims, today=TODAY)}


def test_empty_and_blocked_documents() -> None:
    assert verify(doc(), today=TODAY) == []
    blocked = doc()
    blocked.status = PageStatus.BLOCKED
    assert verify(blocked, today=TODAY) == []


def test_certificate_with_only_a_name() -> None:
    for name in ("", " ", "ISO 9001", "???", "证书", "CE"):
        verify(doc([Certification(name=name)]), today=TODAY)
    ms = codes(doc([Certification(name="ISO 9001:2015", kind="management_system")]))
    assert {"MISSING_CERT_NUMBER", "MISSING_ISSUER", "MISSING_VALIDITY"} <= ms
    assert "EXPIRED" not in ms


@pytest.mark.parametrize("raw", ["2017-13-45", "长期有效", "~", "", "0000-00-00", "31/31/2031", "9999-99-99", "N/A"])
def test_garbage_dates_never_give_expired(raw: str) -> None:
    valid_from, valid_until = parse_validity_period(raw)
    assert parse_date(raw) is None and valid_until is None
    cert = Certification(
        name="ISO 9001:2015",
        kind="management_system",
        number="Q1",
        issuer="SGS",
        valid_from=valid_from,
        valid_until=valid_until,
    )
    found = codes(doc([cert]))
    assert "EXPIRED" not in found and "EXPIRING_SOON" not in found
    assert "MISSING_VALIDITY" in found  # the buyer is told the dates are unreadable, not that it expired


def test_open_ended_period_is_not_expired() -> None:
    valid_from, valid_until = parse_validity_period("2012-06-27 ~ ")
    cert = Certification(name="ISO 9001:2015", kind="management_system", valid_from=valid_from, valid_until=valid_until)
    assert "EXPIRED" not in codes(doc([cert]))


def test_ten_thousand_statements_fast() -> None:
    base = ["We are ISO certified.", "FDA approved.", "通过ISO9001认证", "We hold CE certificates.", "BSCI certified"]
    claims = doc(statements=[f"{base[i % len(base)]} #{i}" for i in range(10_000)])
    start = time.perf_counter()
    findings = verify(claims, today=TODAY)
    assert time.perf_counter() - start < 20
    assert sum(f.code == "FDA_APPROVAL_CLAIM" for f in findings) == 2000


def test_very_long_statements_are_bounded() -> None:
    texts = ["ISO certified " * 200_000, "a" * 1_000_000, "认证" * 300_000, "ISO " * 100_000 + "9001"]
    start = time.perf_counter()
    findings = verify(doc(statements=texts), today=TODAY)
    assert time.perf_counter() - start < 10
    assert all(len(f.evidence) <= 1000 for f in findings)
    assert "VAGUE_ISO_CLAIM" in {f.code for f in findings}


def test_long_fields_on_certificates() -> None:
    cert = Certification(
        name="ISO 9001:2015 " + "x" * 100_000,
        number="1" * 100_000,
        issuer="SGS " * 50_000,
        accreditation_body="UKAS " * 50_000,
        kind="management_system",
    )
    findings = verify(doc([cert]), today=TODAY)
    assert all(len(f.evidence) <= 1000 for f in findings)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("IS\u200bO certified company", "VAGUE_ISO_CLAIM"),  # zero-width space inside the word
        ("\u202eWe are ISO certified\u202c", "VAGUE_ISO_CLAIM"),  # right-to-left override
        ("\u200fFDA\u200f approved", "FDA_APPROVAL_CLAIM"),
        ("\ufeffcertified by\u00a0ISO", "ISO_AS_CERTIFIER"),
        ("ＩＳＯ certified", "VAGUE_ISO_CLAIM"),  # full-width letters
        ("نحن ISO certified شركة", "VAGUE_ISO_CLAIM"),  # Arabic around the claim
        ("Мы ISO 9000 certified завод", "FAMILY_NOT_CERTIFIABLE"),
        ("我们是ISO certified工厂", "VAGUE_ISO_CLAIM"),
    ],
)
def test_invisible_characters_and_mixed_scripts(text: str, code: str) -> None:
    assert code in codes(doc(statements=[text]))


@pytest.mark.parametrize(
    "text",
    [
        "\x00\x01\x02",
        "🙂🙂 ISO 🙂",
        "\ud7ff" * 10,
        "((((((((((",
        "ISO" * 10_000,
        "9001" * 10_000,
        "\\" * 5000,
        "\u0301" * 1000,
    ],
)
def test_odd_statements_do_not_crash(text: str) -> None:
    findings = verify(doc(statements=[text]), today=TODAY)
    assert all(f.severity in Severity for f in findings)


def test_odd_body_names_do_not_crash() -> None:
    names = ["", " ", "—", "\u200b", "T\u0308UV", "Ⅰ Ⅱ", "SGS" * 1000, "()", "n/a", "ISO", "IAF", "其他"]
    certs = [
        Certification(name="ISO 9001:2015", kind="management_system", issuer=n, accreditation_body=n, number="1")
        for n in names
    ]
    findings = verify(doc(certs), today=TODAY)
    assert findings


def test_dates_at_the_edges() -> None:
    certs = [
        Certification(name="ISO 9001:2015", kind="management_system", valid_from=date.min, valid_until=date.max),
        Certification(name="ISO 9001:2015", kind="management_system", valid_from=date.max, valid_until=date.min),
        Certification(name="CE", kind="product", valid_until=date(1, 1, 1)),
    ]
    found = codes(doc(certs))
    assert "IMPLAUSIBLE_VALIDITY" in found and "EXPIRED" in found


def test_odd_editions_do_not_crash() -> None:
    for edition in ("", "abc", "99999999999999999999", "-1", "2008.5", "２００８"):
        cert = Certification(name="ISO 9001", standard="ISO 9001", edition=edition, kind="management_system")
        verify(doc([cert]), today=TODAY)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("工厂certified by ISO", "ISO_AS_CERTIFIER"),
        ("产品是FDA approved的", "FDA_APPROVAL_CLAIM"),
        ("我们是BSCI certified工厂", "NOT_A_CERTIFICATION"),
        ("公司ISO 9001 certified products出口", "PRODUCT_CLAIM_FROM_SYSTEM_CERT"),
    ],
)
def test_english_words_glued_to_chinese(text: str, code: str) -> None:
    assert code in codes(doc(statements=[text]))
