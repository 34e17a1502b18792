"""Each field's argument limits and list bound, checked by api/preflight.py before execution.

Every list of objects in the schema has a bound here (tests/api/test_preflight.py checks), so the
static cost is an upper bound on what an operation returns.
"""

from __future__ import annotations

from typing import Any

from gateway.api.mutations import check_input_maps
from gateway.api.rules import (
    ArgumentLength,
    FieldRule,
    Fixed,
    Languages,
    PageItems,
    Tree,
    TreeLevel,
)
from gateway.assignments.filters import ITEM_ASSIGNMENT_FIELDS
from gateway.catalog.loaders import CatalogIndexByTenantLoader
from gateway.context import Context
from gateway.segments.filters import CUSTOMER_FIELDS, SEGMENT_FIELDS


async def _categories(context: Context) -> int:
    # The tree's own loader: the count costs no statement the tree would not make anyway.
    return (await context.loader(CatalogIndexByTenantLoader).load(context.tenant)).size


def _input_maps(args: dict[str, Any]) -> None:
    # Single writes refuse bad maps as a top-level error; bulks report them per entry.
    given = args.get("input") or {}
    check_input_maps(given.get("mixins"), (given.get("metadata") or {}).get("mixins"))


_SEGMENT_IDS = {"segmentIds": "max_match_segments"}
_TREE = FieldRule(max_lengths=_SEGMENT_IDS, bound=Tree(_categories))
_SINGLE_WRITE = FieldRule(check=_input_maps)
# A payload reports at most a handful of validation problems.
_USER_ERRORS = FieldRule(bound=Fixed(10))

RULES: dict[str, FieldRule] = {
    "Query.segments": FieldRule(query_fields=SEGMENT_FIELDS),
    "Query.itemAssignments": FieldRule(query_fields=ITEM_ASSIGNMENT_FIELDS),
    "Query.categoryTrees": _TREE,
    "Query.categoryTreeNodes": _TREE,
    "Query.matchItems": FieldRule(max_lengths={**_SEGMENT_IDS, "itemIds": "max_match_items"}),
    "Segment.items": FieldRule(query_fields=ITEM_ASSIGNMENT_FIELDS),
    "Segment.customers": FieldRule(query_fields=CUSTOMER_FIELDS),
    "SegmentPage.items": FieldRule(bound=PageItems()),
    "ItemAssignmentPage.items": FieldRule(bound=PageItems()),
    "CustomerAssignmentPage.items": FieldRule(bound=PageItems()),
    "CategoryTreeNode.subcategories": FieldRule(bound=TreeLevel()),
    **{
        f"{type_name}.{field}AllLocales": FieldRule(bound=Languages())
        for type_name, fields in {
            "Segment": ("name", "description"),
            "Item": ("name",),
            "Product": ("name",),
            "Category": ("name", "description", "slug"),
            "CategoryTreeNode": ("name", "description", "slug"),
        }.items()
        for field in fields
    },
    "Mutation.upsertItemAssignment": _SINGLE_WRITE,
    "Mutation.upsertCustomerAssignment": _SINGLE_WRITE,
    "Mutation.createSegment": _SINGLE_WRITE,
    "Mutation.upsertSegment": _SINGLE_WRITE,
    "Mutation.bulkUpsertItemAssignments": FieldRule(max_lengths={"items": "max_bulk"}),
    "Mutation.bulkDeleteItemAssignments": FieldRule(max_lengths={"itemIds": "max_bulk"}),
    "Mutation.bulkUpsertCustomerAssignments": FieldRule(max_lengths={"assignments": "max_bulk"}),
    "Mutation.bulkDeleteCustomerAssignments": FieldRule(max_lengths={"assignments": "max_bulk"}),
    "BulkPayload.results": FieldRule(bound=ArgumentLength(("items", "itemIds", "assignments"))),
    **{
        f"{payload}.userErrors": _USER_ERRORS
        for payload in (
            "ItemAssignmentPayload",
            "CustomerAssignmentPayload",
            "SegmentPayload",
            "DeletePayload",
        )
    },
}
