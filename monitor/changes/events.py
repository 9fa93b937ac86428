"""From what happened to alerts: claim changes, findings opened/resolved, failing checks, layout changes.

Every alert id is derived from the facts that define the event (supplier, kind, claim key, snapshot ids,
finding identity and first-seen time...), never from the time it was noticed, so a check re-run after a
crash produces the ids the outbox already holds and nobody is told twice. Titles and details are plain
text and JSON values only: escaping for HTML, Slack or Teams is each channel's job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import monitor.verify.rules  # noqa: F401  (registers the rules whose titles finding alerts use)
from monitor.alerts.model import Alert, AlertKind, AlertSupplier, alert_id
from monitor.alerts.render import clean_text as plain_text
from monitor.changes.diff import ClaimChange
from monitor.severity import Severity
from monitor.verify.findings import RULES
from scrapers.normalize import clean_text

__all__ = [
    "CHECK_FAILING_SEVERITY",
    "LAYOUT_CHANGED_SEVERITY",
    "change_title",
    "check_failing_alert",
    "claim_change_alerts",
    "finding_alerts",
    "layout_changed_alert",
    "recovered_alert",
]

#: Operators are told at this severity when a supplier's checks keep failing, and when they work again:
#: the same severity both times, so whoever was told about the failure is also told about the recovery.
CHECK_FAILING_SEVERITY = Severity.HIGH
#: A page family whose layout changed makes the parser lose claims silently for every supplier on it.
LAYOUT_CHANGED_SEVERITY = Severity.HIGH

_TITLE_MAX = 300
_VALUE_MAX = 80

_FIELD_WORDS = {
    "name": "name",
    "number": "number",
    "issuer": "issued by",
    "accreditation_body": "accredited by",
    "scope": "scope",
    "valid_from": "valid from",
    "valid_until": "valid until",
    "edition": "edition",
    "platform_verified": "verified by the platform",
    "kind": "type",
    "detail": "",
}
_IDENTITY_WORDS = {
    "name": "Company name",
    "business_type": "Business type",
    "location": "Location",
    "country": "Country",
    "year_established": "Year established",
    "years_on_platform": "Years on the platform",
    "employees": "Employees",
    "annual_revenue": "Annual revenue",
    "main_products": "Main products",
    "main_markets": "Main markets",
}


# --------------------------------------------------------------------------------------------------
# plain text and JSON helpers
# --------------------------------------------------------------------------------------------------


def _one_line(text: object, limit: int = _TITLE_MAX) -> str:
    """Control characters and line breaks out, whitespace collapsed, cut at ``limit`` with an ellipsis."""
    return plain_text(clean_text(text), single_line=True, limit=limit)


def _word(value: Any) -> str:
    """A field value in a title: "yes"/"no" for flags, "not shown" for nothing."""
    if value is None or value == "" or value == []:
        return "not shown"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return ", ".join(_word(v) for v in value)
    return _one_line(value, _VALUE_MAX)


def _json_safe(value: Any) -> Any:
    """Dates as ISO strings, tuples/sets as lists, other objects as their text: alerts are stored as JSON."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_json_safe(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    return str(value)


