"""check.page_hash: the fingerprint of the served page at an ok check (scrapers.page_hash).

A page served again as it was is not read again: its claims are the last ok check's.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("check") as batch:
        batch.add_column(sa.Column("page_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("check") as batch:
        batch.drop_column("page_hash")
