"""The contract of a channel: send one alert (or a digest of several) to one target, or raise."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from monitor.alerts.model import Alert


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

    @abstractmethod
    def send(self, alerts: list[Alert], target: str, *, recipient: str) -> None:
        """Deliver ``alerts`` (one, or several for a digest) to ``target``; raise DeliveryError on failure.

        Scraped text inside alerts is untrusted: escape it for the medium (HTML mail) and keep it out of
        headers. The alert id must travel with the message so that receivers can deduplicate.
        """


def channel_class(name: str) -> type[Channel]:
    from monitor.alerts.channels import load_builtin

    load_builtin()
    try:
        return Channel._registry[name]
    except KeyError:
        known = ", ".join(sorted(Channel._registry))
        raise LookupError(f"unknown channel {name!r}; known channels: {known}") from None
