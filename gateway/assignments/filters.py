"""The fields an item assignment `q` or `sort` may name, mapped to the joined read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.sql.elements import ColumnElement

from gateway.assignments.repository import ITEM_CODE, ITEM_NAME
from gateway.query_language import Field, FieldSet, Kind, SortKey, compile_q, compile_sort
from gateway.settings import Limits
from gateway.store.tables import item_table as assignment

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


@dataclass(frozen=True)
class Plan:
    """A compiled `q` and `sort`: the extra WHERE conditions and the ordered sort keys."""

    conditions: tuple[ColumnElement[bool], ...]
    keys: tuple[SortKey, ...]


def compile_plan(
    q: str | None,
    sort: str | None,
    *,
    default: Sequence[str],
    locales: Sequence[str],
    dialect: str,
    limits: Limits,
) -> Plan:
    """Compiles `q` and `sort`; a bad one raises BAD_USER_INPUT naming the position."""
    conditions = compile_q(q, ITEM_ASSIGNMENT_FIELDS, dialect=dialect, limits=limits)
    keys = compile_sort(
        sort,
        ITEM_ASSIGNMENT_FIELDS,
        default=default,
        locales=locales,
        dialect=dialect,
        limits=limits,
    )
    return Plan(tuple(conditions), tuple(keys))
