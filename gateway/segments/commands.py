"""Segment writes, each check and its write in one transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.errors import ErrorCode
from gateway.events import payloads
from gateway.events.outbox import record
from gateway.outcomes import Failure, check_version
from gateway.store.database import conflict_insert
from gateway.store.tables import customer_table, item_table, segment_table
from gateway.store.writes import next_modified, upsert_statement

_s = segment_table.c
_c = customer_table.c
_i = item_table.c
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
    stmt = sa.select(_s.version, _s.modified_at, _s.status).where(
        _s.tenant == tenant, _s.id == segment_id
    )
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
    record(session, tenant, [payloads.segment_written(tenant, created)])
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
    previous = current.status if current else None
    record(session, tenant, [payloads.segment_written(tenant, written, previous)])
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
    events = await _delete_assignments(session, tenant, segment_id)
    await session.execute(sa.delete(segment_table).where(_s.tenant == tenant, _s.id == segment_id))
    record(session, tenant, [*events, payloads.segment_deleted(tenant, segment_id)])
    return None


async def _delete_assignments(
    session: AsyncSession, tenant: str, segment_id: str
) -> list[payloads.Event]:
    """Deletes the segment's assignments; the delete event of each, items first."""

    def of(table: sa.Table) -> sa.Delete:
        return sa.delete(table).where(table.c.tenant == tenant, table.c.segment_id == segment_id)

    items = await session.execute(of(item_table).returning(_i.item_type, _i.item_id))
    customers = await session.execute(
        of(customer_table).returning(_c.customer_id, _c.legal_entity_id)
    )
    # In key order, as RETURNING promises none.
    return [
        payloads.item_deleted(tenant, segment_id, t, i) for t, i in sorted(map(tuple, items))
    ] + [
        payloads.customer_deleted(tenant, segment_id, c, le)
        for c, le in sorted(map(tuple, customers))
    ]
