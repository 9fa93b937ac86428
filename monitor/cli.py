"""The `supplier-monitor` command line. Thin: every command delegates to a module that does the work.

Start-up is part of every command's cost (a `check` from cron pays it each time), so this module imports only
typer and rich: each command imports what it uses in its body, and the `alerts` commands' module (the outbox,
delivery, storage) loads only when an `alerts` command runs. tests/test_startup_imports.py holds the line.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

if TYPE_CHECKING:
    from monitor.checks import PageOutcome
    from monitor.config import Config, SupplierConfig
    from monitor.engine import Deliveries, OnDone
    from scrapers.claims import ClaimsDocument
    from scrapers.extract import PageReading


class LazyGroup(TyperGroup):
    """A command group listed in ``--help`` by its help text; its module is imported when the group is used."""

    def __init__(self, name: str, target: str, help: str) -> None:
        super().__init__(name=name, help=help, no_args_is_help=True)
        self.target = target  # "module:typer_app"

    def load(self) -> TyperGroup:
        module, attribute = self.target.split(":")
        group = typer.main.get_group(getattr(importlib.import_module(module), attribute))
        if not isinstance(group, TyperGroup):
            raise TypeError(f"{self.target} is not a command group")
        return group

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        """The loaded group parses and runs: click invokes ``ctx.command``, which is the loaded group."""
        return self.load().make_context(info_name, args, parent=parent, **extra)


#: Groups whose modules are heavy for a start-up: name -> (module:typer app, help shown by ``--help``, listed after).
LAZY_GROUPS = {
    "alerts": ("monitor.alerts.commands:alerts_app", "Alert deliveries: list, send now, resend.", "suppliers"),
}


class Commands(TyperGroup):
    """The top-level group, with the ``LAZY_GROUPS`` added as placeholders (in their place in ``--help``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        placed = dict(self.commands)
        self.commands.clear()
        for name, command in placed.items():
            self.add_command(command, name)
            for lazy, (target, text, after) in LAZY_GROUPS.items():
                if after == name:
                    self.add_command(LazyGroup(lazy, target, text))
        for lazy, (target, text, _) in LAZY_GROUPS.items():
            if lazy not in self.commands:
                self.add_command(LazyGroup(lazy, target, text))


app = typer.Typer(
    cls=Commands,
    no_args_is_help=True,
    add_completion=False,
    help="Watch B2B marketplace suppliers, keep their claims as evidence, flag what cannot be verified.",
)
suppliers_app = typer.Typer(no_args_is_help=True, help="List, add and remove watched suppliers in the config file.")
app.add_typer(suppliers_app, name="suppliers")
registry_app = typer.Typer(no_args_is_help=True, help="The local certificate registry the operator maintains.")
app.add_typer(registry_app, name="registry")

console = Console()
errors = Console(stderr=True)


@dataclass
class State:
    config_path: Path
    config_given: bool

    def config(self) -> Config:
        from monitor.config import ConfigError, load_config
        from monitor.report import safe

        try:
            config = load_config(self.config_path)
        except ConfigError as exc:
            fail(str(exc))
        for warning in config.warnings():
            errors.print(safe(f"warning: {self.config_path}: {warning}", 500), style="yellow")
        return config


def fail(message: str, code: int = 2) -> typer.Exit:
    from monitor.report import safe

    errors.print(safe(f"error: {message}", 4000), style="red")
    raise typer.Exit(code)


@app.callback()
def options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", envvar="SUPPLIER_MONITOR_CONFIG", help="Config file [default: config.toml]"),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens")] = False,
) -> None:
    from monitor.config import DEFAULT_CONFIG_PATH

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    ctx.obj = State(config_path=config or DEFAULT_CONFIG_PATH, config_given=config is not None)


@app.command()
def init(
    ctx: typer.Context,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file")] = False,
) -> None:
    """Write a commented config file with every key and its default."""
    from monitor import watchlist
    from monitor.config import ConfigError

    path = ctx.obj.config_path
    try:
        watchlist.write_template(path, force=force)
    except ConfigError as exc:
        fail(str(exc))
    console.print(f"Wrote {path}. Edit the [[suppliers]] list, then run `supplier-monitor check`.", markup=False)


