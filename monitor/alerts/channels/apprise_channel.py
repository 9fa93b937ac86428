"""Apprise channel: one Apprise URL (Telegram, Matrix, ntfy, Discord, json://...) per target.

Apprise URLs usually carry tokens, so the URL is never logged or put in an error: only its scheme is.
"""

from __future__ import annotations

import logging
import re

import apprise

from monitor.alerts.channels.base import Channel, DeliveryError
from monitor.alerts.model import Alert
from monitor.alerts.render import digest_title, render_text, title_line

log = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 30.0


def redact_apprise_url(url: str) -> str:
    """Only the scheme ('tgram://…'): the rest of an Apprise URL is credentials more often than not."""
    scheme, sep, _ = url.partition("://")
    if sep and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,30}", scheme):
        return f"{scheme.lower()}://…"
    return "(unparseable Apprise URL)"


class AppriseChannel(Channel):
    """Sends plain text through Apprise; ``timeout`` bounds the whole notify call (seconds)."""

    name = "apprise"

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout

    def send(self, alerts: list[Alert], target: str, *, recipient: str) -> None:
        """Notify the one Apprise URL ``target``; invalid URL → permanent, failed notify → temporary."""
        if not alerts:
            return
        where = redact_apprise_url(target)
        notifier = apprise.Apprise()
        try:
            added = notifier.add(target)
        except Exception as exc:
            raise DeliveryError(f"invalid Apprise URL {where} ({type(exc).__name__})", permanent=True) from None
        if not added:
            raise DeliveryError(f"invalid or unsupported Apprise URL {where}", permanent=True)
        title = title_line(alerts[0], limit=250) if len(alerts) == 1 else digest_title(alerts)
        try:
            result = notifier.notify(
                title=title,
                body=render_text(alerts),
                body_format=apprise.NotifyFormat.TEXT,
                timeout=self.timeout,
            )
        except Exception as exc:
            raise DeliveryError(f"Apprise notification to {where} failed ({type(exc).__name__})") from None
        if not result:
            raise DeliveryError(f"Apprise notification to {where} failed (the service did not accept it)")
        log.info("sent %d alert(s) to %s via %s", len(alerts), recipient, where)
