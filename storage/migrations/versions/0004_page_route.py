"""page_route: per page, whether plain HTTP or the browser worked last (adaptive rendering).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "page_route",
        sa.Column("supplier_id", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("browser_checks", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("supplier_id", "url", name="pk_page_route"),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"], name="fk_page_route_supplier_id_supplier"),
    )


def downgrade() -> None:
    op.drop_table("page_route")
