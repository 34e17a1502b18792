"""GraphQL types of the segments domain: Segment and CustomerAssignment."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import strawberry

from gateway.api.inputs import given
from gateway.api.lists import (
    After,
    Page,
    PageNumber,
    PageSize,
    Sort,
    list_query,
    page_of,
    q_description,
)
from gateway.api.types import (
    JSON,
    Described,
    Info,
    ItemType,
    Metadata,
    Named,
    Validity,
    metadata_of,
    natural_id,
    validity_of,
)
from gateway.assignments.types import ItemAssignmentPage, SegmentItemsQ, segment_items
from gateway.segments.filters import CUSTOMER_FIELDS, SEGMENT_FIELDS
from gateway.segments.loaders import (
    CustomerCountBySegmentIdLoader,
    CustomerPageBySegmentIdLoader,
)
from gateway.segments.models import NO_LEGAL_ENTITY, CustomerAssignmentRow, SegmentRow
from gateway.segments.visibility import customer_access

SegmentQ = Annotated[
    str | None,
    strawberry.argument(
        description=q_description("status:ACTIVE name.en:~Gold", SEGMENT_FIELDS),
    ),
]
CustomerQ = Annotated[
    str | None,
    strawberry.argument(description=q_description("assignmentType:MANUAL", CUSTOMER_FIELDS)),
]


@strawberry.enum(description="Whether a segment is switched on; see also `Segment.active`.")
class SegmentStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


@strawberry.enum(description="How a customer came into a segment.")
class AssignmentType(StrEnum):
    MANUAL = "MANUAL"
    AUTOMATIC = "AUTOMATIC"


@strawberry.type(description="A customer segment: a group of customers with its own assortment.")
class Segment(Named, Described):
    id: strawberry.ID = strawberry.field(description="The segment's id.")
    status: SegmentStatus = strawberry.field(description="ACTIVE or INACTIVE.")
    active: bool = strawberry.field(
        description="Whether the segment is in effect now: status ACTIVE and now within validity."
    )
    site_code: str = strawberry.field(description="The site the segment is for.")
    validity: Validity | None = strawberry.field(
        description="When the segment is valid; null when unbounded."
    )
    mixins: JSON | None = strawberry.field(description="Custom attributes; null when none.")
    metadata: Metadata = strawberry.field(description="Version and timestamps of the segment.")

    @strawberry.field(
        description="The products and categories assigned to the segment, by type then item id."
    )
    async def items(
        self,
        info: Info,
        q: SegmentItemsQ = strawberry.UNSET,
        type: Annotated[
            ItemType | None, strawberry.argument(description="Only products or categories.")
        ] = strawberry.UNSET,
        sort: Sort = strawberry.UNSET,
        page_size: PageSize = strawberry.UNSET,
        page_number: PageNumber = strawberry.UNSET,
        after: After = strawberry.UNSET,
    ) -> ItemAssignmentPage:
        query = list_query(info, q, sort, page_size, page_number, after)
        return await segment_items(info, str(self.id), query, given(type))

    @strawberry.field(
        description="The customers assigned to the segment, by customerId then legalEntityId "
        "(B2C first). A customer (segment_read_own) sees only their own assignments."
    )
    async def customers(
        self,
        info: Info,
        q: CustomerQ = strawberry.UNSET,
        sort: Sort = strawberry.UNSET,
        page_size: PageSize = strawberry.UNSET,
        page_number: PageNumber = strawberry.UNSET,
        after: After = strawberry.UNSET,
    ) -> Page[CustomerAssignment]:
        query = list_query(info, q, sort, page_size, page_number, after)
        where = customer_access(info.context)
        key = (str(self.id), where, query)
        result = await info.context.loader(CustomerPageBySegmentIdLoader).load(key)
        counter = info.context.loader(CustomerCountBySegmentIdLoader)
        return page_of(
            result,
            customer_assignment_from_row,
            lambda: counter.load((str(self.id), where, query.counting())),
        )


@strawberry.type(
    description="A customer's membership in a segment (ids only; profiles live "
    "in the customer service)."
)
class CustomerAssignment:
    id: strawberry.ID = strawberry.field(
        description="Stable and unique in the tenant, from the natural key: "
        "`segmentId:CUSTOMER:customerId:legalEntityId` (empty for B2C), each part "
        "percent-encoded (e.g. `hobby:CUSTOMER:anna:`)."
    )
    segment_id: strawberry.ID = strawberry.field(description="The segment.")
    customer_id: strawberry.ID = strawberry.field(description="The customer.")
    legal_entity_id: strawberry.ID | None = strawberry.field(
        description="The legal entity of a B2B membership; null for B2C."
    )
    assignment_type: AssignmentType = strawberry.field(description="MANUAL or AUTOMATIC.")
    mixins: JSON | None = strawberry.field(description="Custom attributes; null when none.")
    metadata: Metadata = strawberry.field(description="Version and timestamps of the assignment.")


def is_active(row: SegmentRow, now: datetime) -> bool:
    """The contract's "active": status ACTIVE and from <= now < to, open ends unbounded."""
    return (
        row.status == SegmentStatus.ACTIVE
        and (row.valid_from is None or row.valid_from <= now)
        and (row.valid_to is None or now < row.valid_to)
    )


def segment_from_row(row: SegmentRow, now: datetime) -> Segment:
    """A Segment from a Segment row; `now` is the request's clock (info.context.now)."""
    return Segment(
        id=strawberry.ID(row.id),
        status=SegmentStatus(row.status),
        active=is_active(row, now),
        site_code=row.site_code,
        validity=validity_of(row.valid_from, row.valid_to),
        mixins=JSON(row.mixins) if row.mixins else None,
        metadata=metadata_of(row),
        name_map=row.name or {},
        description_map=row.description or {},
    )


def customer_assignment_from_row(row: CustomerAssignmentRow) -> CustomerAssignment:
    """A CustomerAssignment from a row; the stored '' legal entity is exposed as null."""
    legal_entity = row.legal_entity_id
    return CustomerAssignment(
        id=natural_id(row.segment_id, "CUSTOMER", row.customer_id, row.legal_entity_id),
        segment_id=strawberry.ID(row.segment_id),
        customer_id=strawberry.ID(row.customer_id),
        legal_entity_id=None if legal_entity == NO_LEGAL_ENTITY else strawberry.ID(legal_entity),
        assignment_type=AssignmentType(row.assignment_type),
        mixins=JSON(row.mixins) if row.mixins else None,
        metadata=metadata_of(row),
    )
