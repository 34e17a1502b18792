"""The fields `q` and `sort` may name on segments and on customer assignments."""

from __future__ import annotations

import sqlalchemy as sa

from gateway.query_language import Field, FieldSet, Kind
from gateway.store.tables import customer_table as _customer
from gateway.store.tables import segment_table as _segment


def _metadata(table: sa.Table) -> dict[str, Field]:
    return {
        "metadata.createdAt": Field(Kind.DATETIME, table.c.created_at),
        "metadata.modifiedAt": Field(Kind.DATETIME, table.c.modified_at),
        "metadata.version": Field(Kind.INT, table.c.version),
        "mixins": Field(Kind.JSON, table.c.mixins),
    }


SEGMENT_FIELDS = FieldSet(
    {
        "id": Field(Kind.STRING, _segment.c.id),
        "name": Field(Kind.LOCALIZED, _segment.c.name),
        "description": Field(Kind.LOCALIZED, _segment.c.description),
        "status": Field(Kind.ENUM, _segment.c.status, ("ACTIVE", "INACTIVE")),
        "siteCode": Field(Kind.STRING, _segment.c.site_code),
        "validity.from": Field(Kind.DATETIME, _segment.c.valid_from),
        "validity.to": Field(Kind.DATETIME, _segment.c.valid_to),
        **_metadata(_segment),
    }
)
SEGMENT_DEFAULT_SORT = ("id",)

CUSTOMER_FIELDS = FieldSet(
    {
        "customerId": Field(Kind.STRING, _customer.c.customer_id),
        "legalEntityId": Field(
            Kind.STRING, _customer.c.legal_entity_id, empty_is_null=True, note="null for B2C"
        ),
        "assignmentType": Field(Kind.ENUM, _customer.c.assignment_type, ("MANUAL", "AUTOMATIC")),
        **_metadata(_customer),
    }
)
# B2C ('' stored) sorts before every legal entity: the contract's "nulls first".
CUSTOMER_DEFAULT_SORT = ("customerId", "legalEntityId")
