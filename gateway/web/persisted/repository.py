"""The persisted_document table's statements: find one document, store one under a bound."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.store.columns import UtcDateTime
from gateway.store.database import conflict_insert
from gateway.store.tables import persisted_document_table as table


async def find_document(session: AsyncSession, *, tenant: str, sha256: str) -> str | None:
    """The document the tenant registered under `sha256`, or None."""
    stmt = sa.select(table.c.document).where(table.c.tenant == tenant, table.c.sha256 == sha256)
    document: str | None = (await session.execute(stmt)).scalar_one_or_none()
    return document


async def count_documents(session: AsyncSession, *, tenant: str) -> int:
    stmt = sa.select(sa.func.count()).select_from(table).where(table.c.tenant == tenant)
    return int((await session.execute(stmt)).scalar_one())


async def store_document(
    session: AsyncSession, *, tenant: str, sha256: str, document: str, limit: int
) -> bool:
    """Stores the document unless the tenant already holds `limit` of them; True if stored.

    The count and the insert are one statement; concurrent registrations in several
    processes may still pass the bound by a few, which is all a bound against garbage needs."""
    stored = table.c.tenant == tenant
    room = sa.select(sa.func.count()).select_from(table).where(stored).scalar_subquery() < limit
    values = sa.select(
        sa.literal(tenant, sa.String),
        sa.literal(sha256, sa.String),
        sa.literal(document, sa.Text),
        sa.literal(datetime.now(UTC), UtcDateTime()),
    ).where(room)
    columns = ["tenant", "sha256", "document", "created_at"]
    stmt = conflict_insert(session, table).from_select(columns, values).on_conflict_do_nothing()
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]
