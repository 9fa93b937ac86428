"""Unit tests for scrapers.normalize: text cleaning, certification names, dates, periods, integers."""

from __future__ import annotations

from datetime import date

import pytest

from scrapers.normalize import (
    clean_text,
    normalize_certification,
    normalize_country,
    parse_date,
    parse_int,
    parse_validity_period,
    plausible_validity,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  a \n\t b  ", "a b"),
        ("a\xa0\xa0b", "a b"),
        ("The\u807dsupplier's\u807dcompany", "The supplier's company"),  # GBK mojibake nbsp
        ("我\u807d說", "我\u807d說"),  # a real Chinese character inside Chinese text is kept
        ("x\u200by\ufeff", "xy"),
        ("A \u9225? B", "A - B"),
        ("\u3000全角\u3000", "全角"),
        (None, ""),
        (42, "42"),
        ("Zhejiang,\u00c2\u00a0China", "Zhejiang, China"),  # UTF-8 nbsp read back as Latin-1
        ("Tea \u00c2\u00b7 Coffee", "Tea \u00b7 Coffee"),
        ("\u00c2u Lac", "\u00c2u Lac"),  # a real capital A-circumflex is kept
        ("supplier\u00e2\u20ac\u2122s", "supplier's"),
        ("\u951f\u65a4\u62f7Manufacturer\u951f\u65a4\u62f7\u951f\u65a4\u62f7", "Manufacturer"),  # lost characters
        ("Fujian\ufffdChina", "Fujian China"),
    ],
)
def test_clean_text(raw: object, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("name", "standard", "edition", "kind"),
    [
        ("ISO9001:2015", "ISO 9001", "2015", "management_system"),
        ("ISO 9001-2015", "ISO 9001", "2015", "management_system"),
        ("ISO-9001 : 2015", "ISO 9001", "2015", "management_system"),
        ("ISO9001", "ISO 9001", None, "management_system"),
        ("ISO 9001:2008", "ISO 9001", "2008", "management_system"),
        ("ISO 9001-08", "ISO 9001", "2008", "management_system"),
        ("ISO 9001 2015", "ISO 9001", "2015", "management_system"),
        ("ISO9001：2015", "ISO 9001", "2015", "management_system"),
        ("GB/T19001-2016/ISO9001:2015", "ISO 9001", "2015", "management_system"),
        ("GB/T 19001-2016", "GB/T 19001", "2016", "management_system"),
        ("ISO9001质量管理体系认证证书", "ISO 9001", None, "management_system"),
        ("ISO 14001:2015", "ISO 14001", "2015", "management_system"),
        ("ISO 45001:2018", "ISO 45001", "2018", "management_system"),
        ("EN ISO 13485:2016", "ISO 13485", "2016", "management_system"),
        ("ISO22000", "ISO 22000", None, "management_system"),
        ("ISO 27001:2013", "ISO/IEC 27001", "2013", "management_system"),
        ("ISO/IEC 27001:2022", "ISO/IEC 27001", "2022", "management_system"),
        ("ISO 50001", "ISO 50001", None, "management_system"),
        ("ISO/TS 16949:2009", "ISO/TS 16949", "2009", "management_system"),
        ("IATF16949:2016", "IATF 16949", "2016", "management_system"),
        ("OHSAS 18001:2007", "OHSAS 18001", "2007", "management_system"),
        ("ISO/IEC 17025:2017", "ISO/IEC 17025", "2017", "management_system"),
        ("ISO 17025", "ISO/IEC 17025", None, "management_system"),
        ("ISO 1833", "ISO 1833", None, "other"),
        ("ISO 10993-5", "ISO 10993-5", None, "other"),
        ("ISO 10993-1:2018", "ISO 10993-1", "2018", "other"),  # the part is kept beside an edition
        ("ISO/IEC 20000-1:2018", "ISO/IEC 20000", "2018", "management_system"),
        ("ISO 9001 (2015)", "ISO 9001", "2015", "management_system"),
        ("ISO 9001 version 2015", "ISO 9001", "2015", "management_system"),
        ("ＩＳＯ９００１：２０１５", "ISO 9001", "2015", "management_system"),
        ("ISO 9001:2015 / ISO 14001:2015", "ISO 9001", "2015", "management_system"),
        ("IECQ QC 080000", "IECQ QC 080000", None, "management_system"),
        ("QC080000:2017", "IECQ QC 080000", "2017", "management_system"),
        ("CE", "CE", None, "product"),
        ("CE认证", "CE", None, "product"),
        ("RoHS", "RoHS", None, "product"),
        ("FCC", "FCC", None, "product"),
        ("UL", "UL", None, "product"),
        ("ETL", "ETL", None, "product"),
        ("CB", "CB", None, "product"),
        ("GS", "GS", None, "product"),
        ("FDA", "FDA", None, "product"),
        ("LFGB", "LFGB", None, "product"),
        ("REACH", "REACH", None, "product"),
        ("EMC", "EMC", None, "product"),
        ("LVD", "LVD", None, "product"),
        ("SAA", "SAA", None, "product"),
        ("KC", "KC", None, "product"),
        ("PSE", "PSE", None, "product"),
        ("CCC", "CCC", None, "product"),
        ("中国强制性产品认证", "CCC", None, "product"),
        ("BSCI", "BSCI", None, "audit"),
        ("amfori BSCI", "BSCI", None, "audit"),
        ("SMETA 4 Pillar", "SMETA", None, "audit"),
        ("Sedex", "Sedex", None, "audit"),
        ("SA8000:2014", "SA8000", "2014", "audit"),
        ("WRAP", "WRAP", None, "audit"),
        ("GSV", "GSV", None, "audit"),
        ("C-TPAT", "C-TPAT", None, "audit"),
        ("Factory Audit Report", None, None, "audit"),
        ("质量管理体系认证证书", None, None, "management_system"),
        ("Certification of Quality Management System Authentication", None, None, "management_system"),
        ("ISO certificate", None, None, "management_system"),
        ("HACCP", "HACCP", None, "management_system"),
        ("Test Report", None, None, "other"),
        ("Certification of High-Tech Enterprises", None, None, "other"),
        ("", None, None, "other"),
        (None, None, None, "other"),
    ],
)
def test_normalize_certification(name: object, standard: str | None, edition: str | None, kind: str) -> None:
    assert normalize_certification(name) == (standard, edition, kind)


