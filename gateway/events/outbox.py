"""Recording events in the transaction of their change: a command calls `record`, and the
write transaction inserts them all with one statement, last, before it commits."""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from gateway.events.metrics import EVENTS_WRITTEN
from gateway.events.payloads import Event
from gateway.store.bound_rows import BoundRows
from gateway.store.columns import utcnow
from gateway.store.database import dialect_insert
from gateway.store.tables import (
    change_event_table,
    webhook_delivery_table,
    webhook_subscription_table,
)
from gateway.store.writes import at_end
from gateway.subscriptions.broker import publish_in
from gateway.subscriptions.notices import ChangeNotice

_e = change_event_table.c
_PENDING = "gateway.events.pending"
_WRITTEN = "gateway.events.written"
# The payload travels as its JSON text, encoded here with orjson (a bulk's 200 payloads
# through the engine's json.dumps took longer than the rest of its events together).
_DATA = sa.Column("data", sa.Text())
_ROWS = BoundRows(
    "events",
    [_e.id, _e.position, _e.type, _e.segment_id, _e.item_type, _e.item_id]
    + [_e.customer_id, _e.legal_entity_id, _DATA],
)


class UnrecordedEvents(RuntimeError):
    """A transaction recorded events but would commit without inserting them."""


def record(session: AsyncSession, tenant: str, events: Sequence[Event]) -> None:
    """Records `events` of `tenant` in the session's write transaction (store.writes.write)."""
    if not events:
        return
    pending = session.info.setdefault(_PENDING, [])
    pending.extend((tenant, event) for event in events)
    at_end(session, _insert)


async def _insert(session: AsyncSession, tenant: str, data_version: int) -> None:
    """The one INSERT of the transaction's events, ordered by the version it raised."""
    pending: list[tuple[str, Event]] = session.info.pop(_PENDING, [])
    if any(owner != tenant for owner, _ in pending):
        raise AssertionError("a write recorded events of another tenant")
    dialect = session.get_bind().dialect
    # One random id per transaction, each event's its own by its position: unique, and
    # fixed once committed (a delivery's retries send the same one).
    prefix = uuid.uuid4().hex
    rows = [_row(f"{prefix}-{n}", n, event) for n, (_, event) in enumerate(pending)]
    occurred_at = utcnow()
    shared = {"tenant": tenant, "data_version": data_version, "occurred_at": occurred_at}
    await session.execute(_insert_statement(dialect.name), {**shared, **_ROWS.bind(dialect, rows)})
    # And a delivery of each to every webhook subscription of its type, in the same
    # transaction: pending deliveries are as durable as the change.
    await session.execute(
        _fan_out_statement(dialect.name), {"tenant": tenant, "data_version": data_version}
    )
    session.info.setdefault(_WRITTEN, []).extend(event.type for _, event in pending)
    # Subscribers hear of them on commit (NOTIFY on PostgreSQL), never of a rollback.
    ids = [row[0] for row in rows]
    events = [event for _, event in pending]
    notices = [_notice(tenant, i, occurred_at, e) for i, e in zip(ids, events, strict=True)]
    await publish_in(session, notices)


def _notice(tenant: str, event_id: str, occurred_at: datetime, event: Event) -> ChangeNotice:
    return ChangeNotice(
        id=event_id,
        type=event.type,
        occurred_at=occurred_at,
        tenant=tenant,
        segment_id=event.segment_id,
        item_type=event.item_type,
        item_id=event.item_id,
        customer_id=event.customer_id,
        legal_entity_id=event.legal_entity_id,
    )


def _row(event_id: str, position: int, event: Event) -> tuple[Any, ...]:
    return (
        event_id,
        position,
        event.type,
        event.segment_id,
        event.item_type,
        event.item_id,
        event.customer_id,
        event.legal_entity_id,
        _encoded(event.data),
    )


def _encoded(data: dict[str, Any]) -> str:
    try:
        return orjson.dumps(data).decode()
    except orjson.JSONEncodeError:  # an integer past 64 bits in mixins: json keeps it exact
        return json.dumps(data, ensure_ascii=False)


@functools.cache
def _insert_statement(dialect: str) -> Any:
    """INSERT ... SELECT from the bound rows: one text for any number of events."""
    shared = [
        sa.bindparam(name, type_=_e[name].type)
        for name in ("tenant", "data_version", "occurred_at")
    ]
    *values, data = _ROWS.values(dialect)
    # SQLite's JSON is its text; PostgreSQL's is parsed from it.
    payload = sa.cast(data, postgresql.JSON) if dialect == "postgresql" else data
    source = sa.select(*shared, *values, payload)
    names = ["tenant", "data_version", "occurred_at", *(c.name for c in _ROWS.columns)]
    return dialect_insert(dialect, change_event_table).from_select(names, source)


@functools.cache
def _fan_out_statement(dialect: str) -> Any:
    """INSERT ... SELECT of the transaction's events joined with the subscriptions to them."""
    s = webhook_subscription_table.c
    tenant: sa.BindParameter[str] = sa.bindparam("tenant")
    subscribed = sa.and_(s.tenant == _e.tenant, s.tenant == tenant)
    source = (
        sa.select(_e.tenant, s.id, _e.data_version, _e.position, _e.id, _e.type)
        .add_columns(sa.literal("pending"), sa.literal(0), _e.occurred_at, _e.occurred_at)
        .where(_e.tenant == tenant, _e.data_version == sa.bindparam("data_version"))
        .join_from(change_event_table, webhook_subscription_table, subscribed)
    )
    if dialect == "postgresql":
        source = source.where(sa.func.jsonb_exists(s.event_types, _e.type))
    else:  # each subscription joined with its event types, one row a type
        listed = sa.func.json_each(s.event_types).table_valued("value")
        source = source.join(listed, listed.c.value == _e.type)
    names = ["tenant", "subscription_id", "data_version", "position", "event_id", "event_type"]
    names += ["status", "attempts", "next_attempt_at", "created_at"]
    return sa.insert(webhook_delivery_table).from_select(names, source)


@sa.event.listens_for(Session, "before_commit")
def _refuse_unrecorded(session: Session) -> None:
    # A commit outside store.writes.write would drop the events its commands recorded.
    if session.info.get(_PENDING):
        raise UnrecordedEvents("events were recorded outside a write transaction")


@sa.event.listens_for(Session, "after_commit")
def _count_written(session: Session) -> None:
    for event_type in session.info.pop(_WRITTEN, ()):
        EVENTS_WRITTEN.labels(event_type).inc()


@sa.event.listens_for(Session, "after_rollback")
def _forget_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
