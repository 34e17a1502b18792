"""Webhook subscription reads, each carrying the tenant; the secret only for signing."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.tables import webhook_subscription_table
from gateway.webhooks.models import SubscriptionRow

_w = webhook_subscription_table.c
# Every column a read returns: never the secret.
PUBLIC_COLUMNS = (_w.id, _w.url, _w.event_types, _w.description, _w.created_at)


async def subscriptions(session: AsyncSession, *, tenant: str) -> Sequence[SubscriptionRow]:
    """The tenant's subscriptions, oldest first (ties by id)."""
    stmt = sa.select(*PUBLIC_COLUMNS).where(_w.tenant == tenant).order_by(_w.created_at, _w.id)
    return (await session.execute(stmt)).all()


async def count_subscriptions(session: AsyncSession, *, tenant: str) -> int:
    stmt = sa.select(sa.func.count()).select_from(webhook_subscription_table)
    return int((await session.execute(stmt.where(_w.tenant == tenant))).scalar_one())


async def stored_secret(session: AsyncSession, *, tenant: str, subscription_id: str) -> str | None:
    """The secret as stored (sealing.unseal opens it), for a delivery to sign with."""
    stmt = sa.select(_w.secret).where(_w.tenant == tenant, _w.id == subscription_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def exists(session: AsyncSession, *, tenant: str, subscription_id: str) -> bool:
    stmt = sa.select(_w.id).where(_w.tenant == tenant, _w.id == subscription_id)
    return (await session.execute(stmt)).first() is not None
