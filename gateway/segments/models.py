"""Segment tables: segments and the customers assigned to them, and the rows read of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from gateway.store.columns import CodePointString, JSONType, RecordRow, UtcDateTime
from gateway.store.segment_references import segment_reference

# B2C customer assignments have no legal entity; the empty string stands for it so the
# natural key can be a primary key and sorts first ("nulls first") on both databases.
NO_LEGAL_ENTITY = ""


class Segment(SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_segment_site", "tenant", "site_code"),
        sa.Index("ix_segment_status", "tenant", "status"),
        sa.Index("ix_segment_valid_from", "tenant", "valid_from"),
        sa.Index("ix_segment_valid_to", "tenant", "valid_to"),
    )

    tenant: str = Field(primary_key=True, sa_type=CodePointString)
    id: str = Field(primary_key=True, sa_type=CodePointString)
    name: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    description: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    status: str = Field(default="INACTIVE", sa_type=CodePointString)
    site_code: str = Field(sa_type=CodePointString)
    valid_from: datetime | None = Field(default=None, sa_type=UtcDateTime)
    valid_to: datetime | None = Field(default=None, sa_type=UtcDateTime)
    mixins: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    metadata_mixins: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    modified_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


class CustomerAssignment(SQLModel, table=True):
    __tablename__ = "customer_assignment"
    __table_args__ = (
        segment_reference(),
        sa.Index("ix_customer_assignment_member", "tenant", "customer_id", "legal_entity_id"),
    )

    tenant: str = Field(primary_key=True, sa_type=CodePointString)
    segment_id: str = Field(primary_key=True, sa_type=CodePointString)
    customer_id: str = Field(primary_key=True, sa_type=CodePointString)
    legal_entity_id: str = Field(default=NO_LEGAL_ENTITY, primary_key=True, sa_type=CodePointString)
    assignment_type: str = Field(default="MANUAL", sa_type=CodePointString)
    mixins: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    metadata_mixins: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(sa_type=UtcDateTime)
    modified_at: datetime = Field(sa_type=UtcDateTime)
    version: int = 1


# Rows as the repositories read them (SQLAlchemy rows, or the models above): read-only.


class SegmentRow(RecordRow, Protocol):
    """A row of the segment table."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> dict[str, str] | None: ...
    @property
    def description(self) -> dict[str, str] | None: ...
    @property
    def status(self) -> str: ...
    @property
    def site_code(self) -> str: ...
    @property
    def valid_from(self) -> datetime | None: ...
    @property
    def valid_to(self) -> datetime | None: ...


class CustomerAssignmentRow(RecordRow, Protocol):
    """A row of the customer_assignment table ('' for the legal entity of B2C)."""

    @property
    def segment_id(self) -> str: ...
    @property
    def customer_id(self) -> str: ...
    @property
    def legal_entity_id(self) -> str: ...
    @property
    def assignment_type(self) -> str: ...
