"""GraphQL types of the segments domain: Segment and CustomerAssignment."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import strawberry

from gateway.localization import resolve
from gateway.segments.models import NO_LEGAL_ENTITY
from gateway.types import (
    JSON,
    Info,
    Locale,
    LocalizedString,
    Metadata,
    Validity,
    localized_list,
    metadata_of,
    validity_of,
)


@strawberry.enum(description="Whether a segment is switched on; see also `Segment.active`.")
class SegmentStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


@strawberry.enum(description="How a customer came into a segment.")
class AssignmentType(StrEnum):
    MANUAL = "MANUAL"
    AUTOMATIC = "AUTOMATIC"


@strawberry.type(description="A customer segment: a group of customers with its own assortment.")
class Segment:
    id: strawberry.ID = strawberry.field(description="The segment's id.")
    status: SegmentStatus = strawberry.field(description="ACTIVE or INACTIVE.")
    active: bool = strawberry.field(
        description="Whether the segment is in effect now: status ACTIVE and now within validity."
    )
    site_code: str = strawberry.field(description="The site the segment is for.")
    validity: Validity | None = strawberry.field(
        description="When the segment is valid; null when unbounded."
    )
    name_all_locales: list[LocalizedString] = strawberry.field(
        description="Every translation of the name, ordered by locale."
    )
    description_all_locales: list[LocalizedString] = strawberry.field(
        description="Every translation of the description, ordered by locale."
    )
    mixins: JSON | None = strawberry.field(description="Custom attributes; null when none.")
    metadata: Metadata = strawberry.field(description="Version and timestamps of the segment.")
    name_map: strawberry.Private[dict[str, str]]
    description_map: strawberry.Private[dict[str, str]]

    @strawberry.field(description="The name in the resolved language.")
    def name(self, info: Info, locale: Locale = None) -> str | None:
        return resolve(self.name_map, info.context.locales, locale)

    @strawberry.field(description="The description in the resolved language.")
    def description(self, info: Info, locale: Locale = None) -> str | None:
        return resolve(self.description_map, info.context.locales, locale)


@strawberry.type(description="A customer's membership in a segment (ids only; profiles live "
                 "in the customer service).")
class CustomerAssignment:
    segment_id: strawberry.ID = strawberry.field(description="The segment.")
    customer_id: strawberry.ID = strawberry.field(description="The customer.")
    legal_entity_id: strawberry.ID | None = strawberry.field(
        description="The legal entity of a B2B membership; null for B2C."
    )
    assignment_type: AssignmentType = strawberry.field(description="MANUAL or AUTOMATIC.")
    mixins: JSON | None = strawberry.field(description="Custom attributes; null when none.")
    metadata: Metadata = strawberry.field(description="Version and timestamps of the assignment.")


def is_active(row: Any, now: datetime) -> bool:
    """The contract's "active": status ACTIVE and from <= now < to, open ends unbounded."""
    return (
        row.status == SegmentStatus.ACTIVE
        and (row.valid_from is None or row.valid_from <= now)
        and (row.valid_to is None or now < row.valid_to)
    )


def segment_from_row(row: Any, now: datetime) -> Segment:
    """A Segment from a Segment row; `now` is the request's clock (info.context.now)."""
    return Segment(
        id=strawberry.ID(row.id),
        status=SegmentStatus(row.status),
        active=is_active(row, now),
        site_code=row.site_code,
        validity=validity_of(row.valid_from, row.valid_to),
        name_all_locales=localized_list(row.name),
        description_all_locales=localized_list(row.description),
        mixins=row.mixins or None,
        metadata=metadata_of(row),
        name_map=row.name or {},
        description_map=row.description or {},
    )


def customer_assignment_from_row(row: Any) -> CustomerAssignment:
    """A CustomerAssignment from a row; the stored '' legal entity is exposed as null."""
    legal_entity = row.legal_entity_id
    return CustomerAssignment(
        segment_id=strawberry.ID(row.segment_id),
        customer_id=strawberry.ID(row.customer_id),
        legal_entity_id=None if legal_entity == NO_LEGAL_ENTITY else strawberry.ID(legal_entity),
        assignment_type=AssignmentType(row.assignment_type),
        mixins=row.mixins or None,
        metadata=metadata_of(row),
    )
