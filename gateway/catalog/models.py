"""Catalog tables: tenants with their languages, categories, products and their links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from gateway.store.columns import CodePointString, JSONType, UtcDateTime


class Tenant(SQLModel, table=True):
    tenant: str = Field(primary_key=True, sa_type=CodePointString)
    default_language: str = Field(sa_type=CodePointString)
    languages: list[str] = Field(default_factory=list, sa_type=JSONType)


class Category(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_category_parent", "tenant", "parent_id"),
        sa.Index("ix_category_code", "tenant", "code"),
        # The next validity boundary (repository.next_validity_boundary) is an index probe.
        sa.Index("ix_category_valid_from", "tenant", "valid_from"),
        sa.Index("ix_category_valid_to", "tenant", "valid_to"),
    )

    tenant: str = Field(primary_key=True, sa_type=CodePointString)
    id: str = Field(primary_key=True, sa_type=CodePointString)
    parent_id: str | None = Field(default=None, sa_type=CodePointString)
    code: str = Field(sa_type=CodePointString)
    name: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    description: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    slug: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    ecn: list[str] = Field(default_factory=list, sa_type=JSONType)
    position: int = 0
    published: bool = True
    valid_from: datetime | None = Field(default=None, sa_type=UtcDateTime)
    valid_to: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(sa_type=UtcDateTime)
    modified_at: datetime = Field(sa_type=UtcDateTime)


class Product(SQLModel, table=True):
    __table_args__ = (sa.Index("ix_product_code", "tenant", "code"),)

    tenant: str = Field(primary_key=True, sa_type=CodePointString)
    id: str = Field(primary_key=True, sa_type=CodePointString)
    code: str = Field(sa_type=CodePointString)
    name: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    modified_at: datetime = Field(sa_type=UtcDateTime)


class ProductCategory(SQLModel, table=True):
    """A product's membership in a category; `position` keeps the import's order."""

    __tablename__ = "product_category"
    __table_args__ = (sa.Index("ix_product_category_category", "tenant", "category_id"),)

    tenant: str = Field(primary_key=True, sa_type=CodePointString)
    product_id: str = Field(primary_key=True, sa_type=CodePointString)
    category_id: str = Field(primary_key=True, sa_type=CodePointString)
    position: int = 0


def localized(value: Any) -> dict[str, str]:
    """A stored localized map, tolerant of NULL."""
    return dict(value) if value else {}
