"""Customer-assignment writes, each check and its write in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import ErrorCode
from gateway.events import payloads
from gateway.events.outbox import record
from gateway.outcomes import Done, Failure, Outcome, check_version, duplicates, settle
from gateway.segments.commands import VERSION_FIELD, segment_exists, unknown_segment
from gateway.store.tables import customer_table
from gateway.store.writes import next_modified, upsert_statement

_c = customer_table.c


@dataclass(frozen=True)
class CustomerEntry:
    """One customer assignment to upsert; `legal_entity_id` is '' (NO_LEGAL_ENTITY) for B2C."""

    customer_id: str
    legal_entity_id: str
    assignment_type: str
    mixins: dict[str, Any]
    metadata_mixins: dict[str, str]
    version: int | None = None


CustomerKey = tuple[str, str]


async def _locked_customers(
    session: AsyncSession, tenant: str, segment_id: str, keys: Sequence[CustomerKey]
) -> dict[CustomerKey, Any]:
    """The stored rows among `keys`, locked in key order (so bulks never deadlock)."""
    stmt = (
        sa.select(_c.customer_id, _c.legal_entity_id, _c.version, _c.modified_at)
        .where(
            _c.tenant == tenant,
            _c.segment_id == segment_id,
            _c.customer_id.in_(sorted({customer for customer, _ in keys})),
        )
        .order_by(_c.customer_id, _c.legal_entity_id)
        .with_for_update()
    )
    wanted = set(keys)
    rows = await session.execute(stmt)
    return {key: row for row in rows if (key := (row[0], row[1])) in wanted}


def _customer_row(
    tenant: str, segment_id: str, entry: CustomerEntry, now: datetime, current: Any | None
) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "segment_id": segment_id,
        "customer_id": entry.customer_id,
        "legal_entity_id": entry.legal_entity_id,
        "assignment_type": entry.assignment_type,
        "mixins": entry.mixins,
        "metadata_mixins": entry.metadata_mixins,
        "created_at": now,
        "modified_at": next_modified(now, current.modified_at if current else None),
        "version": 1,
    }


async def upsert_customers(
    session: AsyncSession,
    *,
    tenant: str,
    segment_id: str,
    entries: Sequence[CustomerEntry],
    now: datetime,
) -> list[Outcome] | Failure:
    """Upserts customer assignments, one outcome per entry in input order."""
    if not await segment_exists(session, tenant=tenant, segment_id=segment_id):
        return unknown_segment(segment_id)
    keys = [(e.customer_id, e.legal_entity_id) for e in entries]
    outcomes: list[Outcome | None] = list(duplicates(keys, "customer and legal entity"))
    current = await _locked_customers(session, tenant, segment_id, keys)
    rows: dict[CustomerKey, dict[str, Any]] = {}
    for index, (entry, key) in enumerate(zip(entries, keys, strict=True)):
        if outcomes[index] is None:
            found = current.get(key)
            outcomes[index] = check_version(
                entry.version, found.version if found else None, VERSION_FIELD
            )
            if outcomes[index] is None:
                rows[key] = _customer_row(tenant, segment_id, entry, now, found)
    written = await _write_customers(session, rows)
    events = [
        payloads.customer_written(tenant, written[k]) for k in dict.fromkeys(keys) if k in written
    ]
    record(session, tenant, events)
    return settle(outcomes, keys, {k: row.version for k, row in written.items()})


async def _write_customers(
    session: AsyncSession, rows: dict[CustomerKey, dict[str, Any]]
) -> dict[CustomerKey, Any]:
    """One upsert of all rows in key order (so bulks never deadlock); each one as stored."""
    if not rows:
        return {}
    ordered = [rows[key] for key in sorted(rows)]
    stmt = upsert_statement(session, customer_table, ordered).returning(*customer_table.c)
    return {(row.customer_id, row.legal_entity_id): row for row in await session.execute(stmt)}


async def delete_customers(
    session: AsyncSession, *, tenant: str, segment_id: str, keys: Sequence[CustomerKey]
) -> list[Outcome] | Failure:
    """Deletes customer assignments; NOT_FOUND for each key that is not stored."""
    if not await segment_exists(session, tenant=tenant, segment_id=segment_id):
        return unknown_segment(segment_id)
    outcomes = duplicates(keys, "customer and legal entity")
    found = await _locked_customers(session, tenant, segment_id, keys)
    if found:
        await session.execute(
            sa.delete(customer_table).where(
                _c.tenant == tenant,
                _c.segment_id == segment_id,
                sa.tuple_(_c.customer_id, _c.legal_entity_id).in_(sorted(found)),
            )
        )
        gone = [k for k in dict.fromkeys(keys) if k in found]
        record(session, tenant, [payloads.customer_deleted(tenant, segment_id, *k) for k in gone])
    missing = Failure(ErrorCode.NOT_FOUND, "No such customer assignment.")
    return [o or (Done() if k in found else missing) for o, k in zip(outcomes, keys, strict=True)]


async def customer_by_key(
    session: AsyncSession, *, tenant: str, segment_id: str, key: CustomerKey
) -> Any:
    """The stored customer assignment row (read back inside the writing transaction)."""
    stmt = sa.select(*customer_table.c).where(
        _c.tenant == tenant,
        _c.segment_id == segment_id,
        _c.customer_id == key[0],
        _c.legal_entity_id == key[1],
    )
    return (await session.execute(stmt)).one()


async def upsert_customer(
    session: AsyncSession, *, tenant: str, segment_id: str, entry: CustomerEntry, now: datetime
) -> tuple[Done, Any] | Failure:
    """One upsert_customers entry and, when it applied, its stored row read back."""
    written = await upsert_customers(
        session, tenant=tenant, segment_id=segment_id, entries=[entry], now=now
    )
    outcome = written if isinstance(written, Failure) else written[0]
    if isinstance(outcome, Failure):
        return outcome
    key = (entry.customer_id, entry.legal_entity_id)
    return outcome, await customer_by_key(session, tenant=tenant, segment_id=segment_id, key=key)
