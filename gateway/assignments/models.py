"""The item assignment table: which products and categories belong to which segment.

Also the row an assignment is read as: joined with its item (assignments/repository.COLUMNS).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from gateway.store.columns import CodePointString, JSONType, RecordRow, UtcDateTime
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


class ItemAssignmentRow(RecordRow, Protocol):
    """An assignment joined with its item: the item's columns by their own names (id, code,
    name), a category's others null for a product."""

    @property
    def segment_id(self) -> str: ...
    @property
    def item_type(self) -> str: ...
    @property
    def item_id(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> dict[str, str] | None: ...
    @property
    def parent_id(self) -> str | None: ...
    @property
    def position(self) -> int | None: ...
    @property
    def published(self) -> bool | None: ...
    @property
    def valid_from(self) -> datetime | None: ...
    @property
    def valid_to(self) -> datetime | None: ...
    @property
    def ecn(self) -> list[str] | None: ...
    @property
    def description(self) -> dict[str, str] | None: ...
    @property
    def slug(self) -> dict[str, str] | None: ...
