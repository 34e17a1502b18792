"""The idempotent catalog import: validate everything, then write it in one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import partial
from os import PathLike
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.database import conflict_insert, create_engine, session_factory, transaction, utcnow
from gateway.import_batches import KINDS, Batches, Counts, ImportReport
from gateway.import_checks import _check_cycles, _check_parents, _check_translations
from gateway.import_fields import MAX_PROBLEMS, CatalogImportError, Problems
from gateway.import_format import (
    CategoryEntry,
    ItemEntry,
    Localized,
    _category,
    _customer,
    _item,
    _languages,
    _product,
    _segment,
    _tenant,
)
from gateway.import_source import DocumentSource, Source, open_source
from gateway.import_stage import CUSTOMERS, ITEMS, PRODUCTS, SEGMENTS, Target
from gateway.import_write import analyze_tables
from gateway.migrations import ensure_schema_async, has_tables_async
from gateway.models import metadata
from gateway.settings import Limits
from gateway.writes import bump_data_version

__all__ = ["CatalogImportError", "Counts", "ImportReport", "import_document", "import_file"]

DEFAULT_LIMITS = Limits()
IMPORT_STATEMENT_TIMEOUT_MS = 600_000
IMPORT_WORK_MEM = "64MB"
PROGRESS_EVERY = 10_000  # records between two calls of an import's progress callback
Progress = Callable[[str, int], None]


def _quiet(phase: str, records: int) -> None:
    pass


TENANTS = metadata.tables["tenant"]
CATEGORY_TABLE = metadata.tables["category"]


def read_import_file(path: str | PathLike[str]) -> Any:
    """The file's JSON, all in memory; unreadable or malformed files are a CatalogImportError.

    Only for files the streaming reader refuses: it gives json's own messages."""
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
    database_url: str,
    path: str | PathLike[str],
    *,
    limits: Limits = DEFAULT_LIMITS,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a catalog file, streamed; an empty SQLite database gets its schema first.

    `progress(phase, records)` is called as the import goes: the list being read (or
    "writing" once all are) and how many records were read so far."""
    source = open_source(path, read_import_file)
    _header(source)
    # A server database is migrated on purpose (`gateway migrate`), never as a side effect.
    if not await ensure_schema_async(database_url) and not await has_tables_async(database_url):
        raise CatalogImportError("the database has no tables yet: run `gateway migrate` first")
    # One statement writes a whole list (500,000 rows take seconds): not the API's timeout.
    engine = create_engine(database_url, statement_timeout_ms=IMPORT_STATEMENT_TIMEOUT_MS)
    try:
        return await _import(session_factory(engine), source, limits, progress)
    finally:
        await engine.dispose()


async def import_document(
    sessions: async_sessionmaker[AsyncSession], doc: Any, *, limits: Limits = DEFAULT_LIMITS
) -> ImportReport:
    """Validate the whole document, then write it in one transaction; nothing on any error."""
    return await _import(sessions, DocumentSource(doc), limits)


def _header(source: Source) -> tuple[str, str | None, tuple[str, ...] | None]:
    tenant = _tenant(source.header)
    default, languages = _languages(source.header)
    return tenant, default, languages


async def _import(
    sessions: async_sessionmaker[AsyncSession],
    source: Source,
    limits: Limits,
    progress: Progress | None = None,
) -> ImportReport:
    tenant, default, languages = _header(source)
    async with transaction(sessions) as session:
        await _lock(session, tenant)
        stored_default, stored_languages = await _stored_languages(session, tenant)
        reading = _Reading(
            tenant,
            languages or stored_languages,
            await _stored_parents(session, tenant),
            limits.max_mixins_depth,
            progress or _quiet,
        )
        batches = Batches(session, tenant, utcnow(), reading.clean)
        await batches.start()
        try:
            await reading.read(source, batches, session)
        except BaseException:
            await batches.close()
            raise
        reading.progress("writing", reading.records)
        report = await batches.finish()
        reading.check(batches.duplicates)
        if languages is not None and (default, languages) != (stored_default, stored_languages):
            await _write_tenant(session, tenant, default, languages)
        await analyze_tables(session, sorted(batches.created, key=lambda table: table.name))
        await bump_data_version(session, tenant=tenant, catalog=True)
        # On any error the rollback takes the staging tables with it.
        await batches.stage.drop()
        return report


async def _lock(session: AsyncSession, tenant: str) -> None:
    # Two imports of one tenant at once would both see a record as new; let one wait.
    if session.get_bind().dialect.name == "postgresql":
        key = sa.func.hashtext(sa.literal(f"gateway-import:{tenant}"))
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))
        # For this transaction only: its few statements each sort or hash up to 500,000
        # rows (in memory, not in batches on disk), and JIT compiling them costs more
        # (0.2 s on the duplicates query) than it saves.
        await session.execute(sa.text(f"SET LOCAL work_mem = '{IMPORT_WORK_MEM}'"))
        await session.execute(sa.text("SET LOCAL jit = off"))


async def _stored_languages(
    session: AsyncSession, tenant: str
) -> tuple[str | None, tuple[str, ...] | None]:
    stored = await session.execute(
        sa.select(TENANTS.c.default_language, TENANTS.c.languages).where(TENANTS.c.tenant == tenant)
    )
    default, languages = stored.one_or_none() or (None, None)
    return default, tuple(languages) if languages is not None else None


async def _stored_parents(session: AsyncSession, tenant: str) -> dict[str, str | None]:
    table = CATEGORY_TABLE
    parents = await session.execute(
        sa.select(table.c.id, table.c.parent_id).where(table.c.tenant == tenant)
    )
    return {id: parent for id, parent in parents}


async def _stored_ids(session: AsyncSession, table: sa.Table, tenant: str) -> set[str]:
    found = await session.execute(sa.select(table.c.id).where(table.c.tenant == tenant))
    return set(found.scalars())


class _Capped(Problems):
    """Problems of one check, kept (up to MAX_PROBLEMS) to be reported in the checks' order."""

    def add(self, *problems: str) -> None:
        self.found.extend(problems[: MAX_PROBLEMS - len(self.found)])