def test_normalize_certification_ignores_words_that_look_like_marks() -> None:
    # lower-case words must not become marks
    assert normalize_certification("reach our customers")[2] == "other"
    assert normalize_certification("Certificate")[2] == "other"
    # a certificate number after the standard is not an edition
    assert normalize_certification("ISO9001 No. 1234567") == ("ISO 9001", None, "management_system")
    # an unknown two-digit suffix is not invented into an edition
    assert normalize_certification("ISO 9001-99")[1] is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2017-06-13", date(2017, 6, 13)),
        ("2017/6/13", date(2017, 6, 13)),
        ("2017.06.13", date(2017, 6, 13)),
        ("13 Jun 2017", date(2017, 6, 13)),
        ("13-Jun-2017", date(2017, 6, 13)),
        ("Jun. 13, 2017", date(2017, 6, 13)),
        ("June 13th, 2017", date(2017, 6, 13)),
        ("2017年6月13日", date(2017, 6, 13)),
        ("13/06/2017", date(2017, 6, 13)),
        ("06/13/2017", date(2017, 6, 13)),
        ("20170613", date(2017, 6, 13)),
        ("Issued on 2017-06-13.", date(2017, 6, 13)),
        (1497312000000, date(2017, 6, 13)),
        ("1497312000000", date(2017, 6, 13)),
        (date(2017, 6, 13), date(2017, 6, 13)),
        ("05/06/2017", None),  # ambiguous day/month: no guess
        ("2017-13-45", None),
        ("2017-02-30", None),
        ("长期有效", None),
        ("~", None),
        ("", None),
        ("1800-01-01", None),
        ("2101-01-01", None),
        (None, None),
        (True, None),
        (1e30, None),
        ([], None),
        ({"a": 1}, None),
        (1672848000000, date(2023, 1, 5)),  # midnight in Beijing, the marketplace's day
        (1672876800000, date(2023, 1, 5)),  # midnight UTC
        (0, None),  # "no date" sentinels and small numbers are not timestamps
        (-1, None),
        (2015, None),
        (20230105, date(2023, 1, 5)),
        ("0000-00-00", None),
    ],
)
def test_parse_date(raw: object, expected: date | None) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2017-06-13 ~ 2018-09-15", (date(2017, 6, 13), date(2018, 9, 15))),
        ("2012-06-27 ~ ", (date(2012, 6, 27), None)),
        ("2017.06.13 - 2018.09.15", (date(2017, 6, 13), date(2018, 9, 15))),
        ("2017.06.13-2018.09.15", (date(2017, 6, 13), date(2018, 9, 15))),
        ("2017-06-13 to 2018-09-15", (date(2017, 6, 13), date(2018, 9, 15))),
        ("2017年6月13日至2018年9月15日", (date(2017, 6, 13), date(2018, 9, 15))),
        ("2017-06-13 至 长期有效", (date(2017, 6, 13), None)),
        ("13 Jun 2017 --- 15 Sep 2018", (date(2017, 6, 13), date(2018, 9, 15))),
        ("~ 2018-09-15", (None, date(2018, 9, 15))),
        ("2017-13-45 ~ 2018-09-15", (None, date(2018, 9, 15))),
        ("", (None, None)),
        (None, (None, None)),
        ("n/a", (None, None)),
        ("2023.01.05-2026.01.04", (date(2023, 1, 5), date(2026, 1, 4))),
        ("2023/01/05 ~", (date(2023, 1, 5), None)),
        ("Jan 5, 2023 - Jan 4, 2026", (date(2023, 1, 5), date(2026, 1, 4))),
        ("2023-01-05→2026-01-04", (date(2023, 1, 5), date(2026, 1, 4))),
        ("1672848000000 ~ 1767456000000", (date(2023, 1, 5), date(2026, 1, 4))),
        ("~ 1767456000000", (None, date(2026, 1, 4))),
        ([1672876800000, 1767484800000], (date(2023, 1, 5), date(2026, 1, 4))),
        (("2023-01-05", None), (date(2023, 1, 5), None)),
        ({"start": "2023-01-05", "end": "2026-01-04"}, (date(2023, 1, 5), date(2026, 1, 4))),
        ({"from": None, "to": 1767484800000}, (None, date(2026, 1, 4))),
        ([None, [1], {}], (None, None)),
        ("01/03/2021 - 28/02/2024", (date(2021, 3, 1), date(2024, 2, 28))),  # the 28 says day first
        ("03/01/2021 - 02/28/2024", (date(2021, 3, 1), date(2024, 2, 28))),  # the 28 says month first
        ("05/06/2021 - 04/06/2024", (None, None)),  # both ambiguous: no guess
        ("截止日期：2026-01-04", (None, date(2026, 1, 4))),
        ("Expires 2026-01-04", (None, date(2026, 1, 4))),
        ("0000-00-00 ~ 0000-00-00", (None, None)),
    ],
)
def test_parse_validity_period(raw: object, expected: tuple[date | None, date | None]) -> None:
    assert parse_validity_period(raw) == expected


