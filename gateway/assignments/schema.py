"""Root fields of the assignments domain: itemAssignments and itemAssignment."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.assignments import resolvers
from gateway.assignments.types import ItemAssignment, ItemAssignmentPage
from gateway.types import Info, ItemType

LegalEntityArg = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="The legal entity in use for B2B membership (customer tokens only; "
        "ignored with segment_read)."
    ),
]


@strawberry.type
class Query:
    @strawberry.field(
        description="Item assignments of the segments the caller may see; an unknown or "
        "invisible segmentId gives an empty page. Catalog items that no longer exist are "
        "left out; publication and validity are not applied."
    )
    async def item_assignments(
        self,
        info: Info,
        segment_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this segment's items.")
        ] = None,
        q: Annotated[
            str | None,
            strawberry.argument(
                description="Filter in the query language, e.g. `type:PRODUCT item.code:~ham`. "
                "Fields: segmentId, type, item.id, item.code, item.name.<lang>, "
                "metadata.createdAt, metadata.modifiedAt, metadata.version, mixins.<path>."
            ),
        ] = None,
        type: Annotated[
            ItemType | None, strawberry.argument(description="Only products or categories.")
        ] = None,
        site_code: Annotated[
            str | None, strawberry.argument(description="Only items of segments of this site.")
        ] = None,
        only_active: Annotated[
            bool,
            strawberry.argument(
                description="Only items of active segments (always true for segment_read_own)."
            ),
        ] = False,
        legal_entity_id: LegalEntityArg = None,
        sort: Annotated[
            str | None,
            strawberry.argument(
                description="`field:ASC,field2:DESC` over the q fields; `item.name` alone sorts "
                "by the resolved language. Default: segmentId, type, item.id."
            ),
        ] = None,
        page_size: Annotated[
            int, strawberry.argument(description="Entries per page, 1 to 500.")
        ] = 60,
        page_number: Annotated[
            int, strawberry.argument(description="The page, from 1; ignored with `after`.")
        ] = 1,
        after: Annotated[
            str | None,
            strawberry.argument(description="Continue after this `endCursor` (keyset paging)."),
        ] = None,
    ) -> ItemAssignmentPage:
        return await resolvers.item_assignments_page(
            info,
            segment_id=segment_id,
            q=q,
            type=type,
            site_code=site_code,
            only_active=only_active,
            legal_entity_id=legal_entity_id,
            sort=sort,
            page_size=page_size,
            page_number=page_number,
            after=after,
        )

    @strawberry.field(
        description="One item assignment by segment, type and item id; null when absent, "
        "when the item is gone from the catalog, or when the segment is not visible."
    )
    async def item_assignment(
        self,
        info: Info,
        segment_id: Annotated[strawberry.ID, strawberry.argument(description="The segment.")],
        type: Annotated[ItemType, strawberry.argument(description="PRODUCT or CATEGORY.")],
        item_id: Annotated[strawberry.ID, strawberry.argument(description="The item's id.")],
        legal_entity_id: LegalEntityArg = None,
    ) -> ItemAssignment | None:
        return await resolvers.item_assignment(
            info,
            segment_id=segment_id,
            type=type,
            item_id=item_id,
            legal_entity_id=legal_entity_id,
        )
