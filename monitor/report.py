"""Terminal output. Scraped text is untrusted: it is shown as plain Text (never parsed as rich markup)
with control characters removed, so a supplier cannot style, hide or rewrite the operator's terminal.
URLs in it (redirect targets, document links, reasons quoting them) are shown with any password masked."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from monitor.alerts.channels.console import SEVERITY_STYLES
from monitor.alerts.render import clean_text
from monitor.checks import PageOutcome
from monitor.verify import Finding, Rule
from scrapers.claims import ClaimsDocument
from scrapers.fetch.base import mask_urls

STATUS_STYLE = {
    "ok": "green",
    "blocked": "bold red",
    "login_required": "yellow",
    "not_found": "magenta",
    "unparseable": "yellow",
    "error": "red",
    "skipped": "dim",
}


def masked_json(value: Any) -> Any:
    """A JSON value (claims, findings, outcomes) with every URL in its strings masked, for printing."""
    if isinstance(value, str):
        return mask_urls(value)
    if isinstance(value, dict):
        return {key: masked_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [masked_json(item) for item in value]
    return value


def safe(value: object, limit: int = 200) -> Text:
    """Untrusted text to print: control characters out, URL passwords masked, cut at ``limit``."""
    return Text(clean_text(mask_urls(value) if isinstance(value, str) else value, limit=limit))


def status_text(status: str) -> Text:
    return Text(status, style=STATUS_STYLE.get(status, ""))


def outcomes_table(outcomes: Iterable[PageOutcome], names: dict[str, str], title: str | None = None) -> Table:
    table = Table(title=title, show_lines=False)
    for column in ("supplier", "page", "status", "certs", "badges", "changed", "ms", "note"):
        table.add_column(column, overflow="fold")
    for o in outcomes:
        claims = o.claims if o.ok else None
        table.add_row(
            safe(names.get(o.supplier_id, o.supplier_id), 40),
            safe(claims.source.page_type if claims else o.url.rsplit("/", 1)[-1], 30),
            status_text(o.status),
            str(len(claims.certifications)) if claims else "-",
            str(len(claims.badges)) if claims else "-",
            ("new snapshot" if o.changed else "unchanged") if o.ok else "-",
            str(o.duration_ms),
            safe("" if o.ok else o.reason, 80),
        )
    return table


def claims_tables(claims: ClaimsDocument, console: Console) -> None:
    """A readable view of one claims document (the --json output is the contract; this is for people)."""
    s = claims.supplier
    head = Table(title=Text(f"{claims.source.platform} / {claims.source.page_type}: {claims.status.value}"))
    head.add_column("field")
    head.add_column("value", overflow="fold")
    for field in ("name", "business_type", "country", "location", "year_established", "years_on_platform"):
        head.add_row(field, safe(getattr(s, field)))
    head.add_row("employees", safe(s.employees))
    head.add_row("annual_revenue", safe(s.annual_revenue))
    head.add_row("main_products", safe(", ".join(s.main_products)))
    head.add_row("main_markets", safe(", ".join(s.main_markets)))
    console.print(head)

    if claims.badges:
        badges = Table(title="Badges (platform checks, not certifications)")
        for column in ("name", "issuer", "detail"):
            badges.add_column(column, overflow="fold")
        for b in claims.badges:
            badges.add_row(safe(b.name), safe(b.issuer), safe(b.detail))
        console.print(badges)

    certs = Table(title=f"Certifications ({len(claims.certifications)})")
    for column in ("name", "standard", "edition", "number", "issuer", "valid", "verified", "kind"):
        certs.add_column(column, overflow="fold")
    for c in claims.certifications:
        valid = f"{c.valid_from or '?'} – {c.valid_until or '?'}" if (c.valid_from or c.valid_until) else ""
        verified = {True: "yes", False: "NO", None: ""}[c.platform_verified]
        certs.add_row(
            safe(c.name, 60),
            safe(c.standard),
            safe(c.edition),
            safe(c.number),
            safe(c.issuer, 60),
            valid,
            verified,
            c.kind,
        )
    console.print(certs)

    if claims.statements:
        statements = Table(title="Certification statements in text")
        statements.add_column("where")
        statements.add_column("text", overflow="fold")
        for st in claims.statements:
            statements.add_row(safe(st.location, 40), safe(st.text, 300))
        console.print(statements)


def severity_text(severity: str) -> Text:
    return Text(severity, style=SEVERITY_STYLES.get(severity, ""))


def findings_table(findings: list[Finding], claims: ClaimsDocument, title: str | None = None) -> Table:
    table = Table(title=title or f"Findings ({len(findings)})", show_lines=True)
    for column in ("severity", "code", "claim", "message", "evidence"):
        table.add_column(column, overflow="fold")
    for f in findings:
        if f.certification is not None and f.certification < len(claims.certifications):
            claim = claims.certifications[f.certification].name
        elif f.statement is not None and f.statement < len(claims.statements):
            claim = claims.statements[f.statement].text
        else:
            claim = ""
        table.add_row(
            severity_text(f.severity.value), f.code, safe(claim, 80), safe(f.message, 400), safe(f.evidence, 160)
        )
    return table


def rules_table(rules: list[Rule]) -> Table:
    table = Table(title=f"{len(rules)} verification rules", show_lines=True)
    for column in ("code", "severity", "what it flags", "source"):
        table.add_column(column, overflow="fold")
    for r in rules:
        table.add_row(r.code, severity_text(r.severity.value), r.title, safe(r.source, 400))
    return table


def round_findings_table(outcomes: Iterable[PageOutcome], names: dict[str, str], *, first_round: bool) -> Table | None:
    """What verification said this round: everything on the first round, then only what is new or resolved."""
    title = "Findings (medium and above)" if first_round else "Findings that appeared or were resolved"
    table = Table(title=title, show_lines=False)
    for column in ("supplier", "", "severity", "code", "message"):
        table.add_column(column, overflow="fold")
    rows = 0
    for o in outcomes:
        update = o.findings_update
        if update is None:
            continue
        name = safe(names.get(o.supplier_id, o.supplier_id), 40)
        shown = [("new", f) for f in update.new] + ([] if first_round else [("resolved", f) for f in update.resolved])
        for change, f in shown:
            if first_round and f.severity in ("low", "info"):
                continue
            table.add_row(name, change, severity_text(f.severity), f.code, safe(f.message, 200))
            rows += 1
    return table if rows else None
