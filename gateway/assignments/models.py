"""The item assignment table: which products and categories belong to which segment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from gateway.store.columns import CodePointString, JSONType, UtcDateTime
from gateway.store.segment_references import segment_reference


class ItemAssignment(SQLModel, table=True):
    __tablename__ = "item_assignment"
    __table_args__ = (
        segment_reference(),
        sa.Index("ix_item_assignment_item", "tenant", "item_type", "item_id"),
        sa.Index("ix_item_assignment_segment_item", "tenant", "segment_id", "item_id", "item_type"),
    )

    tenant: str = Field(primary_key=True, sa_type=CodePointString)
    segment_id: str = Field(primary_key=True, sa_type=CodePointString)
    item_type: str = Field(primary_key=True, sa_type=CodePointString)  # PRODUCT | CATEGORY
    item_id: str = Field(primary_key=True, sa_type=CodePointString)
    mixins: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    metadata_mixins: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    modified_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1
