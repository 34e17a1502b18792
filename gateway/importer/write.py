"""The import's writes: staged rows compared with stored ones and written in SQL, one
statement per table and step. Unchanged rows are not touched.

A versioned record (segment, assignment) keeps its own metadata when the file gives it
(the stage's m_* columns, NULL where the file has none): a new record starts at the given
version, createdAt and modifiedAt, each defaulting to 1 and the import time; a changed
record takes the given ones, or version + 1, its stored createdAt and the import time. A
record whose given metadata differs from the stored one is changed too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.importer.stage import LINK_COLUMNS, LINKS, PRODUCTS, STAGES, TOUCHED, Target


def matches(target: Target, stage: sa.Table, tenant: str) -> list[sa.ColumnElement[bool]]:
    """The stored row of a staged one: the tenant's, of the same key."""
    table = target.table
    return [table.c.tenant == tenant, *(table.c[k] == stage.c[k] for k in target.keys)]


def _differs(target: Target, stage: sa.Table) -> sa.ColumnElement[bool]:
    table = target.table
    return sa.or_(*(table.c[v].is_distinct_from(stage.c[v]) for v in target.values))


# Stored column -> the stage's column with the file's value for it.
_OWN_METADATA = {
    "version": "m_version",
    "created_at": "m_created_at",
    "modified_at": "m_modified_at",
    "metadata_mixins": "m_mixins",
}


def _given_or(stage: sa.Table, column: str, default: Any) -> Any:
    return sa.func.coalesce(stage.c[_OWN_METADATA[column]], default)


def _metadata_differs(target: Target, stage: sa.Table) -> sa.ColumnElement[bool]:
    table = target.table
    return sa.or_(
        *(
            _given_or(stage, column, table.c[column]).is_distinct_from(table.c[column])
            for column in _OWN_METADATA
        )
    )


def changes(
    target: Target, stage: sa.Table, only: sa.ColumnElement[bool] | None = None
) -> sa.ColumnElement[bool]:
    """Whether a staged row changes its stored one, so update_changed writes it: its values
    differ (or, with `only`, it matches that), or a versioned record's given metadata does."""
    condition = _differs(target, stage) if only is None else only
    if target.versioned:
        condition = sa.or_(condition, _metadata_differs(target, stage))
    return condition


async def update_changed(
    session: AsyncSession,
    target: Target,
    tenant: str,
    now: datetime,
    *,
    only: sa.ColumnElement[bool] | None = None,
) -> int:
    """Rows of the table whose staged values differ (or, with `only`, that match it) get them
    and new stamps (see the module's docstring). How many rows that was."""
    table, stage = target.table, STAGES[target.kind]
    values: dict[str, Any] = {v: stage.c[v] for v in target.values}
    stamp = sa.literal(now, table.c.modified_at.type)
    values["modified_at"] = stamp
    condition = changes(target, stage, only)
    if target.versioned:
        values["version"] = _given_or(stage, "version", table.c.version + 1)
        values["created_at"] = _given_or(stage, "created_at", table.c.created_at)
        values["modified_at"] = _given_or(stage, "modified_at", stamp)
        values["metadata_mixins"] = _given_or(stage, "metadata_mixins", table.c.metadata_mixins)
    statement = sa.update(table).values(values).where(*matches(target, stage, tenant), condition)
    result = await session.execute(statement, execution_options={"synchronize_session": False})
    return int(result.rowcount)  # type: ignore[attr-defined]


async def insert_new(
    session: AsyncSession,
    target: Target,
    tenant: str,
    now: datetime,
    within: tuple[int, int | None] | None = None,
    *,
    stored: bool = True,
) -> int:
    """Staged rows the table does not have yet, inserted in key order; how many. `within`:
    only the staged entries with an index from its start up to (not including) its end.
    `stored=False`: the tenant had no rows in the table, so none are looked for (one
    that is there anyway is a unique violation)."""
    table, stage = target.table, STAGES[target.kind]
    stamps = _stamps(target, stage, now)
    exists = sa.select(sa.literal(1)).where(*matches(target, stage, tenant)).exists()
    select = (
        sa.select(
            sa.literal(tenant, table.c.tenant.type),
            *(stage.c[name] for name in target.columns),
            *stamps.values(),
        )
        .where(*([~exists] if stored else []), *_within(stage, within))
        # In the primary key's order, each index page is filled once, not visited at random.
        .order_by(*(stage.c[name] for name in target.keys))
    )
    columns = ["tenant", *target.columns, *stamps]
    result = await session.execute(sa.insert(table).from_select(columns, select))
    return int(result.rowcount)  # type: ignore[attr-defined]


