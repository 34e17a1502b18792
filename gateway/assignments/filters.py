"""The fields an item assignment `q` or `sort` may name, mapped to the joined read."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from gateway.query_language import Field, FieldSet, Kind
from gateway.store.tables import category_table as category
from gateway.store.tables import item_table as assignment
from gateway.store.tables import product_table as product

# Exactly one of the read's two LEFT JOINs matches a live item, so COALESCE picks its value.
ITEM_CODE: ColumnElement[str] = sa.func.coalesce(product.c.code, category.c.code)
ITEM_NAME: ColumnElement[Any] = sa.func.coalesce(product.c.name, category.c.name)

ITEM_ASSIGNMENT_FIELDS = FieldSet(
    {
        "segmentId": Field(Kind.STRING, assignment.c.segment_id),
        "type": Field(Kind.ENUM, assignment.c.item_type, enum_values=("PRODUCT", "CATEGORY")),
        "item.id": Field(Kind.STRING, assignment.c.item_id),
        "item.code": Field(Kind.STRING, ITEM_CODE),
        "item.name": Field(Kind.LOCALIZED, ITEM_NAME),
        "metadata.createdAt": Field(Kind.DATETIME, assignment.c.created_at),
        "metadata.modifiedAt": Field(Kind.DATETIME, assignment.c.modified_at),
        "metadata.version": Field(Kind.INT, assignment.c.version),
        "mixins": Field(Kind.JSON, assignment.c.mixins),
    }
)

# The natural key: without `sort` the order, with one the tie-breakers.
DEFAULT_ORDER = ("segmentId", "type", "item.id")
# Inside one segment the segment id is constant; a cursor then means the same position in
# any segment, which is what lets Segment.items page many segments with one statement.
SEGMENT_ORDER = ("type", "item.id")
