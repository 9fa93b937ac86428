"""Start-up stays cheap: the command line, and a plain-HTTP check, never import what they do not use.

Every `supplier-monitor` invocation pays for its imports (a `check` from cron pays them each time), so the
heavy optional libraries load only where they are used: Playwright when a browser is launched, Alembic when a
database needs migrating, Apprise when an Apprise channel is built, the job queue, the OCR engine, the PDF
reader and the web framework by their own commands. These are properties of which modules get imported, checked
in fresh interpreters; how long anything takes is bench/startup_bench.py's business, never a test's.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from storage import open_database

ROOT = Path(__file__).resolve().parents[1]
#: Top-level packages a start-up (and a plain-HTTP check) must not import.
HEAVY = ("playwright", "alembic", "apprise", "procrastinate", "rapidocr_onnxruntime", "onnxruntime", "pypdfium2",
         "fastapi")  # fmt: skip


def loaded_after(code: str, *args: str) -> dict[str, list[str]]:
    """Run ``code`` in a fresh interpreter; it calls ``report(label)`` to record which HEAVY packages are loaded."""
    prelude = textwrap.dedent(f"""
        import json, sys
        HEAVY = {HEAVY!r}
        REPORT = {{}}
        def report(label):
            REPORT[label] = sorted({{name.split(".")[0] for name in sys.modules}} & set(HEAVY))
    """)
    epilogue = "\nprint('REPORT=' + json.dumps(REPORT))\n"
    done = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code) + epilogue, *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("REPORT="))
    return json.loads(line.removeprefix("REPORT="))


def test_cli_import_and_check_help_load_no_heavy_library() -> None:
    report = loaded_after("""
        import monitor.cli
        report("import monitor.cli")
        import typer
        command = typer.main.get_command(monitor.cli.app)
        try:
            command.main(["check", "--help"], prog_name="supplier-monitor", standalone_mode=False)
        except SystemExit:
            pass
        report("check --help")
        try:
            command.main(["--help"], prog_name="supplier-monitor", standalone_mode=False)
        except SystemExit:
            pass
        report("--help")
    """)
    assert report == {"import monitor.cli": [], "check --help": [], "--help": []}


class _Site(BaseHTTPRequestHandler):
    """robots.txt and one supplier page (JSON-LD, read by the generic reader)."""

    PAGE = (
        b'<html><head><script type="application/ld+json">{"@context": "https://schema.org", "@type": '
        b'"Organization", "legalName": "Startup Kettles Co., Ltd."}</script></head><body>Kettles</body></html>'
    )

    def do_GET(self) -> None:
        body = b"User-agent: *\nAllow: /\n" if self.path == "/robots.txt" else self.PAGE
        self.send_response(200)
        self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_plain_http_check_on_a_migrated_database_loads_no_heavy_library(tmp_path: Path, site: str) -> None:
    """The whole `check` command, real loopback site and real SQLite file, already migrated (the usual case)."""
    database = tmp_path / "monitor.db"
    open_database(f"sqlite:///{database}").dispose()  # migrated here, so the check finds it at head
    config = tmp_path / "config.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{database}"\n\n[fetch]\nmethod = "http"\nallow_private_addresses = true\n\n'
        f'[politeness]\nmin_delay_per_host = "0s"\n\n'
        f'[[suppliers]]\nid = "kettles"\nname = "Startup Kettles"\nurl = "{site}/about.html"\n',
        encoding="utf-8",
    )
    report = loaded_after(
        """
        import sys
        from monitor.cli import app
        from monitor.config import load_config
        from storage import open_database
        try:
            app(["--config", sys.argv[1], "check", "--json"], prog_name="supplier-monitor")
        except SystemExit as exc:
            assert exc.code in (0, None), exc.code
        report("check")
        with open_database(load_config(sys.argv[1]).database.url, must_exist=True) as db:
            from storage.models import Check
            from sqlmodel import select
            with db.session() as session:
                statuses = [c.status for c in session.exec(select(Check))]
        assert statuses == ["ok"], statuses
        """,
        str(config),
    )
    assert report == {"check": []}


def test_heavy_libraries_load_where_they_are_used(tmp_path: Path) -> None:
    """The counterpart: each lazy import still happens when its feature is used."""
    database = tmp_path / "new.db"
    report = loaded_after(
        """
        import sys
        from monitor.alerts.channels.base import channel_class
        channel_class("email")  # registers every built-in channel
        report("channel registry")
        channel_class("apprise")()
        report("apprise channel built")
        from storage import open_database
        open_database("sqlite:///" + sys.argv[1]).dispose()
        report("new database migrated")
        from scrapers.fetch import BrowserFetcher, HttpFetcher
        from scrapers.fetch import browser
        browser.async_playwright()  # the entry point only: no driver is started
        import playwright.async_api
        assert browser.PlaywrightError is playwright.async_api.Error
        assert browser.PlaywrightTimeoutError is playwright.async_api.TimeoutError
        report("browser entry point")
        """,
        str(database),
    )
    assert report == {
        "channel registry": [],
        "apprise channel built": ["apprise"],
        "new database migrated": ["alembic", "apprise"],
        "browser entry point": ["alembic", "apprise", "playwright"],
    }


def test_lazy_alerts_group_shows_the_real_help() -> None:
    """``--help`` lists `alerts` from monitor.cli's copy of its help text; it must say what the group says."""
    from monitor.alerts.commands import alerts_app
    from monitor.cli import LAZY_GROUPS

    target, text, _ = LAZY_GROUPS["alerts"]
    assert target == "monitor.alerts.commands:alerts_app"
    assert text == alerts_app.info.help


def test_head_revision_is_alembics_head() -> None:
    """storage.db reads the newest revision from the version files so that opening needs no Alembic."""
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config, head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
