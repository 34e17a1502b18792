"""Per-request loaders of catalog relations, and the batched reads trees and matches make."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gateway.catalog import repository
from gateway.catalog.index import catalog_index
from gateway.catalog.repository import SegmentSource
from gateway.catalog.trees import CatalogIndex, covered_by_assigned, kept_positions
from gateway.context import Context, Loader


class CategoryIdsByProductIdLoader(Loader[str, list[str]]):
    async def batch_load_fn(self, keys: Sequence[str]) -> list[list[str]]:
        async with self.context.read_session() as session:
            found = await repository.category_ids_by_product(
                session, tenant=self.context.tenant, product_ids=keys
            )
        return [found.get(key, []) for key in keys]


class CatalogIndexByTenantLoader(Loader[str, CatalogIndex]):
    """The tenant's catalog index: no statement when the request's catalog version is the one
    held, else one, with the categories only when they changed."""

    async def batch_load_fn(self, keys: Sequence[str]) -> list[CatalogIndex]:
        versions = self.context.versions
        current = None if versions is None else versions[1]
        async with self.context.read_session() as session:
            return [await catalog_index(session, tenant=k, current=current) for k in keys]


class AssignedCategoryIdsBySourceLoader(Loader[SegmentSource, set[str]]):
    """Ids of the categories assigned to a source's segments; one statement per batch."""

    async def batch_load_fn(self, keys: Sequence[SegmentSource]) -> list[set[str]]:
        async with self.context.read_session() as session:
            return await repository.assigned_category_ids(session, sources=keys)


@dataclass(frozen=True)
class ProductInSource:
    source: SegmentSource
    product_id: str


class DirectAssignmentByProductInSourceLoader(Loader[ProductInSource, bool]):
    """Whether a product is assigned itself to a source's segments; one statement per batch."""

    async def batch_load_fn(self, keys: Sequence[ProductInSource]) -> list[bool]:
        by_source: dict[SegmentSource, list[str]] = {}
        for key in keys:
            by_source.setdefault(key.source, []).append(key.product_id)
        async with self.context.read_session() as session:
            per_source = await repository.directly_assigned_products(
                session, wanted=list(by_source.items())
            )
        found = {
            ProductInSource(source, product_id)
            for source, ids in zip(by_source, per_source, strict=True)
            for product_id in ids
        }
        return [key in found for key in keys]


async def kept_tree(
    context: Context, source: SegmentSource
) -> tuple[CatalogIndex | None, list[tuple[int, bool]]]:
    """The tree's nodes as index positions in pre-order: one statement for assignments."""
    if source.segment_ids == ():
        return None, []
    assigned = await context.loader(AssignedCategoryIdsBySourceLoader).load(source)
    if not assigned:
        return None, []
    index = await context.loader(CatalogIndexByTenantLoader).load(context.tenant)
    return index, kept_positions(index, assigned, context.now)


async def _matched_through_categories(
    context: Context, source: SegmentSource, product_ids: list[str]
) -> set[str]:
    """Products in a category the tree keeps as assigned (the category or one above it)."""
    links = await context.loader(CategoryIdsByProductIdLoader).load_many(product_ids)
    if not any(links):
        return set()
    assigned = await context.loader(AssignedCategoryIdsBySourceLoader).load(source)
    if not assigned:
        return set()
    index = await context.loader(CatalogIndexByTenantLoader).load(context.tenant)
    now = context.now
    return {
        p
        for p, ids in zip(product_ids, links, strict=True)
        if any(covered_by_assigned(index, assigned, c, now) for c in ids)
    }


async def matched_products(
    context: Context, source: SegmentSource, product_ids: list[str]
) -> set[str]:
    """Which products are assigned to the source's segments, directly or through a category."""
    keys = [ProductInSource(source, p) for p in product_ids]
    direct = await context.loader(DirectAssignmentByProductInSourceLoader).load_many(keys)
    matched = {p for p, hit in zip(product_ids, direct, strict=True) if hit}
    rest = [p for p in product_ids if p not in matched]
    if rest:
        matched |= await _matched_through_categories(context, source, rest)
    return matched
