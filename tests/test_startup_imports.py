"""Start-up stays cheap: the command line, and a plain-HTTP check, never import what they do not use.

Every `supplier-monitor` invocation pays for its imports (a `check` from cron pays them each time), so the
heavy optional libraries load only where they are used: Playwright when a browser is launched, Alembic when a
database needs migrating, Apprise when an Apprise channel is built, the job queue, the OCR engine, the PDF
reader and the web framework by their own commands; and of the platform parsers, only the one a page's URL (or
the supplier's platform) names. These are properties of which modules get imported, checked
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
#: The platform parser packages: each is imported only when its platform is asked for.
PARSERS = ("scrapers.platforms.alibaba", "scrapers.platforms.china_1688", "scrapers.platforms.global_sources",
           "scrapers.platforms.indiamart", "scrapers.platforms.made_in_china")  # fmt: skip
PAGES = ROOT / "tests" / "pages"


def loaded_after(code: str, *args: str, watch: tuple[str, ...] = HEAVY) -> dict[str, list[str]]:
    """Run ``code`` in a fresh interpreter; it calls ``report(label)`` to record which packages of ``watch``
    are loaded."""
    prelude = textwrap.dedent(f"""
        import json, sys
        WATCH = {watch!r}
        REPORT = {{}}
        def report(label):
            REPORT[label] = sorted(w for w in WATCH if any(n == w or n.startswith(w + ".") for n in sys.modules))
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
    """robots.txt, a 1688 shop page at /1688-shop.html and one supplier page (JSON-LD, read by the generic reader)."""

    PAGE = (
        b'<html><head><script type="application/ld+json">{"@context": "https://schema.org", "@type": '
        b'"Organization", "legalName": "Startup Kettles Co., Ltd."}</script></head><body>Kettles</body></html>'
    )
    SHOP_1688 = (PAGES / "1688" / "shop_creditdetail_2024.html").read_bytes()

    def do_GET(self) -> None:
        pages = {"/robots.txt": b"User-agent: *\nAllow: /\n", "/1688-shop.html": self.SHOP_1688}
        body = pages.get(self.path, self.PAGE)
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


def check_config(directory: Path, url: str, platform: str = "auto") -> Path:
    """A config watching ``url`` over plain HTTP, on a SQLite file already migrated (the usual case)."""
    database = directory / "monitor.db"
    open_database(f"sqlite:///{database}").dispose()  # migrated here, so the check finds it at head
    config = directory / "config.toml"
    config.write_text(
        f'[database]\nurl = "sqlite:///{database}"\n\n[fetch]\nmethod = "http"\nallow_private_addresses = true\n\n'
        f'[politeness]\nmin_delay_per_host = "0s"\n\n'
        f'[[suppliers]]\nid = "kettles"\nname = "Startup Kettles"\nurl = "{url}"\nplatform = "{platform}"\n',
        encoding="utf-8",
    )
    return config


#: Runs `supplier-monitor --config CONFIG check --json`, reports, then asserts that every check so far was ok and
#: that the one snapshot was read by the platform PLATFORM.
CHECK = """
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
        from storage.models import Check, Snapshot
        from sqlmodel import select
        with db.session() as session:
            statuses = [c.status for c in session.exec(select(Check))]
            platforms = [s.claims["source"]["platform"] for s in session.exec(select(Snapshot))]
    assert statuses and set(statuses) == {"ok"}, statuses
    assert platforms == [sys.argv[2]], platforms  # one snapshot: a page served as it was adds none
"""


def test_plain_http_check_on_a_migrated_database_loads_no_heavy_library(tmp_path: Path, site: str) -> None:
    """The whole `check` command, real loopback site and real SQLite file. Checked again, the page is served as
    it was, so nothing is read: neither the generic reader nor any platform parser is imported."""
    config = str(check_config(tmp_path, f"{site}/about.html"))
    assert loaded_after(CHECK, config, "website") == {"check": []}
    readers = ("scrapers.generic", *PARSERS, "bs4")
    assert loaded_after(CHECK, config, "website", watch=(*HEAVY, *readers)) == {"check": []}


def test_check_of_one_platforms_page_imports_that_parser_alone(tmp_path: Path, site: str) -> None:
    """A supplier watched as a 1688 shop: the check reads the page with the 1688 parser, and no other platform's
    parser module is imported (their markup tables and regexes cost every check's start-up)."""
    config = check_config(tmp_path, f"{site}/1688-shop.html", platform="1688")
    report = loaded_after(CHECK, str(config), "1688", watch=PARSERS)
    assert report == {"check": ["scrapers.platforms.china_1688"]}


def test_a_url_finds_its_parser_without_importing_the_others() -> None:
    """Detection by host needs no parser module; reading an Alibaba.com page imports the Alibaba parser alone,
    and every platform stays listed and valid in a config without any parser imported."""
    page = PAGES / "alibaba" / "storefront_contacts_2018.html"
    report = loaded_after(
        """
        import sys
        from pathlib import Path
        from monitor.config import SupplierConfig
        from scrapers.extract import choose_parser, read_page
        from scrapers.platforms import platform_names
        assert choose_parser("https://www.example.com/about.html") is None
        assert platform_names() == ["1688", "alibaba", "global_sources", "indiamart", "made_in_china", "website"]
        SupplierConfig(id="x", url="https://shop1.1688.com/", platform="1688")
        report("detected nothing, validated a config")
        reading = read_page(Path(sys.argv[1]).read_text(encoding="utf-8"), "https://kettles.en.alibaba.com/contactinfo.html")
        assert reading.claims.source.platform == "alibaba", reading.claims.source
        assert reading.claims.has_claims()
        report("read an Alibaba.com page")
        """,
        str(page),
        watch=PARSERS,
    )
    assert report == {
        "detected nothing, validated a config": [],
        "read an Alibaba.com page": ["scrapers.platforms.alibaba"],
    }


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
