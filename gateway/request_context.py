"""Builds the per-request Context: the one place a request meets the tenant's languages."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.auth.principal import Principal
from gateway.catalog.repository import tenant_languages
from gateway.context import Context
from gateway.localization import request_order
from gateway.settings import Settings


async def build_context(
    *,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    tenant: str,
    principal: Principal,
    accept_language: str | None = None,
    request_id: str | None = None,
) -> Context:
    """A fresh context for one request: loads the tenant's languages (one statement)."""
    async with sessions() as session:
        languages = await tenant_languages(session, tenant=tenant)
    context = Context(
        settings=settings,
        sessions=sessions,
        tenant=tenant,
        principal=principal,
        languages=languages,
        locales=request_order(accept_language, languages),
    )
    if request_id:
        context.request_id = request_id
    return context