@app.command()
def check(
    ctx: typer.Context,
    supplier: Annotated[list[str] | None, typer.Option("--supplier", "-s", help="Only this supplier id")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcomes as JSON")] = False,
) -> None:
    """Check every watched supplier (or the given ones) now and store what was seen."""
    import asyncio

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from monitor.config import ConfigError, redact_url
    from monitor.report import masked_json, outcomes_table, safe

    config = ctx.obj.config()
    try:
        targets = [config.supplier(s) for s in supplier] if supplier else list(config.suppliers)
    except ConfigError as exc:
        fail(str(exc))
    if not targets:
        fail(f"{ctx.obj.config_path} watches no suppliers; add one with `supplier-monitor suppliers add`")
    names = {s.id: s.display_name for s in config.suppliers}
    progress = Progress(
        TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=errors, transient=True, disable=as_json,
    )  # fmt: skip
    with progress:
        task = progress.add_task("check", total=len(targets))
        outcomes, delivery = asyncio.run(_check_round(config, targets, lambda *_: progress.advance(task)))
    outcomes.sort(key=lambda o: (o.supplier_id, o.url))
    if as_json:
        rows = [
            {
                "supplier": o.supplier_id,
                "url": o.url,
                "status": o.status,
                "reason": masked_json(o.reason),
                "fetch_method": o.fetch_method,
                "duration_ms": o.duration_ms,
                "changed": o.changed,
                "check_id": o.check_id,
                "snapshot_id": o.snapshot_id,
                "certifications": len(o.claims.certifications) if o.ok and o.claims else None,
                "alerts": o.alerts,
            }
            for o in outcomes
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    console.print(outcomes_table(outcomes, names, title=f"Checked {len(targets)} supplier(s)"))
    console.print(f"Stored in {redact_url(config.database.url)}. Alerts: {delivery.alerts}")
    for line in delivery.alerts.errors:
        errors.print(safe(line, 400))


async def _check_round(
    config: Config, targets: list[SupplierConfig], on_done: OnDone
) -> tuple[list[PageOutcome], Deliveries]:
    """One round through the engine, then the due alerts (and the digests, once a day at their hour)."""
    from monitor.engine import Monitor

    async with Monitor(config) as monitor:
        outcomes = await monitor.check(targets, on_done=on_done)
        return outcomes, await monitor.deliver()


DocumentsOption = Annotated[
    bool,
    typer.Option(
        "--documents",
        help="Also fetch and read the certificate PDFs and pictures the page links (PDF text or OCR); "
        "with a config, its database keeps them so nothing is read twice",
    ),
]
LocalDocumentsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--document",
        help="A local certificate PDF or picture to read with the page (repeatable); CERTIFICATION=PATH ties it "
        "to a listed certification by name, otherwise it goes with the certification whose standard it reads",
    ),
]


@app.command()
def extract(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="A saved HTML file or an http(s) URL")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the supplier-claims/1 document")] = False,
    platform: Annotated[str, typer.Option(help="Parser to use; 'auto' detects it from URL and content")] = "auto",
    method: Annotated[str, typer.Option(help="How to fetch a URL: browser or http")] = "browser",
    documents: DocumentsOption = False,
    document: LocalDocumentsOption = None,
) -> None:
    """Read one page into a claims document (schema supplier-claims/1)."""
    from monitor.report import claims_tables, masked_json

    claims = _with_documents(ctx.obj, _extract(ctx.obj, target, platform, method), documents, document or [])
    if as_json:
        print(json.dumps(masked_json(claims.to_json_dict()), ensure_ascii=False, indent=2))
    else:
        claims_tables(claims, console)


def _extract(state: State, target: str, platform: str, method: str) -> ClaimsDocument:
    """The page's claims; when the page is not ok, why not goes to stderr (stdout stays the document)."""
    import asyncio

    from monitor.report import safe
    from scrapers.claims import PageStatus
    from scrapers.extract import read_page
    from scrapers.fetch import FetchError
    from scrapers.fetch.encoding import decode_html
    from scrapers.platforms import UnknownPlatformError

    if method not in ("browser", "http"):
        fail(f"--method must be 'browser' or 'http', not {method!r}")
    path = Path(target)
    try:
        if "://" not in target:
            if not path.is_file():
                fail(f"{target}: no such file (give a saved HTML file or an http(s) URL)")
            html = decode_html(path.read_bytes())
            reading = read_page(html, path.resolve().as_uri(), platform=platform)
        else:
            reading = asyncio.run(_fetch_and_read(_optional_config(state), target, platform, method))
    except UnknownPlatformError as exc:
        fail(str(exc))
    except FetchError as exc:
        fail(str(exc), code=1)
    if reading.status is not PageStatus.OK:
        errors.print(safe(f"{reading.status.value}: {reading.classification.reason}", 1000), style="yellow")
    return reading.claims


