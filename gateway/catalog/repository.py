"""Catalog reads: tenants' languages, categories, products and their links."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from gateway.catalog.models import ProductCategory, Tenant
from gateway.localization import TenantLanguages


async def tenant_languages(session: AsyncSession, *, tenant: str) -> TenantLanguages:
    """The tenant's languages; a tenant with no data gets the fallback language."""
    result = await session.execute(select(Tenant).where(Tenant.tenant == tenant))
    row = result.scalar_one_or_none()
    if row is None:
        return TenantLanguages()
    return TenantLanguages(default=row.default_language, languages=tuple(row.languages))


async def category_ids_by_product(
    session: AsyncSession, *, tenant: str, product_ids: Sequence[str]
) -> dict[str, list[str]]:
    """Each product's category ids, in import order; one statement for all products."""
    rows = await session.execute(
        select(ProductCategory.product_id, ProductCategory.category_id)
        .where(ProductCategory.tenant == tenant, col(ProductCategory.product_id).in_(product_ids))
        .order_by(ProductCategory.product_id, ProductCategory.position, ProductCategory.category_id)
    )
    found: dict[str, list[str]] = {}
    for product_id, category_id in rows:
        found.setdefault(product_id, []).append(category_id)
    return found
