"""The webhook subscription table, and the rows read of it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from gateway.store.columns import CodePointString, JSONType, UtcDateTime


class WebhookSubscription(SQLModel, table=True):
    __tablename__ = "webhook_subscription"

    tenant: str = Field(primary_key=True, sa_type=CodePointString)
    id: str = Field(primary_key=True, sa_type=CodePointString)
    url: str = Field(sa_type=sa.Text)
    event_types: list[str] = Field(default_factory=list, sa_type=JSONType)
    description: str | None = Field(default=None, sa_type=sa.Text)
    # The signing secret, sealed (gateway/webhooks/sealing.py): a delivery needs it back, so
    # it cannot be hashed; it is never returned by a read.
    secret: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(sa_type=UtcDateTime)


class SubscriptionRow(Protocol):
    """A row of the webhook_subscription table, without its secret."""

    @property
    def id(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def event_types(self) -> list[str]: ...
    @property
    def description(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
