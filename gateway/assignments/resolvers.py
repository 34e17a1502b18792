"""Resolvers of item assignment reads: the root fields and Segment.items."""

from __future__ import annotations

from dataclasses import replace

from gateway.api.lists import page_of
from gateway.api.types import Info, ItemType
from gateway.assignments import repository
from gateway.assignments.loaders import ItemCountBySegmentLoader, ItemPageBySegmentLoader
from gateway.assignments.repository import AssignmentFilter
from gateway.assignments.types import ItemAssignment, ItemAssignmentPage, item_assignment_from_row
from gateway.query_language import ListQuery
from gateway.segments.visibility import SegmentAccess, read_access


async def item_assignments_page(
    info: Info,
    query: ListQuery,
    *,
    segment_id: str | None,
    type: ItemType | None,
    site_code: str | None,
    only_active: bool,
    legal_entity_id: str | None,
) -> ItemAssignmentPage:
    """Query.itemAssignments: the visible assignments matching every argument."""
    context = info.context
    access = read_access(context, only_active=only_active, legal_entity_id=legal_entity_id)
    where = AssignmentFilter(access, segment_id, type.value if type else None, site_code)
    async with context.read_session() as session:
        result = await repository.assignment_page(session, where, query, context.locales)

    async def count() -> int:
        async with context.read_session() as session:
            return await repository.count_assignments(session, where, query.counting())

    return page_of(result, lambda row: item_assignment_from_row(row, access), count)


async def item_assignment(
    info: Info, *, segment_id: str, type: ItemType, item_id: str, legal_entity_id: str | None
) -> ItemAssignment | None:
    """Query.itemAssignment: one assignment by natural key; null when absent or invisible."""
    context = info.context
    access = read_access(context, legal_entity_id=legal_entity_id)
    async with context.read_session() as session:
        row = await repository.assignment_by_key(
            session,
            tenant=context.tenant,
            segment_id=segment_id,
            item_type=type.value,
            item_id=item_id,
            access=access,
        )
    return None if row is None else item_assignment_from_row(row, access)


async def segment_items_page(
    info: Info,
    segment_id: str,
    query: ListQuery,
    type: ItemType | None,
) -> ItemAssignmentPage:
    """Segment.items: one page of a segment's assignments; every segment of a list is
    fetched by one statement, and their totalCounts by another."""
    context = info.context
    # FORBIDDEN without a read scope. A customer's parent segment may come from a mutation
    # payload, not a read: their items need an active segment of theirs (any legal entity,
    # so a segment read under a legalEntityId argument keeps its items).
    access = read_access(context)
    if access.restricted:
        access = replace(access, legal_entity_id=None)
    else:
        # The parent segment was read under the caller's visibility; its items need no more.
        access = SegmentAccess(tenant=context.tenant, now=context.now, only_active=False)
    where = AssignmentFilter(access, item_type=type.value if type else None)
    result = await context.loader(ItemPageBySegmentLoader).load((segment_id, where, query))
    counter = context.loader(ItemCountBySegmentLoader)
    return page_of(
        result,
        lambda row: item_assignment_from_row(row, access),
        lambda: counter.load((segment_id, where, query.counting())),
    )
