"""Per-tenant data versions, and the index for a segment's items ordered by item id.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _string() -> sa.types.TypeEngine[str]:
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("tenant", _string(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("catalog_version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant"),
    )
    # "A segment's items ordered by item id": the primary key leads with item_type instead.
    op.create_index(
        "ix_item_assignment_segment_item",
        "item_assignment",
        ["tenant", "segment_id", "item_id", "item_type"],
    )


def downgrade() -> None:
    op.drop_index("ix_item_assignment_segment_item", table_name="item_assignment")
    op.drop_table("data_version")
