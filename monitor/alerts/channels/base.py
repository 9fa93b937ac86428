"""The contract of a channel: send one alert (or a digest of several) to one target, or raise."""

from __future__ import annotations

import hashlib
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from monitor.alerts.model import Alert

if TYPE_CHECKING:
    from monitor.config import Config


class DeliveryError(Exception):
    """Sending failed; ``permanent`` means retrying cannot help (bad address, 4xx other than 408/429)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Channel(ABC):
    """One way of reaching people. Subclasses register under ``name`` (urlwatch-style reporters)."""

    name: ClassVar[str]
    _registry: ClassVar[dict[str, type[Channel]]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "name", None):
            Channel._registry[cls.name] = cls

    @classmethod
    def from_config(cls, config: Config) -> Channel:
        """Build the channel from the whole configuration (SMTP settings etc.); the default needs none."""
        return cls()

    @abstractmethod
    def send(self, alerts: list[Alert], target: str, *, recipient: str) -> None:
        """Deliver ``alerts`` (one, or several for a digest) to ``target``; raise DeliveryError on failure.

        Scraped text inside alerts is untrusted: escape it for the medium (HTML mail) and keep it out of
        headers. The alert id must travel with the message so that receivers can deduplicate.
        """


#: A target written as ``env:NAME`` is read from that environment variable when sending, so that secret URLs
#: (Slack hook tokens, Telegram bot tokens in Apprise URLs) stay out of config.toml and out of the outbox table.
SECRET_REFERENCE = re.compile(r"env:([A-Za-z_][A-Za-z0-9_]*)")


def resolve_secret(target: str) -> str:
    """``target`` itself, or the value of the environment variable an ``env:NAME`` target names."""
    match = SECRET_REFERENCE.fullmatch(target.strip())
    if match is None:
        return target
    value = os.environ.get(match.group(1), "").strip()
    if not value:
        # Temporary: the operator can set it and the retry will go out.
        raise DeliveryError(f"environment variable {match.group(1)} (named by {target}) is not set")
    return value


#: Carries the alert id(s) on every message (mail header, HTTP header) so receivers can deduplicate.
ALERT_ID_HEADER = "X-Supplier-Monitor-Alert-Id"
_UNSAFE_ID_CHARS = re.compile(r"[^A-Za-z0-9._-]")


def header_safe_id(alert_id: str) -> str:
    """An alert id fit for a header (ids from ``alert_id`` already are; this guards hand-made ones)."""
    return _UNSAFE_ID_CHARS.sub("", alert_id)[:100] or "alert-" + hashlib.sha256(alert_id.encode()).hexdigest()[:24]


def alert_ids_header(alerts: Sequence[Alert]) -> str:
    """The value of ``X-Supplier-Monitor-Alert-Id``: the ids, comma-separated."""
    return ",".join(header_safe_id(a.id) for a in alerts)


def delivery_key(alerts: Sequence[Alert]) -> str:
    """One stable key per message: the alert id, or for a digest a hash of its (sorted) alert ids.

    Used as Message-ID / Idempotency-Key so that a resent message can be recognised by the receiver.
    """
    if len(alerts) == 1:
        return header_safe_id(alerts[0].id)
    joined = "\x1f".join(sorted(a.id for a in alerts))
    return "digest-" + hashlib.sha256(joined.encode()).hexdigest()[:24]


def operator_supplier_names(config: Config) -> dict[str, str]:
    """Supplier id -> the ``name`` the operator wrote in [[suppliers]] (for subjects and titles).

    Alerts carry the name scraped from the page when there is one; that is untrusted text and stays in
    message bodies. Suppliers without a configured name are shown by their id.
    """
    return {s.id: s.name for s in config.suppliers if s.name}


def channel_class(name: str) -> type[Channel]:
    from monitor.alerts.channels import load_builtin

    load_builtin()
    try:
        return Channel._registry[name]
    except KeyError:
        known = ", ".join(sorted(Channel._registry))
        raise LookupError(f"unknown channel {name!r}; known channels: {known}") from None
