"""Engines, sessions and migrations: one URL in, a migrated database out.

SQLite (the default, a single file) and PostgreSQL ("postgresql+psycopg://...") run the same code.
Alembic is configured programmatically from the package directory, so no alembic.ini is needed at runtime
and migrations work from an installed wheel. Alembic is imported only to migrate: a database already at the
newest revision (read with a plain query, the newest revision from the migration files) opens without it.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from storage.fingerprint import json_dumps
from storage.models import metadata

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_DATABASE_URL = "sqlite:///data/supplier-monitor.db"
DATABASE_URL_ENV = "SUPPLIER_MONITOR_DATABASE_URL"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"
SQLITE_BUSY_TIMEOUT_MS = 15_000
# Arbitrary constant key: serialises concurrent migration runs on one PostgreSQL database.
_PG_MIGRATION_LOCK_KEY = 0x5355_504D_4F4E  # "SUPMON"
# Tables owned by this package, used for size accounting.
STORAGE_TABLES: tuple[str, ...] = (*metadata.tables, VERSION_TABLE)
#: Tables of the distributed mode's job queue (Procrastinate's own schema, created by migration 0009).
JOB_QUEUE_PREFIX = "procrastinate_"


def ours(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    """Alembic's ``include_name`` filter: the job queue's tables are Procrastinate's, not our models, so schema
    comparisons (autogenerate, the schema tests) leave them out."""
    table = name if type_ == "table" else parent_names.get("table_name")
    return not (table or "").startswith(JOB_QUEUE_PREFIX)


def default_database_url() -> str:
    """The URL from $SUPPLIER_MONITOR_DATABASE_URL, else a SQLite file under ./data/."""
    return os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL


def _is_sqlite_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or "mode=memory" in str(url)


def create_engine_for_url(url: str | URL, **engine_kwargs: Any) -> Engine:
    """Build an engine with the per-backend settings storage relies on.

    SQLite: creates the file's parent directory, turns on WAL (readers don't block the writer), foreign
    keys (off by default in SQLite!) and a busy timeout, and lets SQLAlchemy emit BEGIN itself so reads
    are inside transactions and DDL is transactional (pysqlite's legacy mode does neither).
    """
    sa_url = make_url(url)
    engine_kwargs.setdefault("json_serializer", json_dumps)
    if sa_url.get_backend_name() != "sqlite":
        engine_kwargs.setdefault("pool_pre_ping", True)
        return create_engine(sa_url, **engine_kwargs)

    if _is_sqlite_memory(sa_url):
        engine_kwargs.setdefault("poolclass", StaticPool)
        engine_kwargs.setdefault("connect_args", {"check_same_thread": False})
    elif sa_url.database and not sa_url.database.startswith("file:"):
        Path(sa_url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(sa_url, **engine_kwargs)

    @event.listens_for(engine, "connect")
    def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see "begin" below)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            _set_wal(cursor)
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_on_begin(conn: Connection) -> None:
        # Writers that read before they write ask for IMMEDIATE so the write lock is taken up front:
        # a deferred read->write upgrade can fail with SQLITE_BUSY without honouring busy_timeout.
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _set_wal(cursor: Any) -> None:
    """Switch to WAL; retried because the switch can fail at once with "database is locked" (busy_timeout
    does not cover it) while another connection is creating the same new database file."""
    for attempt in range(100):
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 99:
                raise
            time.sleep(0.05)


def alembic_config(url: str | URL, connection: Connection | None = None) -> Config:
    """An Alembic Config built in code (no ini file); pass `connection` to migrate on it."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation: a literal '%' (e.g. in a password) must be doubled.
    rendered = url.render_as_string(hide_password=False) if isinstance(url, URL) else str(url)
    cfg.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to `revision` in one transaction; a no-op when already there.

    A database already at head is told by one plain query, without importing Alembic (~350 ms of a CLI
    start). Otherwise concurrent openers are serialised (BEGIN IMMEDIATE on SQLite, an advisory lock on
    PostgreSQL) so two processes starting at once don't both try to create the tables.
    """
    if revision == "head" and (head := head_revision()) is not None and _stored_revisions(engine) == [head]:
        return
    from alembic import command

    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_immediate=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK_KEY})
            command.upgrade(alembic_config(engine.url, connection=conn), revision)


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None when never migrated)."""
    revisions = _stored_revisions(engine)
    if len(revisions) > 1:  # several heads: Alembic's own error says so
        from alembic.runtime.migration import MigrationContext

        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    return revisions[0] if revisions else None


def _stored_revisions(engine: Engine) -> list[str]:
    """The rows of Alembic's version table, by a plain query (none when the table does not exist)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return []
        return list(conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())


_REVISION_LINE = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*(None|\"[^\"]*\"|'[^']*')\s*$", re.MULTILINE)


@functools.cache
def head_revision() -> str | None:
    """The newest revision in storage/migrations/versions, read from each file's ``revision`` and
    ``down_revision`` lines without importing Alembic; None when they do not form one line (Alembic decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict(m.groups() for m in _REVISION_LINE.finditer(path.read_text(encoding="utf-8")))
        if "revision" not in found or found["revision"] == "None" or "down_revision" not in found:
            return None  # not a plain migration file: leave it to Alembic
        revisions.add(found["revision"].strip("\"'"))
        if found["down_revision"] != "None":
            parents.add(found["down_revision"].strip("\"'"))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _is_command_error(exc: BaseException) -> bool:
    """Alembic's CommandError, recognised without importing Alembic (only migrating, which imports it, raises one)."""
    util = sys.modules.get("alembic.util")
    return util is not None and isinstance(exc, util.CommandError)


def _is_opening_error(exc: BaseException) -> bool:
    """What opening a database can meet: the driver's or SQLAlchemy's errors, the file system's, Alembic's."""
    return isinstance(exc, SQLAlchemyError | OSError) or _is_command_error(exc)


@dataclass
class Database:
    """An open, migrated database: the engine plus a session factory.

    Sessions keep loaded objects usable after commit (expire_on_commit=False) so query helpers can
    return plain model instances to callers without holding a session open.
    """

    url: str
    engine: Engine
    session_factory: sessionmaker[Session] = field(repr=False)

    @property
    def dialect(self) -> str:
        """Backend name ("sqlite" or "postgresql"): a few queries differ per backend."""
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, write: bool = False) -> Iterator[Session]:
        """A session in one transaction, committed on success and rolled back on error.

        write=True takes SQLite's write lock at BEGIN (read-then-write transactions need it).
        """
        with self.session_factory() as session, session.begin():
            if write and self.dialect == "sqlite":
                # The first connection of the transaction carries the option into the "begin" hook.
                session.connection(execution_options={"sqlite_immediate": True})
            yield session

    def dispose(self) -> None:
        """Close pooled connections (tests, shutdown)."""
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()


class DatabaseUnavailableError(RuntimeError):
    """The database cannot be opened or migrated; the message names the URL (password hidden) and the cause."""


def is_database_error(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) comes from the database: driver, SQLAlchemy or storage.

    Callers that contain failures (one page, one document) let these through: a full disk or a lost
    connection is the whole process's trouble, told once by the daemon's watchdog, not once per page.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, SQLAlchemyError | sqlite3.Error | DatabaseUnavailableError):
            return True
        if type(current).__module__.split(".")[0] == "psycopg":
            return True
        current = current.__cause__ or current.__context__
    return False


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def _cause(exc: BaseException) -> str:
    """The driver's own words (connection refused, database does not exist ...), first line only."""
    if isinstance(exc, ArgumentError):
        return "not a database URL (expected sqlite:///path/to/file.db or postgresql+psycopg://user@host/db)"
    if isinstance(exc, NoSuchModuleError):
        return f"no driver for this kind of database ({exc})"
    if _is_command_error(exc):
        return f"its schema cannot be migrated by this version ({exc})"
    original = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    return lines[0] if lines else type(original).__name__


