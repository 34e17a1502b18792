"""The idempotent catalog import: validate everything, then write it in one transaction."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from os import PathLike
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.database import conflict_insert, create_engine, session_factory, transaction, utcnow
from gateway.import_checks import Known, check_document, outside_references
from gateway.import_fields import CatalogImportError
from gateway.import_format import ImportDocument, parse_document
from gateway.migrations import ensure_schema_async, has_tables_async
from gateway.models import metadata
from gateway.segments.models import NO_LEGAL_ENTITY
from gateway.settings import Limits
from gateway.writes import bump_data_version

__all__ = ["CatalogImportError", "ImportReport", "import_document", "import_file"]

KINDS = ("categories", "products", "segments", "customerAssignments", "itemAssignments")
# Rows per statement where a statement carries one parameter set per row; an executemany
# counts once however many rows it has.
CHUNK = 1000
T = TypeVar("T")
Row = dict[str, Any]
DEFAULT_LIMITS = Limits()


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    """What an import did, per kind of record."""

    tenant: str
    counts: dict[str, Counts] = field(default_factory=lambda: {kind: Counts() for kind in KINDS})

    def __str__(self) -> str:
        lines = [f'Imported tenant "{self.tenant}":']
        for kind, counts in self.counts.items():
            lines.append(
                f"  {kind:<20} {counts.created:>6} created, {counts.updated:>6} updated, "
                f"{counts.unchanged:>6} unchanged"
            )
        return "\n".join(lines)


@dataclass(frozen=True)
class Spec:
    """How one kind of entry lands in its table."""

    kind: str
    table: sa.Table
    keys: tuple[str, ...]
    versioned: bool = True


CATEGORIES = Spec("categories", metadata.tables["category"], ("id",), versioned=False)
PRODUCTS = Spec("products", metadata.tables["product"], ("id",), versioned=False)
SEGMENTS = Spec("segments", metadata.tables["segment"], ("id",))
CUSTOMERS = Spec(
    "customerAssignments",
    metadata.tables["customer_assignment"],
    ("segment_id", "customer_id", "legal_entity_id"),
)
ITEMS = Spec(
    "itemAssignments", metadata.tables["item_assignment"], ("segment_id", "item_type", "item_id")
)
LINKS = metadata.tables["product_category"]
TENANTS = metadata.tables["tenant"]


def _chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def read_import_file(path: str | PathLike[str]) -> Any:
    """The file's JSON; unreadable or malformed files are a CatalogImportError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogImportError(f"{path}: cannot be read ({error})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogImportError(
            f"{path}: not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        # The parser recurses per level; no entry of the file needs anywhere near this.
        raise CatalogImportError(
            f"{path}: arrays or objects are nested too deeply to read "
            f"(mixins may be at most {Limits.max_mixins_depth} levels deep by default)"
        ) from None
    except ValueError as error:  # e.g. an integer of more than 4,300 digits
        raise CatalogImportError(f"{path}: not valid JSON: {error}") from None


async def import_file(
    database_url: str, path: str | PathLike[str], *, limits: Limits = DEFAULT_LIMITS
) -> ImportReport:
    """Import a catalog file; an empty SQLite database gets its schema first."""
    # A server database is migrated on purpose (`gateway migrate`), never as a side effect.
    document = parse_document(read_import_file(path), max_mixins_depth=limits.max_mixins_depth)
    if not await ensure_schema_async(database_url) and not await has_tables_async(database_url):
        raise CatalogImportError("the database has no tables yet: run `gateway migrate` first")
    engine = create_engine(database_url)
    try:
        return await _import(session_factory(engine), document)
    finally:
        await engine.dispose()


async def import_document(
    sessions: async_sessionmaker[AsyncSession], doc: Any, *, limits: Limits = DEFAULT_LIMITS
) -> ImportReport:
    """Validate the whole document, then write it in one transaction; nothing on any error."""
    return await _import(sessions, parse_document(doc, max_mixins_depth=limits.max_mixins_depth))


