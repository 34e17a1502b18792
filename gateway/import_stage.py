"""The import's staging tables: the file's rows land there in bulk, then SQL compares and
writes them, one statement per table and step, however many rows there are.

PostgreSQL loads them with COPY (asyncpg's copy_records_to_table), SQLite with one
executemany per batch. Temporary tables live only in the import's connection and are
dropped with its transaction (PostgreSQL) or at its end (SQLite).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.models import metadata

BATCH = 10_000
_stage_metadata = sa.MetaData()


@dataclass(frozen=True)
class Target:
    """How one kind of entry lands in its table."""

    kind: str
    table: sa.Table
    keys: tuple[str, ...]
    values: tuple[str, ...]
    versioned: bool
    ordered: bool = False  # the stage keeps each entry's index, to name duplicates

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.keys, *self.values)


def _target(
    kind: str, name: str, keys: tuple[str, ...], values: tuple[str, ...], **kw: Any
) -> Target:
    return Target(kind, metadata.tables[name], keys, values, **kw)


CATEGORIES = _target(
    "categories", "category", ("id",),
    ("parent_id", "code", "name", "description", "slug", "ecn", "position", "published",
     "valid_from", "valid_to"),
    versioned=False,
)  # fmt: skip
PRODUCTS = _target("products", "product", ("id",), ("code", "name"), versioned=False)
SEGMENTS = _target(
    "segments", "segment", ("id",),
    ("name", "description", "status", "site_code", "valid_from", "valid_to", "mixins"),
    versioned=True,
)  # fmt: skip
CUSTOMERS = _target(
    "customerAssignments", "customer_assignment", ("segment_id", "customer_id", "legal_entity_id"),
    ("assignment_type", "mixins"), versioned=True, ordered=True,
)  # fmt: skip
ITEMS = _target(
    "itemAssignments", "item_assignment", ("segment_id", "item_type", "item_id"), ("mixins",),
    versioned=True, ordered=True,
)  # fmt: skip
LINKS = metadata.tables["product_category"]
LINK_COLUMNS = ("product_id", "category_id", "position")


def _stage_table(name: str, source: sa.Table, columns: Sequence[str], ordered: bool) -> sa.Table:
    found = [sa.Column("ord", sa.Integer)] if ordered else []
    found += [sa.Column(column, source.c[column].type) for column in columns]
    return sa.Table(name, _stage_metadata, *found, prefixes=["TEMPORARY"])


STAGES: dict[str, sa.Table] = {
    target.kind: _stage_table(
        f"import_{target.table.name}", target.table, target.columns, target.ordered
    )
    for target in (CATEGORIES, PRODUCTS, SEGMENTS, CUSTOMERS, ITEMS)
}
STAGES["links"] = _stage_table("import_product_category", LINKS, LINK_COLUMNS, False)
TOUCHED = sa.Table(
    "import_touched", _stage_metadata, sa.Column("id", sa.String), prefixes=["TEMPORARY"]
)


class Stage:
    """The staging tables of one import, filled in batches."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect
        self.postgres = self.dialect.name == "postgresql"
        self.pending: dict[str, list[tuple[Any, ...]]] = {name: [] for name in STAGES}
        self.processors: dict[str, list[Callable[[Any], Any] | None]] = {
            name: [
                None if self.postgres else column.type.bind_processor(self.dialect)
                for column in table.c
            ]
            for name, table in STAGES.items()
        }

    async def create(self) -> None:
        for table in (*STAGES.values(), TOUCHED):
            if not self.postgres:
                await self.session.execute(sa.text(f"DROP TABLE IF EXISTS temp.{table.name}"))
            ddl = str(sa.schema.CreateTable(table).compile(dialect=self.dialect))
            if self.postgres:
                ddl += " ON COMMIT DROP"
            await self.session.execute(sa.text(ddl))

    async def drop(self) -> None:
        if not self.postgres:
            for table in (*STAGES.values(), TOUCHED):
                await self.session.execute(sa.text(f"DROP TABLE IF EXISTS temp.{table.name}"))

    async def add(self, name: str, row: tuple[Any, ...]) -> None:
        pending = self.pending[name]
        pending.append(row)
        if len(pending) >= BATCH:
            await self.flush(name)

    async def flush(self, name: str | None = None) -> None:
        for each in [name] if name else list(STAGES):
            rows = self.pending[each]
            if rows:
                await self._load(STAGES[each], self.processors[each], rows)
                rows.clear()

    async def _load(
        self,
        table: sa.Table,
        processors: list[Callable[[Any], Any] | None],
        rows: list[tuple[Any, ...]],
    ) -> None:
        connection = await self.session.connection()
        if self.postgres:
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None
            await raw.copy_records_to_table(
                table.name, records=_pg_rows(table, rows), columns=list(table.c.keys())
            )
            return
        special = [(index, p) for index, p in enumerate(processors) if p is not None]
        if special:
            converted = []
            for row in rows:
                values = list(row)
                for index, process in special:
                    values[index] = process(values[index])
                converted.append(tuple(values))
            rows = converted
        marks = ", ".join("?" * len(table.c))
        await connection.exec_driver_sql(f"INSERT INTO temp.{table.name} VALUES ({marks})", rows)

    async def analyze(self) -> None:
        if self.postgres:
            for table in STAGES.values():
                await self.session.execute(sa.text(f"ANALYZE {table.name}"))


