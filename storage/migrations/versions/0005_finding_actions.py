"""finding_action: operators acknowledge, snooze and reopen findings (append-only history).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "finding_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_finding_action"),
        sa.ForeignKeyConstraint(["finding_id"], ["finding.id"], name="fk_finding_action_finding_id_finding"),
    )
    op.create_index("ix_finding_action_finding_at", "finding_action", ["finding_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_finding_action_finding_at", table_name="finding_action")
    op.drop_table("finding_action")
