"""Tests for scrapers.statements: certification claims in free text, precise and bounded."""

from __future__ import annotations

import time

import pytest

from scrapers.statements import MAX_STATEMENTS, find_certification_statements


def texts(text: str) -> list[str]:
    return [s.text for s in find_certification_statements(text, "company_overview")]


@pytest.mark.parametrize(
    "sentence",
    [
        "We are ISO certified.",
        "ISO 9001:2015 certified by SGS",
        "FDA approved",
        "BSCI certified",
        "Our factory passed the BSCI audit in 2019.",
        "Our products have CE and RoHS certificates.",
        "All lamps are UL listed.",
        "The chargers meet CE and FCC standards.",
        "We have obtained the certification of ISO9001",
        "通过ISO9001认证",
        "已获得CE认证",
        "公司已通过ISO14001环境管理体系认证",
        "我们拥有CE、RoHS证书",
        "We are a Verified Supplier certified by SGS.",
        "Our factory is certified by SGS.",
        "本公司经国际标准化组织认证",
        "经SGS认证的工厂",
    ],
)
def test_claims_are_found(sentence: str) -> None:
    assert texts(sentence) == [sentence]


@pytest.mark.parametrize(
    "sentence",
    [
        "Certificates",
        "View certificates",
        "Certification Center",
        "Company Certifications",
        "证书中心",
        "We reach customers in 50 countries.",
        "Our products are approved by customers worldwide.",
        "We have 200 workers and 20 engineers.",
        "我们的产品质量好",
        "Welcome to our company!",
        "Verified Supplier",
        "Audited Supplier since 2017",
        "SGS inspection report available on request",
        "我们经营各种电子产品",
    ],
)
def test_non_claims_are_ignored(sentence: str) -> None:
    assert texts(sentence) == []


def test_sentences_are_split_and_kept_verbatim() -> None:
    text = (
        "Chongqing Example Co., Ltd. was founded in 2001. We are ISO 9001:2015 certified by TUV!"
        "<br><br>我们的工厂很大。我们已通过BSCI验厂。\nOur LED lights have CE, RoHS certificates"
    )
    assert texts(text) == [
        "We are ISO 9001:2015 certified by TUV!",
        "我们已通过BSCI验厂。",
        "Our LED lights have CE, RoHS certificates",
    ]


def test_abbreviations_do_not_split_a_claim() -> None:
    assert texts("Example Electronics Co., Ltd. is ISO 13485 certified.") == [
        "Example Electronics Co., Ltd. is ISO 13485 certified."
    ]


def test_list_numbers_glued_to_a_sentence_end_split_it() -> None:
    # Supplier introductions often run their numbered points together: "...certified.2.Our ...", "...认证。3、..."
    text = "1.We are ISO 9001 certified.2.Our products have CE approval.3)Good price. 我们通过BSCI验厂。4、获得CE证书。"
    assert texts(text) == [
        "1.We are ISO 9001 certified.",
        "Our products have CE approval.",
        "我们通过BSCI验厂。",
        "获得CE证书。",
    ]
    # Not list numbers: a decimal after a sentence end, a version after an abbreviation.
    assert texts("Certified to ISO 9001:2015.12 engineers.") == ["Certified to ISO 9001:2015.12 engineers."]
    assert texts("Rev. 2.1 of the charger is CE marked.") == ["Rev. 2.1 of the charger is CE marked."]


def test_location_is_recorded_and_duplicates_dropped() -> None:
    found = find_certification_statements("BSCI certified. BSCI certified.", "product_description")
    assert [(s.text, s.location) for s in found] == [("BSCI certified.", "product_description")]


@pytest.mark.parametrize("value", [None, "", 42, ["ISO certified"], {"a": "ISO certified"}])
def test_odd_input_gives_nothing(value: object) -> None:
    assert find_certification_statements(value, "x") == []


def test_hostile_input_is_bounded() -> None:
    for hostile in (
        "We are ISO certified and we are great. " * 300_000,
        "a" * 10_000_000,
        "<" * 5_000_000,
        "ISO certified " * 1_000_000,
        "".join(f"Item {i} is CE certified. " for i in range(200_000)),
    ):
        started = time.perf_counter()
        found = find_certification_statements(hostile, "x")
        assert time.perf_counter() - started < 2.0
        assert len(found) <= MAX_STATEMENTS
        assert all(len(s.text) <= 601 for s in found)
