"""certificate_document: certificate PDFs and pictures fetched from supplier pages, and their readings.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certificate_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reading", sa.JSON(), nullable=True),
        sa.Column("thumbnail_sha256", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_certificate_document"),
        sa.ForeignKeyConstraint(["sha256"], ["blob.sha256"], name="fk_certificate_document_sha256_blob"),
        sa.ForeignKeyConstraint(
            ["thumbnail_sha256"], ["blob.sha256"], name="fk_certificate_document_thumbnail_sha256_blob"
        ),
    )
    op.create_index("ix_certificate_document_sha256", "certificate_document", ["sha256"])
    op.create_index("ix_certificate_document_url_fetched_at", "certificate_document", ["url", "fetched_at"])


def downgrade() -> None:
    op.drop_index("ix_certificate_document_url_fetched_at", table_name="certificate_document")
    op.drop_index("ix_certificate_document_sha256", table_name="certificate_document")
    op.drop_table("certificate_document")
