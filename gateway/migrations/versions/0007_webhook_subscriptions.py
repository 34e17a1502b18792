"""Webhook subscriptions: where a tenant's change events are sent, and the secret that signs them.

Revision ID: 0007
Revises: 0005 (0006, when it lands, goes between)
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Spelled out rather than imported, so this revision keeps creating the same table.
def _string() -> sa.types.TypeEngine[str]:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "webhook_subscription",
        sa.Column("tenant", _string(), nullable=False),
        sa.Column("id", _string(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("event_types", _json(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "id"),
    )


def downgrade() -> None:
    op.drop_table("webhook_subscription")
