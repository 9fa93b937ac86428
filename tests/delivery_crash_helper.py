"""Runs one deliver_due pass in its own process, for tests/test_delivery_crash.py.

The "crash-test-file" channel appends each alert id it sends to a file (flush + fsync before returning,
so what was "sent" survives the kill), and kills its own process with SIGKILL on the CRASH_AT-th send of
this process: after writing (CRASH_POINT=after_send: sent but not yet marked) or before writing
(CRASH_POINT=before_send). SIGKILL, not an exception: no cleanup, no finally, no rollback handler runs.

Usage: python tests/delivery_crash_helper.py DB_URL OUT_FILE NOW_ISO LEASE_SECONDS BATCH_SIZE
Prints the DeliveryReport counts as JSON when it survives.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

from monitor.alerts.channels.base import Channel
from monitor.alerts.delivery import deliver_due
from monitor.alerts.model import Alert
from monitor.config import Config
from storage import open_database

CHANNEL = "crash-test-file"


class FileChannel(Channel):
    """Appends alert ids to a file, durably; may SIGKILL the process at a chosen send."""

    name: ClassVar[str] = CHANNEL

    def __init__(self, path: Path, crash_at: int | None, crash_point: str) -> None:
        self.path = path
        self.crash_at = crash_at
        self.crash_point = crash_point
        self.sends = 0

    def send(self, alerts: list[Alert], target: str, *, recipient: str) -> None:
        self.sends += 1
        crash_now = self.crash_at is not None and self.sends == self.crash_at
        if crash_now and self.crash_point == "before_send":
            os.kill(os.getpid(), signal.SIGKILL)
        with self.path.open("a", encoding="utf-8") as out:
            for alert in alerts:
                out.write(alert.id + "\n")
            out.flush()
            os.fsync(out.fileno())
        if crash_now and self.crash_point == "after_send":
            os.kill(os.getpid(), signal.SIGKILL)


def main(argv: list[str]) -> int:
    db_url, out_file, now_iso, lease_seconds, batch_size = argv
    crash_at = int(os.environ["CRASH_AT"]) if os.environ.get("CRASH_AT") else None
    channel = FileChannel(Path(out_file), crash_at, os.environ.get("CRASH_POINT", "after_send"))
    db = open_database(db_url)
    try:
        report = deliver_due(
            db,
            Config(),
            now=datetime.fromisoformat(now_iso),
            channels={CHANNEL: channel},
            batch_size=int(batch_size),
            lease=timedelta(seconds=float(lease_seconds)),
        )
    finally:
        db.dispose()
    print(json.dumps({"sent": report.sent, "retrying": report.retrying, "failed": report.failed}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