def _instant(value: object) -> str:
    """A timestamp as an id part: aware datetimes in UTC, naive ones taken as UTC (as storage keeps them)."""
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.isoformat()
    if isinstance(value, str):
        try:
            return _instant(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return value
    return "" if value is None else str(value)


# --------------------------------------------------------------------------------------------------
# claim changes
# --------------------------------------------------------------------------------------------------


def _field_text(entry: Mapping[str, Any]) -> str:
    words = _FIELD_WORDS.get(entry["field"], str(entry["field"]).replace("_", " "))
    change = f"{_word(entry.get('from'))} → {_word(entry.get('to'))}"
    return f"{words} {change}" if words else change


def change_title(change: ClaimChange) -> str:
    """The change in plain words for a buyer, e.g. "Certificate removed: CE (no. X)"."""
    subject = change.subject
    if change.kind == "certification_added":
        title = f"Certificate added: {subject}"
    elif change.kind == "certification_removed":
        title = f"Certificate removed: {subject}"
    elif change.kind == "certification_changed":
        title = f"Certificate changed: {subject} — " + "; ".join(_field_text(f) for f in change.fields)
    elif change.kind == "certification_document_changed":
        title = f"Certificate document replaced: {subject} — now another file"
        entry = change.fields[0] if change.fields else {}
        if entry.get("from") != entry.get("to"):
            title += f" ({_word(entry.get('to'))})"
    elif change.kind == "badge_gained":
        title = f"Badge gained: {subject}"
    elif change.kind == "badge_lost":
        title = f"Badge lost: {subject}"
    elif change.kind == "badge_changed":
        title = f"Badge changed: {subject} — " + "; ".join(_field_text(f) for f in change.fields)
    elif change.kind == "list_changed":
        entry = change.fields[0]
        parts = []
        if entry.get("added"):
            parts.append("added " + _word(entry["added"]))
        if entry.get("removed"):
            parts.append("removed " + _word(entry["removed"]))
        title = f"{_IDENTITY_WORDS.get(entry['field'], subject)} changed: " + "; ".join(parts)
    else:  # identity_changed, numeric_changed
        entry = change.fields[0]
        words = _IDENTITY_WORDS.get(entry["field"], subject.capitalize())
        title = f"{words} changed: {_word(entry.get('from'))} → {_word(entry.get('to'))}"
    return _one_line(title)


def claim_change_alerts(
    supplier: AlertSupplier,
    changes: Iterable[ClaimChange],
    *,
    previous_snapshot_id: int,
    snapshot_id: int,
    observed_at: datetime,
) -> list[Alert]:
    """One alert per change; the id is fixed by supplier, change kind, claim key and the two snapshots."""
    alerts = []
    for change in changes:
        details = {
            "change": change.kind,
            "subject": change.subject,
            "key": change.key,
            "fields": _json_safe([dict(f) for f in change.fields]),
            "confirm_needed": change.confirm_needed,
            "previous_snapshot_id": previous_snapshot_id,
            "snapshot_id": snapshot_id,
        }
        alerts.append(
            Alert(
                id=alert_id(
                    supplier.id,
                    AlertKind.CLAIM_CHANGE.value,
                    change.kind,
                    change.key,
                    previous_snapshot_id,
                    snapshot_id,
                ),
                kind=AlertKind.CLAIM_CHANGE,
                severity=change.severity,
                supplier=supplier,
                title=change_title(change),
                details=details,
                observed_at=observed_at,
            )
        )
    return alerts


# --------------------------------------------------------------------------------------------------
# findings
# --------------------------------------------------------------------------------------------------


def _finding_subject(finding: Mapping[str, Any]) -> str:
    cert = finding.get("certification")
    if isinstance(cert, Mapping):
        label = clean_text(cert.get("name")) or clean_text(cert.get("standard"))
        number = clean_text(cert.get("number"))
        if label and number:
            return f"{label} (no. {number})"
        return label or (f"no. {number}" if number else "")
    statement = finding.get("statement")
    return f"“{_one_line(statement, 100)}”" if statement else ""


def _finding_title(finding: Mapping[str, Any], *, resolved: bool) -> str:
    code = str(finding.get("code") or "")
    rule = RULES.get(code)
    what = rule.title if rule else clean_text(finding.get("message")) or code or "finding"
    subject = _finding_subject(finding)
    title = f"{what}: {subject}" if subject else what
    return _one_line(f"Resolved: {title}" if resolved else title)


def _finding_alert(supplier: AlertSupplier, finding: Mapping[str, Any], observed_at: datetime, resolved: bool) -> Alert:
    identity = str(finding.get("identity") or "")
    first_seen = _instant(finding.get("first_seen_at"))
    kind = AlertKind.FINDING_RESOLVED if resolved else AlertKind.FINDING
    parts: list[object] = [supplier.id, AlertKind.FINDING.value, identity, first_seen]
    if resolved:
        parts.append("resolved")
    details = {
        "identity": identity,
        "code": finding.get("code"),
        "severity": finding.get("severity"),
        "message": finding.get("message"),
        "evidence": finding.get("evidence"),
        "rule_source": finding.get("rule_source"),
        "certification": finding.get("certification"),
        "statement": finding.get("statement"),
        "first_seen_at": finding.get("first_seen_at"),
    }
    if resolved:
        details["resolved_at"] = finding.get("resolved_at")
    return Alert(
        id=alert_id(*parts),
        kind=kind,
        # A resolution keeps the finding's severity: recipients filter by min_severity (default medium), so
        # an "info" resolution would never reach the people who were told about the finding.
        severity=str(finding.get("severity") or "info"),
        supplier=supplier,
        title=_finding_title(finding, resolved=resolved),
        details=_json_safe(details),
        observed_at=observed_at,
    )


def finding_alerts(
    supplier: AlertSupplier,
    new_findings: Iterable[Mapping[str, Any]],
    resolved_findings: Iterable[Mapping[str, Any]],
    observed_at: datetime,
) -> list[Alert]:
    """Alerts for findings opened and resolved by one check; ids from supplier, identity and first-seen time
    (a finding that comes back later opens a new period, with a new first-seen time and a new id)."""
    alerts = [_finding_alert(supplier, f, observed_at, resolved=False) for f in new_findings]
    alerts += [_finding_alert(supplier, f, observed_at, resolved=True) for f in resolved_findings]
    return alerts


# --------------------------------------------------------------------------------------------------
# operational alerts
# --------------------------------------------------------------------------------------------------


def _who(supplier: AlertSupplier) -> str:
    return _one_line(supplier.name or supplier.id or supplier.url or "supplier", 120)


def check_failing_alert(
    supplier: AlertSupplier,
    *,
    failures: int,
    reason: str,
    status: str,
    since: datetime | None,
    observed_at: datetime,
    first_failed_check_id: int,
) -> Alert:
    """Checks of a supplier keep failing; one alert per failure streak (id from its first failed check)."""
    return Alert(
        id=alert_id(supplier.id, AlertKind.CHECK_FAILING.value, first_failed_check_id),
        kind=AlertKind.CHECK_FAILING,
        severity=CHECK_FAILING_SEVERITY,
        supplier=supplier,
        title=_one_line(f"Checks failing: {_who(supplier)}: {failures} in a row ({_one_line(status, 40)})"),
        details=_json_safe(
            {
                "failures": failures,
                "reason": _one_line(reason, 1000),
                "status": status,
                "since": since,
                "first_failed_check_id": first_failed_check_id,
            }
        ),
        observed_at=observed_at,
    )


def recovered_alert(
    supplier: AlertSupplier, *, failures: int, first_failed_check_id: int, observed_at: datetime
) -> Alert:
    """The end of a failure streak; pairs with its check_failing alert through ``first_failed_check_id``."""
    return Alert(
        id=alert_id(supplier.id, AlertKind.RECOVERED.value, first_failed_check_id),
        kind=AlertKind.RECOVERED,
        severity=CHECK_FAILING_SEVERITY,
        supplier=supplier,
        title=_one_line(f"Checks working again: {_who(supplier)} after {failures} failed checks"),
        details={"failures": failures, "first_failed_check_id": first_failed_check_id},
        observed_at=observed_at,
    )


def layout_changed_alert(
    platform: str,
    page_type: str,
    suppliers: Iterable[str],
    observed_at: datetime,
    *,
    window_key: str,
    missing_fields: Iterable[str] = (),
) -> Alert:
    """Pages of one family stopped parsing, or stopped yielding fields, for several suppliers: the platform
    probably changed its layout.

    Not about one supplier (supplier fields are None); one alert per platform, page type and window, and
    per set of ``missing_fields`` when the pages still parse but lost fields (storage.parser_health), so a
    drop of other fields in the same window is its own alert while the same drop is never told twice.
    """
    ids = sorted({str(s) for s in suppliers})
    missing = list(dict.fromkeys(str(f) for f in missing_fields))  # in the order given (the claims' order)
    details: dict[str, Any] = {"platform": platform, "page_type": page_type, "suppliers": ids, "window_key": window_key}
    if missing:
        details["missing_fields"] = missing
        what = f"pages lost {', '.join(missing)}"
        key: tuple[str, ...] = (window_key, "missing", *sorted(missing))
    else:
        what, key = "pages unreadable", (window_key,)
    return Alert(
        id=alert_id(AlertKind.LAYOUT_CHANGED.value, platform, page_type, *key),
        kind=AlertKind.LAYOUT_CHANGED,
        severity=LAYOUT_CHANGED_SEVERITY,
        supplier=AlertSupplier(id=None, name=None, url=None),
        title=_one_line(f"Page layout changed? {platform} {page_type} {what} for {len(ids)} suppliers"),
        details=details,
        observed_at=observed_at,
    )