async def _fetch_and_read(config: Config, url: str, platform: str, method: str) -> PageReading:
    from monitor.engine import Monitor

    monitor = Monitor(config, offline=True)
    try:
        return await monitor.read_page(url, method=method, platform=platform)
    finally:
        await monitor.aclose()


@app.command()
def verify(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="A saved HTML file or an http(s) URL")],
    as_json: Annotated[bool, typer.Option("--json", help='Print {"claims": ..., "findings": [...]}')] = False,
    today: Annotated[
        str | None,
        typer.Option(help="Evaluate as of this date (YYYY-MM-DD); default the config's [verify] as_of, else today"),
    ] = None,
    platform: Annotated[str, typer.Option(help="Parser to use; 'auto' detects it from URL and content")] = "auto",
    method: Annotated[str, typer.Option(help="How to fetch a URL: browser or http")] = "browser",
    documents: DocumentsOption = False,
    document: LocalDocumentsOption = None,
) -> None:
    """Read one page and judge its certification claims (and, asked to, its certificate documents)."""
    from monitor.report import claims_tables, findings_table, masked_json
    from monitor.verify import findings_json, settings_from
    from monitor.verify import verify as run_verify
    from storage import open_database

    config = _optional_config(ctx.obj)
    as_of = _parse_day(today) if today is not None or config.verify.as_of is None else config.verify.as_of
    claims = _with_documents(ctx.obj, _extract(ctx.obj, target, platform, method), documents, document or [])
    if ctx.obj.config_given or ctx.obj.config_path.exists():
        # With a config, the operator's registries (local CSV imports, IAF CertSearch) are asked too.
        from monitor.verify.service import ClaimJudge

        with open_database(config.database.url) as db:
            findings = ClaimJudge(config, db).judge(claims, as_of)
    else:
        findings = run_verify(claims, today=as_of, settings=settings_from(config.verify))
    if as_json:
        document = {"claims": claims.to_json_dict(), "findings": findings_json(findings)}
        print(json.dumps(masked_json(document), ensure_ascii=False, indent=2))  # passwords in page URLs masked
        return
    claims_tables(claims, console)
    console.print(findings_table(findings, claims, title=f"Findings as of {as_of} ({len(findings)})"))


@app.command()
def rules(
    as_json: Annotated[bool, typer.Option("--json", help="Print the rules as JSON")] = False,
) -> None:
    """List the verification rules with their severity and source."""
    from monitor.report import rules_table
    from monitor.verify import all_rules

    catalogue = sorted(all_rules().values(), key=lambda r: (-r.severity.rank, r.code))
    if as_json:
        rows = [
            {"code": r.code, "severity": r.severity.value, "title": r.title, "explanation": r.explanation,
             "source": r.source}
            for r in catalogue
        ]  # fmt: skip
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    console.print(rules_table(catalogue))


def _parse_day(value: str | None) -> date:
    if value is None:
        return datetime.now(UTC).date()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        fail(f"--today must be a date like 2026-11-26, not {value!r}")
    if not 1990 <= day.year <= 2200:
        fail(f"--today {value} is outside the years 1990-2200")
    return day


def _with_documents(state: State, claims: ClaimsDocument, linked: bool, local: list[str]) -> ClaimsDocument:
    """The claims with their certificate documents read: the linked ones (``--documents``), local files."""
    if not (linked or local):
        return claims
    from monitor.documents_cli import LocalDocument, LocalDocumentError, read_linked_documents, read_local_documents
    from scrapers.documents import OcrError
    from storage import DatabaseUnavailableError

    has_config = state.config_given or state.config_path.exists()
    config = _optional_config(state)
    try:
        if linked:
            database_url = config.database.url if has_config else None
            claims = read_linked_documents(config, claims, database_url=database_url)
        if local:
            documents = [LocalDocument.parse(value) for value in local]
            claims = read_local_documents(claims, documents, ocr=config.documents.ocr)
    except LocalDocumentError as exc:
        fail(str(exc))
    except OcrError as exc:
        fail(f"the OCR engine could not run: {exc} (see [documents] ocr)", code=1)
    except DatabaseUnavailableError as exc:
        fail(str(exc), code=1)
    return claims


def _optional_config(state: State) -> Config:
    """The config when there is one; defaults otherwise (extract and verify work without a config)."""
    from monitor.config import Config

    return state.config() if state.config_given or state.config_path.exists() else Config()


