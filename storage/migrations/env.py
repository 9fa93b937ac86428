"""Alembic environment for storage, configured from code (see storage.db.alembic_config).

storage.db passes an open connection in ``config.attributes["connection"]`` so migrations run inside the
caller's transaction (and lock); the URL fallback serves the plain ``alembic`` command line.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from storage.db import create_engine_for_url, ours
from storage.models import metadata

config = context.config
target_metadata = metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_name=ours,  # the job queue's tables are Procrastinate's: autogenerate must not drop them
        # SQLite cannot ALTER most things: future migrations get copy-and-move batch operations.
        render_as_batch=connection.dialect.name == "sqlite",
    )


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of executing it (``alembic upgrade --sql``)."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate on the caller's connection if given, else on a fresh engine from the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine_for_url(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as conn:
            _configure(conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
