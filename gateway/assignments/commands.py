"""Item assignment writes: one entry or a bulk of 200 in a fixed number of statements."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.assignments import repository
from gateway.errors import ErrorCode
from gateway.events import payloads
from gateway.events.outbox import record
from gateway.outcomes import Done, Failure, Outcome, check_version, duplicates, settle
from gateway.segments.commands import segment_exists, unknown_segment
from gateway.store.bound_rows import BoundRows, one_of, values_for
from gateway.store.database import dialect_insert
from gateway.store.tables import category_table, product_table, segment_table
from gateway.store.tables import item_table as assignment_table
from gateway.store.writes import next_modified_sql

_catalog: dict[str, sa.Table] = {
    "PRODUCT": product_table,
    "CATEGORY": category_table,
}
_a = assignment_table.c
_s = segment_table.c
VERSION_FIELD = ("input", "metadata", "version")
# An item as its assignment's events show it: (code, name).
Item = tuple[str, Any]
# What each upserted entry carries; tenant, segment, type and `now` are the bulk's own.
_ENTRY_ROWS = BoundRows("entries", [_a.item_id, _a.mixins, _a.metadata_mixins])


@dataclass(frozen=True)
class ItemEntry:
    """One item assignment to upsert: replaces mixins and metadata.mixins."""

    item_id: str
    mixins: dict[str, Any]
    metadata_mixins: dict[str, str]
    version: int | None = None


def _key() -> list[sa.ColumnElement[bool]]:
    """The rows of one segment and type: parameters `tenant`, `segment_id`, `item_type`."""
    return [
        _a.tenant == sa.bindparam("tenant"),
        _a.segment_id == sa.bindparam("segment_id"),
        _a.item_type == sa.bindparam("item_type"),
    ]


def unknown_item(item_type: str, item_id: str) -> Failure:
    message = f"No {item_type.lower()} with id {item_id!r} in the catalog."
    return Failure(ErrorCode.NOT_FOUND, message, ("itemId",))


# Each statement is built once per dialect (and item type), so neither it nor its cache
# key is made again per request; the values travel as parameters.
@functools.cache
def _known_statement(dialect: str, item_type: str) -> sa.Select[Any]:
    table = _catalog[item_type]
    items = sa.and_(table.c.tenant == _s.tenant, one_of(table.c.id, "ids", dialect))
    return (
        sa.select(_s.id, table.c.id.label("item_id"), table.c.code, table.c.name)
        .select_from(segment_table.outerjoin(table, items))
        .where(_s.tenant == sa.bindparam("tenant"), _s.id == sa.bindparam("segment_id"))
        .with_for_update(read=True, key_share=True, of=segment_table)
    )


@functools.cache
def _locked_statement(dialect: str) -> sa.Select[Any]:
    return (
        sa.select(_a.item_id, _a.version)
        .where(*_key(), one_of(_a.item_id, "ids", dialect))
        .order_by(_a.item_id)
        .with_for_update()
    )


@functools.cache
def _delete_statement(dialect: str) -> sa.Delete:
    return sa.delete(assignment_table).where(*_key(), one_of(_a.item_id, "ids", dialect))


async def _known_ids(
    session: AsyncSession, key: dict[str, str], ids: Collection[str]
) -> dict[str, Item] | None:
    """The items among `ids` in the catalog, or None when the segment does not exist.

    One statement for both, the segment LEFT JOIN the items found; on PostgreSQL the segment
    stays (key share lock) until this transaction ends, so it cannot go while it is written.
    """
    dialect = session.get_bind().dialect
    table = _catalog[key["item_type"]]
    params = {**key, "ids": values_for(table.c.id, ids, dialect)}
    rows = (await session.execute(_known_statement(dialect.name, key["item_type"]), params)).all()
    if not rows:
        return None
    return {item_id: (code, name) for _, item_id, code, name in rows if item_id is not None}


async def _locked(
    session: AsyncSession, key: dict[str, str], ids: Collection[str]
) -> dict[str, Any]:
    """The stored assignments among `ids`, locked in id order (so bulks never deadlock)."""
    dialect = session.get_bind().dialect
    params = {**key, "ids": values_for(_a.item_id, ids, dialect)}
    return {
        row.item_id: row for row in await session.execute(_locked_statement(dialect.name), params)
    }


def _check(
    entry: ItemEntry, item_type: str, known: dict[str, Item], current: Any
) -> Failure | None:
    if entry.item_id not in known:
        return unknown_item(item_type, entry.item_id)
    return check_version(entry.version, current.version if current else None, VERSION_FIELD)


async def upsert_items(
    session: AsyncSession,
    *,
    tenant: str,
    segment_id: str,
    item_type: str,
    entries: Sequence[ItemEntry],
    now: datetime,
) -> list[Outcome] | Failure:
    """Upserts assignments of one segment and type; one outcome per entry, in input order.

    Two statements for any number of entries, the segment with the known items and one
    upsert returning the new versions; a third, the stored versions read and locked, when
    any entry expects one.
    """
    ids = [entry.item_id for entry in entries]
    key = {"tenant": tenant, "segment_id": segment_id, "item_type": item_type}
    known = await _known_ids(session, key, set(ids))
    if known is None:
        return unknown_segment(segment_id)
    outcomes: list[Outcome | None] = list(duplicates(ids))
    # All known rows or none, always in id order, so that bulks never deadlock.
    expecting = known and any(entry.version is not None for entry in entries)
    current = await _locked(session, key, known) if expecting else {}
    rows: list[tuple[Any, ...]] = []
    for index, entry in enumerate(entries):
        if outcomes[index] is None:
            outcomes[index] = _check(entry, item_type, known, current.get(entry.item_id))
            if outcomes[index] is None:
                rows.append((entry.item_id, entry.mixins, entry.metadata_mixins))
    written = await _write(session, {**key, "now": now}, rows)
    record(session, tenant, _written_events(key, known, ids, written))
    return settle(outcomes, ids, {i: row.version for i, row in written.items()})


def _written_events(
    key: dict[str, str], known: dict[str, Item], ids: Sequence[str], written: dict[str, Any]
) -> list[payloads.Event]:
    """The created or updated event of each written entry, in input order."""
    shared = (key["tenant"], key["segment_id"], key["item_type"])
    return [
        payloads.item_written(*shared, written[i], known[i])
        for i in dict.fromkeys(ids)
        if i in written
    ]


async def upsert_item(
    session: AsyncSession,
    *,
    tenant: str,
    segment_id: str,
    item_type: str,
    entry: ItemEntry,
    now: datetime,
) -> tuple[Done, Any] | Failure:
    """One upsert_items entry and, when it applied, its stored row (with its item) read back."""
    written = await upsert_items(
        session, tenant=tenant, segment_id=segment_id, item_type=item_type, entries=[entry], now=now
    )
    outcome = written if isinstance(written, Failure) else written[0]
    if isinstance(outcome, Failure):
        return outcome
    row = await repository.assignment_by_key(
        session, tenant=tenant, segment_id=segment_id, item_type=item_type, item_id=entry.item_id
    )
    return outcome, row


@functools.cache
def _upsert_statement(dialect: str) -> Any:
    """INSERT ... SELECT from the bound entries ON CONFLICT DO UPDATE, RETURNING the new
    versions; built once per dialect, and its text the same for any number of entries."""
    shared = [
        sa.bindparam(name, type_=_a[name].type) for name in ("tenant", "segment_id", "item_type")
    ]
    now = sa.bindparam("now", type_=_a.created_at.type)
    # WHERE true: SQLite's parser needs one between a SELECT and its ON CONFLICT.
    source = sa.select(*shared, *_ENTRY_ROWS.values(dialect), now, now, sa.literal(1))
    names = ["tenant", "segment_id", "item_type", *(c.name for c in _ENTRY_ROWS.columns)]
    stmt = dialect_insert(dialect, assignment_table).from_select(
        [*names, "created_at", "modified_at", "version"], source.where(sa.true())
    )
    excluded = stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=list(assignment_table.primary_key.columns),
        set_={
            "mixins": excluded.mixins,
            "metadata_mixins": excluded.metadata_mixins,
            "modified_at": next_modified_sql(excluded.modified_at, _a.modified_at, dialect),
            "version": _a.version + 1,
        },
    ).returning(
        _a.item_id, _a.version, _a.mixins, _a.metadata_mixins, _a.created_at, _a.modified_at
    )


async def _write(
    session: AsyncSession, shared: dict[str, Any], rows: list[tuple[Any, ...]]
) -> dict[str, Any]:
    """One upsert of all rows in id order (so bulks never deadlock); each one as stored
    (its version 1 when inserted)."""
    if not rows:
        return {}
    dialect = session.get_bind().dialect
    rows.sort(key=lambda row: row[0])
    params = {**shared, **_ENTRY_ROWS.bind(dialect, rows)}
    result = await session.execute(_upsert_statement(dialect.name), params)
    return {row.item_id: row for row in result}


async def delete_items(
    session: AsyncSession,
    *,
    tenant: str,
    segment_id: str,
    item_type: str,
    item_ids: Sequence[str],
) -> list[Outcome] | Failure:
    """Deletes assignments of one segment and type; NOT_FOUND for each id not assigned."""
    if not await segment_exists(session, tenant=tenant, segment_id=segment_id):
        return unknown_segment(segment_id)
    key = {"tenant": tenant, "segment_id": segment_id, "item_type": item_type}
    outcomes = duplicates(item_ids)
    found = await _locked(session, key, set(item_ids))
    if found:
        dialect = session.get_bind().dialect
        params = {**key, "ids": values_for(_a.item_id, found, dialect)}
        await session.execute(_delete_statement(dialect.name), params)
        gone = [i for i in dict.fromkeys(item_ids) if i in found]
        record(
            session, tenant, [payloads.item_deleted(tenant, segment_id, item_type, i) for i in gone]
        )
    missing = Failure(ErrorCode.NOT_FOUND, "The item is not assigned to the segment.", ("itemId",))
    return [
        o or (Done() if i in found else missing) for o, i in zip(outcomes, item_ids, strict=True)
    ]
