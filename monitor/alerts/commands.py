"""`supplier-monitor alerts ...`: what was sent to whom, what failed and why, send now, resend."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from monitor.alerts.delivery import deliver_digests, deliver_due
from monitor.report import safe, severity_text
from storage import list_deliveries, open_database, reset_delivery

alerts_app = typer.Typer(no_args_is_help=True, help="Alert deliveries: list, send now, resend.")
console = Console()


@alerts_app.command("list")
def list_command(
    ctx: typer.Context,
    failed: Annotated[bool, typer.Option("--failed", help="Only deliveries that failed for good")] = False,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
) -> None:
    """Deliveries, newest first: alert, recipient, channel, status, attempts and the last error."""
    config = ctx.obj.config()
    with open_database(config.database.url) as db:
        rows = list_deliveries(db, failed_only=failed, limit=limit)
    table = Table(title=f"{len(rows)} deliver{'y' if len(rows) == 1 else 'ies'}" + (" that failed" if failed else ""))
    for column in ("id", "severity", "alert", "recipient", "channel", "status", "attempts", "last error"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row.id),
            severity_text(row.severity),
            safe(f"{row.title or row.kind} [{row.supplier_name or row.supplier_id or 'operators'}]", 160),
            safe(row.recipient, 40),
            safe(f"{row.channel} {row.redacted_target}", 60),
            row.status,
            str(row.attempts),
            safe(row.last_error or "", 200),
        )
    console.print(table)


@alerts_app.command("send")
def send_command(ctx: typer.Context) -> None:
    """Deliver every due alert now (and the daily digests when their hour has come)."""
    config = ctx.obj.config()
    with open_database(config.database.url) as db:
        report = deliver_due(db, config)
        digests = deliver_digests(db, config)
    console.print(f"Alerts: {report}; digests: {digests}")
    for line in [*report.errors, *digests.errors]:
        console.print(safe(line, 400))


@alerts_app.command("resend")
def resend_command(
    ctx: typer.Context, delivery_id: Annotated[int, typer.Argument(help="Delivery id from `alerts list`")]
) -> None:
    """Queue a delivery again (after fixing an address or a server); it goes out with the next send."""
    from datetime import UTC, datetime

    config = ctx.obj.config()
    with open_database(config.database.url) as db:
        if not reset_delivery(db, delivery_id, datetime.now(UTC)):
            console.print(f"Delivery {delivery_id} does not exist or is being sent right now.", style="red")
            raise typer.Exit(2)
    console.print(f"Delivery {delivery_id} queued again; run `supplier-monitor alerts send`.")
