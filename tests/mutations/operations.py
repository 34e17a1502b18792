"""The mutation documents the tests send, and one-line helpers around them."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from gateway.store.tables import data_version_table, metadata
from tests.conftest import MANAGE, READ

ERRORS = "userErrors { code message field currentVersion }"
META = "metadata { createdAt modifiedAt version mixins }"
BULK = "results { index id code status message errorCode } succeeded failed"

UPSERT_ITEM = f"""
mutation($s: ID!, $t: ItemType!, $i: ID!, $input: ItemAssignmentInput) {{
  upsertItemAssignment(segmentId: $s, type: $t, itemId: $i, input: $input) {{
    created assignment {{ segmentId type item {{ id code }} mixins {META} }} {ERRORS}
  }}
}}"""
DELETE_ITEM = f"""
mutation($s: ID!, $t: ItemType!, $i: ID!) {{
  deleteItemAssignment(segmentId: $s, type: $t, itemId: $i) {{ deleted {ERRORS} }}
}}"""
BULK_UPSERT_ITEMS = f"""
mutation($s: ID!, $t: ItemType!, $items: [BulkItemAssignmentInput!]!) {{
  bulkUpsertItemAssignments(segmentId: $s, type: $t, items: $items) {{ {BULK} }}
}}"""
BULK_DELETE_ITEMS = f"""
mutation($s: ID!, $t: ItemType!, $ids: [ID!]!) {{
  bulkDeleteItemAssignments(segmentId: $s, type: $t, itemIds: $ids) {{ {BULK} }}
}}"""

SEGMENT_FIELDS = f"""
  id status siteCode validity {{ from to }} nameAllLocales {{ locale value }}
  descriptionAllLocales {{ locale value }} mixins {META}
"""
CREATE_SEGMENT = f"""
mutation($input: SegmentInput!) {{
  createSegment(input: $input) {{ created segment {{ {SEGMENT_FIELDS} }} {ERRORS} }}
}}"""
UPSERT_SEGMENT = f"""
mutation($id: ID!, $input: SegmentInput!) {{
  upsertSegment(id: $id, input: $input) {{ created segment {{ {SEGMENT_FIELDS} }} {ERRORS} }}
}}"""
DELETE_SEGMENT = f"""
mutation($id: ID!, $force: Boolean) {{
  deleteSegment(id: $id, forceDelete: $force) {{ deleted {ERRORS} }}
}}"""

CUSTOMER_FIELDS = f"segmentId customerId legalEntityId assignmentType mixins {META}"
UPSERT_CUSTOMER = f"""
mutation($s: ID!, $c: ID!, $le: ID, $input: CustomerAssignmentInput) {{
  upsertCustomerAssignment(segmentId: $s, customerId: $c, legalEntityId: $le, input: $input) {{
    created assignment {{ {CUSTOMER_FIELDS} }} {ERRORS}
  }}
}}"""
DELETE_CUSTOMER = f"""
mutation($s: ID!, $c: ID!, $le: ID) {{
  deleteCustomerAssignment(segmentId: $s, customerId: $c, legalEntityId: $le) {{
    deleted {ERRORS}
  }}
}}"""
BULK_UPSERT_CUSTOMERS = f"""
mutation($s: ID!, $a: [BulkCustomerAssignmentInput!]!) {{
  bulkUpsertCustomerAssignments(segmentId: $s, assignments: $a) {{ {BULK} }}
}}"""
BULK_DELETE_CUSTOMERS = f"""
mutation($s: ID!, $a: [CustomerRefInput!]!) {{
  bulkDeleteCustomerAssignments(segmentId: $s, assignments: $a) {{ {BULK} }}
}}"""

ITEM_ASSIGNMENTS = f"""
query($s: ID) {{
  itemAssignments(segmentId: $s, pageSize: 500) {{
    items {{ segmentId type item {{ id }} mixins {META} }}
  }}
}}"""
ITEM_ASSIGNMENT = f"""
query($s: ID!, $t: ItemType!, $i: ID!) {{
  itemAssignment(segmentId: $s, type: $t, itemId: $i) {{ mixins {META} }}
}}"""
CUSTOMER_ASSIGNMENT = f"""
query($s: ID!, $c: ID!, $le: ID) {{
  customerAssignment(segmentId: $s, customerId: $c, legalEntityId: $le) {{ {CUSTOMER_FIELDS} }}
}}"""
SEGMENT = f"query($id: ID!) {{ segment(id: $id) {{ {SEGMENT_FIELDS} }} }}"


async def upsert_item(
    gql: Any, item: str, segment: str = "s1", kind: str = "PRODUCT", **input: Any
) -> Any:
    """The upsertItemAssignment payload (input: mixins=..., metadata=...)."""
    variables = {"s": segment, "t": kind, "i": item, "input": input or None}
    return (await gql.data(UPSERT_ITEM, variables, scopes=MANAGE))["upsertItemAssignment"]


async def bulk_upsert(gql: Any, items: list[dict[str, Any]], segment: str = "s1") -> Any:
    variables = {"s": segment, "t": "PRODUCT", "items": items}
    return (await gql.data(BULK_UPSERT_ITEMS, variables, scopes=MANAGE))[
        "bulkUpsertItemAssignments"
    ]


async def read_item(gql: Any, item: str, segment: str = "s1", kind: str = "PRODUCT") -> Any:
    variables = {"s": segment, "t": kind, "i": item}
    return (await gql.data(ITEM_ASSIGNMENT, variables, scopes=READ))["itemAssignment"]


async def read_items(gql: Any, segment: str | None = "s1") -> dict[str, Any]:
    """The segment's item assignments by item id: {id: (version, mixins)}."""
    data = await gql.data(ITEM_ASSIGNMENTS, {"s": segment}, scopes=READ)
    return {
        a["item"]["id"]: (a["metadata"]["version"], a["mixins"])
        for a in data["itemAssignments"]["items"]
    }


def segment_input(**fields: Any) -> dict[str, Any]:
    """A valid SegmentInput, with `fields` replacing its defaults."""
    return {"name": [{"locale": "en", "value": "Golden"}], "siteCode": "main", **fields}


async def snapshot(db: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ordered: equal snapshots mean nothing was written."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with db.sessions() as session:
        for table in metadata.sorted_tables:
            if table is data_version_table:  # bookkeeping, raised by every write
                continue
            rows = await session.execute(sa.select(table).order_by(*table.primary_key.columns))
            found[table.name] = [tuple(map(repr, row)) for row in rows]
    return found
