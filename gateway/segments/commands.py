"""Segment and customer-assignment writes, each check and its write in one transaction."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import ErrorCode
from gateway.outcomes import Done, Failure, Outcome, check_version, duplicates, settle
from gateway.store.database import conflict_insert
from gateway.store.tables import customer_table, item_table, segment_table
from gateway.store.writes import next_modified, upsert_statement

_s = segment_table.c
_c = customer_table.c
VERSION_FIELD = ("input", "metadata", "version")


@dataclass(frozen=True)
class SegmentFields:
    """Everything a segment upsert replaces."""

    name: dict[str, str]
    description: dict[str, str]
    status: str
    site_code: str
    valid_from: datetime | None
    valid_to: datetime | None
    mixins: dict[str, Any]
    metadata_mixins: dict[str, str]


@dataclass(frozen=True)
class CustomerEntry:
    """One customer assignment to upsert; `legal_entity_id` is '' (NO_LEGAL_ENTITY) for B2C."""

    customer_id: str
    legal_entity_id: str
    assignment_type: str
    mixins: dict[str, Any]
    metadata_mixins: dict[str, str]
    version: int | None = None


def new_segment_id() -> str:
    """24 lowercase hex digits, like the REST API's generated ids."""
    return secrets.token_hex(12)


def unknown_segment(segment_id: str, field: str = "segmentId") -> Failure:
    return Failure(ErrorCode.NOT_FOUND, f"Segment {segment_id!r} does not exist.", (field,))


async def segment_exists(session: AsyncSession, *, tenant: str, segment_id: str) -> bool:
    """Whether the segment exists; on PostgreSQL it stays so until this transaction ends."""
    stmt = (
        sa.select(_s.id)
        .where(_s.tenant == tenant, _s.id == segment_id)
        .with_for_update(read=True, key_share=True)
    )
    return (await session.execute(stmt)).first() is not None


async def _locked_segment(
    session: AsyncSession, tenant: str, segment_id: str, *, exclusive: bool = False
) -> Any | None:
    """The segment's version, locked until commit. Only `exclusive` (a delete) waits for and
    blocks assignment writes; an update of the segment's fields lets them run alongside."""
    stmt = sa.select(_s.version, _s.modified_at).where(_s.tenant == tenant, _s.id == segment_id)
    return (await session.execute(stmt.with_for_update(key_share=not exclusive))).first()


def _segment_row(
    tenant: str, segment_id: str, fields: SegmentFields, now: datetime, modified: datetime
) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "id": segment_id,
        **fields.__dict__,
        "created_at": now,
        "modified_at": modified,
        "version": 1,
    }


def _already_exists(segment_id: str) -> Failure:
    message = f"Segment {segment_id!r} already exists."
    return Failure(ErrorCode.ALREADY_EXISTS, message, ("input", "id"))


async def create_segment(
    session: AsyncSession,
    *,
    tenant: str,
    segment_id: str,
    fields: SegmentFields,
    version: int | None,
    now: datetime,
) -> tuple[bool, Any] | Failure:
    """(True, row) of the new segment; ALREADY_EXISTS when the id is taken."""
    if await _locked_segment(session, tenant, segment_id) is not None:
        return _already_exists(segment_id)
    conflict = check_version(version, None, VERSION_FIELD)
    if conflict is not None:
        return conflict
    row = _segment_row(tenant, segment_id, fields, now, now)
    stmt = conflict_insert(session, segment_table).values(row)
    stmt = stmt.on_conflict_do_nothing().returning(*segment_table.c)
    created = (await session.execute(stmt)).first()
    if created is None:  # inserted meanwhile by another transaction
        return _already_exists(segment_id)
    return True, created


async def upsert_segment(
    session: AsyncSession,
    *,
    tenant: str,
    segment_id: str,
    fields: SegmentFields,
    version: int | None,
    now: datetime,
) -> tuple[bool, Any] | Failure:
    """(created, row) after replacing or creating the segment; VERSION_CONFLICT when stale."""
    current = await _locked_segment(session, tenant, segment_id)
    conflict = check_version(version, current.version if current else None, VERSION_FIELD)
    if conflict is not None:
        return conflict
    modified = next_modified(now, current.modified_at if current else None)
    row = _segment_row(tenant, segment_id, fields, now, modified)
    stmt = upsert_statement(session, segment_table, [row]).returning(*segment_table.c)
    written = (await session.execute(stmt)).one()
    return written.version == 1, written


async def _has_assignments(session: AsyncSession, tenant: str, segment_id: str) -> bool:
    def any_in(table: sa.Table) -> Any:
        return sa.exists().where(table.c.tenant == tenant, table.c.segment_id == segment_id)

    stmt = sa.select(sa.or_(any_in(item_table), any_in(customer_table)))
    return bool((await session.execute(stmt)).scalar())


async def delete_segment(
    session: AsyncSession, *, tenant: str, segment_id: str, force: bool
) -> Failure | None:
    """Deletes a segment; with `force` its assignments too, else only when it has none."""
    if await _locked_segment(session, tenant, segment_id, exclusive=True) is None:
        return unknown_segment(segment_id, "id")
    if not force and await _has_assignments(session, tenant, segment_id):
        message = (
            "The segment still has item or customer assignments; "
            "set forceDelete to remove them too."
        )
        return Failure(ErrorCode.BAD_USER_INPUT, message, ("forceDelete",))
    for table in (item_table, customer_table):
        await session.execute(
            sa.delete(table).where(table.c.tenant == tenant, table.c.segment_id == segment_id)
        )
    await session.execute(sa.delete(segment_table).where(_s.tenant == tenant, _s.id == segment_id))
    return None


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
    versions = await _write_customers(session, rows)
    return settle(outcomes, keys, versions)


async def _write_customers(
    session: AsyncSession, rows: dict[CustomerKey, dict[str, Any]]
) -> dict[CustomerKey, int]:
    if not rows:
        return {}
    ordered = [rows[key] for key in sorted(rows)]
    stmt = upsert_statement(session, customer_table, ordered).returning(
        _c.customer_id, _c.legal_entity_id, _c.version
    )
    return {(c, le): v for c, le, v in await session.execute(stmt)}


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