def _stamps(target: Target, stage: sa.Table, now: datetime) -> dict[str, Any]:
    """The columns an inserted row gets beside its own: the file's, where it gives them."""
    table = target.table
    stamp = sa.literal(now, table.c.modified_at.type)
    if not target.versioned:
        return {"created_at": stamp, "modified_at": stamp}
    return {
        "created_at": _given_or(stage, "created_at", stamp),
        "modified_at": _given_or(stage, "modified_at", stamp),
        "version": _given_or(stage, "version", sa.literal(1)),
        "metadata_mixins": _given_or(
            stage, "metadata_mixins", sa.literal({}, table.c.metadata_mixins.type)
        ),
    }


def _within(stage: sa.Table, within: tuple[int, int | None] | None) -> list[sa.ColumnElement[bool]]:
    if within is None:
        return []
    start, end = within
    return [stage.c.ord >= start, *([] if end is None else [stage.c.ord < end])]


async def mark_touched_products(session: AsyncSession, tenant: str) -> None:
    """import_touched: the staged products that are new, changed, or whose links change."""
    stage = STAGES["products"]
    table = PRODUCTS.table
    new_or_changed = (
        sa.select(stage.c.id)
        .select_from(
            stage.outerjoin(table, sa.and_(table.c.tenant == tenant, table.c.id == stage.c.id))
        )
        .where(sa.or_(table.c.id.is_(None), _differs(PRODUCTS, stage)))
    )
    touched = sa.union(new_or_changed, *_relinked(tenant))
    await session.execute(sa.insert(TOUCHED).from_select(["id"], touched))


def _relinked(tenant: str) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The staged products with links added or moved, and those with links gone."""
    stage, links = STAGES["products"], STAGES["links"]
    # Links added or moved, and links gone: two outer joins that look rows up by key (two
    # EXCEPTs that each read the stored links anew took 1.9 s for 150,000 links on
    # PostgreSQL, these 0.3 s; a FULL JOIN is a nested loop of minutes on SQLite).
    pair = sa.and_(
        LINKS.c.tenant == tenant,
        LINKS.c.product_id == links.c.product_id,
        LINKS.c.category_id == links.c.category_id,
    )
    moved = (
        sa.select(links.c.product_id)
        .select_from(links.outerjoin(LINKS, pair))
        .where(sa.or_(LINKS.c.product_id.is_(None), LINKS.c.position != links.c.position))
    )
    gone = (
        sa.select(LINKS.c.product_id)
        .select_from(LINKS.outerjoin(links, pair))
        .where(
            LINKS.c.tenant == tenant,
            LINKS.c.product_id.in_(sa.select(stage.c.id)),
            links.c.product_id.is_(None),
        )
    )
    return moved, gone


async def replace_links(session: AsyncSession, tenant: str) -> None:
    """A touched product's links become exactly the staged ones."""
    links = STAGES["links"]
    touched = sa.select(TOUCHED.c.id)
    await session.execute(
        sa.delete(LINKS).where(LINKS.c.tenant == tenant, LINKS.c.product_id.in_(touched))
    )
    select = (
        sa.select(
            sa.literal(tenant, LINKS.c.tenant.type), *(links.c[name] for name in LINK_COLUMNS)
        )
        .where(links.c.product_id.in_(touched))
        .order_by(links.c.product_id, links.c.category_id)
    )
    await session.execute(sa.insert(LINKS).from_select(["tenant", *LINK_COLUMNS], select))


async def duplicates(session: AsyncSession, target: Target, limit: int) -> list[tuple[Any, ...]]:
    """(index, first index, *key) of each staged entry whose key an earlier entry has."""
    stage = STAGES[target.kind]
    keys = [stage.c[name] for name in target.keys]
    # One sort of the stage by key: a GROUP BY joined back to the stage took seconds.
    first = sa.func.min(stage.c.ord).over(partition_by=keys).label("first")
    ranked = sa.select(stage.c.ord, first, *keys).subquery()
    query = (
        sa.select(ranked.c.ord, ranked.c.first, *(ranked.c[k.name] for k in keys))
        .where(ranked.c.ord != ranked.c.first)
        .order_by(ranked.c.ord)
        .limit(limit)
    )
    return [tuple(row) for row in await session.execute(query)]


async def analyze_tables(session: AsyncSession, tables: Sequence[sa.Table]) -> None:
    """Fresh statistics for tables an import filled, so the next one is planned right."""
    if session.get_bind().dialect.name == "postgresql":
        for table in tables:
            await session.execute(sa.text(f"ANALYZE {table.name}"))
