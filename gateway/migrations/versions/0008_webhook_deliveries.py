"""Webhook deliveries: one row per event and subscription, the worker's claim on each
subscription, and the index retention prunes events by.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Spelled out rather than imported, so this revision keeps creating the same table.
def _string() -> sa.types.TypeEngine[str]:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("webhook_subscription") as table:
        table.add_column(sa.Column("claimed_by", _string(), nullable=True))
        table.add_column(sa.Column("claimed_until", sa.DateTime(), nullable=True))
    op.create_table(
        "webhook_delivery",
        sa.Column("tenant", _string(), nullable=False),
        sa.Column("subscription_id", _string(), nullable=False),
        sa.Column("data_version", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("event_id", _string(), nullable=False),
        sa.Column("event_type", _string(), nullable=False),
        sa.Column("status", _string(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("tenant", "subscription_id", "data_version", "position"),
    )
    op.create_index(
        "ix_webhook_delivery_pending",
        "webhook_delivery",
        ["status", "tenant", "subscription_id"],
    )

    op.create_index("ix_change_event_occurred_at", "change_event", ["occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_change_event_occurred_at", table_name="change_event")
    op.drop_index("ix_webhook_delivery_pending", table_name="webhook_delivery")
    op.drop_table("webhook_delivery")
    with op.batch_alter_table("webhook_subscription") as table:
        table.drop_column("claimed_until")
        table.drop_column("claimed_by")