#: What a read-only command says when there is nothing to read yet.
NOTHING_STORED_YET = "run a check or the daemon first"


def _missing_sqlite_file(url: str) -> Path | None:
    """The SQLite file `url` names when it does not exist (None: it exists, or the URL is no plain SQLite file)."""
    try:
        sa_url = make_url(url)
    except ArgumentError:
        return None
    if sa_url.get_backend_name() != "sqlite" or _is_sqlite_memory(sa_url) or not sa_url.database:
        return None
    if sa_url.database.startswith("file:"):
        return None
    path = Path(sa_url.database).expanduser()
    return None if path.is_file() else path


def open_database(
    url: str | None = None, *, migrate_schema: bool = True, must_exist: bool = False, **engine_kwargs: Any
) -> Database:
    """Open (and by default migrate to head) the database at `url` (default: default_database_url()).

    must_exist: for read-only commands (status, lists): never create a database (a mistyped SQLite path would
    otherwise leave a new empty file behind and report "nothing checked yet"); a missing file, or a database
    without this package's tables, is a DatabaseUnavailableError saying there is no database there yet.

    Raises DatabaseUnavailableError, not a driver traceback, when the URL is wrong, the server is down, the
    database does not exist or the file cannot be created.
    """
    url = url or default_database_url()
    if must_exist and (missing := _missing_sqlite_file(url)) is not None:
        raise DatabaseUnavailableError(
            f"cannot open the database {_shown(url)}: no database at {missing} (No such file or directory); "
            f"{NOTHING_STORED_YET}"
        )
    engine: Engine | None = None
    try:
        engine = create_engine_for_url(url, **engine_kwargs)
        if must_exist and current_revision(engine) is None:
            engine.dispose()
            raise DatabaseUnavailableError(
                f"cannot open the database {_shown(url)}: no supplier-monitor database there (none of its "
                f"tables); {NOTHING_STORED_YET}"
            )
        if migrate_schema:
            migrate(engine)
    except Exception as exc:
        if not _is_opening_error(exc):
            raise
        if engine is not None:
            engine.dispose()
        raise DatabaseUnavailableError(f"cannot open the database {_shown(url)}: {_cause(exc)}") from exc
    factory = sessionmaker(bind=engine, class_=Session, expire_on_commit=False, autoflush=False)
    return Database(url=url, engine=engine, session_factory=factory)


