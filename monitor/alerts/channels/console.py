"""Console channel: alerts printed to stdout (the demo, and operators running in a terminal).

Scraped text is passed to rich only as ``rich.text.Text`` (never parsed as markup) after control characters
are stripped, so a supplier name like ``[bold]x`` or an ANSI escape is shown literally or not at all.
"""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console
from rich.text import Text

from monitor.alerts.channels.base import Channel
from monitor.alerts.model import Alert
from monitor.alerts.render import alert_text, clean_text, digest_title, sort_alerts, title_line
from monitor.severity import Severity

#: How a severity looks in a terminal: these alerts, and the command line's tables (monitor.report).
SEVERITY_STYLES = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


class ConsoleChannel(Channel):
    """Prints to ``file`` (stdout at send time by default, so redirection and capture work)."""

    name = "console"

    def __init__(self, file: TextIO | None = None) -> None:
        self._file = file

    def send(self, alerts: list[Alert], target: str = "", *, recipient: str = "") -> None:
        """``target`` is ignored (there is one console); ``recipient`` is shown in the header."""
        if not alerts:
            return
        console = Console(file=self._file or sys.stdout, highlight=False, soft_wrap=True, emoji=False)
        who = clean_text(recipient, single_line=True, limit=80)
        if len(alerts) > 1:
            header = Text(digest_title(alerts), style="bold")
            if who:
                header.append(f" for {who}")
            console.print(header)
        for alert in sort_alerts(alerts):
            style = SEVERITY_STYLES.get(alert.severity, "")
            head = Text()
            head.append(f"[{clean_text(alert.severity.upper(), single_line=True, limit=20)}]", style=style)
            head.append(" ")
            head.append(title_line(alert), style="bold")
            if who and len(alerts) == 1:
                head.append(f"  (for {who})", style="dim")
            console.print(head)
            console.print(Text(alert_text(alert, with_title=False)))
            console.print()
