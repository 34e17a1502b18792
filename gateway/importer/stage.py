"""The import's staging tables: the file's rows land there in bulk, then SQL compares and
writes them (import_write), one statement per table and step, however many rows there are.

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

from gateway.importer.fields import NO_METADATA, OwnMetadata
from gateway.importer.format import (
    CategoryEntry,
    CustomerEntry,
    ItemEntry,
    ProductEntry,
    SegmentEntry,
)
from gateway.segments.models import NO_LEGAL_ENTITY
from gateway.store.columns import JSONType, UtcDateTime
from gateway.store.tables import metadata

Row = tuple[Any, ...]

_stage_metadata = sa.MetaData()
_NO_OWN_METADATA: Row = (None, None, None, None)
# A versioned record's own metadata, when the file gives it (NULL where it does not).
METADATA_COLUMNS = ("m_version", "m_created_at", "m_modified_at", "m_mixins")
_METADATA_TYPES: dict[str, Any] = {
    "m_version": sa.Integer(),
    "m_created_at": UtcDateTime(),
    "m_modified_at": UtcDateTime(),
    "m_mixins": JSONType,
}


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


def _stage_table(
    name: str, source: sa.Table, columns: Sequence[str], ordered: bool, versioned: bool
) -> sa.Table:
    found = [sa.Column("ord", sa.Integer)] if ordered else []
    found += [sa.Column(column, source.c[column].type) for column in columns]
    if versioned:
        found += [sa.Column(name, _METADATA_TYPES[name]) for name in METADATA_COLUMNS]
    return sa.Table(name, _stage_metadata, *found, prefixes=["TEMPORARY"])


STAGES: dict[str, sa.Table] = {
    target.kind: _stage_table(
        f"import_{target.table.name}",
        target.table,
        target.columns,
        target.ordered,
        target.versioned,
    )
    for target in (CATEGORIES, PRODUCTS, SEGMENTS, CUSTOMERS, ITEMS)
}
STAGES["links"] = _stage_table("import_product_category", LINKS, LINK_COLUMNS, False, False)
TOUCHED = sa.Table(
    "import_touched", _stage_metadata, sa.Column("id", sa.String), prefixes=["TEMPORARY"]
)
TABLES = (*STAGES.values(), TOUCHED)


class Stage:
    """The staging tables of one import, loaded with rows already in the form the driver
    takes (the *_row methods make them), so loading converts nothing."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect
        self.postgres = self.dialect.name == "postgresql"
        self.json: Callable[[Any], Any] = _pg_json
        self.instant: Callable[[datetime | None], Any] = _pg_instant
        if not self.postgres:
            # SQLite stores JSON as text: the same serializer as every other write, so an
            # unchanged value compares equal to the stored one.
            segments = STAGES["segments"].c
            self.json = _processor(segments.mixins.type, self.dialect)
            self.instant = _processor(segments.valid_from.type, self.dialect)

    def category_row(self, entry: CategoryEntry) -> Row:
        v, json, instant = entry.values, self.json, self.instant
        return (
            entry.id, v["parent_id"], v["code"], json(v["name"]), json(v["description"]),
            json(v["slug"]), json(v["ecn"]), v["position"], v["published"],
            instant(v["valid_from"]), instant(v["valid_to"]),
        )  # fmt: skip

    def product_row(self, entry: ProductEntry) -> Row:
        return (entry.id, entry.values["code"], self.json(entry.values["name"]))

    def segment_row(self, entry: SegmentEntry) -> Row:
        v, json, instant = entry.values, self.json, self.instant
        return (
            entry.id, json(v["name"]), json(v["description"]), v["status"], v["site_code"],
            instant(v["valid_from"]), instant(v["valid_to"]), json(v["mixins"]),
            *self._own(entry.own),
        )  # fmt: skip

    def customer_row(self, index: int, entry: CustomerEntry) -> Row:
        legal_entity_id = entry.legal_entity_id or NO_LEGAL_ENTITY
        return (
            index, entry.segment_id, entry.customer_id, legal_entity_id,
            entry.values["assignment_type"], self.json(entry.values["mixins"]),
            *self._own(entry.own),
        )  # fmt: skip

    def item_row(self, index: int, entry: ItemEntry) -> Row:
        mixins = self.json(entry.values["mixins"])
        own = self._own(entry.own)
        return (index, entry.segment_id, entry.item_type, entry.item_id, mixins, *own)

    def _own(self, own: OwnMetadata) -> Row:
        """The m_* columns of a record's own metadata."""
        if own is NO_METADATA:
            return _NO_OWN_METADATA
        mixins = None if own.mixins is None else self.json(own.mixins)
        return (own.version, self.instant(own.created_at), self.instant(own.modified_at), mixins)

    async def create(self) -> None:
        await self.create_tables(TABLES)
        if not self.postgres:
            # SQLite joins by nested loops: the staged links are looked up by this index.
            await self.session.execute(
                sa.text(
                    "CREATE INDEX temp.import_product_category_pair "
                    "ON import_product_category (product_id, category_id)"
                )
            )

    async def create_tables(self, tables: Sequence[sa.Table]) -> None:
        """Temporary `tables`, empty (one an earlier import on this connection left is gone)."""
        for table in tables:
            if not self.postgres:
                await self.session.execute(sa.text(f"DROP TABLE IF EXISTS temp.{table.name}"))
            ddl = str(sa.schema.CreateTable(table).compile(dialect=self.dialect))
            if self.postgres:
                ddl += " ON COMMIT DROP"
            await self.session.execute(sa.text(ddl))

    async def drop(self, tables: Sequence[sa.Table] = TABLES) -> None:
        if not self.postgres:
            for table in tables:
                await self.session.execute(sa.text(f"DROP TABLE IF EXISTS temp.{table.name}"))

    async def load(self, table: sa.Table, rows: list[Row]) -> None:
        if not rows:
            return
        connection = await self.session.connection()
        if self.postgres:
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None
            await raw.copy_records_to_table(table.name, records=rows, columns=list(table.c.keys()))
            return
        marks = ", ".join("?" * len(table.c))
        await connection.exec_driver_sql(f"INSERT INTO temp.{table.name} VALUES ({marks})", rows)


def _processor(kind: sa.types.TypeEngine[Any], dialect: sa.Dialect) -> Callable[[Any], Any]:
    process = kind.dialect_impl(dialect).bind_processor(dialect)
    assert process is not None
    return process


def _pg_json(value: Any) -> str:
    """JSON as COPY takes it for jsonb: its text."""
    if type(value) is dict and not value:
        return "{}"  # most mixins: skip the serializer
    return orjson.dumps(value).decode()


def _pg_instant(value: datetime | None) -> datetime | None:
    """An instant as COPY takes it for `timestamp without time zone`: naive UTC."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)
