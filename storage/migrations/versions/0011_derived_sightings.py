"""A snapshot's last sighting is derived from its checks instead of updated by each of them.

Updating ``snapshot.last_seen_at`` rewrote the whole snapshot row, claims and all (several pages), on every
unchanged check. The latest check pointing at a snapshot is its last sighting: the index on
``check(snapshot_id, started_at)`` finds it in one probe, and replaces the index on ``snapshot_id`` alone.

The index on ``check.evidence_blob`` goes: nothing looks checks up by their evidence, and each check paid a page
write for its entry. A check now writes its row and three index entries.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_check_snapshot_id_started_at", "check", ["snapshot_id", "started_at"])
    op.drop_index("ix_check_snapshot_id", table_name="check")
    op.drop_index("ix_check_evidence_blob", table_name="check")
    with op.batch_alter_table("snapshot") as batch:
        batch.drop_column("last_seen_at")


def downgrade() -> None:
    with op.batch_alter_table("snapshot") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        'UPDATE snapshot SET last_seen_at = COALESCE((SELECT max("check".started_at) FROM "check" '
        'WHERE "check".snapshot_id = snapshot.id), snapshot.first_seen_at)'
    )
    with op.batch_alter_table("snapshot") as batch:
        batch.alter_column("last_seen_at", existing_type=sa.DateTime(timezone=True), nullable=False)
    op.create_index("ix_check_snapshot_id", "check", ["snapshot_id"])
    op.create_index("ix_check_evidence_blob", "check", ["evidence_blob"])
    op.drop_index("ix_check_snapshot_id_started_at", table_name="check")
