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
    # The delivery worker's claim (gateway/webhooks/worker.py): one process at a time sends
    # a subscription's deliveries, in commit order. Nobody claims it before `claimed_until`,
    # which is also how long a failed head of the line waits for its next attempt.
    claimed_by: str | None = Field(default=None, sa_type=CodePointString)
    claimed_until: datetime | None = Field(default=None, sa_type=UtcDateTime)


class WebhookDelivery(SQLModel, table=True):
    """One event to send to one subscription, written with the event (the outbox's fan-out).

    A subscription's deliveries go out in (data_version, position) order: its events'
    commit order. `status` is pending until a 2xx answer (delivered) or the last attempt
    of the retry schedule (failed).
    """

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        sa.Index("ix_webhook_delivery_pending", "status", "tenant", "subscription_id"),
    )

    tenant: str = Field(primary_key=True, sa_type=CodePointString)
    subscription_id: str = Field(primary_key=True, sa_type=CodePointString)
    data_version: int = Field(primary_key=True, sa_type=sa.BigInteger)
    position: int = Field(primary_key=True)
    event_id: str = Field(sa_type=CodePointString)
    event_type: str = Field(sa_type=CodePointString)
    status: str = Field(sa_type=CodePointString)
    attempts: int = Field(default=0)
    last_status_code: int | None = Field(default=None)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = Field(sa_type=UtcDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


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
