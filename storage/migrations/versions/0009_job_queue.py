"""job queue: Procrastinate's tables and functions, for the distributed mode (PostgreSQL only).

``supplier-monitor scheduler`` and ``supplier-monitor worker`` share one PostgreSQL database with everything
else; the queue's schema is applied by the project's own migrations (``open_database`` or
``python -m storage upgrade``), so there is no separate ``procrastinate schema --apply`` step to forget. SQLite
keeps the single-process daemon and gets nothing here.

The SQL is Procrastinate's own (``SchemaManager.get_schema()`` of the installed version, pinned to 3.x in
pyproject). Moving that pin to a version whose schema changed needs a further migration that runs
Procrastinate's migration files for the versions in between (``SchemaManager.get_migrations_path()``).
A database where the queue's tables already exist (applied by hand before) is left as it is.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op
from sqlalchemy import Connection

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tables of the queue, children first.
QUEUE_TABLES = ("procrastinate_events", "procrastinate_periodic_defers", "procrastinate_jobs", "procrastinate_workers")
QUEUE_TYPES = ("procrastinate_job_to_defer_v1", "procrastinate_job_event_type", "procrastinate_job_status")

_DROP_FUNCTIONS = """
DO $$
DECLARE
    fn regprocedure;
BEGIN
    FOR fn IN
        SELECT p.oid::regprocedure
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%'
    LOOP
        EXECUTE 'DROP FUNCTION IF EXISTS ' || fn::text || ' CASCADE';
    END LOOP;
END;
$$;
"""


def _queue_schema_sql() -> str:
    """Procrastinate's schema; imported here only, so SQLite installs never need the package."""
    try:
        from procrastinate.schema import SchemaManager
    except ImportError as exc:
        raise RuntimeError(
            "the job queue's schema needs the procrastinate package on PostgreSQL: "
            "pip install 'supplier-monitor[postgres]' (or pip install 'procrastinate>=3.5,<4'), then migrate again"
        ) from exc
    return SchemaManager.get_schema()


def _run_script(bind: Connection, script: str) -> None:
    """Run a multi-statement script on the migration's own connection (and transaction), through the driver's
    cursor without parameters, so the script's '%' signs are not taken for placeholders."""
    cursor = bind.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(script)
    finally:
        cursor.close()


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    if bind.exec_driver_sql("SELECT to_regclass('procrastinate_jobs')").scalar() is not None:
        return  # applied before (by hand, with procrastinate's own command): keep it
    _run_script(bind, _queue_schema_sql())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.exec_driver_sql(f"DROP TABLE IF EXISTS {', '.join(QUEUE_TABLES)} CASCADE")
    _run_script(bind, _DROP_FUNCTIONS)
    bind.exec_driver_sql(f"DROP TYPE IF EXISTS {', '.join(QUEUE_TYPES)} CASCADE")
