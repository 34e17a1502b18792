"""Webhook subscription writes, each check and its write in one transaction."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import ErrorCode
from gateway.outcomes import Failure
from gateway.store.tables import webhook_subscription_table
from gateway.store.writes import bump_data_version
from gateway.webhooks import deliveries, repository
from gateway.webhooks.models import SubscriptionRow
from gateway.webhooks.validation import MAX_SUBSCRIPTIONS

_w = webhook_subscription_table.c


def new_subscription_id() -> str:
    """24 lowercase hex digits, like the gateway's other generated ids."""
    return secrets.token_hex(12)


async def create_subscription(
    session: AsyncSession,
    *,
    tenant: str,
    subscription_id: str,
    url: str,
    event_types: Sequence[str],
    description: str | None,
    sealed_secret: str,
    now: datetime,
) -> SubscriptionRow | Failure:
    """The new subscription's row; refused when the tenant already has the most allowed."""
    # First, so concurrent creates of the tenant queue on its data-version row (SQLite's
    # BEGIN IMMEDIATE queues them already) and the count below cannot go stale.
    await bump_data_version(session, tenant=tenant)
    if await repository.count_subscriptions(session, tenant=tenant) >= MAX_SUBSCRIPTIONS:
        message = (
            f"The tenant already has {MAX_SUBSCRIPTIONS} webhook subscriptions, the most "
            "allowed; delete one first."
        )
        return Failure(ErrorCode.BAD_USER_INPUT, message)
    row = {
        "tenant": tenant,
        "id": subscription_id,
        "url": url,
        "event_types": list(event_types),
        "description": description,
        "secret": sealed_secret,
        "created_at": now,
    }
    stmt = sa.insert(webhook_subscription_table).values(row)
    return (await session.execute(stmt.returning(*repository.PUBLIC_COLUMNS))).one()


async def delete_subscription(
    session: AsyncSession, *, tenant: str, subscription_id: str
) -> Failure | None:
    """Deletes the tenant's subscription; NOT_FOUND when it has none of that id."""
    stmt = sa.delete(webhook_subscription_table).where(
        _w.tenant == tenant, _w.id == subscription_id
    )
    if (await session.execute(stmt.returning(_w.id))).first() is None:
        message = f"Webhook subscription {subscription_id!r} does not exist."
        return Failure(ErrorCode.NOT_FOUND, message, ("id",))
    await deliveries.forget_subscription(session, tenant=tenant, subscription_id=subscription_id)
    return None