def test_plausible_validity_drops_an_inverted_period() -> None:
    assert plausible_validity(date(2026, 1, 4), date(2023, 1, 5)) == (None, None)
    assert plausible_validity(date(2023, 1, 5), date(2026, 1, 4)) == (date(2023, 1, 5), date(2026, 1, 4))
    assert plausible_validity(date(2023, 1, 5), None) == (date(2023, 1, 5), None)
    assert plausible_validity(None, date(2023, 1, 5)) == (None, date(2023, 1, 5))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CN", "CN"),
        (" cn ", "CN"),
        ("China (Mainland)", "CN"),
        ("Mainland China", "CN"),
        ("中国", "CN"),
        ("Hong Kong S.A.R.", "HK"),
        ("Viet Nam", "VN"),
        ("UK", "GB"),
        ("Narnia", "Narnia"),  # unknown names are kept as shown
        ("", None),
        (None, None),
    ],
)
def test_normalize_country(raw: object, expected: str | None) -> None:
    assert normalize_country(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("6 yrs", 6),
        ("Established in 2005", 2005),
        ("43", 43),
        ("1,200", 1200),
        ("51 - 100 People", 51),
        (7, 7),
        (3.9, 3),
        ("none", None),
        ("", None),
        (None, None),
        (True, None),
        ([1], None),
    ],
)
def test_parse_int(raw: object, expected: int | None) -> None:
    assert parse_int(raw) == expected


def test_helpers_are_bounded_on_huge_input() -> None:
    huge = "9" * 5_000_000
    assert parse_int(huge) is None
    assert parse_date(huge) is None
    assert normalize_certification("ISO " * 1_000_000)[2] in {"management_system", "other"}


def test_plausible_validity_drops_sentinel_dates() -> None:
    assert plausible_validity(date(1970, 1, 1), date(2025, 6, 30)) == (None, date(2025, 6, 30))
    assert plausible_validity(date(1900, 1, 1), date(1900, 1, 1)) == (None, None)
    assert plausible_validity(date(1987, 3, 1), None) == (date(1987, 3, 1), None)
