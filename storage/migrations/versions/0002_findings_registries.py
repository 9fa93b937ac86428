"""Findings (persisting across checks) and certificate registries (local CSV registry, remote-answer cache).

Hand-written like 0001 and checked against the models by tests/test_storage.py::test_migration_matches_models.
The open-finding uniqueness is a partial unique index (WHERE resolved_at IS NULL), supported by both
SQLite and PostgreSQL.

Revision ID: 0002
Revises: 0001
Create Date: 2025-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.JSON:
    # json, not jsonb, on PostgreSQL (see storage.models.json_type).
    return sa.JSON()


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.String(length=200), nullable=False),
        sa.Column("identity", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("rule_source", sa.Text(), nullable=False),
        sa.Column("certification", _json(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=True),
        sa.Column("first_seen_at", _ts(), nullable=False),
        sa.Column("last_seen_at", _ts(), nullable=False),
        sa.Column("resolved_at", _ts(), nullable=True),
        sa.Column("first_snapshot_id", sa.Integer(), nullable=True),
        sa.Column("last_snapshot_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_finding"),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"], name="fk_finding_supplier_id_supplier"),
        sa.ForeignKeyConstraint(["first_snapshot_id"], ["snapshot.id"], name="fk_finding_first_snapshot_id_snapshot"),
        sa.ForeignKeyConstraint(["last_snapshot_id"], ["snapshot.id"], name="fk_finding_last_snapshot_id_snapshot"),
    )
    op.create_index(
        "uq_finding_open_supplier_identity",
        "finding",
        ["supplier_id", "identity"],
        unique=True,
        sqlite_where=sa.text("resolved_at IS NULL"),
        postgresql_where=sa.text("resolved_at IS NULL"),
    )
    op.create_index("ix_finding_supplier_first_seen", "finding", ["supplier_id", "first_seen_at"])
    op.create_index("ix_finding_resolved_at", "finding", ["resolved_at"])
    op.create_index("ix_finding_first_snapshot_id", "finding", ["first_snapshot_id"])
    op.create_index("ix_finding_last_snapshot_id", "finding", ["last_snapshot_id"])

    op.create_table(
        "registry_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Text(), nullable=True),
        sa.Column("number_key", sa.String(length=200), nullable=True),
        sa.Column("holder", sa.Text(), nullable=True),
        sa.Column("holder_key", sa.String(length=500), nullable=True),
        sa.Column("standard", sa.String(length=200), nullable=True),
        sa.Column("edition", sa.String(length=100), nullable=True),
        sa.Column("certification_body", sa.Text(), nullable=True),
        sa.Column("accreditation_body", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=100), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("imported_at", _ts(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_registry_certificate"),
    )
    op.create_index("ix_registry_certificate_number_key", "registry_certificate", ["number_key"])
    op.create_index("ix_registry_certificate_holder_key", "registry_certificate", ["holder_key"])
    op.create_index("ix_registry_certificate_holder_key_standard", "registry_certificate", ["holder_key", "standard"])
    op.create_index("ix_registry_certificate_source", "registry_certificate", ["source"])

    op.create_table(
        "registry_cache",
        sa.Column("registry", sa.String(length=100), nullable=False),
        sa.Column("request_key", sa.String(length=200), nullable=False),
        sa.Column("response", _json(), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("fetched_at", _ts(), nullable=False),
        sa.Column("expires_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("registry", "request_key", name="pk_registry_cache"),
    )
    op.create_index("ix_registry_cache_expires_at", "registry_cache", ["expires_at"])


def downgrade() -> None:
    op.drop_table("registry_cache")
    op.drop_table("registry_certificate")
    op.drop_table("finding")