def database_size_bytes(db: Database) -> int:
    """Bytes the evidence store occupies, for benchmarks and growth checks.

    SQLite: checkpoints the WAL back into the main file first, then counts file + WAL.
    PostgreSQL: pg_total_relation_size (heap + TOAST + indexes) over storage's tables in the current schema.
    """
    if db.dialect == "sqlite":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            path = conn.exec_driver_sql("PRAGMA database_list").fetchone()[2]
        if not path:
            with db.engine.connect() as conn:
                page_count = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
                page_size = conn.exec_driver_sql("PRAGMA page_size").scalar_one()
            return int(page_count) * int(page_size)
        main = Path(path)
        wal = main.with_name(main.name + "-wal")
        return sum(p.stat().st_size for p in (main, wal) if p.exists())
    total = 0
    with db.engine.connect() as conn:
        for table in STORAGE_TABLES:
            size = conn.execute(
                text("SELECT pg_total_relation_size(to_regclass(quote_ident(:t)))"), {"t": table}
            ).scalar()
            total += int(size or 0)
    return total


__all__ = [
    "DEFAULT_DATABASE_URL",
    "NOTHING_STORED_YET",
    "Database",
    "DatabaseUnavailableError",
    "alembic_config",
    "create_engine_for_url",
    "current_revision",
    "database_size_bytes",
    "default_database_url",
    "metadata",
    "migrate",
    "open_database",
]
