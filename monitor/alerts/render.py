"""Text and HTML renderings of one alert or a digest, shared by every channel.

Alert titles and details carry scraped text, which is untrusted: everything here goes through
``clean_text`` (no terminal control or bidi-override characters) and the HTML form escapes every value.
Details are rendered generically (nested dicts and lists), with the ``changes`` shape
``{"field", "from", "to"}`` shown as one "field: old → new" line, so new alert kinds need no code here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from monitor.alerts.model import Alert, AlertKind
from monitor.severity import Severity

MAX_VALUE_CHARS = 2000
MAX_LIST_ITEMS = 50
MAX_DEPTH = 6
SUBJECT_LIMIT = 150

# C0/C1 controls (tab and newline are handled separately), DEL, and the Unicode bidi overrides/isolates
# that can make text read differently from what it is ("Trojan Source").
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_LINE_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029\x85\x0b\x0c]")
_SPACES = re.compile(r"[ \t]+")


def clean_text(value: object, *, single_line: bool = False, limit: int | None = None) -> str:
    """``value`` as text fit for a terminal, a mail or a chat message: no control characters.

    ``single_line`` turns line breaks and tabs into spaces (names, titles, headers); ``limit`` cuts the
    result with an ellipsis.
    """
    text = "" if value is None else str(value)
    text = _LINE_BREAKS.sub(" " if single_line else "\n", text)
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text.replace("\t", " ")).strip() if single_line else text.replace("\t", "    ")
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)].rstrip() + "…"
    return text


@dataclass
class Line:
    """One rendered detail: ``label: value`` with nested lines below it."""

    label: str | None
    value: str | None
    children: list[Line] = field(default_factory=list)


def _scalar(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return clean_text(value, limit=MAX_VALUE_CHARS)


def _label(key: object) -> str:
    return clean_text(str(key).replace("_", " "), single_line=True, limit=80)


def _is_change(value: object) -> bool:
    return isinstance(value, dict) and "field" in value and ("from" in value or "to" in value)


def detail_lines(value: Any, depth: int = 0) -> list[Line]:
    """The details dict as a tree of lines (generic; changes shown as "field: old → new")."""
    if depth > MAX_DEPTH:
        return [Line(None, "…")]
    if isinstance(value, dict):
        if _is_change(value):
            rest = {k: v for k, v in value.items() if k not in ("field", "from", "to")}
            arrow = f"{_scalar(value.get('from'))} → {_scalar(value.get('to'))}"
            return [Line(_label(value["field"]), arrow, detail_lines(rest, depth + 1))]
        lines: list[Line] = []
        for key, item in value.items():
            if isinstance(item, dict | list | tuple):
                if not item:
                    lines.append(Line(_label(key), "(none)"))
                else:
                    lines.append(Line(_label(key), None, detail_lines(item, depth + 1)))
            else:
                lines.append(Line(_label(key), _scalar(item)))
        return lines
    if isinstance(value, list | tuple):
        lines = []
        for number, item in enumerate(value[:MAX_LIST_ITEMS], 1):
            if isinstance(item, dict) and not _is_change(item):
                lines.append(Line(f"#{number}", None, detail_lines(item, depth + 1)))
            elif isinstance(item, dict | list | tuple):
                lines.extend(detail_lines(item, depth + 1))
            else:
                lines.append(Line(None, _scalar(item)))
        if len(value) > MAX_LIST_ITEMS:
            lines.append(Line(None, f"… and {len(value) - MAX_LIST_ITEMS} more"))
        return lines
    return [Line(None, _scalar(value))]


def supplier_label(alert: Alert) -> str:
    """'Name (id)' on one line; scraped names cannot break lines."""
    name = clean_text(alert.supplier.name, single_line=True, limit=200)
    sid = clean_text(alert.supplier.id, single_line=True, limit=80)
    if name and sid and name != sid:
        return f"{name} ({sid})"
    return name or sid or "(no supplier)"


def title_line(alert: Alert, limit: int | None = 300) -> str:
    return clean_text(alert.title, single_line=True, limit=limit) or "(untitled alert)"


def _summary(alert: Alert) -> list[tuple[str, str]]:
    rows = [
        ("Supplier", supplier_label(alert)),
        ("Severity", clean_text(alert.severity, single_line=True, limit=20)),
        ("Kind", alert.kind.value),
        ("Observed", alert.observed_at.isoformat(timespec="seconds")),
    ]
    if alert.supplier.url:
        rows.insert(1, ("Page", clean_text(alert.supplier.url, single_line=True, limit=500)))
    rows.append(("Alert id", clean_text(alert.id, single_line=True, limit=100)))
    return rows


def sort_alerts(alerts: Sequence[Alert]) -> list[Alert]:
    """Most severe first, then oldest first, so a digest reads top-down by urgency."""

    return sorted(alerts, key=lambda a: (-Severity.rank_of(a.severity), a.observed_at))


def highest_severity(alerts: Sequence[Alert]) -> str:
    return sort_alerts(alerts)[0].severity if alerts else "info"


# --- plain text -------------------------------------------------------------------------------------------


def _text_tree(lines: list[Line], indent: int) -> list[str]:
    out: list[str] = []
    pad = "  " * indent
    for line in lines:
        head = f"{line.label}: " if line.label else ""
        first, *more = (line.value or "").split("\n")
        out.append(f"{pad}- {head}{first}".rstrip())
        out.extend(f"{pad}  {extra}" for extra in more)
        out.extend(_text_tree(line.children, indent + 1))
    return out


def alert_text(alert: Alert, *, with_title: bool = True) -> str:
    """One alert as plain text (title, summary rows, details)."""
    out = [f"[{clean_text(alert.severity.upper(), single_line=True)}] {title_line(alert)}"] if with_title else []
    out.extend(f"{label}: {value}" for label, value in _summary(alert))
    details = detail_lines(alert.details)
    if details:
        out.append("Details:")
        out.extend(_text_tree(details, 1))
    return "\n".join(line.rstrip() for line in out).rstrip()


def digest_title(alerts: Sequence[Alert]) -> str:
    return f"{len(alerts)} supplier alerts (highest severity: {highest_severity(alerts)})"


def render_text(alerts: Sequence[Alert]) -> str:
    """The plain-text body: the alert, or a digest listing every alert, most severe first."""
    if len(alerts) == 1:
        return alert_text(alerts[0]) + "\n"
    parts = [digest_title(alerts), ""]
    for number, alert in enumerate(sort_alerts(alerts), 1):
        first, *rest = alert_text(alert).split("\n")
        parts.append(f"{number}. {first}")
        parts.extend(f"   {line}" if line else "" for line in rest)
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


# --- subject (mail headers, notification titles) ------------------------------------------------------------

_CHANGE_WORDS = {
    "certification_added": "Certificate added",
    "certification_removed": "Certificate removed",
    "certification_changed": "Certificate changed",
    "certification_document_changed": "Certificate document replaced",
    "badge_gained": "Badge gained",
    "badge_lost": "Badge lost",
    "badge_changed": "Badge changed",
}
_KIND_WORDS = {
    AlertKind.CLAIM_CHANGE: "Claims changed",
    AlertKind.FINDING: "Finding",
    AlertKind.FINDING_RESOLVED: "Finding resolved",
    AlertKind.CHECK_FAILING: "Checks failing",
    AlertKind.RECOVERED: "Checks working again",
    AlertKind.LAYOUT_CHANGED: "Page layout changed?",
    AlertKind.CHECKS_STALLED: "Checks were not running",
    AlertKind.SUMMARY: "More alerts",
}
# Words we wrote ourselves but that travel inside the payload (rule codes, claim field keys, parser names):
# only identifier-shaped values are used, so no scraped sentence can pass for one.
_FIELD_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_RULE_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,59}")


def _severity_word(severity: object) -> str:
    known = Severity.parse(severity)
    return known.value if known else "alert"


def _rule_title(code: object) -> str | None:
    """The title of one of our rules, by its code (never the finding's message, which quotes the page)."""
    if not isinstance(code, str) or not _RULE_CODE.fullmatch(code):
        return None
    import monitor.verify.rules  # noqa: F401  (registers the rules; imported late: render is imported early)
    from monitor.verify.findings import RULES

    rule = RULES.get(code)
    return rule.title if rule else code


def _what(alert: Alert) -> str:
    """What happened, in our own words only: kind, change kind, rule title, counts."""
    details = alert.details
    kind = alert.kind
    if kind is AlertKind.CLAIM_CHANGE:
        change = details.get("change")
        if change in _CHANGE_WORDS:
            return _CHANGE_WORDS[str(change)]
        fields = details.get("fields")
        first = fields[0] if isinstance(fields, list) and fields and isinstance(fields[0], dict) else {}
        key = first.get("field")
        if isinstance(key, str) and _FIELD_KEY.fullmatch(key):
            return f"{key.replace('_', ' ').capitalize()} changed"
        return _KIND_WORDS[kind]
    if kind in (AlertKind.FINDING, AlertKind.FINDING_RESOLVED):
        title = _rule_title(details.get("code")) or "Finding"
        return f"Resolved: {title}" if kind is AlertKind.FINDING_RESOLVED else title
    if kind in (AlertKind.CHECK_FAILING, AlertKind.RECOVERED):
        failures = details.get("failures")
        count = failures if isinstance(failures, int) and not isinstance(failures, bool) else None
        if count is None:
            return _KIND_WORDS[kind]
        return (
            f"Checks failing ({count} in a row)"
            if kind is AlertKind.CHECK_FAILING
            else f"Checks working again after {count} failures"
        )
    if kind is AlertKind.LAYOUT_CHANGED:
        names = [str(details.get(k)) for k in ("platform", "page_type") if _FIELD_KEY.fullmatch(str(details.get(k)))]
        suppliers = details.get("suppliers")
        count = f" for {len(suppliers)} suppliers" if isinstance(suppliers, list) else ""
        return " ".join([_KIND_WORDS[kind], *names]) + count
    if kind is AlertKind.SUMMARY:
        more = details.get("more")
        if isinstance(more, int) and not isinstance(more, bool):
            return f"and {more} more alerts from one check"
    return _KIND_WORDS.get(kind, "Alert")


def _who(alert: Alert, supplier_names: Mapping[str, str] | None) -> str:
    """The supplier as the operator wrote it in the config (name, else id), never the name scraped from the page."""
    sid = alert.supplier.id
    if not sid:
        return ""
    name = (supplier_names or {}).get(sid)
    return clean_text(name or sid, single_line=True, limit=80)


def subject(
    alerts: Sequence[Alert], limit: int = SUBJECT_LIMIT, *, supplier_names: Mapping[str, str] | None = None
) -> str:
    """A one-line, length-limited subject made only of our own words and the operator's supplier names.

    Scraped text (titles quote statements, certificate names and numbers from the page) must stay out of
    mail headers, where it could pose as our words or smuggle header text: it is in the body instead.
    ``supplier_names`` maps supplier ids to the names in the operator's config.
    """
    if len(alerts) == 1:
        alert = alerts[0]
        who = _who(alert, supplier_names)
        what = _what(alert)
        text = f"[{_severity_word(alert.severity).upper()}] " + (f"{who}: {what}" if who else what)
    else:
        worst = _severity_word(highest_severity(alerts))
        text = f"[{worst.upper()}] {len(alerts)} supplier alerts (highest severity: {worst})"
        ids = sorted({a.supplier.id for a in alerts if a.supplier.id})
        if len(ids) == 1:
            text += f" for {_who(next(a for a in alerts if a.supplier.id), supplier_names)}"
    return clean_text(text, single_line=True, limit=limit)


# --- HTML -------------------------------------------------------------------------------------------------

_SEVERITY_COLOURS = {
    Severity.CRITICAL: "#b00020",
    Severity.HIGH: "#d35400",
    Severity.MEDIUM: "#b7950b",
    Severity.LOW: "#2874a6",
    Severity.INFO: "#566573",
}


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _html_value(value: str) -> str:
    return _e(value).replace("\n", "<br>")


def _html_tree(lines: list[Line]) -> str:
    items: list[str] = []
    for line in lines:
        parts: list[str] = []
        if line.label:
            parts.append(f"<strong>{_e(line.label)}</strong>" + (": " if line.value else ""))
        if line.value:
            parts.append(_html_value(line.value))
        if line.children:
            parts.append(_html_tree(line.children))
        items.append(f"<li>{''.join(parts)}</li>")
    return f"<ul>{''.join(items)}</ul>"


def _link(url: str) -> str:
    """A link only for http(s) URLs (never javascript: and the like); the text is escaped either way."""
    if urlsplit(url).scheme.lower() in ("http", "https"):
        return f'<a href="{_e(url)}">{_e(url)}</a>'
    return _e(url)


def alert_html(alert: Alert) -> str:
    """One alert as an HTML fragment; every value escaped."""
    colour = _SEVERITY_COLOURS.get(alert.severity, "#566573")
    rows = []
    for label, value in _summary(alert):
        cell = _link(value) if label == "Page" else _html_value(value)
        rows.append(
            f'<tr><th style="text-align:left;padding-right:1em;vertical-align:top">{_e(label)}</th><td>{cell}</td></tr>'
        )
    details = detail_lines(alert.details)
    details_html = f"<h3>Details</h3>{_html_tree(details)}" if details else ""
    return (
        '<div style="margin-bottom:1.5em">'
        f'<h2 style="margin:0 0 .3em 0"><span style="color:{colour}">[{_e(alert.severity.upper())}]</span> '
        f"{_e(title_line(alert))}</h2>"
        f"<table>{''.join(rows)}</table>{details_html}</div>"
    )


def render_html(alerts: Sequence[Alert]) -> str:
    """The HTML body (a complete document) for one alert or a digest."""
    if len(alerts) == 1:
        heading, body = "", alert_html(alerts[0])
    else:
        heading = f"<h1>{_e(digest_title(alerts))}</h1>"
        body = "<hr>".join(alert_html(a) for a in sort_alerts(alerts))
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        f'<body style="font-family:sans-serif">{heading}{body}'
        '<p style="color:#777;font-size:small">Sent by supplier-monitor.</p></body></html>'
    )