@app.command()
def run(ctx: typer.Context) -> None:
    """Run the scheduler daemon until SIGTERM/Ctrl-C: every supplier checked on its schedule."""
    from monitor.daemon import run_daemon

    config = ctx.obj.config()  # a bad config is reported the CLI way, before anything starts
    if config.scheduler.mode == "distributed":
        fail(
            '[scheduler] mode is "distributed": run `supplier-monitor scheduler` once and `supplier-monitor worker` '
            'on each machine instead (or set mode = "single" for this one-process daemon)'
        )
    raise typer.Exit(run_daemon(ctx.obj.config_path))


@app.command()
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Show each supplier's last and next check, the alert queue and the daemon's health.

    Exits 1 when the daemon is stalled or meeting database errors (monitor.health), 2 when there is no
    database (status never creates one).
    """
    from monitor.status import print_status, status_report

    report = status_report(ctx.obj.config())
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_status(report, console)
    if not report["daemon"]["healthy"]:
        raise typer.Exit(1)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on; anything but loopback needs "
            "$SUPPLIER_MONITOR_WEB_TOKEN or $SUPPLIER_MONITOR_WEB_PASSWORD_HASH"
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port")] = 8765,
) -> None:
    """Serve the web dashboard and JSON API over the configured database."""
    from monitor.config import ConfigError
    from monitor.web.app import serve as serve_web
    from monitor.web.security import CredentialsError

    try:
        serve_web(ctx.obj.config_path, host, port)
    except (CredentialsError, ConfigError) as exc:
        fail(str(exc))


@app.command()
def demo(
    rounds: Annotated[
        int | None, typer.Option(min=1, max=20, help="Check rounds to run [default: every scripted round]")
    ] = None,
    method: Annotated[str, typer.Option(help="browser (real Chromium) or http")] = "browser",
    database: Annotated[Path, typer.Option(help="SQLite file for the demo (recreated)")] = Path("data/demo.db"),
    serve_after: Annotated[
        bool, typer.Option("--serve", help="Then serve the dashboard over the demo database")
    ] = False,
) -> None:
    """Watch the bundled demo marketplace for a few rounds with the real browser and show what was found."""
    from monitor.demo.runner import run_demo

    if method not in ("browser", "http"):
        fail(f"--method must be 'browser' or 'http', not {method!r}")
    run_demo(console, rounds=rounds, db_path=database, method=method)
    if serve_after:
        from monitor.web.app import serve_demo

        serve_demo(database)


@suppliers_app.command("list")
def suppliers_list(ctx: typer.Context) -> None:
    """Show the watched suppliers."""
    from rich.table import Table

    from monitor.report import safe

    config = ctx.obj.config()
    table = Table(title=f"{len(config.suppliers)} supplier(s) in {ctx.obj.config_path}")
    for column in ("id", "name", "platform", "interval", "tags", "urls"):
        table.add_column(column, overflow="fold")
    for s in config.suppliers:
        table.add_row(
            s.id, safe(s.display_name), s.platform, str(config.interval_for(s)),
            safe(", ".join(s.tags)), safe("\n".join(s.page_urls), 1000),
        )  # fmt: skip
    console.print(table)


@suppliers_app.command("add")
def suppliers_add(
    ctx: typer.Context,
    supplier_id: Annotated[str, typer.Argument(metavar="ID", help="Unique id: lowercase letters, digits, - and _")],
    url: Annotated[list[str], typer.Argument(help="One or more page URLs of this supplier")],
    name: Annotated[str | None, typer.Option(help="Display name")] = None,
    platform: Annotated[str, typer.Option(help="Platform parser or 'auto'")] = "auto",
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Tag (repeatable)")] = None,
    interval: Annotated[str | None, typer.Option(help="Check interval, e.g. 24h or 30m")] = None,
) -> None:
    """Start watching a supplier (validated before the config file is rewritten)."""
    from monitor import watchlist
    from monitor.config import ConfigError
    from monitor.report import safe

    entry: dict[str, object] = {"id": supplier_id, "name": name, "platform": platform, "tags": tag or []}
    if len(url) == 1:
        entry["url"] = url[0]
    else:
        entry["urls"] = url
    entry["interval"] = interval
    try:
        watchlist.add_supplier(ctx.obj.config_path, entry)
    except ConfigError as exc:
        fail(str(exc))
    console.print(safe(f"Watching {supplier_id} ({', '.join(url)})."))


@suppliers_app.command("remove")
def suppliers_remove(
    ctx: typer.Context,
    supplier_id: Annotated[str, typer.Argument(metavar="ID")],
) -> None:
    """Stop watching a supplier. Its history stays in the database."""
    from monitor import watchlist
    from monitor.config import ConfigError
    from monitor.report import safe

    try:
        watchlist.remove_supplier(ctx.obj.config_path, supplier_id)
    except ConfigError as exc:
        fail(str(exc))
    console.print(safe(f"No longer watching {supplier_id}; its checks and snapshots are kept."))


@registry_app.command("import")
def registry_import(
    ctx: typer.Context,
    csv_file: Annotated[
        Path,
        typer.Argument(
            help="CSV with number, holder, standard, edition, certification body, "
            "accreditation body, status, valid_from, valid_until, scope"
        ),
    ],
    day_first: Annotated[bool | None, typer.Option("--day-first/--month-first", help="How to read 01/02/2024")] = None,
) -> None:
    """Import (or re-import, replacing that file's rows) certificates into the local registry."""
    from monitor.registries import import_csv
    from monitor.report import safe
    from storage import open_database

    config = ctx.obj.config()
    if not csv_file.is_file():
        fail(f"{csv_file}: no such file")
    with open_database(config.database.url) as db:
        try:
            result = import_csv(db, csv_file, day_first=day_first)
        except UnicodeDecodeError:
            fail(f"{csv_file}: not a UTF-8 text file (save the spreadsheet as CSV UTF-8)")
        except ValueError as exc:
            fail(str(exc))
    console.print(safe(f"Imported {result.imported} certificate(s) from {result.source} "
                       f"(replaced {result.replaced} from an earlier import)."))  # fmt: skip
    for warning in result.warnings:
        errors.print(safe(f"warning: {warning}", 500))
    for error in result.errors[:50]:
        errors.print(safe(f"line {error.line}: {error.message}", 500))
    if len(result.errors) > 50:
        errors.print(f"... and {len(result.errors) - 50} more bad rows")
    if result.errors:
        raise typer.Exit(1)


@registry_app.command("list")
def registry_list(ctx: typer.Context) -> None:
    """Show which files the local registry was imported from."""
    from monitor.report import safe
    from storage import open_database, registry_sources

    config = ctx.obj.config()
    with open_database(config.database.url, must_exist=True) as db:
        sources = registry_sources(db)
    if not sources:
        console.print("The local registry is empty; import one with `supplier-monitor registry import FILE.csv`.")
    for source, count in sources:
        console.print(safe(f"{source}: {count} certificate(s)"))


def _distributed_config(state: State) -> Config:
    """The config, when it allows the distributed mode (mode "distributed" on PostgreSQL); exit 2 otherwise."""
    from monitor.distributed.connection import NotDistributedError, require_distributed

    config = state.config()
    try:
        require_distributed(config)
    except NotDistributedError as exc:
        fail(f"{state.config_path}: {exc}")
    return config


@app.command()
def scheduler(ctx: typer.Context) -> None:
    """Distributed mode: enqueue each supplier's check when it is due (and deliveries) for the workers."""
    _distributed_config(ctx.obj)
    from monitor.distributed.scheduler import run_scheduler

    raise typer.Exit(run_scheduler(ctx.obj.config_path))


@app.command()
def worker(
    ctx: typer.Context,
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", min=1, max=64, help="Checks at once (default: worker_concurrency)")
    ] = None,
    queues: Annotated[
        list[str] | None, typer.Option("--queues", help="Only these queues: checks, deliveries (repeatable)")
    ] = None,
) -> None:
    """Distributed mode: run queued checks and deliveries until SIGTERM/Ctrl-C (any number, on any machine)."""
    _distributed_config(ctx.obj)
    from monitor.distributed.worker import run_worker

    names = [name.strip() for value in queues or [] for name in value.split(",") if name.strip()]
    raise typer.Exit(run_worker(ctx.obj.config_path, concurrency=concurrency, queues=names or None))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())


def run_cli() -> None:
    """The console entry point: the app, with an unusable database reported as bad input, not a traceback."""
    try:
        app(prog_name="supplier-monitor")
    except Exception as exc:
        if not _is_database_unavailable(exc):
            raise
        from monitor.report import safe

        errors.print(safe(f"error: {exc}", 4000), style="red", markup=False)
        errors.print(
            "Check [database] url in the config file, or SUPPLIER_MONITOR_DATABASE_URL.", style="red", markup=False
        )
        raise SystemExit(2) from None


def _is_database_unavailable(exc: BaseException) -> bool:
    """storage's DatabaseUnavailableError, recognised without importing storage (nothing else raises it)."""
    db = sys.modules.get("storage.db")
    return db is not None and isinstance(exc, db.DatabaseUnavailableError)
