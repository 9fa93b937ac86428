"""Local CSV registry: import (tolerant headers, dates, bad rows, re-import) and matching."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from monitor.registries import LocalRegistry, holder_key, import_csv, number_key, standard_key
from monitor.registries.local import parse_date
from monitor.verify.findings import Registry
from scrapers.claims import Certification
from storage import Database, open_database, registry_sources

CSV = """\
Certificate Number,Holder,Standard,Edition,Certification Body,Accreditation_Body,Status,Valid From,Valid Until,Scope
Q-2024/0001,"Ningbo Haoyue Textile Co., Ltd.",ISO 9001,2015,TÜV SÜD,DAkkS,active,2024-01-15,2027-01-14,Weaving
E 55 12,Müller GmbH & Co. KG,ISO 14001,2015,DQS,DAkkS,active,15.03.2023,14.03.2026,
Q-9,Bad Date Ltd,ISO 9001,2015,X,Y,active,2024-13-45,2027-01-01,
,,ISO 9001,,,,,,,
,Acme LLC,ISO 45001,2018,BV,UKAS,suspended,01/02/2024,2027-02-01,
,Acme LLC,ISO 9001,2015,BV,UKAS,active,2023-05-01,2026-04-30,
Q-10,Backwards Ltd,ISO 9001,2015,X,Y,active,2025-01-01,2024-01-01,
,,,,,,,,,

