"""Whether the distributed mode can run with this config, and the libpq connection string for the queue.

The project's database URL is SQLAlchemy's (``postgresql+psycopg://user@host:5432/db?options=...``); the job
queue and the supplier guard talk to PostgreSQL through psycopg directly, which wants a libpq conninfo. The
query options (``options=-csearch_path=...``, ``sslmode``, ...) are kept: the queue's tables live in the
same schema as everything else.
"""

from __future__ import annotations

import logging
import signal
from pathlib import Path

from sqlalchemy.engine import make_url

from monitor.config import Config, ConfigError, FileSignature, file_signature, load_config, redact_url


class NotDistributedError(Exception):
    """The config does not allow the scheduler or a worker to run; the message says what to change."""


def is_postgresql(url: str) -> bool:
    return url.startswith("postgresql")


def require_distributed(config: Config) -> None:
    """Raise NotDistributedError unless ``[scheduler] mode = "distributed"`` on a PostgreSQL database."""
    if config.scheduler.mode != "distributed":
        raise NotDistributedError(
            '[scheduler] mode is "single": the scheduler and workers run only in the distributed mode. Set '
            '[scheduler] mode = "distributed" with a PostgreSQL [database] url, or run everything in one process '
            "with `supplier-monitor run`."
        )
    if not is_postgresql(config.database.url):
        raise NotDistributedError(
            f"the distributed mode needs PostgreSQL, and [database] url is {redact_url(config.database.url)}; "
            'set url = "postgresql+psycopg://user@host/db" (or $SUPPLIER_MONITOR_DATABASE_URL).'
        )


def start_process(config_path: Path, *, configure_logging: bool) -> tuple[Config, FileSignature | None] | None:
    """What the scheduler and a worker do first: logging, SIGTERM stopping the process as Ctrl-C does (no
    traceback) until the queue's own handlers are in place, and the config with its file signature (None:
    the config does not allow the distributed mode; logged)."""
    from monitor.daemon import configure_daemon_logging

    if configure_logging:
        configure_daemon_logging()
        logging.getLogger("procrastinate").setLevel(logging.WARNING)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signature = file_signature(config_path)
    try:
        config = load_config(config_path)
        require_distributed(config)
    except (ConfigError, NotDistributedError) as exc:
        logging.getLogger("monitor.distributed").error("%s", exc)
        return None
    return config, signature


def libpq_conninfo(url: str) -> str:
    """The libpq conninfo (``host=... dbname=... options=...``) for a SQLAlchemy PostgreSQL URL."""
    from psycopg.conninfo import make_conninfo

    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        raise ValueError(f"not a PostgreSQL URL: {redact_url(url)}")
    params: dict[str, str | int] = {}
    for key, value in (
        ("host", parsed.host),
        ("port", parsed.port),
        ("dbname", parsed.database),
        ("user", parsed.username),
        ("password", parsed.password),
    ):
        if value is not None and value != "":
            params[key] = value
    for key, value in parsed.query.items():
        # A repeated key (a tuple) means several hosts to libpq: joined with commas, as libpq takes them.
        params[key] = ",".join(value) if isinstance(value, tuple) else value
    return make_conninfo("", **params)
