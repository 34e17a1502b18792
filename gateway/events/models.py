"""The outbox table: every committed change's events, in commit order per tenant."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from gateway.store.columns import CodePointString, UtcDateTime


class ChangeEvent(SQLModel, table=True):
    """One event, written in the transaction of its change.

    (tenant, data_version, position) is the tenant's commit order: data_version is the
    tenant's data version that the transaction raised (its row lock is held until commit, so
    a later commit always has a higher one), position the event's place in the transaction.
    The columns after `type` are what a subscription filters on, without reading `data`.
    """

    __tablename__ = "change_event"
    __table_args__ = (
        sa.UniqueConstraint("id", name="uq_change_event_id"),
        # Retention prunes by age (gateway/webhooks/deliveries.prune).
        sa.Index("ix_change_event_occurred_at", "occurred_at"),
    )

    tenant: str = Field(primary_key=True, sa_type=CodePointString)
    data_version: int = Field(primary_key=True, sa_type=sa.BigInteger)
    position: int = Field(primary_key=True)
    id: str = Field(sa_type=CodePointString)
    type: str = Field(sa_type=CodePointString)
    occurred_at: datetime = Field(sa_type=UtcDateTime)
    segment_id: str = Field(sa_type=CodePointString)
    item_type: str | None = Field(default=None, sa_type=CodePointString)
    item_id: str | None = Field(default=None, sa_type=CodePointString)
    customer_id: str | None = Field(default=None, sa_type=CodePointString)
    # null for a B2C customer assignment (stored there as '').
    legal_entity_id: str | None = Field(default=None, sa_type=CodePointString)
    # json, not jsonb, on PostgreSQL: the payload is kept as written (its keys in order) and
    # never queried into.
    data: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