Q-11,"Multi
Line Ltd",ISO 9001,2015,X,Y,active,Jan 5 2024,"20270104",scope
"""


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    try:
        yield database
    finally:
        database.dispose()


def write(tmp_path: Path, text: str, name: str = "registry.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def cert(name: str = "ISO 9001", number: str | None = None, standard: str | None = None) -> Certification:
    return Certification(name=name, standard=standard or name, number=number)


def test_keys() -> None:
    variants = [
        "Ningbo Haoyue Textile Co., Ltd.",
        "NINGBO HAOYUE TEXTILE CO.,LTD",
        "Ningbo Haoyue Textile Company Limited",
        "ningbo  haoyue textile co ltd",
        "Ningbo Haoyue Textile Ltd",
        "Ningbo Haoyue Textile",
    ]
    assert {holder_key(v) for v in variants} == {"ningbohaoyuetextile"}
    assert holder_key("浙江昊悦纺织有限公司") == holder_key("浙江昊悦纺织股份有限公司") == "浙江昊悦纺织"
    assert holder_key("Société Générale S.A.") == "societegenerale"
    assert holder_key("Acme, L.L.C.") == holder_key("ACME Inc.") == holder_key("Acme GmbH") == "acme"
    assert holder_key("ＡＣＭＥ Corp.") == "acme"
    assert holder_key("  ") is None and holder_key(None) is None
    assert number_key("Q-2024/0001") == number_key("q 2024 0001") == "q20240001"
    assert number_key("—/ -") is None
    assert standard_key("ISO 9001:2015") == standard_key("iso9001") == "iso9001"
    assert standard_key("ISO/IEC 27001:2022") == standard_key("ISO 27001") == "iso27001"


def test_parse_date_formats() -> None:
    assert parse_date("2024-01-15") == parse_date("15.01.2024") == parse_date("2024/01/15") == date(2024, 1, 15)
    assert parse_date("15 Jan 2024") == parse_date("January 15, 2024") == parse_date("20240115") == date(2024, 1, 15)
    assert parse_date("2024-01-15T00:00:00Z") == date(2024, 1, 15)
    assert parse_date("25/01/2024") == parse_date("01/25/2024") == date(2024, 1, 25)
    with pytest.raises(ValueError, match="ambiguous"):
        parse_date("01/02/2024")
    assert parse_date("01/02/2024", day_first=True) == date(2024, 2, 1)
    assert parse_date("01/02/2024", day_first=False) == date(2024, 1, 2)


def test_import_reports_bad_rows_with_line_numbers(db: Database, tmp_path: Path) -> None:
    result = import_csv(db, write(tmp_path, CSV))
    assert result.source == "registry.csv"
    assert result.imported == 4
    assert result.replaced == 0
    assert [(e.line, e.message.split(" ")[0]) for e in result.errors] == [
        (4, "unrecognised"),
        (5, "row"),
        (6, "ambiguous"),
        (8, "valid_until"),
    ]
    assert result.warnings == []
    record = LocalRegistry(db).lookup(cert(number="Q-11"), None).record
    assert record is not None and record.holder == "Multi\nLine Ltd"
    assert (record.valid_from, record.valid_until) == (date(2024, 1, 5), date(2027, 1, 4))


def test_reimport_replaces_only_that_file(db: Database, tmp_path: Path) -> None:
    import_csv(db, write(tmp_path, CSV))
    other = write(tmp_path, "number;holder;standard\nX-1;Other Co;ISO 9001\n", "other.csv")
    assert import_csv(db, other).imported == 1  # semicolon-separated
    again = import_csv(db, write(tmp_path, "cert no,company\nQ-2024/0001,Ningbo Haoyue Textile Co Ltd\n"))
    assert (again.imported, again.replaced) == (1, 4)
    assert registry_sources(db) == [("other.csv", 1), ("registry.csv", 1)]
    registry = LocalRegistry(db)
    assert registry.lookup(cert(number="E-5512"), None).record is None
    assert registry.lookup(cert(number="x1"), None).record is not None


def test_unusable_header_is_fatal_and_unknown_columns_warn(db: Database, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="neither"):
        import_csv(db, write(tmp_path, "foo,bar\n1,2\n"))
    with pytest.raises(ValueError, match="empty"):
        import_csv(db, write(tmp_path, ""))
    result = import_csv(db, write(tmp_path, "\ufeffNumber,Holder,Remarks\nA1,B,c\n"))
    assert result.imported == 1 and result.warnings == ["ignored column 'Remarks'"]


def test_lookup_by_number_and_by_holder(db: Database, tmp_path: Path) -> None:
    import_csv(db, write(tmp_path, CSV))
    registry: Registry = LocalRegistry(db)

    by_number = registry.lookup(cert(number="q 2024-0001"), "whoever")
    assert by_number.error is None and by_number.record is not None
    rec = by_number.record
    assert (rec.number, rec.holder, rec.status, rec.scope) == (
        "Q-2024/0001",
        "Ningbo Haoyue Textile Co., Ltd.",
        "active",
        "Weaving",
    )
    assert (rec.certification_body, rec.accreditation_body, rec.edition) == ("TÜV SÜD", "DAkkS", "2015")
    assert rec.valid_until == date(2027, 1, 14)
    assert rec.source == "local registry (registry.csv)"
    assert rec.matched_by == "number"  # type: ignore[attr-defined]

    # No number on the page: the holder's certificate for the claimed standard, any legal-form spelling.
    for name in ("NINGBO HAOYUE TEXTILE CO.,LTD", "Ningbo Haoyue Textile Company Limited"):
        found = registry.lookup(cert("ISO 9001:2015 certificate", standard="ISO 9001:2015"), name).record
        assert found is not None and found.number == "Q-2024/0001" and found.matched_by == "holder"  # type: ignore[attr-defined]
    # Unknown number falls back to the holder: rules then see the number differs.
    fallback = registry.lookup(cert(number="FAKE-1"), "Ningbo Haoyue Textile Ltd").record
    assert fallback is not None and fallback.number == "Q-2024/0001"
    # Standard must match for a holder lookup.
    assert registry.lookup(cert("ISO 14001"), "Ningbo Haoyue Textile Co., Ltd.").record is None
    assert registry.lookup(cert("ISO 14001"), "Müller GmbH").record is not None
    assert registry.lookup(cert("ISO 45001"), "ACME, Inc.").record is None  # its row had a bad date
    acme = registry.lookup(cert("ISO 9001"), "Acme LLC").record
    assert acme is not None and acme.number is None and acme.certification_body == "BV"
    assert registry.lookup(cert(), None).record is None
    assert registry.lookup(cert(), "Unknown Co").record is None


def test_number_match_prefers_row_agreeing_on_standard_and_holder(db: Database, tmp_path: Path) -> None:
    text = (
        "number,holder,standard,valid_until\nA-1,Other Ltd,ISO 14001,2030-01-01\nA-1,Right Co Ltd,ISO 9001,2026-01-01\n"
    )
    import_csv(db, write(tmp_path, text))
    record = LocalRegistry(db).lookup(cert("ISO 9001", number="A1"), "Right Co., Ltd.").record
    assert record is not None and record.holder == "Right Co Ltd"
    # A number match with another holder is still returned (the classic borrowed certificate).
    borrowed = LocalRegistry(db).lookup(cert("ISO 14001", number="A-1"), "Me Ltd").record
    assert borrowed is not None and borrowed.holder == "Other Ltd"


@pytest.mark.timeout(120)  # a guard against a per-row query blow-up; the speed is measured by bench/registry_bench.py
def test_thousands_of_rows_import_and_lookup(db: Database, tmp_path: Path) -> None:
    n = 5000
    header = "number,holder,standard,edition,certification_body,status,valid_from,valid_until"
    rows = [
        f'CN-{i:06d},"Company {i} Co., Ltd.",ISO {9001 if i % 2 else 14001},2015,CB {i % 7},active,'
        "2024-01-01,2027-01-01"
        for i in range(n)
    ]
    path = write(tmp_path, "\n".join([header, *rows]) + "\n")
    result = import_csv(db, path)
    assert result.imported == n and result.errors == []
    registry = LocalRegistry(db)
    for i in range(0, n, 25):
        by_number = registry.lookup(cert(number=f"cn {i:06d}"), None).record
        assert by_number is not None and by_number.holder == f"Company {i} Co., Ltd."
        by_holder = registry.lookup(cert(f"ISO {9001 if i % 2 else 14001}"), f"COMPANY {i} COMPANY LIMITED").record
        assert by_holder is not None and by_holder.number == f"CN-{i:06d}"


HUGE = "x" * (5 * 1024 * 1024)  # a 5 MB cell: far beyond what any registry export puts in one field
GOOD_AND_HUGE = (
    "number,holder,standard,valid_from,valid_until,scope\n"
    "H-1,First Ltd,ISO 9001,2024-01-01,2027-01-01,Weaving\n"
    f'H-2,Huge Ltd,ISO 9001,2024-01-01,2027-01-01,"{HUGE}"\n'
    "H-3,Third Ltd,ISO 9001,2024-01-01,2027-01-01,Dyeing\n"
    f"H-4,Unquoted Ltd,ISO 9001,2024-01-01,2027-01-01,{HUGE}\n"
    "H-5,Fifth Ltd,ISO 14001,2024-01-01,2027-01-01,Printing\n"
)


def test_a_huge_field_is_a_line_error_and_the_other_lines_are_imported(db: Database, tmp_path: Path) -> None:
    result = import_csv(db, write(tmp_path, GOOD_AND_HUGE))
    assert [e.line for e in result.errors] == [3, 5]
    assert all("5242880 characters" in e.message and "limit" in e.message for e in result.errors)
    assert result.imported == 3
    registry = LocalRegistry(db)
    assert [registry.lookup(cert(number=f"H-{n}"), None).record is not None for n in range(1, 6)] == [
        True,
        False,
        True,
        False,
        True,
    ]


def test_an_unclosed_quote_is_reported_on_the_line_where_it_starts(db: Database, tmp_path: Path) -> None:
    text = 'number,holder,scope\nQ-1,One Ltd,ok\nQ-2,"Two Ltd,broken\n' + "".join(
        f"Q-{n},Company {n},x\n" for n in (3, 4, 5)
    )
    result = import_csv(db, write(tmp_path, text))
    [error] = result.errors
    assert error.line == 3 and "quote" in error.message
    assert result.imported == 4, "the lines after the unclosed quote are read again, not swallowed"
    record = LocalRegistry(db).lookup(cert(number="Q-4"), None).record
    assert record is not None and record.holder == "Company 4"
    assert LocalRegistry(db).lookup(cert(number="Q-2"), None).record is None


def test_duplicate_certificate_numbers_in_one_file_are_a_warning_naming_the_lines(db: Database, tmp_path: Path) -> None:
    text = (
        "number,holder,standard\n"
        "D-1,One Ltd,ISO 9001\n"
        "D-2,Two Ltd,ISO 9001\n"
        "d 1,One Ltd,ISO 14001\n"  # the same number written another way
        "D-3,Three Ltd,ISO 9001\n"
        "D-2,Two Ltd,ISO 9001\n"
        "D-1,Copy Ltd,ISO 9001\n"
    )
    result = import_csv(db, write(tmp_path, text))
    assert result.errors == [] and result.imported == 6, "duplicates are kept: the lookup prefers the best match"
    assert result.warnings == [
        "certificate number 'D-1' is on lines 2, 4 and 7",
        "certificate number 'D-2' is on lines 3 and 6",
    ]


def test_registry_import_command_reports_a_huge_field_without_a_traceback(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    (tmp_path / "config.toml").write_text('[database]\nurl = "sqlite:///m.db"\n', encoding="utf-8")
    write(tmp_path, GOOD_AND_HUGE + "H-1,First Ltd,ISO 14001,,,\n", "big.csv")
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(root)}
    env.pop("SUPPLIER_MONITOR_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "registry", "import", "big.csv"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == 1, "bad lines make the exit code non-zero"
    assert "Imported 4 certificate(s) from big.csv" in done.stdout
    assert "line 3:" in done.stderr and "line 5:" in done.stderr
    assert "certificate number 'H-1' is on lines 2 and 7" in done.stderr
    assert len(done.stderr) < 5000, "the huge field is not printed"
