"""Apprise channel: one Apprise URL (Telegram, Matrix, ntfy, Discord, json://...) per target.

Apprise URLs usually carry tokens, so the URL is never logged or put in an error: only its scheme is.
The notification title becomes a mail Subject for Apprise's e-mail services (mailto://, ses://, ...), so it
is ``render.subject`` (our words and the operator's supplier names); scraped text stays in the body.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING

from monitor.alerts.channels.base import Channel, DeliveryError, operator_supplier_names, resolve_secret
from monitor.alerts.model import Alert
from monitor.alerts.render import render_text, subject

if TYPE_CHECKING:
    from monitor.config import Config

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

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, *, supplier_names: Mapping[str, str] | None = None) -> None:
        import apprise  # its ~100 plugins load when an Apprise channel is built, not with the channel registry

        self._apprise: ModuleType = apprise
        self.timeout = timeout
        self.supplier_names = dict(supplier_names or {})

    @classmethod
    def from_config(cls, config: Config) -> AppriseChannel:
        return cls(supplier_names=operator_supplier_names(config))

    def send(self, alerts: list[Alert], target: str, *, recipient: str) -> None:
        """Notify the one Apprise URL ``target``; invalid URL → permanent, failed notify → temporary."""
        if not alerts:
            return
        target = resolve_secret(target)
        where = redact_apprise_url(target)
        notifier = self._apprise.Apprise()
        try:
            added = notifier.add(target)
        except Exception as exc:
            raise DeliveryError(f"invalid Apprise URL {where} ({type(exc).__name__})", permanent=True) from None
        if not added:
            raise DeliveryError(f"invalid or unsupported Apprise URL {where}", permanent=True)
        title = subject(alerts, limit=250, supplier_names=self.supplier_names)
        try:
            result = notifier.notify(
                title=title,
                body=render_text(alerts),
                body_format=self._apprise.NotifyFormat.TEXT,
                timeout=self.timeout,
            )
        except Exception as exc:
            raise DeliveryError(f"Apprise notification to {where} failed ({type(exc).__name__})") from None
        if not result:
            raise DeliveryError(f"Apprise notification to {where} failed (the service did not accept it)")
        log.info("sent %d alert(s) to %s via %s", len(alerts), recipient, where)
