"""Whether a subscriber may see a change event: the segment visibility rules, in SQL."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.segments.repository import visible_segment_conditions
from gateway.segments.visibility import SegmentAccess
from gateway.store.tables import segment_table


async def segment_visible(
    sessions: async_sessionmaker[AsyncSession], access: SegmentAccess, segment_id: str
) -> bool:
    """Whether `access` sees the segment now; a short session, as a subscription is long."""
    stmt = sa.select(segment_table.c.id).where(
        *visible_segment_conditions(access), segment_table.c.id == segment_id
    )
    async with sessions() as session:
        return (await session.execute(stmt)).first() is not None
