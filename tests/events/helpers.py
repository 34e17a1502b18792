"""Reading the outbox back, as delivery and subscriptions will."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from gateway.store.tables import change_event_table as events

# Each payload's fields, as emporix-practices.md §15 lists them (customer and legalEntity
# carry ids only: profiles live in the customer service).
SEGMENT_WRITTEN = {"description", "id", "metadata", "name", "siteCode", "status", "tenant"}
SEGMENT_WRITTEN |= {"validity"}
SEGMENT_UPDATED = SEGMENT_WRITTEN | {"mixins", "previousStatus"}
ITEM_WRITTEN = {"item", "metadata", "mixins", "segmentId", "tenant", "type"}
ITEM_DELETED = {"itemId", "segmentId", "tenant", "type"}
CUSTOMER_WRITTEN = {"assignmentType", "customer", "legalEntity", "metadata", "mixins"}
CUSTOMER_WRITTEN |= {"segmentId", "tenant"}
CUSTOMER_DELETED = {"customerId", "legalEntityId", "segmentId", "tenant"}


async def recorded(db: Any, tenant: str | None = None) -> list[dict[str, Any]]:
    """Every stored event (of `tenant`), in commit order, as a dict of its columns."""
    stmt = sa.select(events).order_by(events.c.tenant, events.c.data_version, events.c.position)
    if tenant is not None:
        stmt = stmt.where(events.c.tenant == tenant)
    async with db.sessions() as session:
        return [dict(row._mapping) for row in await session.execute(stmt)]


async def types(db: Any, tenant: str | None = None) -> list[str]:
    return [event["type"] for event in await recorded(db, tenant)]


def short(event: dict[str, Any]) -> str:
    """`segment-created` for `customer-segment.segment-created`."""
    return str(event["type"]).removeprefix("customer-segment.")