async def _import(
    sessions: async_sessionmaker[AsyncSession], document: ImportDocument
) -> ImportReport:
    async with transaction(sessions) as session:
        await _lock(session, document.tenant)
        known = await _known(session, document)
        check_document(document, known)
        report = await _write(session, document, known)
        await bump_data_version(session, tenant=document.tenant, catalog=True)
        return report


async def _lock(session: AsyncSession, tenant: str) -> None:
    # Two imports of one tenant at once would both see a record as new; let one wait.
    if _dialect(session) == "postgresql":
        key = sa.func.hashtext(sa.literal(f"gateway-import:{tenant}"))
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


async def _known(session: AsyncSession, document: ImportDocument) -> Known:
    tenant = document.tenant
    stored = await session.execute(
        sa.select(TENANTS.c.default_language, TENANTS.c.languages).where(TENANTS.c.tenant == tenant)
    )
    default, languages = stored.one_or_none() or (None, None)
    table = CATEGORIES.table
    parents = await session.execute(
        sa.select(table.c.id, table.c.parent_id).where(table.c.tenant == tenant)
    )
    products, segments = outside_references(document)
    return Known(
        languages=tuple(languages) if languages is not None else None,
        default_language=default,
        category_parents={id: parent for id, parent in parents},
        product_ids=frozenset(await _existing_ids(session, PRODUCTS.table, tenant, products)),
        segment_ids=frozenset(await _existing_ids(session, SEGMENTS.table, tenant, segments)),
    )


async def _existing_ids(
    session: AsyncSession, table: sa.Table, tenant: str, ids: set[str]
) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(sorted(ids)):
        query = sa.select(table.c.id).where(table.c.tenant == tenant, table.c.id.in_(chunk))
        found.update((await session.execute(query)).scalars())
    return found


async def _write(session: AsyncSession, document: ImportDocument, known: Known) -> ImportReport:
    now, tenant = utcnow(), document.tenant
    report = ImportReport(tenant)
    await _write_tenant(session, document, known)
    rows = _rows(document)
    for spec in (CATEGORIES, SEGMENTS, CUSTOMERS, ITEMS):
        report.counts[spec.kind], _ = await _sync(session, spec, tenant, rows[spec.kind], now)
    report.counts["products"], written = await _sync(
        session, PRODUCTS, tenant, rows["products"], now
    )
    await _write_links(session, tenant, written)
    return report


def _rows(document: ImportDocument) -> dict[str, list[Row]]:
    """Each entry as the columns it sets, keys included; products also carry their links."""
    return {
        "categories": [{"id": e.id, **e.values} for e in document.categories],
        "products": [
            {"id": e.id, **e.values, "category_ids": e.category_ids} for e in document.products
        ],
        "segments": [{"id": e.id, **e.values} for e in document.segments],
        "customerAssignments": [
            {
                "segment_id": e.segment_id,
                "customer_id": e.customer_id,
                "legal_entity_id": e.legal_entity_id or NO_LEGAL_ENTITY,
                **e.values,
            }
            for e in document.customers
        ],
        "itemAssignments": [
            {"segment_id": e.segment_id, "item_type": e.item_type, "item_id": e.item_id, **e.values}
            for e in document.items
        ],
    }


async def _write_tenant(session: AsyncSession, document: ImportDocument, known: Known) -> None:
    languages, default = document.languages, document.default_language
    if languages is None or (default, languages) == (known.default_language, known.languages):
        return
    statement = conflict_insert(session, TENANTS)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[TENANTS.c.tenant],
            set_={name: statement.excluded[name] for name in ("default_language", "languages")},
        ),
        {"tenant": document.tenant, "default_language": default, "languages": list(languages)},
    )


def _key(spec: Spec, row: Row) -> tuple[Any, ...]:
    return tuple(row[name] for name in spec.keys)


