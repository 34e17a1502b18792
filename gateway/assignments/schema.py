"""Root fields of the assignments domain: itemAssignments and itemAssignment."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.api.field_rules import SINGLE_WRITE
from gateway.api.inputs import given
from gateway.api.lists import (
    After,
    PageNumber,
    PageSize,
    list_query,
    page_of,
    q_description,
)
from gateway.api.rules import DEFAULT_PAGE_SIZE, FieldRule, PageItems
from gateway.api.types import Info, ItemType, LegalEntityArg
from gateway.assignments import repository
from gateway.assignments.filters import DEFAULT_ORDER, ITEM_ASSIGNMENT_FIELDS
from gateway.assignments.repository import AssignmentFilter
from gateway.assignments.types import ItemAssignment, ItemAssignmentPage, item_assignment_from_row
from gateway.segments.visibility import read_access

SegmentIdArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Only this segment's items; unknown or invisible: none."),
]
QArg = Annotated[
    str | None,
    strawberry.argument(
        description=q_description("type:PRODUCT item.code:~ham", ITEM_ASSIGNMENT_FIELDS)
    ),
]
TypeArg = Annotated[
    ItemType | None, strawberry.argument(description="Only products or only categories.")
]
SiteCodeArg = Annotated[
    str | None, strawberry.argument(description="Only items of segments of this site.")
]
OnlyActiveArg = Annotated[
    bool | None,
    strawberry.argument(
        description="Only items of segments in effect now (ACTIVE and within validity); "
        "always true for segment_read_own."
    ),
]
SortArg = Annotated[
    str | None,
    strawberry.argument(
        description="`field:ASC,field2:DESC` over the `q` fields; `item.name` alone sorts by "
        f"the resolved language. Default and tie-breakers: {', '.join(DEFAULT_ORDER)}."
    ),
]


@strawberry.type
class Query:
    @strawberry.field(
        description="Item assignments of the segments the caller may see, by segmentId, type "
        "and item id unless sorted otherwise. Assignments whose catalog item no longer exists "
        "are left out; catalog publication and validity are not applied."
    )
    async def item_assignments(
        self,
        info: Info,
        segment_id: SegmentIdArg = strawberry.UNSET,
        q: QArg = strawberry.UNSET,
        type: TypeArg = strawberry.UNSET,
        site_code: SiteCodeArg = strawberry.UNSET,
        only_active: OnlyActiveArg = False,
        legal_entity_id: LegalEntityArg = strawberry.UNSET,
        sort: SortArg = strawberry.UNSET,
        page_size: PageSize = DEFAULT_PAGE_SIZE,
        page_number: PageNumber = 1,
        after: After = strawberry.UNSET,
    ) -> ItemAssignmentPage:
        context = info.context
        query = list_query(info, q, sort, page_size, page_number, after)
        access = read_access(
            context, only_active=bool(only_active), legal_entity_id=given(legal_entity_id)
        )
        kind = given(type)
        where = AssignmentFilter(
            access, given(segment_id), kind.value if kind else None, given(site_code)
        )
        async with context.read_session() as session:
            result = await repository.assignment_page(session, where, query, context.locales)

        async def count() -> int:
            async with context.read_session() as session:
                return await repository.count_assignments(session, where, query.counting())

        return page_of(result, lambda row: item_assignment_from_row(row, access), count)

    @strawberry.field(
        description="One item assignment by segment, type and item id; null when absent, when "
        "its item is gone from the catalog, or when the caller may not see the segment."
    )
    async def item_assignment(
        self,
        info: Info,
        segment_id: Annotated[strawberry.ID, strawberry.argument(description="The segment.")],
        type: Annotated[ItemType, strawberry.argument(description="PRODUCT or CATEGORY.")],
        item_id: Annotated[strawberry.ID, strawberry.argument(description="The item's id.")],
        legal_entity_id: LegalEntityArg = strawberry.UNSET,
    ) -> ItemAssignment | None:
        context = info.context
        access = read_access(context, legal_entity_id=given(legal_entity_id))
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


# Each field's argument limits and list bound (api/rules.py), checked before execution.
RULES: dict[str, FieldRule] = {
    "Query.itemAssignments": FieldRule(query_fields=ITEM_ASSIGNMENT_FIELDS),
    "Segment.items": FieldRule(query_fields=ITEM_ASSIGNMENT_FIELDS),
    "ItemAssignmentPage.items": FieldRule(bound=PageItems()),
    "Mutation.upsertItemAssignment": SINGLE_WRITE,
    "Mutation.bulkUpsertItemAssignments": FieldRule(max_lengths={"items": "max_bulk"}),
    "Mutation.bulkDeleteItemAssignments": FieldRule(max_lengths={"itemIds": "max_bulk"}),
}
