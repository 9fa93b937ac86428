"""Alert outbox and delivery queue: alert (one row per event, stable id) and delivery (one per recipient/channel).

Hand-written like 0001/0002 and checked against the models by tests/test_storage.py::test_migration_matches_models.
Alerts are written in the same transaction as the check that raised them; deliveries are then claimed,
sent and marked by the delivery loop (storage/outbox.py).

Revision ID: 0003
Revises: 0002
Create Date: 2025-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.JSON:
    # json, not jsonb, on PostgreSQL (see storage.models.json_type).
    return sa.JSON()


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alert",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("supplier_id", sa.String(length=200), nullable=True),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("observed_at", _ts(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_alert"),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"], name="fk_alert_supplier_id_supplier"),
        sa.ForeignKeyConstraint(["check_id"], ["check.id"], name="fk_alert_check_id_check"),
    )
    op.create_index("ix_alert_supplier_observed", "alert", ["supplier_id", "observed_at"])
    op.create_index("ix_alert_observed_at", "alert", ["observed_at"])
    op.create_index("ix_alert_check_id", "alert", ["check_id"])

    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.String(length=200), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=50), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _ts(), nullable=False),
        sa.Column("lease_until", _ts(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", _ts(), nullable=True),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_delivery"),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"], name="fk_delivery_alert_id_alert"),
        sa.UniqueConstraint(
            "alert_id", "recipient", "channel", "target", name="uq_delivery_alert_id_recipient_channel_target"
        ),
    )
    op.create_index("ix_delivery_status_digest_next_attempt", "delivery", ["status", "digest", "next_attempt_at"])
    op.create_index("ix_delivery_status_lease_until", "delivery", ["status", "lease_until"])


def downgrade() -> None:
    op.drop_table("delivery")
    op.drop_table("alert")
