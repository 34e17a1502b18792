"""The webhook_delivery table's statements: claims, a subscription's line, outcomes, pruning.

The outbox writes a pending delivery for each event and subscription (events/outbox.py). A
worker claims a subscription (its `claimed_by`, until `claimed_until`), sends that
subscription's pending deliveries in commit order, and records each outcome. On
PostgreSQL the claim skips rows another process is claiming (FOR UPDATE SKIP LOCKED); on
SQLite writers are serialized anyway. Either way the UPDATE re-checks that the claim has
lapsed, so two processes never hold one subscription at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.query_language.cursors import fingerprint
from gateway.query_language.paging import PageResult, fetch_page
from gateway.query_language.sorting import SortKey
from gateway.store.tables import (
    change_event_table,
    webhook_delivery_table,
    webhook_subscription_table,
)

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
_d = webhook_delivery_table.c
_e = change_event_table.c
_w = webhook_subscription_table.c


@dataclass(frozen=True)
class Claim:
    """A subscription this process sends for, until its claim lapses."""

    tenant: str
    subscription_id: str
    url: str
    secret: str


@dataclass(frozen=True)
class Pending:
    """The next delivery of a subscription's line, with the event it sends."""

    data_version: int
    position: int
    event_id: str
    event_type: str
    attempts: int
    next_attempt_at: datetime | None
    occurred_at: datetime
    # The payload as stored: JSON text, sent as it is.
    data: str


def _has_pending() -> sa.Exists:
    return sa.exists().where(
        _d.status == PENDING, _d.tenant == _w.tenant, _d.subscription_id == _w.id
    )


