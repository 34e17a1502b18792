"""Root fields of the segments domain: segments, segment, customerAssignment."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.api.field_rules import SINGLE_WRITE, all_locales
from gateway.api.inputs import given
from gateway.api.lists import (
    After,
    Page,
    PageNumber,
    PageSize,
    Sort,
    list_query,
    page_of,
)
from gateway.api.rules import DEFAULT_PAGE_SIZE, FieldRule, PageItems
from gateway.api.types import Info, LegalEntityArg
from gateway.segments import repository
from gateway.segments.filters import CUSTOMER_FIELDS, SEGMENT_FIELDS
from gateway.segments.loaders import CustomerAssignmentByKeyLoader, SegmentByIdLoader
from gateway.segments.models import NO_LEGAL_ENTITY
from gateway.segments.repository import SegmentFilter
from gateway.segments.types import (
    CustomerAssignment,
    Segment,
    SegmentQ,
    customer_assignment_from_row,
    segment_from_row,
)
from gateway.segments.visibility import read_access

SiteCode = Annotated[str | None, strawberry.argument(description="Only segments of this site.")]
OnlyActive = Annotated[
    bool | None,
    strawberry.argument(
        description="Only segments in effect now (ACTIVE and within validity); "
        "always true for segment_read_own."
    ),
]


@strawberry.type
class Query:
    @strawberry.field(description="The segments the caller may see, by id unless sorted otherwise.")
    async def segments(
        self,
        info: Info,
        q: SegmentQ = strawberry.UNSET,
        site_code: SiteCode = strawberry.UNSET,
        only_active: OnlyActive = False,
        legal_entity_id: LegalEntityArg = strawberry.UNSET,
        sort: Sort = strawberry.UNSET,
        page_size: PageSize = DEFAULT_PAGE_SIZE,
        page_number: PageNumber = 1,
        after: After = strawberry.UNSET,
    ) -> Page[Segment]:
        query = list_query(info, q, sort, page_size, page_number, after)
        access = read_access(
            info.context, only_active=bool(only_active), legal_entity_id=given(legal_entity_id)
        )
        where = SegmentFilter(access=access, site_code=given(site_code))
        context = info.context
        async with context.read_session() as session:
            result = await repository.segment_page(
                session, where=where, query=query, locales=context.locales
            )

        async def count() -> int:
            async with context.read_session() as session:
                return await repository.count_segments(session, where=where, query=query)

        return page_of(result, lambda row: segment_from_row(row, context.now), count)

    @strawberry.field(description="A segment by id; null when absent or not visible.")
    async def segment(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The segment's id.")],
        legal_entity_id: LegalEntityArg = strawberry.UNSET,
    ) -> Segment | None:
        access = read_access(info.context, legal_entity_id=given(legal_entity_id))
        row = await info.context.loader(SegmentByIdLoader).load((str(id), access))
        return None if row is None else segment_from_row(row, info.context.now)

    @strawberry.field(
        description="One customer's assignment to a segment; null when absent or not visible."
    )
    async def customer_assignment(
        self,
        info: Info,
        segment_id: Annotated[strawberry.ID, strawberry.argument(description="The segment.")],
        customer_id: Annotated[strawberry.ID, strawberry.argument(description="The customer.")],
        legal_entity_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The legal entity of a B2B assignment; omit for B2C."),
        ] = strawberry.UNSET,
    ) -> CustomerAssignment | None:
        legal_entity = given(legal_entity_id)
        access = read_access(info.context, legal_entity_id=legal_entity)
        key = (str(segment_id), str(customer_id), str(legal_entity or NO_LEGAL_ENTITY))
        row = await info.context.loader(CustomerAssignmentByKeyLoader).load((key, access))
        return None if row is None else customer_assignment_from_row(row)


# Each field's argument limits and list bound (api/rules.py), checked before execution.
RULES: dict[str, FieldRule] = {
    "Query.segments": FieldRule(query_fields=SEGMENT_FIELDS),
    "Segment.customers": FieldRule(query_fields=CUSTOMER_FIELDS),
    "SegmentPage.items": FieldRule(bound=PageItems()),
    "CustomerAssignmentPage.items": FieldRule(bound=PageItems()),
    **all_locales("Segment", "name", "description"),
    "Mutation.createSegment": SINGLE_WRITE,
    "Mutation.upsertSegment": SINGLE_WRITE,
}
