"""`supplier-monitor alerts ...`: what was sent to whom, what failed and why, send now, resend."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from monitor.alerts.delivery import deliver_digests, deliver_due
from monitor.report import safe, severity_text
from storage import list_deliveries, open_database, reset_delivery
from storage.outbox import GIVEN_UP, SENDING, SENT, SUMMARISED, DeliveryRow, redact_text, retry_now

alerts_app = typer.Typer(no_args_is_help=True, help="Alert deliveries: list, send now, resend.")
console = Console()
#: Said by `alerts list` (and the dashboard's alerts log) when the config names nobody: alerts are only queued
#: for a recipient, so the list stays empty while checks keep finding things.
NO_RECIPIENTS_HINT = (
    "No recipient is configured ([[recipients]] in the config), so no new alert is queued. Checks still keep "
    "their snapshots and findings: see the dashboard (`supplier-monitor serve`)."
)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; storage writes UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _planned(row: DeliveryRow) -> datetime | None:
    """The next attempt, or None when none is planned (sent, given up or told in a summary message, until
    someone resends it)."""
    if row.status in (SENT, SUMMARISED) or row.failure_state == GIVEN_UP:
        return None
    return _aware(row.next_attempt_at)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else _aware(moment).isoformat()


def _next_attempt(row: DeliveryRow, now: datetime) -> str:
    """When this delivery is tried next, so an operator knows whether to wait or to resend."""
    when = _planned(row)
    if when is None:
        return "—"
    if row.status == SENDING:
        return "sending now"
    seconds = int((when - now).total_seconds())
    if seconds <= 0:
        return "due now"
    wait = f"{seconds}s" if seconds < 120 else f"{seconds // 60} min" if seconds < 7200 else f"{seconds // 3600} h"
    return f"{when:%Y-%m-%d %H:%M:%S} UTC (in {wait})"


def _json_row(row: DeliveryRow) -> dict[str, Any]:
    """One delivery for scripts and monitoring; the target only as scheme and host (it may hold a token)."""
    return {
        "id": row.id,
        "alert_id": row.alert_id,
        "kind": row.kind,
        "severity": row.severity,
        "title": row.title,
        "supplier_id": row.supplier_id,
        "recipient": row.recipient,
        "channel": row.channel,
        "target": row.redacted_target,
        "digest": row.digest,
        "status": row.status,
        "failure_state": row.failure_state,
        "attempts": row.attempts,
        "next_attempt_at": _iso(_planned(row)),
        "last_error": redact_text(row.last_error, row.target) if row.last_error else None,
        "sent_at": _iso(row.sent_at),
        "created_at": _iso(row.created_at),
    }


@alerts_app.command("list")
def list_command(
    ctx: typer.Context,
    failed: Annotated[
        bool,
        typer.Option("--failed", help="Only deliveries whose last attempt failed: still retrying or given up"),
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="Print the deliveries as JSON (targets redacted)")] = False,
) -> None:
    """Deliveries, newest first: alert, recipient, channel, status, attempts, next attempt and the last error."""
    config = ctx.obj.config()
    with open_database(config.database.url, must_exist=True) as db:
        rows = list_deliveries(db, failed_only=failed, limit=limit)
    if as_json:
        print(json.dumps([_json_row(row) for row in rows], ensure_ascii=False, indent=2))
        return
    now = datetime.now(UTC)
    noun = f"deliver{'y' if len(rows) == 1 else 'ies'}"
    title = f"{len(rows)} {noun}" + (" whose last attempt failed (retrying or given up)" if failed else "")
    table = Table(title=title)
    columns = ("id", "severity", "alert", "recipient", "channel", "status", "attempts", "next attempt", "last error")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row.id),
            severity_text(row.severity),
            safe(f"{row.title or row.kind} [{row.supplier_name or row.supplier_id or 'operators'}]", 160),
            safe(row.recipient, 40),
            safe(f"{row.channel} {row.redacted_target}", 60),
            row.failure_state or row.status,
            str(row.attempts),
            _next_attempt(row, now),
            safe(redact_text(row.last_error, row.target) if row.last_error else "", 200),
        )
    console.print(table)
    if not config.recipients:
        console.print(NO_RECIPIENTS_HINT, style="yellow")


@alerts_app.command("send")
def send_command(
    ctx: typer.Context,
    retry_now_: Annotated[
        bool,
        typer.Option(
            "--retry-now",
            help="Also retry now the deliveries waiting out their backoff after a failure (once a server is fixed)",
        ),
    ] = False,
) -> None:
    """Deliver every due alert now (and the daily digests when their hour has come)."""
    config = ctx.obj.config()
    with open_database(config.database.url) as db:
        if retry_now_:
            brought = retry_now(db, datetime.now(UTC))
            console.print(f"Retrying {brought} deliver{'y' if brought == 1 else 'ies'} now instead of after backoff.")
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
    config = ctx.obj.config()
    with open_database(config.database.url) as db:
        if not reset_delivery(db, delivery_id, datetime.now(UTC)):
            console.print(f"Delivery {delivery_id} does not exist or is being sent right now.", style="red")
            raise typer.Exit(2)
    console.print(f"Delivery {delivery_id} queued again; run `supplier-monitor alerts send`.")
