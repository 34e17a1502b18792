"""GraphQL type of an item assignment, the one function that builds it from a row, and the
resolver of Segment.items (the segments domain's one way into this one)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

import strawberry

from gateway.api.lists import Page, page_of, q_description
from gateway.api.types import JSON, Info, ItemType, Metadata, metadata_of, natural_id
from gateway.assignments.filters import ITEM_ASSIGNMENT_FIELDS
from gateway.assignments.loaders import ItemCountBySegmentLoader, ItemPageBySegmentLoader
from gateway.assignments.models import ItemAssignmentRow
from gateway.assignments.repository import AssignmentFilter
from gateway.catalog.types import CategoryRow, Item, category_from_row, product_from_row
from gateway.errors import forbidden
from gateway.query_language import ListQuery
from gateway.segments.loaders import SegmentByIdLoader
from gateway.segments.visibility import (
    SegmentAccess,
    assignment_segment_access,
    segment_items_access,
)

if TYPE_CHECKING:
    from gateway.segments.types import Segment


@strawberry.type(description="A product or category assigned to a segment.")
class ItemAssignment:
    id: strawberry.ID = strawberry.field(
        description="Stable and unique in the tenant, from the natural key: "
        "`segmentId:type:itemId`, each part percent-encoded (e.g. `hobby:PRODUCT:p1`)."
    )
    segment_id: strawberry.ID = strawberry.field(description="The segment the item belongs to.")
    type: ItemType = strawberry.field(description="Whether the item is a product or a category.")
    item: Item = strawberry.field(description="The assigned product or category.")
    mixins: JSON | None = strawberry.field(description="Custom attributes; null when none.")
    metadata: Metadata = strawberry.field(description="Version and timestamps of the assignment.")
    # The visibility the assignment was read under; None when a mutation built it.
    access: strawberry.Private[SegmentAccess | None]

    @strawberry.field(description="The segment the item is assigned to.")
    async def segment(
        self, info: Info
    ) -> Annotated[Segment, strawberry.lazy("gateway.segments.types")]:
        # Imported here: gateway.segments.types imports this domain for Segment.items.
        from gateway.segments.types import segment_from_row

        access = assignment_segment_access(info.context, self.access)
        row = await info.context.loader(SegmentByIdLoader).load((str(self.segment_id), access))
        if row is None:
            raise forbidden("Your token does not allow reading this assignment's segment.")
        return segment_from_row(row, info.context.now)


ItemAssignmentPage = Page[ItemAssignment]


def item_from_row(row: ItemAssignmentRow) -> Item:
    """The assigned Product or Category from an assignment row joined with its item."""
    if row.item_type == ItemType.CATEGORY:
        # A category's row: its LEFT JOIN matched (repository.conditions), so the columns
        # the row types as nullable for products are set.
        return category_from_row(cast(CategoryRow, row))
    return product_from_row(row)


def item_assignment_from_row(
    row: ItemAssignmentRow, access: SegmentAccess | None = None
) -> ItemAssignment:
    """An ItemAssignment from a row of repository.COLUMNS (its item included)."""
    return ItemAssignment(
        id=natural_id(row.segment_id, row.item_type, row.item_id),
        segment_id=strawberry.ID(row.segment_id),
        type=ItemType(row.item_type),
        item=item_from_row(row),
        mixins=JSON(row.mixins) if row.mixins else None,
        metadata=metadata_of(row),
        access=access,
    )


SegmentItemsQ = Annotated[
    str | None,
    strawberry.argument(
        # Not segmentId, which is the parent's own (q may still name it).
        description=q_description(
            "type:PRODUCT item.code:~ham", ITEM_ASSIGNMENT_FIELDS, omit=("segmentId",)
        )
    ),
]


async def segment_items(
    info: Info, segment_id: str, query: ListQuery, item_type: ItemType | None
) -> ItemAssignmentPage:
    """Segment.items: every segment of a list is paged by one statement, counted by another."""
    access = segment_items_access(info.context)
    # Equal for every segment of a list, so their loads batch.
    where = AssignmentFilter(access, item_type=item_type.value if item_type else None)
    result = await info.context.loader(ItemPageBySegmentLoader).load((segment_id, where, query))
    counter = info.context.loader(ItemCountBySegmentLoader)
    return page_of(
        result,
        lambda row: item_assignment_from_row(row, access),
        lambda: counter.load((segment_id, where, query.counting())),
    )
