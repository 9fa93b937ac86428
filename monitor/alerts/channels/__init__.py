"""Notification channels, one module each; defining a Channel subclass registers it by name."""


def load_builtin() -> None:
    """Import the built-in channel modules so that they register."""
    from monitor.alerts.channels import apprise_channel, console, email, webhook  # noqa: F401
