"""The change-event outbox: every write's events, in its transaction, in commit order.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _string() -> sa.types.TypeEngine[str]:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    keys = ("segment_id", "item_type", "item_id", "customer_id", "legal_entity_id")
    op.create_table(
        "change_event",
        sa.Column("tenant", _string(), nullable=False),
        sa.Column("data_version", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", _string(), nullable=False),
        sa.Column("type", _string(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        *(sa.Column(name, _string(), nullable=name != "segment_id") for name in keys),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "data_version", "position"),
        sa.UniqueConstraint("id", name="uq_change_event_id"),
    )


def downgrade() -> None:
    op.drop_table("change_event")
