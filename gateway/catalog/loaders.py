"""Per-request loaders of catalog relations."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.catalog import repository
from gateway.context import Loader


class CategoryIdsByProductIdLoader(Loader[str, list[str]]):
    async def batch_load_fn(self, keys: Sequence[str]) -> list[list[str]]:
        async with self.context.sessions() as session:
            found = await repository.category_ids_by_product(
                session, tenant=self.context.tenant, product_ids=keys
            )
        return [found.get(key, []) for key in keys]
