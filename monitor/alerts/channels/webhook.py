"""Webhook channel: POST the alert as JSON (our own schema), or as a Slack / Teams message.

The format travels inside the target so that one channel instance serves every recipient and an outbox row
holds everything needed to retry: ``https://...`` (or ``json+https://...``) posts ``alert.payload()``,
``slack+https://...`` posts ``{"text": ...}``, ``teams+https://...`` posts an Adaptive Card message.
Build targets with ``webhook_target(recipient.webhook, recipient.webhook_format)``.

Webhook URLs embed secrets (Slack/Teams hook tokens), so errors and logs name only scheme and host.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

import httpx

from monitor.alerts.channels.base import (
    ALERT_ID_HEADER,
    Channel,
    DeliveryError,
    alert_ids_header,
    delivery_key,
    resolve_secret,
)
from monitor.alerts.model import Alert
from monitor.alerts.render import (
    alert_text,
    clean_text,
    digest_title,
    render_text,
    sort_alerts,
    title_line,
)
from monitor.severity import Severity

log = logging.getLogger(__name__)

WebhookFormat = Literal["json", "slack", "teams"]
FORMATS: tuple[str, ...] = get_args(WebhookFormat)
DEFAULT_TIMEOUT = 10.0
USER_AGENT = "supplier-monitor (alert webhook)"
_TEMPORARY_STATUSES = {408, 425, 429}
_TEAMS_COLOURS = {
    Severity.CRITICAL: "attention",
    Severity.HIGH: "attention",
    Severity.MEDIUM: "warning",
    Severity.LOW: "accent",
    Severity.INFO: "default",
}


_SENDING: ContextVar[bool] = ContextVar("supplier_monitor_webhook_sending", default=False)


class _RedactRequestUrl(logging.Filter):
    """httpx logs every request URL at INFO; while a webhook is being sent, that URL holds a token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _SENDING.get() and isinstance(record.args, tuple):
            record.args = tuple(redact_webhook_url(str(a)) if isinstance(a, httpx.URL) else a for a in record.args)
        return True


logging.getLogger("httpx").addFilter(_RedactRequestUrl())


def webhook_target(url: str, fmt: str = "json") -> str:
    """The target string for ``send``: the URL, prefixed with ``slack+`` / ``teams+`` for those formats."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown webhook format {fmt!r}; use one of {', '.join(FORMATS)}")
    return url if fmt == "json" else f"{fmt}+{url}"


def parse_target(target: str, default: WebhookFormat = "json") -> tuple[WebhookFormat, str]:
    """Split ``slack+https://...`` / ``slack+env:NAME`` into (format, URL); a bare URL gets ``default``."""
    prefix, sep, rest = target.partition("+")
    if sep and prefix in FORMATS and rest.lower().startswith(("http://", "https://", "env:")):
        return prefix, rest  # type: ignore[return-value]
    return default, target


def redact_webhook_url(url: str) -> str:
    """Scheme and host only: paths and queries of webhook URLs are tokens."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(unparseable URL)"
    return f"{parts.scheme}://{host}{port}/…"


def slack_escape(text: str) -> str:
    """Slack's required escaping: only &, < and > (so scraped text cannot form <!channel> or <url|label>)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def json_body(alerts: list[Alert]) -> dict[str, Any]:
    if len(alerts) == 1:
        return alerts[0].payload()
    return {"digest": True, "alerts": [a.payload() for a in alerts]}


def slack_body(alerts: list[Alert]) -> dict[str, Any]:
    # mrkdwn off: scraped *stars* and _underscores_ stay literal.
    return {"text": slack_escape(render_text(alerts).rstrip()), "mrkdwn": False}


def teams_body(alerts: list[Alert]) -> dict[str, Any]:
    """A Teams "message" with one Adaptive Card (what Teams Workflows webhooks accept)."""
    blocks: list[dict[str, Any]] = []
    if len(alerts) > 1:
        blocks.append({"type": "TextBlock", "text": digest_title(alerts), "weight": "Bolder", "size": "Large"})
    for alert in sort_alerts(alerts):
        blocks.append(
            {
                "type": "TextBlock",
                "text": f"[{clean_text(alert.severity.upper(), single_line=True, limit=20)}] {title_line(alert)}",
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
                "color": _TEAMS_COLOURS.get(alert.severity, "default"),
                "separator": len(alerts) > 1,
            }
        )
        blocks.append({"type": "TextBlock", "text": alert_text(alert, with_title=False), "wrap": True})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": blocks,
    }
    summary = title_line(alerts[0], limit=150) if len(alerts) == 1 else digest_title(alerts)
    return {
        "type": "message",
        "summary": summary,
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card},
        ],
    }


_BODIES = {"json": json_body, "slack": slack_body, "teams": teams_body}


class WebhookChannel(Channel):
    """POSTs to ``target`` (see the module doc for format prefixes); ``format`` is the default for bare URLs.

    ``timeout`` (seconds) bounds connect, read and write; proxies come from the environment as usual.
    """

    name = "webhook"

    def __init__(self, format: WebhookFormat = "json", timeout: float = DEFAULT_TIMEOUT) -> None:
        if format not in FORMATS:
            raise ValueError(f"unknown webhook format {format!r}; use one of {', '.join(FORMATS)}")
        self.format: WebhookFormat = format
        self.timeout = timeout

    def send(self, alerts: list[Alert], target: str, *, recipient: str) -> None:
        """POST once; 2xx is success, 408/425/429/5xx/network errors are temporary, other statuses permanent."""
        if not alerts:
            return
        fmt, url = parse_target(target, self.format)
        url = resolve_secret(url)
        where = redact_webhook_url(url)
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            raise DeliveryError(f"webhook target {where} is not an http(s) URL", permanent=True)
        key = delivery_key(alerts)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Idempotency-Key": key,
            ALERT_ID_HEADER: alert_ids_header(alerts),
        }
        content = json.dumps(_BODIES[fmt](alerts), ensure_ascii=False).encode()
        sending = _SENDING.set(True)
        try:
            with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
                response = client.post(url, content=content, headers=headers)
        except httpx.TimeoutException:
            raise DeliveryError(f"webhook {where} did not answer within {self.timeout:g}s") from None
        except httpx.InvalidURL:
            raise DeliveryError(f"webhook target {where} is not a valid URL", permanent=True) from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook {where} unreachable ({type(exc).__name__})") from None
        finally:
            _SENDING.reset(sending)
        status = response.status_code
        if 200 <= status < 300:
            log.info("sent %d alert(s) to %s via webhook %s (%s)", len(alerts), recipient, where, fmt)
            return
        permanent = not (status >= 500 or status in _TEMPORARY_STATUSES)
        raise DeliveryError(f"webhook {where} answered HTTP {status}", permanent=permanent)