def _lapsed(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(_w.claimed_until.is_(None), _w.claimed_until <= now)


async def anything_to_claim(session: AsyncSession, *, now: datetime) -> bool:
    """Whether `claim` would find a subscription: a read, so an idle poll writes nothing
    (on SQLite a claim takes the database's one write lock)."""
    stmt = sa.select(_w.id).where(_lapsed(now), _has_pending()).limit(1)
    return (await session.execute(stmt)).first() is not None


async def claim(
    session: AsyncSession, *, owner: str, now: datetime, until: datetime, limit: int
) -> list[Claim]:
    """Claims up to `limit` subscriptions with pending deliveries whose claim has lapsed.

    A system job across tenants: each claim names its tenant, which every later statement
    of the claim carries."""
    lapsed = _lapsed(now)
    free = (
        sa.select(_w.tenant, _w.id)
        .where(lapsed, _has_pending())
        .order_by(_w.claimed_until.nulls_first(), _w.tenant, _w.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        sa.update(webhook_subscription_table)
        .where(sa.tuple_(_w.tenant, _w.id).in_(free.scalar_subquery()), lapsed)
        .values(claimed_by=owner, claimed_until=until)
        .returning(_w.tenant, _w.id, _w.url, _w.secret)
    )
    return [Claim(*row) for row in (await session.execute(stmt)).all()]


def _owned(claim: Claim, owner: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        _w.tenant == claim.tenant, _w.id == claim.subscription_id, _w.claimed_by == owner
    )


async def release(
    session: AsyncSession, claim: Claim, *, owner: str, until: datetime | None
) -> None:
    """Gives the subscription up; nobody claims it again before `until` (None: at once)."""
    stmt = sa.update(webhook_subscription_table).where(_owned(claim, owner))
    await session.execute(stmt.values(claimed_by=None, claimed_until=until))


async def renew(session: AsyncSession, claim: Claim, *, owner: str, until: datetime) -> bool:
    """Extends the claim; False when it has been lost (lapsed and taken by another)."""
    stmt = sa.update(webhook_subscription_table).where(_owned(claim, owner))
    result = await session.execute(stmt.values(claimed_until=until).returning(_w.id))
    return result.first() is not None


async def line(session: AsyncSession, claim: Claim, *, limit: int) -> list[Pending]:
    """The subscription's next pending deliveries, in commit order."""
    joined = webhook_delivery_table.join(
        change_event_table,
        sa.and_(
            _e.tenant == _d.tenant,
            _e.data_version == _d.data_version,
            _e.position == _d.position,
        ),
    )
    stmt = (
        sa.select(_d.data_version, _d.position, _d.event_id, _d.event_type, _d.attempts)
        .add_columns(_d.next_attempt_at, _e.occurred_at, sa.cast(_e.data, sa.Text))
        .select_from(joined)
        .where(_d.tenant == claim.tenant, _d.subscription_id == claim.subscription_id)
        .where(_d.status == PENDING)
        .order_by(_d.data_version, _d.position)
        .limit(limit)
    )
    return [Pending(*row) for row in (await session.execute(stmt)).all()]


def _one(claim: Claim, pending: Pending) -> sa.ColumnElement[bool]:
    return sa.and_(
        _d.tenant == claim.tenant,
        _d.subscription_id == claim.subscription_id,
        _d.data_version == pending.data_version,
        _d.position == pending.position,
        _d.status == PENDING,
    )


async def record(
    session: AsyncSession,
    claim: Claim,
    pending: Pending,
    *,
    status: str,
    status_code: int | None,
    next_attempt_at: datetime | None,
    now: datetime,
) -> None:
    """An attempt's outcome: delivered, failed for good, or pending until `next_attempt_at`."""
    values: dict[str, Any] = {
        "status": status,
        "attempts": pending.attempts + 1,
        "last_status_code": status_code,
        "next_attempt_at": next_attempt_at,
        "finished_at": None if status == PENDING else now,
    }
    await session.execute(sa.update(webhook_delivery_table).where(_one(claim, pending)), values)


# Newest first: commit order, reversed.
_NEWEST_FIRST = (
    SortKey("dataVersion", _d.data_version, True),
    SortKey("position", _d.position, True),
)


async def page(
    session: AsyncSession, *, tenant: str, subscription_id: str, page_size: int, after: str | None
) -> PageResult:
    """A subscription's deliveries, newest first; cursors continue this subscription only."""
    stmt = (
        sa.select(_d.event_id, _d.event_type, _d.attempts, _d.status, _d.last_status_code)
        .add_columns(_d.next_attempt_at)
        .where(_d.tenant == tenant, _d.subscription_id == subscription_id)
    )
    bound_to = fingerprint(tenant, "webhookDeliveries", subscription_id)
    return await fetch_page(
        session, stmt, keys=_NEWEST_FIRST, page_size=page_size, page_number=1, after=after,
        fingerprint=bound_to,
    )  # fmt: skip


async def count(session: AsyncSession, *, tenant: str, subscription_id: str) -> int:
    stmt = sa.select(sa.func.count()).where(
        _d.tenant == tenant, _d.subscription_id == subscription_id
    )
    return int((await session.execute(stmt)).scalar_one())


async def forget_subscription(session: AsyncSession, *, tenant: str, subscription_id: str) -> None:
    """A deleted subscription's deliveries, pending ones included: nobody is sent them now."""
    stmt = sa.delete(webhook_delivery_table).where(
        _d.tenant == tenant, _d.subscription_id == subscription_id
    )
    await session.execute(stmt)


async def prune(session: AsyncSession, *, before: datetime) -> tuple[int, int]:
    """Deletes events older than `before` that no delivery waits for, and finished
    deliveries as old; (events, deliveries) deleted. A system job across tenants."""
    waiting = sa.exists().where(
        _d.status == PENDING,
        _d.tenant == _e.tenant,
        _d.data_version == _e.data_version,
        _d.position == _e.position,
    )
    events = sa.delete(change_event_table).where(_e.occurred_at < before, ~waiting)
    deliveries = sa.delete(webhook_delivery_table).where(
        _d.status != PENDING, _d.created_at < before
    )
    # A DELETE's result is a CursorResult, which the stubs of execute() do not say.
    gone_deliveries = (await session.execute(deliveries)).rowcount  # type: ignore[attr-defined]
    gone_events = (await session.execute(events)).rowcount  # type: ignore[attr-defined]
    return int(gone_events), int(gone_deliveries)