class _Reading:
    """One pass over each list: every entry checked on its own and staged; what the rules
    across entries need is kept small (ids, not entries) or checked in SQL at the end."""

    def __init__(
        self,
        tenant: str,
        languages: tuple[str, ...] | None,
        stored_parents: dict[str, str | None],
        depth: int,
        progress: Progress,
    ) -> None:
        self.tenant, self.languages, self.depth = tenant, languages, depth
        self.progress, self.records = progress, 0
        self.stored_parents = stored_parents
        self.problems = Problems()  # each entry's own: they stop the run at MAX_PROBLEMS
        self.duplicates = _Capped()
        self.translations = _Capped()
        self.parents = _Capped()
        self.cycles = _Capped()
        self.product_categories = _Capped()
        self.segment_refs = _Capped()
        self.item_refs = _Capped()
        self.categories: list[CategoryEntry] = []
        self.category_ids: set[str] = set()
        self.product_ids: set[str] = set()
        self.segment_ids: set[str] = set()
        self.first: dict[str, dict[str, int]] = {kind: {} for kind in KINDS[:3]}
        self.stored_segments: set[str] = set()

    def _entries(self, source: Source, kind: str, read: Any) -> Iterator[tuple[int, Any]]:
        """(index in its list, entry) of each entry without problems of its own."""
        self.progress(kind, self.records)
        for index, (where, raw, clean) in enumerate(source.entries(kind)):
            self.records += 1
            if not index % PROGRESS_EVERY:
                self.progress(kind, self.records)
            try:
                yield index, read(where, raw, clean)
            except CatalogImportError as error:
                self.problems.add(*error.problems)

    def _unique(self, kind: str, id: str, where: str, index: int) -> None:
        first = self.first[kind].setdefault(id, index)
        if first != index:
            self.duplicates.add(f"{where}: duplicate id, already at {kind}[{first}]{_named(id)}")

    def _translated(self, texts: Localized) -> None:
        if self.languages is not None:
            _check_translations([texts], self.languages, self.translations)

    async def read(self, source: Source, batches: Batches, session: AsyncSession) -> None:
        self.batches, self.rows = batches, batches.stage
        await self._categories(source)
        await batches.end("categories")
        await self._products(source)
        await batches.end("products")
        await self._segments(source)
        await batches.end("segments")  # written before any assignment names one
        if self.wants("customerAssignments", source) or self.wants("itemAssignments", source):
            stored = partial(_stored_ids, session, SEGMENTS.table, self.tenant)
            self.stored_segments = await batches.call(stored)
        if self.wants("itemAssignments", source):
            self.product_ids |= await batches.call(
                partial(_stored_ids, session, PRODUCTS.table, self.tenant)
            )
        await self._customers(source)
        await batches.end("customerAssignments")
        await self._items(source)
        await batches.end("itemAssignments")

    def clean(self) -> bool:
        """No problem found so far: what was staged may be written."""
        return not any(
            check.found
            for check in (
                self.problems, self.duplicates, self.translations, self.parents, self.cycles,
                self.product_categories, self.segment_refs, self.item_refs,
            )
        )  # fmt: skip

    async def _categories(self, source: Source) -> None:
        for index, (category, texts) in self._entries(source, "categories", _category):
            self._unique("categories", category.id, category.where, index)
            self._translated(texts)
            self.categories.append(
                CategoryEntry(category.where, category.id, category.parent_id, {})
            )
            await self.batches.add("categories", self.rows.category_row(category))
        self.category_ids = set(self.stored_parents) | {c.id for c in self.categories}
        _check_parents(self.categories, self.category_ids, self.parents)
        _check_cycles(self.categories, self.stored_parents, self.cycles)

    async def _products(self, source: Source) -> None:
        for index, (product, texts) in self._entries(source, "products", _product):
            self._unique("products", product.id, product.where, index)
            self._translated(texts)
            self.product_ids.add(product.id)
            for category_id in product.category_ids:
                if category_id not in self.category_ids:
                    self.product_categories.add(
                        f'{product.where}: categoryIds has "{category_id}", which is not a '
                        "category of this file or the tenant"
                    )
            await self.batches.add("products", self.rows.product_row(product))
            for position, category_id in enumerate(product.category_ids):
                await self.batches.add("links", (product.id, category_id, position))

    async def _segments(self, source: Source) -> None:
        read = partial(_segment, mixins_depth=self.depth)
        for index, (segment, texts) in self._entries(source, "segments", read):
            self._unique("segments", segment.id, segment.where, index)
            self._translated(texts)
            self.segment_ids.add(segment.id)
            await self.batches.add("segments", self.rows.segment_row(segment))

    async def _customers(self, source: Source) -> None:
        read = partial(_customer, mixins_depth=self.depth)
        for index, customer in self._entries(source, "customerAssignments", read):
            self._segment_ref(customer.where, customer.segment_id)
            row = self.rows.customer_row(index, customer)
            await self.batches.add("customerAssignments", row)

    async def _items(self, source: Source) -> None:
        batches, rows = self.batches, self.rows
        read = partial(_item, mixins_depth=self.depth)
        for index, item in self._entries(source, "itemAssignments", read):
            self._segment_ref(item.where, item.segment_id)
            self._item_ref(item)
            await batches.add("itemAssignments", rows.item_row(index, item))

    @staticmethod
    def wants(kind: str, source: Source) -> bool:
        return source.header.get(kind) is not None

    def _segment_ref(self, where: str, segment_id: str) -> None:
        if segment_id not in self.segment_ids and segment_id not in self.stored_segments:
            self.segment_refs.add(
                f'{where}: segmentId "{segment_id}" is not a segment of this file or the tenant'
            )

    def _item_ref(self, entry: ItemEntry) -> None:
        ids = self.category_ids if entry.item_type == "CATEGORY" else self.product_ids
        if entry.item_id in ids:
            return
        other = self.product_ids if entry.item_type == "CATEGORY" else self.category_ids
        kind = entry.item_type.lower()
        hint = ""
        if entry.item_id in other:
            hint = f" (it is a {'product' if entry.item_type == 'CATEGORY' else 'category'})"
        self.item_refs.add(
            f'{entry.where}: itemId "{entry.item_id}" is not a {kind} '
            f"of this file or the tenant{hint}"
        )

    def check(self, found: dict[str, list[tuple[Any, ...]]]) -> None:
        """Raise with every broken rule, in the order the rules are listed; `found`: the
        duplicate assignments of each list."""
        for target in (CUSTOMERS, ITEMS):
            for duplicate in found.get(target.kind, []):
                index, first, *key = duplicate
                what = "customer assignment" if target is CUSTOMERS else "item assignment"
                self.duplicates.add(
                    f"{_label(target, index, key)}: duplicate {what}, "
                    f"already at {_label(target, first, key)}"
                )
        if self.problems.found or self.duplicates.found:
            self.problems.found.extend(self.duplicates.found)
            self.problems.raise_any()
        if self.languages is None:
            raise CatalogImportError(
                f'languages and defaultLanguage are required: tenant "{self.tenant}" is new'
            )
        problems = Problems()
        for check in (
            self.translations, self.parents, self.cycles, self.product_categories,
            self.segment_refs, self.item_refs,
        ):  # fmt: skip
            if check.found:
                problems.add(*check.found)
        problems.raise_any()


def _named(id: str) -> str:
    return f' (id "{id}")'


def _label(target: Target, index: int, key: list[Any]) -> str:
    if target is ITEMS:
        segment_id, item_type, item_id = key
        return f'{target.kind}[{index}] (segment "{segment_id}", {item_type} "{item_id}")'
    segment_id, customer_id, legal_entity_id = key
    legal = f', legal entity "{legal_entity_id}"' if legal_entity_id else ""
    return f'{target.kind}[{index}] (segment "{segment_id}", customer "{customer_id}"{legal})'


async def _write_tenant(
    session: AsyncSession, tenant: str, default: str | None, languages: tuple[str, ...]
) -> None:
    statement = conflict_insert(session, TENANTS)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[TENANTS.c.tenant],
            set_={name: statement.excluded[name] for name in ("default_language", "languages")},
        ),
        {"tenant": tenant, "default_language": default, "languages": list(languages)},
    )
