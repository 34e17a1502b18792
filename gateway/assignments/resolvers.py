"""Resolvers of item assignment reads: the root fields and Segment.items."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from gateway.api.types import Info, ItemType
from gateway.assignments import repository
from gateway.assignments.filters import DEFAULT_ORDER, SEGMENT_ORDER, Plan, compile_plan
from gateway.assignments.loaders import (
    ItemCountBySegmentLoader,
    ItemPageBySegmentLoader,
    SegmentCount,
    SegmentItems,
)
from gateway.assignments.repository import AssignmentFilter, Paging
from gateway.assignments.types import ItemAssignment, ItemAssignmentPage, item_assignment_from_row
from gateway.context import Context
from gateway.query_language import PageResult, check_paging, fingerprint
from gateway.segments.visibility import SegmentAccess, read_access

Counter = Callable[[], Awaitable[int]]


def _dialect(context: Context) -> str:
    return str(context.sessions.kw["bind"].dialect.name)


def _plan(context: Context, q: str | None, sort: str | None, default: Sequence[str]) -> Plan:
    return compile_plan(
        q,
        sort,
        default=default,
        locales=context.locales,
        dialect=_dialect(context),
        limits=context.settings.limits,
    )


def _paging(
    context: Context,
    plan: Plan,
    page_size: int,
    page_number: int,
    after: str | None,
    *bound: object,
) -> Paging:
    limits = context.settings.limits
    check_paging(page_size, page_number, max_page_size=limits.max_page_size, after=after)
    # A cursor is only valid for the same tenant, field, filters, q and sort; the key names
    # carry the languages an unqualified `item.name` sorts by.
    digest = fingerprint(context.tenant, [key.name for key in plan.keys], *bound)
    return Paging(page_size, page_number, after, digest)


def _page(result: PageResult, items: list[ItemAssignment], count: Counter) -> ItemAssignmentPage:
    return ItemAssignmentPage(
        items=items,
        count=count,
        page_number=result.page_number,
        page_size=result.page_size,
        has_next_page=result.has_next,
        end_cursor=result.end_cursor,
    )


async def item_assignments_page(
    info: Info,
    *,
    segment_id: str | None,
    q: str | None,
    type: ItemType | None,
    site_code: str | None,
    only_active: bool,
    legal_entity_id: str | None,
    sort: str | None,
    page_size: int,
    page_number: int,
    after: str | None,
) -> ItemAssignmentPage:
    """Query.itemAssignments: the visible assignments matching every argument."""
    context = info.context
    access = read_access(context, only_active=only_active, legal_entity_id=legal_entity_id)
    where = AssignmentFilter(access, segment_id, type.value if type else None, site_code)
    plan = _plan(context, q, sort, DEFAULT_ORDER)
    paging = _paging(
        context, plan, page_size, page_number, after, "itemAssignments", q, sort, *_bound(where)
    )
    async with context.read_session() as session:
        result = await repository.assignment_page(
            session, where, plan.conditions, plan.keys, paging
        )

    async def count() -> int:
        async with context.read_session() as session:
            return await repository.count_assignments(session, where, plan.conditions)

    items = [item_assignment_from_row(row, access) for row in result.rows]
    return _page(result, items, count)


def _bound(where: AssignmentFilter) -> tuple[object, ...]:
    access = where.access
    return (
        where.segment_id,
        where.item_type,
        where.site_code,
        access.only_active,
        access.customer_id,
        access.legal_entity_id,
    )


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
    *,
    segment_id: str,
    q: str | None,
    type: ItemType | None,
    sort: str | None,
    page_size: int,
    page_number: int,
    after: str | None,
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
    plan = _plan(context, q, sort, SEGMENT_ORDER)
    paging = _paging(
        context, plan, page_size, page_number, after, "Segment.items", q, sort, where.item_type
    )
    result = await context.loader(ItemPageBySegmentLoader).load(
        (segment_id, SegmentItems(where, q, sort, paging, plan))
    )

    async def count() -> int:
        counter = context.loader(ItemCountBySegmentLoader)
        return await counter.load((segment_id, SegmentCount(where, q, plan)))

    items = [item_assignment_from_row(row, access) for row in result.rows]
    return _page(result, items, count)
