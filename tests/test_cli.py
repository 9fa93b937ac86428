"""The command line end to end, as a user runs it: real files, real servers, the real entry point.

A few commands run as a user starts them, in a separate process (``cli``: ``python -m monitor``, or the installed
``supplier-monitor`` script): for the exit codes and stderr a shell sees, and a browser check. The rest run the
same entry point, ``monitor.cli.run_cli``, in this process (``cli_here``): each separate process costs about a
second of Python and import start-up, which adds up over dozens of commands.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import requires_browser
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
#: The demo marketplace and the test servers are on loopback, which is fetched only with this flag.
LOOPBACK_FETCH = "[fetch]\nallow_private_addresses = true\n"
#: The console script ``make install`` puts beside the venv's python.
INSTALLED = Path(sys.executable).parent / "supplier-monitor"


def cli(*args: str, cwd: Path, timeout: float = 240, program: str | None = None) -> subprocess.CompletedProcess[str]:
    """The command in a new process: ``python -m monitor``, or ``program`` (the installed script)."""
    env = {**os.environ, "COLUMNS": "200", "PYTHONPATH": str(ROOT)}
    env.pop("SUPPLIER_MONITOR_DATABASE_URL", None)
    command = [program] if program else [sys.executable, "-m", "monitor"]
    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class Ran:
    """What a command run in this process left: the fields of ``subprocess.CompletedProcess`` the tests read."""

    returncode: int
    stdout: str
    stderr: str


def cli_here(*args: str, cwd: Path, columns: int = 200) -> Ran:
    """The command in this process, through the console entry point ``run_cli`` with its own argv, working
    directory, environment (as ``cli`` sets it) and stdout/stderr (click's CliRunner isolation).

    The CLI's logging goes to that stderr as in a process of its own (pytest's log handlers are set aside), and
    an exception that escapes is printed there as a traceback with exit code 1, as Python does.
    """
    from monitor.cli import run_cli

    root = logging.getLogger()
    handlers, level, argv, previous = root.handlers[:], root.level, sys.argv, Path.cwd()
    env = {"COLUMNS": str(columns), "SUPPLIER_MONITOR_DATABASE_URL": None, "SUPPLIER_MONITOR_CONFIG": None}
    with CliRunner().isolation(env=env) as (out, err, _):
        root.handlers = []
        sys.argv = ["supplier-monitor", *args]
        os.chdir(cwd)
        try:
            run_cli()
            code = 0
        except SystemExit as exc:
            code = _exit_code(exc.code)
        except Exception:
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.chdir(previous)
            sys.argv = argv
            root.handlers = handlers
            root.setLevel(level)
        return Ran(code, out.getvalue().decode(), err.getvalue().decode())


def _exit_code(code: object) -> int:
    """The process exit status ``sys.exit(code)`` gives (a message is printed to stderr, status 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def installed() -> str:
    """The installed ``supplier-monitor`` script (``make test`` installs the project first)."""
    if not INSTALLED.exists():
        pytest.skip(f"{INSTALLED} is not installed (make install)")
    return str(INSTALLED)


def test_init_and_supplier_list_editing(tmp_path: Path) -> None:
    init = cli("init", cwd=tmp_path, program=installed())
    assert init.returncode == 0 and "Edit the [[suppliers]] list" in init.stdout
    assert (tmp_path / "config.toml").exists()
    again = cli("init", cwd=tmp_path, program=installed())
    assert again.returncode == 2 and "--force" in again.stderr
    added = cli_here(
        "suppliers", "add", "pots", "https://pots.en.alibaba.com/company_profile.html", "-t", "kitchen", cwd=tmp_path
    )
    assert added.returncode == 0, added.stderr
    listed = cli_here("suppliers", "list", cwd=tmp_path)
    assert "pots" in listed.stdout and "haoyue" in listed.stdout
    bad = cli_here("suppliers", "add", "Bad Id", "https://x.com/", cwd=tmp_path)
    assert bad.returncode == 2 and "suppliers[2].id" in bad.stderr
    assert cli_here("suppliers", "remove", "pots", cwd=tmp_path).returncode == 0
    assert "pots" not in cli_here("suppliers", "list", cwd=tmp_path).stdout


def test_bad_config_names_the_key(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[[suppliers]]\nid = "a"\nurl = "https://a.com/"\ninterval = "later"\n')
    result = cli("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "suppliers[0].interval" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("write", "says"),
    [
        (lambda p: p.write_bytes('[[suppliers]]\nid = "a"\n'.encode("utf-16")), "is saved as UTF-16"),
        (lambda p: p.mkdir(), "is a folder"),
        (
            lambda p: p.write_text('[[suppliers]]\nid = "a"\nurl = "https://a.com/"\ninterval = 1e300\n'),
            "longer than a year",
        ),
    ],
)
def test_unreadable_or_absurd_config_exits_2_without_a_traceback(tmp_path: Path, write, says: str) -> None:
    write(tmp_path / "config.toml")
    for command in ("check", "status"):
        result = cli_here(command, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert says in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql+psycopg://postgres:s3cret@127.0.0.1:{port}/x", "Connection refused"),
        ("sqlite:////proc/no-such-dir/monitor.db", "No such file or directory"),
    ],
)
def test_unusable_database_is_a_clear_error(tmp_path: Path, url: str, says: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    (tmp_path / "config.toml").write_text(
        f'[database]\nurl = "{url.format(port=port)}"\n[[suppliers]]\nid = "a"\nurl = "http://127.0.0.1:{port}/"\n',
        encoding="utf-8",
    )
    # The first as a shell runs it; the wrapper that turns the error into exit code 2 is the same in this process.
    for run, command in ((cli, ["status"]), (cli_here, ["check"]), (cli_here, ["alerts", "list"]),
                         (cli_here, ["registry", "list"])):  # fmt: skip
        result = run(*command, cwd=tmp_path)
        assert result.returncode == 2, (command, result.stderr)
        assert "cannot open the database" in result.stderr and says in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and "s3cret" not in result.stderr
        assert "SUPPLIER_MONITOR_DATABASE_URL" in result.stderr


def test_extract_saved_real_page_prints_the_claims_document(tmp_path: Path, shared_pages: Path) -> None:
    page = shared_pages / "alibaba_company_profile_cpmodules2018_jinou.html"
    result = cli_here("extract", str(page), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["schema"] == "supplier-claims/1" and doc["status"] == "ok"
    assert doc["source"]["platform"] == "alibaba"
    assert doc["source"]["page_type"] == "company_profile_modules"
    assert any(c["standard"] == "ISO 9001" and c["valid_until"] == "2018-09-15" for c in doc["certifications"])
    readable = cli_here("extract", str(page), cwd=tmp_path)
    assert readable.returncode == 0 and "ISO 9001" in readable.stdout


def test_extract_block_page_says_blocked(tmp_path: Path, shared_pages: Path) -> None:
    page = shared_pages / "alibaba_block_punish_captcha_interception_rendered.html"
    result = cli_here("extract", str(page), "--json", "--platform", "alibaba", cwd=tmp_path)
    doc = json.loads(result.stdout)
    assert doc["status"] == "blocked" and doc["certifications"] == []
    assert result.stderr.startswith("blocked: ") and "captcha" in result.stderr  # why, beside the document
    ok = cli_here(
        "extract", str(shared_pages / "alibaba_company_profile_legacy2018_hdradio.html"), "--json", cwd=tmp_path
    )
    assert ok.returncode == 0 and ok.stderr == ""


def test_verify_with_the_operators_body_list(tmp_path: Path, shared_pages: Path) -> None:
    page = str(shared_pages / "alibaba_company_profile_cpmodules2018_jinou.html")

    def unknown_issuers() -> set[str]:
        result = cli_here("verify", page, "--json", "--today", "2026-12-01", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        doc = json.loads(result.stdout)
        certs = doc["claims"]["certifications"]
        return {
            certs[f["certification"]]["issuer"] for f in doc["findings"] if f["code"] == "UNKNOWN_CERTIFICATION_BODY"
        }

    (tmp_path / "config.toml").write_text('[database]\nurl = "sqlite:///monitor.db"\n', encoding="utf-8")
    before = unknown_issuers()
    assert "BEIJING HANGXIE CERTIFICATION CENTER CO., LET." in before
    (tmp_path / "bodies.csv").write_text(
        "name,aliases,source\nBeijing Hangxie Certification Center,,CNCA directory (checked by hand)\n",
        encoding="utf-8",
    )
    (tmp_path / "config.toml").write_text(
        '[database]\nurl = "sqlite:///monitor.db"\n[verify]\ncertification_bodies = "bodies.csv"\n', encoding="utf-8"
    )
    after = unknown_issuers()
    assert after == before - {"BEIJING HANGXIE CERTIFICATION CENTER CO., LET."}


@pytest.mark.parametrize("method", ["http", pytest.param("browser", marks=requires_browser)])
def test_extract_live_url(tmp_path: Path, marketplace, method: str) -> None:
    url = f"{marketplace.base_url}/store/hengtai-machinery/company_profile.html"
    (tmp_path / "config.toml").write_text(LOOPBACK_FETCH, encoding="utf-8")
    run = cli if method == "browser" else cli_here  # the browser one as a user starts it, Chromium and all
    result = run("extract", url, "--json", "--method", method, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["status"] == "ok" and doc["source"]["url"] == url and doc["source"]["fetched_at"]
    assert doc["supplier"]["name"] == "Zhengzhou Hengtai Machinery Co., Ltd."


def test_extract_errors_are_clear(tmp_path: Path) -> None:
    missing = cli_here("extract", "no-such-file.html", cwd=tmp_path)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Without the flag a loopback URL is refused before anything is sent, and says why.
    refused = cli_here("extract", f"http://127.0.0.1:{port}/x.html", "--method", "http", cwd=tmp_path)
    assert refused.returncode == 1 and "blocked_address" in refused.stderr and "Traceback" not in refused.stderr
    (tmp_path / "config.toml").write_text(LOOPBACK_FETCH, encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead = cli("extract", f"http://127.0.0.1:{port}/x.html", "--method", "http", cwd=tmp_path)
    assert dead.returncode == 1 and "unreachable" in dead.stderr and "Traceback" not in dead.stderr
    unknown = cli_here("extract", "https://example.com/", "--platform", "nowhere", cwd=tmp_path)
    assert unknown.returncode == 2 and "known platforms: 1688, alibaba" in unknown.stderr


@requires_browser
def test_check_stores_and_reports_each_supplier(tmp_path: Path, marketplace) -> None:
    base = marketplace.base_url
    (tmp_path / "config.toml").write_text(
        f"""{LOOPBACK_FETCH}
[politeness]
min_delay_per_host = "0s"
max_concurrency_per_host = 8

[[suppliers]]
id = "lumina"
name = "Lumina [red]Red[/red] <b>x</b> \\u001b[2J"
url = "{base}/store/lumina-led/company_profile.html"

[[suppliers]]
id = "ghost"
name = "Gone Trading"
url = "{base}/store/ghost-trading/company_profile.html"

[[suppliers]]
id = "kangda"
url = "{base}/product-detail/kangda-medical.html"
""",
        encoding="utf-8",
    )
    first = cli("check", "--json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    rows = {row["supplier"]: row for row in json.loads(first.stdout)}
    assert rows["lumina"]["status"] == "ok" and rows["lumina"]["changed"]
    assert rows["ghost"]["status"] == "not_found"
    assert rows["kangda"]["status"] == "ok"
    assert (tmp_path / "data" / "monitor.db").exists()

    second = cli("check", "--supplier", "lumina", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "unchanged" in second.stdout
    # Names are shown as text: rich markup is not interpreted and terminal escapes are dropped.
    assert "Lumina [red]Red[/red] <b>x</b>" in second.stdout
    assert "\x1b[2J" not in second.stdout
    unknown = cli_here("check", "--supplier", "nobody", cwd=tmp_path)
    assert unknown.returncode == 2 and "known: lumina, ghost, kangda" in unknown.stderr


@requires_browser
def test_demo_runs_rounds_and_prints_what_it_found(tmp_path: Path) -> None:
    # In this process: the certificate pictures it reads are then read once per test session (the process keeps its
    # last readings), not once more in a process of its own.
    result = cli_here("demo", "--rounds", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Round 0" in result.stdout and "Round 1" in result.stdout
    assert "blocked: 1, ok: 16" in result.stdout, "round 1 serves the captcha page for one supplier, and only one"
    assert "backing_off" not in result.stdout, "one store's captcha must not hold back the others"
    # Every platform's page is read by its own parser (the captcha page of round 1 by none).
    platforms = "1688 1, {alibaba}, global_sources 1, indiamart 1, made_in_china 1, website 1"
    assert "read by: " + platforms.format(alibaba="alibaba 12") in result.stdout
    assert "read by: " + platforms.format(alibaba="alibaba 11") in result.stdout
    changed = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("changed: ")]
    changed = [line.removesuffix(" (new evidence kept)") for line in changed]
    haoyu = "changed: Ningbo Haoyu Valve Manufacturing Co., Ltd. - claims differ from the last snapshot"
    assert changed == [haoyu], "round 1 changes one supplier's employee count, and nothing else"
    assert (tmp_path / "data" / "demo.db").exists()


def test_rules_lists_every_code_with_severity_and_source(tmp_path: Path) -> None:
    result = cli_here("rules", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rules = {r["code"]: r for r in json.loads(result.stdout)}
    for code in ("ISO_AS_CERTIFIER", "EXPIRED", "WITHDRAWN_EDITION", "REGISTRY_INACTIVE", "VAGUE_ISO_CLAIM"):
        assert rules[code]["severity"] in {"critical", "high", "medium", "low", "info"}
        assert rules[code]["source"] and rules[code]["explanation"]
    assert "ISO_AS_CERTIFIER" in cli_here("rules", cwd=tmp_path).stdout


def test_verify_real_page_as_of_a_date(tmp_path: Path, shared_pages: Path) -> None:
    page = shared_pages / "alibaba_company_profile_cpmodules2018_jinou.html"
    result = cli_here("verify", str(page), "--json", "--today", "2026-11-26", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert set(document) == {"claims", "findings"}
    certs = document["claims"]["certifications"]
    expired = [f for f in document["findings"] if f["code"] == "EXPIRED"]
    assert any(certs[f["certification"]]["valid_until"] == "2018-09-15" for f in expired)
    assert {"code", "severity", "certification", "statement", "message", "evidence", "rule_source"} <= set(expired[0])
    # As of 2015 the same certificate was still current.
    earlier = json.loads(cli_here("verify", str(page), "--json", "--today", "2015-06-01", cwd=tmp_path).stdout)
    assert not any(
        f["code"] == "EXPIRED" and certs[f["certification"]]["valid_until"] == "2018-09-15" for f in earlier["findings"]
    )
    bad_day = cli_here("verify", str(page), "--today", "2017-13-45", cwd=tmp_path)
    assert bad_day.returncode == 2 and "--today" in bad_day.stderr
    # A config's [verify] as_of is the default day; --today still wins.
    (tmp_path / "config.toml").write_text('[verify]\nas_of = "2015-06-01"\n', encoding="utf-8")
    pinned = json.loads(cli_here("verify", str(page), "--json", cwd=tmp_path).stdout)
    assert pinned["findings"] == earlier["findings"]
    assert "as of 2026-11-26" in cli_here("verify", str(page), "--today", "2026-11-26", cwd=tmp_path).stdout


def test_registry_import_feeds_verification(tmp_path: Path, marketplace) -> None:
    # No pause between the two fetches of the page (2 s by default, kept in the database across runs).
    (tmp_path / "config.toml").write_text(
        '[database]\nurl = "sqlite:///data/m.db"\n[politeness]\nmin_delay_per_host = "0s"\n' + LOOPBACK_FETCH,
        encoding="utf-8",
    )
    # The demo's jiahe-electronics ISO 9001 certificate, recorded as withdrawn in the operator's registry.
    page = f"{marketplace.base_url}/store/jiahe-electronics/company_profile.html"
    claims = json.loads(cli_here("extract", page, "--json", "--method", "http", cwd=tmp_path).stdout)
    iso = next(c for c in claims["certifications"] if c["standard"] == "ISO 9001")
    (tmp_path / "registry.csv").write_text(
        "number,holder,standard,edition,certification body,accreditation body,status,valid_from,valid_until,scope\n"
        f'"{iso["number"]}","{claims["supplier"]["name"]}",ISO 9001,2015,TÜV SÜD,DAkkS,withdrawn,'
        "2024-03-18,2027-03-17,Electronics\n"
        "not enough columns\n",
        encoding="utf-8",
    )
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00\x01 not text")
    binary = cli_here("registry", "import", "binary.csv", cwd=tmp_path)
    assert binary.returncode == 2 and "binary.csv: not a UTF-8 text file" in binary.stderr
    imported = cli_here("registry", "import", "registry.csv", cwd=tmp_path)
    assert imported.returncode == 1, "a bad row is reported and makes the exit code non-zero"
    assert "Imported 1 certificate" in imported.stdout and "line 3" in imported.stderr
    assert "registry.csv: 1 certificate" in cli_here("registry", "list", cwd=tmp_path).stdout
    verdict = json.loads(
        cli_here("verify", page, "--json", "--method", "http", "--today", "2026-11-26", cwd=tmp_path).stdout
    )
    inactive = [f for f in verdict["findings"] if f["code"] == "REGISTRY_INACTIVE"]
    assert inactive and inactive[0]["severity"] == "critical"
