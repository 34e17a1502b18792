"""Builds the per-request Context: the one place a request meets the tenant's languages."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.auth.principal import Principal
from gateway.catalog.repository import tenant_languages
from gateway.context import Context, SharedSession
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
    """A fresh context for one request: loads the tenant's languages (one statement).

    The context holds the request's read connection: run() gives it back at the end."""
    reads = SharedSession(sessions)
    try:
        # Not cached: a cache would need the tenant's data version to know it is current,
        # and reading that costs the same one statement, on the request's own connection.
        async with reads.use() as session:
            languages = await tenant_languages(session, tenant=tenant)
    except BaseException:
        await reads.close()
        raise
    context = Context(
        settings=settings,
        sessions=sessions,
        tenant=tenant,
        principal=principal,
        languages=languages,
        locales=request_order(accept_language, languages),
        reads=reads,
    )
    if request_id:
        context.request_id = request_id
    return context
