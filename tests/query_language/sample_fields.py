"""FieldSets over the Segment and CustomerAssignment tables, as the domains declare them."""

from __future__ import annotations

from typing import Any

from gateway.query_language import Field, FieldSet, Kind
from gateway.segments.models import CustomerAssignment, Segment


def _column(attribute: Any) -> Any:
    return attribute.expression


def _metadata(model: Any) -> dict[str, Field]:
    return {
        "metadata.createdAt": Field(Kind.DATETIME, _column(model.created_at)),
        "metadata.modifiedAt": Field(Kind.DATETIME, _column(model.modified_at)),
        "metadata.version": Field(Kind.INT, _column(model.version)),
        "metadata.mixins": Field(Kind.JSON, _column(model.metadata_mixins)),
        "mixins": Field(Kind.JSON, _column(model.mixins)),
    }


SEGMENT = FieldSet(
    {
        "id": Field(Kind.STRING, _column(Segment.id)),
        "name": Field(Kind.LOCALIZED, _column(Segment.name)),
        "description": Field(Kind.LOCALIZED, _column(Segment.description)),
        "status": Field(Kind.ENUM, _column(Segment.status), ("ACTIVE", "INACTIVE")),
        "siteCode": Field(Kind.STRING, _column(Segment.site_code)),
        "validity.from": Field(Kind.DATETIME, _column(Segment.valid_from)),
        "validity.to": Field(Kind.DATETIME, _column(Segment.valid_to)),
        **_metadata(Segment),
    }
)

CUSTOMER = FieldSet(
    {
        "segmentId": Field(Kind.STRING, _column(CustomerAssignment.segment_id)),
        "customerId": Field(Kind.STRING, _column(CustomerAssignment.customer_id)),
        "legalEntityId": Field(
            Kind.STRING, _column(CustomerAssignment.legal_entity_id), empty_is_null=True
        ),
        "assignmentType": Field(
            Kind.ENUM, _column(CustomerAssignment.assignment_type), ("MANUAL", "AUTOMATIC")
        ),
        **_metadata(CustomerAssignment),
    }
)
