"""The reading of an import's file: one pass over each list, every entry checked on its own
and staged; what the rules across entries need is kept small (ids, not entries) or checked
in SQL (duplicate assignments, import_batches)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.importer.batches import Batches
from gateway.importer.checks import check_cycles, check_parents, check_translations
from gateway.importer.fields import MAX_PROBLEMS, CatalogImportError, Problems, capped_error
from gateway.importer.format import (
    CategoryEntry,
    ItemEntry,
    Localized,
    _category,
    _customer,
    _item,
    _product,
    _segment,
)
from gateway.importer.report import KINDS
from gateway.importer.source import Source
from gateway.importer.stage import CUSTOMERS, ITEMS, PRODUCTS, SEGMENTS, Target

PROGRESS_EVERY = 10_000  # records between two calls of an import's progress callback
Progress = Callable[[str, int], None]


def quiet(phase: str, records: int) -> None:
    """The progress callback of an import nobody watches."""


async def _stored_ids(session: AsyncSession, table: sa.Table, tenant: str) -> set[str]:
    found = await session.execute(sa.select(table.c.id).where(table.c.tenant == tenant))
    return set(found.scalars())


class _Found:
    """Every problem found while reading, by rule; reported in the order the rules were
    made, the run stopping once there are more than MAX_PROBLEMS in all."""

    def __init__(self) -> None:
        self.rules: list[_Rule] = []
        self.count = 0

    def rule(self) -> _Rule:
        self.rules.append(_Rule(self))
        return self.rules[-1]

    def error(self) -> CatalogImportError:
        return capped_error([problem for rule in self.rules for problem in rule.found])

    def raise_any(self) -> None:
        if self.count:
            raise self.error()


class _Rule(Problems):
    """The problems of one rule, counted towards the run's limit."""

    def __init__(self, found: _Found) -> None:
        super().__init__()
        self.all = found

    def add(self, *problems: str) -> None:
        self.found.extend(problems)
        self.all.count += len(problems)
        if self.all.count > MAX_PROBLEMS:
            raise self.all.error()


class Reading:
    """The problems found and the ids kept while reading one file."""

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
        # In the order they are reported; all of them, up to MAX_PROBLEMS, in one run.
        self.found = found = _Found()
        self.new_tenant, self.problems, self.duplicates = found.rule(), found.rule(), found.rule()
        self.translations, self.parents, self.cycles = found.rule(), found.rule(), found.rule()
        self.product_categories, self.segment_refs = found.rule(), found.rule()
        self.item_refs = found.rule()
        self.categories: list[CategoryEntry] = []
        self.category_ids: set[str] = set()
        self.refused_categories: set[str] = set()
        self.product_ids: set[str] = set()
        self.segment_ids: set[str] = set()
        self.first: dict[str, dict[str, int]] = {kind: {} for kind in KINDS[:3]}
        self.stored_segments: set[str] = set()

    def _entries(self, source: Source, kind: str, read: Any) -> Iterator[tuple[int, Any]]:
        """(index in its list, entry) of each entry without problems of its own."""
        self.progress(kind, self.records)
        given = source.header.get(kind)
        if given is not None and not isinstance(given, list):
            self.problems.add(f"{kind} must be a list")
            return
        for index, (where, raw, clean) in enumerate(source.entries(kind)):
            self.records += 1
            if not index % PROGRESS_EVERY:
                self.progress(kind, self.records)
            try:
                yield index, read(where, raw, clean)
            except CatalogImportError as error:
                self._refused(kind, raw)
                self.problems.add(*error.problems)

    def _refused(self, kind: str, raw: Any) -> None:
        """An entry refused for its own problems still has its id: what names it is not
        reported too (a second problem for the same mistake)."""
        id = raw.get("id") if isinstance(raw, dict) else None
        kept = {
            "categories": self.refused_categories,
            "products": self.product_ids,
            "segments": self.segment_ids,
        }.get(kind)
        if isinstance(id, str) and kept is not None:
            kept.add(id)

    def _unique(self, kind: str, id: str, where: str, index: int) -> None:
        first = self.first[kind].setdefault(id, index)
        if first != index:
            self.duplicates.add(f"{where}: duplicate id, already at {kind}[{first}]{_named(id)}")

    def _translated(self, texts: Localized) -> None:
        if self.languages is not None:
            check_translations([texts], self.languages, self.translations)

    async def read(self, source: Source, batches: Batches, session: AsyncSession) -> None:
        self.batches, self.rows = batches, batches.stage
        if self.languages is None:  # reported first, with all the file's other problems
            self.new_tenant.add(
                f'languages and defaultLanguage are required: tenant "{self.tenant}" is new'
            )
        # Before anything is written: asked later, they would wait for the writes before.
        if self.wants("customerAssignments", source) or self.wants("itemAssignments", source):
            stored = partial(_stored_ids, session, SEGMENTS.table, self.tenant)
            self.stored_segments = await batches.call(stored)
        if self.wants("itemAssignments", source):
            self.product_ids |= await batches.call(
                partial(_stored_ids, session, PRODUCTS.table, self.tenant)
            )
        await self._categories(source)
        await batches.end("categories")
        await self._products(source)
        await batches.end("products")
        await self._segments(source)
        await batches.end("segments")  # written before any assignment names one
        await self._customers(source)
        await batches.end("customerAssignments")
        await self._items(source)
        await batches.end("itemAssignments")

    def clean(self) -> bool:
        """No problem found so far: what was staged may be written."""
        return not self.found.count

    async def _categories(self, source: Source) -> None:
        for index, (category, texts) in self._entries(source, "categories", _category):
            self._unique("categories", category.id, category.where, index)
            self._translated(texts)
            self.categories.append(
                CategoryEntry(category.where, category.id, category.parent_id, {})
            )
            await self.batches.add("categories", self.rows.category_row(category))
        self.category_ids = {*self.stored_parents, *self.refused_categories}
        self.category_ids.update(category.id for category in self.categories)
        check_parents(self.categories, self.category_ids, self.parents)
        check_cycles(self.categories, self.stored_parents, self.cycles)

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
        self.found.raise_any()


def _named(id: str) -> str:
    return f' (id "{id}")'


def _label(target: Target, index: int, key: list[Any]) -> str:
    if target is ITEMS:
        segment_id, item_type, item_id = key
        return f'{target.kind}[{index}] (segment "{segment_id}", {item_type} "{item_id}")'
    segment_id, customer_id, legal_entity_id = key
    legal = f', legal entity "{legal_entity_id}"' if legal_entity_id else ""
    return f'{target.kind}[{index}] (segment "{segment_id}", customer "{customer_id}"{legal})'
