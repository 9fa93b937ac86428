"""Initial evidence store: supplier, blob, snapshot, check.

Hand-written (and checked against the models by tests/test_storage.py::test_migration_matches_models).
Types are spelled as the models' underlying database types: UTCDateTime is a Python-side TypeDecorator
over DateTime(timezone=True), so the migration needs only the latter.

Revision ID: 0001
Revises:
Create Date: 2025-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.JSON:
    # json, not jsonb, on PostgreSQL: evidence stays verbatim (see storage.models.json_type).
    return sa.JSON()


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "supplier",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("platform", sa.String(length=100), nullable=False),
        sa.Column("urls", _json(), nullable=False),
        sa.Column("tags", _json(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_supplier"),
    )
    op.create_table(
        "blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("compressed", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_blob"),
    )
    op.create_table(
        "snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("claims", _json(), nullable=False),
        sa.Column("claims_hash", sa.String(length=64), nullable=False),
        sa.Column("first_seen_at", _ts(), nullable=False),
        sa.Column("last_seen_at", _ts(), nullable=False),
        sa.Column("html_blob", sa.String(length=64), nullable=True),
        sa.Column("screenshot_blob", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_snapshot"),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"], name="fk_snapshot_supplier_id_supplier"),
        sa.ForeignKeyConstraint(["html_blob"], ["blob.sha256"], name="fk_snapshot_html_blob_blob"),
        sa.ForeignKeyConstraint(["screenshot_blob"], ["blob.sha256"], name="fk_snapshot_screenshot_blob_blob"),
    )
    op.create_index("ix_snapshot_supplier_url_first_seen", "snapshot", ["supplier_id", "url", "first_seen_at"])
    op.create_index("ix_snapshot_supplier_first_seen", "snapshot", ["supplier_id", "first_seen_at"])
    op.create_index("ix_snapshot_html_blob", "snapshot", ["html_blob"])
    op.create_index("ix_snapshot_screenshot_blob", "snapshot", ["screenshot_blob"])
    op.create_table(
        "check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("started_at", _ts(), nullable=False),
        sa.Column("finished_at", _ts(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("fetch_method", sa.String(length=16), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=True),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.Column("evidence_blob", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_check"),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"], name="fk_check_supplier_id_supplier"),
        sa.ForeignKeyConstraint(["snapshot_id"], ["snapshot.id"], name="fk_check_snapshot_id_snapshot"),
        sa.ForeignKeyConstraint(["evidence_blob"], ["blob.sha256"], name="fk_check_evidence_blob_blob"),
    )
    op.create_index("ix_check_supplier_started", "check", ["supplier_id", "started_at"])
    op.create_index("ix_check_supplier_status_started", "check", ["supplier_id", "status", "started_at"])
    op.create_index("ix_check_snapshot_id", "check", ["snapshot_id"])
    op.create_index("ix_check_evidence_blob", "check", ["evidence_blob"])


def downgrade() -> None:
    op.drop_table("check")
    op.drop_table("snapshot")
    op.drop_table("blob")
    op.drop_table("supplier")
