"""Config validation: every error names the key and says what would be right."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.config import ConfigError, load_config, parse_duration, redact_url
from monitor.watchlist import TEMPLATE_PATH, add_supplier, remove_supplier, write_template

ROOT = Path(__file__).resolve().parents[1]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_project_config_and_template_are_valid(tmp_path: Path) -> None:
    for path in (ROOT / "config.toml", TEMPLATE_PATH):
        config = load_config(path)
        assert config.suppliers and config.suppliers[0].id == "haoyue"
        assert config.interval_for(config.suppliers[0]) == timedelta(hours=24)


def test_only_suppliers_is_enough_and_defaults_apply(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, '[[suppliers]]\nid = "a"\nurl = "https://a.en.alibaba.com/"\n'))
    assert config.browser.concurrency >= 1 and config.fetch.method == "browser"
    # A relative SQLite path is relative to the config file, not to the working directory.
    assert config.database.url == f"sqlite:///{(tmp_path / 'data' / 'monitor.db').resolve()}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[suppliers]]\nid = "Bad Id"\nurl = "https://x.com/"\n', "suppliers[0].id"),
        ('[[suppliers]]\nid = "a"\n', "give the supplier a url"),
        ('[[suppliers]]\nid = "a"\nurl = "ftp://x.com/"\n', "not an http(s) URL"),
        (
            '[[suppliers]]\nid = "a"\nurl = "https://x.com/"\ninterval = "soon"\n',
            "suppliers[0].interval (supplier 'a')",
        ),
        ('[[suppliers]]\nid = "a"\nurl = "https://x.com/"\nintervall = "1h"\n', "unknown key"),
        ("[browser]\nconcurrency = 0\n", "browser.concurrency"),
        (
            '[[suppliers]]\nid = "a"\nurl = "https://x.com/"\nplatform = "alibabba"\n',
            "suppliers[0].platform (supplier 'a'): unknown platform 'alibabba'; use 'auto' or one of: 1688, alibaba",
        ),
        ('[database]\nurl = "mysql://x"\n', "database.url"),
        ('[[suppliers]]\nid = "a"\nurl = "https://x.com/"\n[[suppliers]]\nid = "a"\nurl = "https://y.com/"\n', "twice"),
        ("suppliers = [", "not valid TOML"),
        (
            '[[recipients]]\nname = "Buyers"\nconsole = true\n[[recipients]]\nname = "buyers"\nconsole = true\n',
            "recipient name 'buyers' appears twice",
        ),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        load_config(_write(tmp_path, text))
    assert expected in str(excinfo.value)


def test_certification_body_list_is_resolved_and_checked_at_load(tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    config_path = _write(tmp_path, '[verify]\ncertification_bodies = "lists/bodies.csv"\n')
    with pytest.raises(ConfigError, match=r"verify\.certification_bodies: no such file: .*lists/bodies\.csv"):
        load_config(config_path)
    (tmp_path / "lists" / "bodies.csv").write_text("name,aliases,source\nStar Cert,,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"verify\.certification_bodies: .*line 2: 'Star Cert' has no source"):
        load_config(config_path)
    (tmp_path / "lists" / "bodies.csv").write_text("name,aliases,source\nStar Cert,,site visit\n", encoding="utf-8")
    # Relative to the config file, not to the working directory.
    assert load_config(config_path).verify.certification_bodies == (tmp_path / "lists" / "bodies.csv").resolve()


def test_recipient_naming_an_unknown_supplier_is_a_warning(tmp_path: Path) -> None:
    config = load_config(
        _write(
            tmp_path,
            '[[suppliers]]\nid = "pots"\nurl = "https://pots.en.alibaba.com/"\n'
            '[[recipients]]\nname = "Buyers"\nconsole = true\nsuppliers = ["pots", "*"]\n'
            '[[recipients]]\nname = "Kitchen"\nconsole = true\nsuppliers = ["pots", "pans"]\n',
        )
    )
    assert config.warnings() == ["recipients[1].suppliers (Kitchen): no supplier has the id 'pans'"]


def test_missing_file_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="supplier-monitor init"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "seconds"), [("24h", 86400), ("1h30m", 5400), ("10s", 10), ("1d", 86400), (5, 5), ("250ms", 0.25)]
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize(
    "text", ["", "soon", "-5s", "0s", "10x", True, "1e300", 1e300, float("inf"), float("nan"), "inf", "99999999999d"]
)
def test_bad_durations(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('interval = "1ms"', "suppliers[0].interval (supplier 'a'): '1ms' is shorter than the shortest interval"),
        ("interval = 0.5", "shorter than the shortest interval"),
        ('interval = "99999999999d"', "suppliers[0].interval (supplier 'a'): '99999999999d' is longer than a year"),
        ("interval = 1e300", "longer than a year"),
        ("interval = inf", "not a finite duration"),
        ('cron = "0 0 31 2 *"', "cron '0 0 31 2 *' never fires"),
        ('cron = "61 * * * *"', "is not a crontab expression"),
    ],
)
def test_absurd_schedules_are_refused_naming_the_key(tmp_path: Path, line: str, says: str) -> None:
    text = f'[[suppliers]]\nid = "a"\nurl = "https://x.com/"\n{line}\n'
    with pytest.raises(ConfigError, match=re.escape(says)):
        load_config(_write(tmp_path, text))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[scheduler]\njitter = "99999999999d"\n', "scheduler.jitter: '99999999999d' is longer than a year"),
        ('[defaults]\ninterval = "100ms"\n', "defaults.interval: '100ms' is shorter than the shortest interval"),
        ("[politeness]\nbackoff_max = 1e308\n", "politeness.backoff_max"),
    ],
)
def test_absurd_durations_elsewhere_name_the_key(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(says)):
        load_config(_write(tmp_path, text))


def test_a_year_is_the_longest_interval(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, '[[suppliers]]\nid = "a"\nurl = "https://x.com/"\ninterval = "366d"\n'))
    assert config.suppliers[0].interval == timedelta(days=366)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('[[suppliers]]\nid = "a"\n'.encode("utf-16"), "is saved as UTF-16; TOML files must be UTF-8"),
        (b'[[suppliers]]\nid = "\xe9t\xe9"\n', "is not UTF-8 (byte 20 is not valid UTF-8)"),
    ],
)
def test_config_in_another_encoding_says_so(tmp_path: Path, content: bytes, says: str) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=re.escape(says)):
        load_config(path)


def test_utf8_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes('\ufeff[[suppliers]]\nid = "a"\nurl = "https://x.com/"\nname = "Zhèjiāng"\n'.encode())
    assert load_config(path).suppliers[0].name == "Zhèjiāng"


def test_a_folder_as_config_path_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a folder; give the path of the config file"):
        load_config(tmp_path)


def test_credentials_in_a_supplier_url_are_refused_and_not_echoed(tmp_path: Path) -> None:
    text = '[[suppliers]]\nid = "a"\nurl = "https://buyer:hunter2@x.com/store"\n'
    with pytest.raises(ConfigError, match="carries a user name or password") as caught:
        load_config(_write(tmp_path, text))
    assert "hunter2" not in str(caught.value)


def test_database_url_from_environment_is_never_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPLIER_MONITOR_DATABASE_URL", "postgresql+psycopg://monitor:s3cret@db/monitor")
    config = load_config(_write(tmp_path, ""))
    assert config.database.url.endswith("@db/monitor")
    assert "s3cret" not in redact_url(config.database.url)


def test_watch_list_edits_keep_comments_and_refuse_bad_entries(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    write_template(path)
    with pytest.raises(ConfigError, match="already exists"):
        write_template(path)
    add_supplier(path, {"id": "kettles", "url": "https://k.en.alibaba.com/company_profile.html", "tags": ["k"]})
    text = path.read_text(encoding="utf-8")
    assert "# One table per watched supplier." in text and 'id = "kettles"' in text
    with pytest.raises(ConfigError, match="already watched"):
        add_supplier(path, {"id": "kettles", "url": "https://k2.en.alibaba.com/"})
    with pytest.raises(ConfigError, match="suppliers"):
        add_supplier(path, {"id": "Not Valid", "url": "https://k2.en.alibaba.com/"})
    assert load_config(path).supplier("kettles").tags == ["k"]
    remove_supplier(path, "kettles")
    assert [s.id for s in load_config(path).suppliers] == ["haoyue"]
    with pytest.raises(ConfigError, match="no supplier"):
        remove_supplier(path, "kettles")
