"""Catalog reads: tenants' languages, categories, products and their links."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import select

from gateway.catalog.models import Tenant
from gateway.localization import TenantLanguages


async def tenant_languages(session: AsyncSession, *, tenant: str) -> TenantLanguages:
    """The tenant's languages; a tenant with no data gets the fallback language."""
    row = (await session.execute(select(Tenant).where(Tenant.tenant == tenant))).scalar_one_or_none()
    if row is None:
        return TenantLanguages()
    return TenantLanguages(default=row.default_language, languages=tuple(row.languages))