def _pg_rows(table: sa.Table, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows as COPY takes them: JSON as its text, instants as naive UTC."""
    special = [
        index
        for index, column in enumerate(table.c)
        if isinstance(column.type, sa.JSON) or hasattr(column.type, "impl")
    ]
    if not special:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for index in special:
            values[index] = _pg_value(values[index])
        converted.append(tuple(values))
    return converted


def _pg_value(value: Any) -> Any:
    if isinstance(value, dict):
        return orjson.dumps(value).decode() if value else "{}"
    if isinstance(value, list):
        return orjson.dumps(value).decode()
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _matches(target: Target, stage: sa.Table, tenant: str) -> list[sa.ColumnElement[bool]]:
    table = target.table
    return [table.c.tenant == tenant, *(table.c[k] == stage.c[k] for k in target.keys)]


def _differs(target: Target, stage: sa.Table) -> sa.ColumnElement[bool]:
    table = target.table
    return sa.or_(*(table.c[v].is_distinct_from(stage.c[v]) for v in target.values))


async def update_changed(
    session: AsyncSession,
    target: Target,
    tenant: str,
    now: datetime,
    *,
    only: sa.ColumnElement[bool] | None = None,
) -> int:
    """Rows of the table whose staged values differ (or, with `only`, that match it) get them,
    modified_at = now and, where versioned, version + 1. How many rows that was."""
    table, stage = target.table, STAGES[target.kind]
    values: dict[str, Any] = {v: stage.c[v] for v in target.values}
    values["modified_at"] = sa.literal(now, table.c.modified_at.type)
    if target.versioned:
        values["version"] = table.c.version + 1
    condition = _differs(target, stage) if only is None else only
    statement = sa.update(table).values(values).where(*_matches(target, stage, tenant), condition)
    result = await session.execute(statement, execution_options={"synchronize_session": False})
    return int(result.rowcount)  # type: ignore[attr-defined]


async def insert_new(session: AsyncSession, target: Target, tenant: str, now: datetime) -> int:
    """Staged rows the table does not have yet, inserted; how many."""
    table, stage = target.table, STAGES[target.kind]
    stamps: dict[str, Any] = {
        "created_at": sa.literal(now, table.c.created_at.type),
        "modified_at": sa.literal(now, table.c.modified_at.type),
    }
    if target.versioned:
        stamps["version"] = sa.literal(1)
        stamps["metadata_mixins"] = sa.literal({}, table.c.metadata_mixins.type)
    exists = sa.select(sa.literal(1)).where(*_matches(target, stage, tenant)).exists()
    select = sa.select(
        sa.literal(tenant, table.c.tenant.type),
        *(stage.c[name] for name in target.columns),
        *stamps.values(),
    ).where(~exists)
    columns = ["tenant", *target.columns, *stamps]
    result = await session.execute(sa.insert(table).from_select(columns, select))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def mark_touched_products(session: AsyncSession, tenant: str) -> None:
    """import_touched: the staged products that are new, changed, or whose links change."""
    stage, links = STAGES["products"], STAGES["links"]
    table = PRODUCTS.table
    new_or_changed = (
        sa.select(stage.c.id)
        .select_from(
            stage.outerjoin(table, sa.and_(table.c.tenant == tenant, table.c.id == stage.c.id))
        )
        .where(sa.or_(table.c.id.is_(None), _differs(PRODUCTS, stage)))
    )
    stored = sa.select(LINKS.c.product_id, LINKS.c.category_id, LINKS.c.position).where(
        LINKS.c.tenant == tenant, LINKS.c.product_id.in_(sa.select(stage.c.id))
    )
    staged = sa.select(links.c.product_id, links.c.category_id, links.c.position)
    gone = sa.except_(stored, staged).subquery()
    added = sa.except_(staged, stored).subquery()
    touched = sa.union(new_or_changed, sa.select(gone.c.product_id), sa.select(added.c.product_id))
    await session.execute(sa.insert(TOUCHED).from_select(["id"], touched))


async def replace_links(session: AsyncSession, tenant: str) -> None:
    """A touched product's links become exactly the staged ones."""
    links = STAGES["links"]
    touched = sa.select(TOUCHED.c.id)
    await session.execute(
        sa.delete(LINKS).where(LINKS.c.tenant == tenant, LINKS.c.product_id.in_(touched))
    )
    select = sa.select(
        sa.literal(tenant, LINKS.c.tenant.type), *(links.c[name] for name in LINK_COLUMNS)
    ).where(links.c.product_id.in_(touched))
    await session.execute(sa.insert(LINKS).from_select(["tenant", *LINK_COLUMNS], select))


async def duplicates(session: AsyncSession, target: Target, limit: int) -> list[tuple[Any, ...]]:
    """(index, first index, *key) of each staged entry whose key an earlier entry has."""
    stage = STAGES[target.kind]
    keys = [stage.c[name] for name in target.keys]
    first = (
        sa.select(*keys, sa.func.min(stage.c.ord).label("first"))
        .group_by(*keys)
        .having(sa.func.count() > 1)
        .subquery()
    )
    query = (
        sa.select(stage.c.ord, first.c.first, *keys)
        .join(first, sa.and_(*(first.c[k.name] == k for k in keys)))
        .where(stage.c.ord != first.c.first)
        .order_by(stage.c.ord)
        .limit(limit)
    )
    return [tuple(row) for row in await session.execute(query)]


async def analyze_tables(session: AsyncSession, tables: Sequence[sa.Table]) -> None:
    """Fresh statistics for tables an import filled, so the next one is planned right."""
    if session.get_bind().dialect.name == "postgresql":
        for table in tables:
            await session.execute(sa.text(f"ANALYZE {table.name}"))
