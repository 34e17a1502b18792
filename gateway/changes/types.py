"""ChangeEvent: one committed change, as a subscription delivers it."""

from __future__ import annotations

import strawberry

from gateway.api.types import DateTime, ItemType
from gateway.subscriptions.notices import ChangeNotice


@strawberry.type(description="A committed change to a segment or one of its assignments.")
class ChangeEvent:
    id: strawberry.ID = strawberry.field(description="The event's id, as its webhook carries.")
    type: str = strawberry.field(
        description="The event type, e.g. customer-segment.item-assignment-created."
    )
    occurred_at: DateTime = strawberry.field(description="When the change was made.")
    segment_id: strawberry.ID = strawberry.field(description="The segment that changed.")
    item_type: ItemType | None = strawberry.field(
        description="For item-assignment events: the item's type."
    )
    item_id: strawberry.ID | None = strawberry.field(
        description="For item-assignment events: the item."
    )
    customer_id: strawberry.ID | None = strawberry.field(
        description="For customer-assignment events: the customer."
    )
    legal_entity_id: strawberry.ID | None = strawberry.field(
        description="For B2B customer-assignment events: the legal entity."
    )


def change_event_from_notice(notice: ChangeNotice) -> ChangeEvent:
    item_type = None if notice.item_type is None else ItemType(notice.item_type)
    return ChangeEvent(
        id=strawberry.ID(notice.id),
        type=notice.type,
        occurred_at=DateTime(notice.occurred_at),
        segment_id=strawberry.ID(notice.segment_id),
        item_type=item_type,
        item_id=_id(notice.item_id),
        customer_id=_id(notice.customer_id),
        legal_entity_id=_id(notice.legal_entity_id),
    )


def _id(value: str | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(value)
