"""The initial schema: tenants, the catalog, segments and both kinds of assignments.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The column types are spelled out rather than imported, so this revision keeps creating
# the same schema whatever gateway.store.database becomes later.
def _string() -> sa.types.TypeEngine[str]:
    """Compared by code point: the "C" collation on PostgreSQL, BINARY on SQLite."""
    return sa.String().with_variant(sa.String(collation="C"), "postgresql")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _key(name: str) -> sa.Column[str]:
    return sa.Column(name, _string(), nullable=False)


def _json_columns(*names: str) -> list[sa.Column[Any]]:
    return [sa.Column(name, _json(), nullable=False) for name in names]


def _validity() -> list[sa.Column[Any]]:
    return [
        sa.Column("valid_from", sa.DateTime(), nullable=True),
        sa.Column("valid_to", sa.DateTime(), nullable=True),
    ]


def _stamps() -> list[sa.Column[Any]]:
    return [
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("modified_at", sa.DateTime(), nullable=False),
    ]


def _versioned() -> list[sa.Column[Any]]:
    return [
        *_json_columns("mixins", "metadata_mixins"),
        *_stamps(),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def _segment_key() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["tenant", "segment_id"], ["segment.tenant", "segment.id"])


def _catalog() -> None:
    op.create_table(
        "tenant",
        _key("tenant"),
        _key("default_language"),
        sa.Column("languages", _json(), nullable=False),
        sa.PrimaryKeyConstraint("tenant"),
    )
    op.create_table(
        "category",
        _key("tenant"),
        _key("id"),
        sa.Column("parent_id", _string(), nullable=True),
        _key("code"),
        *_json_columns("name", "description", "slug", "ecn"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        *_validity(),
        *_stamps(),
        sa.PrimaryKeyConstraint("tenant", "id"),
    )
    op.create_index("ix_category_parent", "category", ["tenant", "parent_id"])
    op.create_index("ix_category_code", "category", ["tenant", "code"])
    op.create_table(
        "product",
        _key("tenant"),
        _key("id"),
        _key("code"),
        *_json_columns("name"),
        *_stamps(),
        sa.PrimaryKeyConstraint("tenant", "id"),
    )
    op.create_index("ix_product_code", "product", ["tenant", "code"])
    op.create_table(
        "product_category",
        _key("tenant"),
        _key("product_id"),
        _key("category_id"),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "product_id", "category_id"),
    )
    op.create_index("ix_product_category_category", "product_category", ["tenant", "category_id"])


def _segments() -> None:
    op.create_table(
        "segment",
        _key("tenant"),
        _key("id"),
        *_json_columns("name", "description"),
        _key("status"),
        _key("site_code"),
        *_validity(),
        *_versioned(),
        sa.PrimaryKeyConstraint("tenant", "id"),
    )
    op.create_index("ix_segment_site", "segment", ["tenant", "site_code"])
    op.create_index("ix_segment_status", "segment", ["tenant", "status"])
    op.create_table(
        "customer_assignment",
        _key("tenant"),
        _key("segment_id"),
        _key("customer_id"),
        _key("legal_entity_id"),
        _key("assignment_type"),
        *_versioned(),
        _segment_key(),
        sa.PrimaryKeyConstraint("tenant", "segment_id", "customer_id", "legal_entity_id"),
    )
    op.create_index(
        "ix_customer_assignment_member",
        "customer_assignment",
        ["tenant", "customer_id", "legal_entity_id"],
    )
    op.create_table(
        "item_assignment",
        _key("tenant"),
        _key("segment_id"),
        _key("item_type"),
        _key("item_id"),
        *_versioned(),
        _segment_key(),
        sa.PrimaryKeyConstraint("tenant", "segment_id", "item_type", "item_id"),
    )
    op.create_index(
        "ix_item_assignment_item", "item_assignment", ["tenant", "item_type", "item_id"]
    )


def upgrade() -> None:
    _catalog()
    _segments()


def downgrade() -> None:
    for table in ("item_assignment", "customer_assignment", "segment"):
        op.drop_table(table)
    for table in ("product_category", "product", "category", "tenant"):
        op.drop_table(table)
