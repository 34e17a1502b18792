"""Root fields of the assignments domain: itemAssignments and itemAssignment."""

from __future__ import annotations

from typing import Annotated, TypeVar

import strawberry

from gateway.api.lists import DEFAULT_PAGE_SIZE, list_query
from gateway.api.types import Info, ItemType
from gateway.assignments import resolvers
from gateway.assignments.types import ItemAssignment, ItemAssignmentPage

T = TypeVar("T")

SegmentIdArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Only this segment's items; unknown or invisible: none."),
]
QArg = Annotated[
    str | None,
    strawberry.argument(
        description="Filter in the query language, e.g. `type:PRODUCT item.code:~ham`. Fields: "
        "segmentId, type, item.id, item.code, item.name.<lang>, metadata.createdAt, "
        "metadata.modifiedAt, metadata.version, mixins.<path>."
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
LegalEntityArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="A customer's legal entity to read as (segment_read_own); when it is not "
        "one of theirs, only B2C memberships count. Ignored for segment_read."
    ),
]
SortArg = Annotated[
    str | None,
    strawberry.argument(
        description="`field:ASC,field2:DESC` over the `q` fields; `item.name` alone sorts by "
        "the resolved language. Default and tie-breakers: segmentId, type, item.id."
    ),
]
PageSizeArg = Annotated[
    int | None, strawberry.argument(description="Entries per page, 1 to 500; 60 by default.")
]
PageNumberArg = Annotated[
    int | None, strawberry.argument(description="The page, from 1; ignored when `after` is given.")
]
AfterArg = Annotated[
    str | None,
    strawberry.argument(description="Continue after this `endCursor` (keyset paging)."),
]


def _or(value: T | None, default: T) -> T:
    """An argument left out, or given as null, takes its default."""
    return default if value is None or value is strawberry.UNSET else value


def _given(value: T | None) -> T | None:
    return None if value is strawberry.UNSET else value


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
        page_size: PageSizeArg = DEFAULT_PAGE_SIZE,
        page_number: PageNumberArg = 1,
        after: AfterArg = strawberry.UNSET,
    ) -> ItemAssignmentPage:
        return await resolvers.item_assignments_page(
            info,
            list_query(info, q, sort, page_size, page_number, after),
            segment_id=_given(segment_id),
            type=_given(type),
            site_code=_given(site_code),
            only_active=_or(only_active, False),
            legal_entity_id=_given(legal_entity_id),
        )

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
        return await resolvers.item_assignment(
            info,
            segment_id=segment_id,
            type=type,
            item_id=item_id,
            legal_entity_id=_given(legal_entity_id),
        )