async def _sync(
    session: AsyncSession, spec: Spec, tenant: str, rows: list[Row], now: datetime
) -> tuple[Counts, list[Row]]:
    """Write the rows that are new or differ from the stored ones; the rest stay untouched."""
    if not rows:
        return Counts(), []
    stored = await _stored(session, spec, tenant, rows)
    new = [row for row in rows if _key(spec, row) not in stored]
    changed = [row for row in rows if stored.get(_key(spec, row), row) != row]
    await _upsert(session, spec, tenant, [*new, *changed], now)
    return Counts(len(new), len(changed), len(rows) - len(new) - len(changed)), [*new, *changed]


async def _stored(
    session: AsyncSession, spec: Spec, tenant: str, rows: list[Row]
) -> dict[tuple[Any, ...], Row]:
    """The stored form of the rows that exist, in the same shape as the file's rows."""
    table = spec.table
    names = [name for name in rows[0] if name in table.c]
    stored: dict[tuple[Any, ...], Row] = {}
    for chunk in _chunks([_key(spec, row) for row in rows]):
        query = sa.select(*(table.c[name] for name in names)).where(
            table.c.tenant == tenant, _key_in(spec, chunk)
        )
        for found in (await session.execute(query)).mappings():
            row = dict(found)
            stored[_key(spec, row)] = row
    if spec is PRODUCTS:
        await _add_links(session, tenant, stored)
    return stored


def _key_in(spec: Spec, keys: Sequence[tuple[Any, ...]]) -> sa.ColumnElement[bool]:
    columns = [spec.table.c[name] for name in spec.keys]
    if len(columns) == 1:
        return columns[0].in_([key[0] for key in keys])
    return sa.tuple_(*columns).in_(keys)


async def _add_links(
    session: AsyncSession, tenant: str, products: dict[tuple[Any, ...], Row]
) -> None:
    for row in products.values():
        row["category_ids"] = ()
    for chunk in _chunks([key[0] for key in products]):
        query = (
            sa.select(LINKS.c.product_id, LINKS.c.category_id)
            .where(LINKS.c.tenant == tenant, LINKS.c.product_id.in_(chunk))
            .order_by(LINKS.c.product_id, LINKS.c.position, LINKS.c.category_id)
        )
        for product_id, category_id in await session.execute(query):
            row = products[(product_id,)]
            row["category_ids"] = (*row["category_ids"], category_id)


async def _upsert(
    session: AsyncSession, spec: Spec, tenant: str, rows: list[Row], now: datetime
) -> None:
    if not rows:
        return
    table = spec.table
    names = [name for name in rows[0] if name in table.c and name not in spec.keys]
    fresh: Row = {"tenant": tenant, "created_at": now, "modified_at": now}
    if spec.versioned:
        fresh |= {"version": 1, "metadata_mixins": {}}
    statement = conflict_insert(session, table)
    updates = {name: statement.excluded[name] for name in (*names, "modified_at")}
    if spec.versioned:
        updates["version"] = table.c.version + 1
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.tenant, *(table.c[name] for name in spec.keys)], set_=updates
    )
    columns = ("tenant", *spec.keys, *names)
    await session.execute(
        statement,
        [{**fresh, **{name: row[name] for name in columns if name in row}} for row in rows],
    )


async def _write_links(session: AsyncSession, tenant: str, products: list[Row]) -> None:
    """A written product's links become exactly its categoryIds, in the file's order."""
    ids = [row["id"] for row in products]
    for chunk in _chunks(ids):
        await session.execute(
            sa.delete(LINKS).where(LINKS.c.tenant == tenant, LINKS.c.product_id.in_(chunk))
        )
    links = [
        {"tenant": tenant, "product_id": row["id"], "category_id": category_id, "position": index}
        for row in products
        for index, category_id in enumerate(row["category_ids"])
    ]
    if links:
        await session.execute(sa.insert(LINKS), links)
