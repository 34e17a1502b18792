"""Indexes for the next validity boundary of a tenant's segments and categories.

The response cache keeps an answer until the first instant a segment or category starts or
stops being valid; with these, finding that instant is four index probes, not two scans.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    (f"ix_{table}_{column}", table, column)
    for table in ("segment", "category")
    for column in ("valid_from", "valid_to")
]


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, ["tenant", column])


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
