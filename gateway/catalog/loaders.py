"""Per-request loaders of catalog relations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gateway.catalog import repository
from gateway.catalog.index import catalog_index
from gateway.catalog.repository import SegmentSource
from gateway.catalog.trees import CatalogIndex
from gateway.context import Loader


class CategoryIdsByProductIdLoader(Loader[str, list[str]]):
    async def batch_load_fn(self, keys: Sequence[str]) -> list[list[str]]:
        async with self.context.read_session() as session:
            found = await repository.category_ids_by_product(
                session, tenant=self.context.tenant, product_ids=keys
            )
        return [found.get(key, []) for key in keys]


class CatalogIndexByTenantLoader(Loader[str, CatalogIndex]):
    """The tenant's catalog index: one statement per request, the categories only when changed."""

    async def batch_load_fn(self, keys: Sequence[str]) -> list[CatalogIndex]:
        async with self.context.read_session() as session:
            return [await catalog_index(session, tenant=key) for key in keys]


class AssignedCategoryIdsBySourceLoader(Loader[SegmentSource, set[str]]):
    """Ids of the categories assigned to a source's segments; one statement per source."""

    async def batch_load_fn(self, keys: Sequence[SegmentSource]) -> list[set[str]]:
        async with self.context.read_session() as session:
            return [await repository.assigned_category_ids(session, source=key) for key in keys]


@dataclass(frozen=True)
class ProductInSource:
    source: SegmentSource
    product_id: str


class DirectAssignmentByProductInSourceLoader(Loader[ProductInSource, bool]):
    """Whether a product is assigned itself to a source's segments; one statement per source."""

    async def batch_load_fn(self, keys: Sequence[ProductInSource]) -> list[bool]:
        by_source: dict[SegmentSource, list[str]] = {}
        for key in keys:
            by_source.setdefault(key.source, []).append(key.product_id)
        found: set[ProductInSource] = set()
        async with self.context.read_session() as session:
            for source, product_ids in by_source.items():
                ids = await repository.directly_assigned_products(
                    session, source=source, product_ids=product_ids
                )
                found.update(ProductInSource(source, product_id) for product_id in ids)
        return [key in found for key in keys]
