"""One operation per root field, and per field that needs a scope below the root.

Every operation names the decided fields it passes through (`path`), selects every field of
what it returns, and mixes the other tenant's ids (tenants.OTHER_ONLY) into its arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.security.tenants import OTHER_CUSTOMER, OTHER_ONLY

S_OTHER, P_OTHER, C_OTHER = OTHER_ONLY["segment"], OTHER_ONLY["product"], OTHER_ONLY["category"]

LOCALIZED = "locale value"
META = "metadata { createdAt modifiedAt version mixins }"
PAGE = "totalCount pageNumber pageSize hasNextPage endCursor"
ERRORS = "userErrors { code message field currentVersion }"
BULK = "results { index id code status message errorCode } succeeded failed"
SEGMENT = f"""id status active siteCode validity {{ from to }} name nameAllLocales {{ {LOCALIZED} }}
  description descriptionAllLocales {{ {LOCALIZED} }} mixins {META}"""
ITEM = f"""__typename id code name nameAllLocales {{ {LOCALIZED} }}
  ... on Product {{ categoryIds }}
  ... on Category {{ parentId position published validity {{ from to }} ecn description
    descriptionAllLocales {{ {LOCALIZED} }} slug slugAllLocales {{ {LOCALIZED} }} }}"""
ASSIGNMENT = f"segmentId type mixins {META} item {{ {ITEM} }}"
CUSTOMER = f"segmentId customerId legalEntityId assignmentType mixins {META}"
SEGMENT_ITEMS = f"items(pageSize: 20) {{ {PAGE} items {{ {ASSIGNMENT} segment {{ id }} }} }}"
SEGMENT_CUSTOMERS = f"customers(pageSize: 20) {{ {PAGE} items {{ {CUSTOMER} }} }}"
NODE = f"""id parentId code name nameAllLocales {{ {LOCALIZED} }} description
  descriptionAllLocales {{ {LOCALIZED} }} slug slugAllLocales {{ {LOCALIZED} }} ecn
  validity {{ from to }} position published isSegmentAssigned depth"""
TREE = f"{NODE} subcategories {{ {NODE} subcategories {{ {NODE} subcategories {{ id }} }} }}"
SEGMENT_INPUT = {"name": [{"locale": "en", "value": "Gold"}], "siteCode": "main"}


@dataclass(frozen=True)
class Operation:
    name: str
    document: str
    path: tuple[str, ...]
    variables: dict[str, Any] = field(default_factory=dict)

    @property
    def is_mutation(self) -> bool:
        return self.document.lstrip().startswith("mutation")


def _query(name: str, body: str, *path: str) -> Operation:
    return Operation(name, "query { " + body + " }", path)


def _mutation(name: str, body: str, *path: str) -> Operation:
    return Operation(name, "mutation { " + body + " }", path)


QUERIES = [
    _query(
        "segments", f"segments(pageSize: 500) {{ {PAGE} items {{ {SEGMENT} }} }}", "Query.segments"
    ),
    _query(
        "segments with items and customers",
        f"segments(pageSize: 20) {{ items {{ id {SEGMENT_ITEMS} {SEGMENT_CUSTOMERS} }} }}",
        "Query.segments",
        "Segment.items",
        "ItemAssignment.segment",
        "Segment.customers",
    ),
    _query(
        "segment",
        f"""own: segment(id: "s1") {{ {SEGMENT} {SEGMENT_ITEMS} {SEGMENT_CUSTOMERS} }}
            other: segment(id: "{S_OTHER}") {{ id {SEGMENT_ITEMS} }}""",
        "Query.segment",
        "Segment.items",
        "ItemAssignment.segment",
        "Segment.customers",
    ),
    _query(
        "customerAssignment",
        f"""own: customerAssignment(segmentId: "s1", customerId: "c1") {{ {CUSTOMER} }}
            b2b: customerAssignment(segmentId: "s1", customerId: "c2", legalEntityId: "le1") {{
              {CUSTOMER} }}
            other: customerAssignment(segmentId: "{S_OTHER}", customerId: "c1") {{ {CUSTOMER} }}
            foreign: customerAssignment(segmentId: "s1", customerId: "{OTHER_CUSTOMER}") {{
              {CUSTOMER} }}""",
        "Query.customerAssignment",
    ),
    _query(
        "itemAssignments",
        f"""all: itemAssignments(pageSize: 500) {{ {PAGE} items {{ {ASSIGNMENT} }} }}
            other: itemAssignments(segmentId: "{S_OTHER}") {{ {PAGE} items {{ segmentId }} }}""",
        "Query.itemAssignments",
    ),
    _query(
        "itemAssignments with segment",
        f"itemAssignments(pageSize: 500) {{ items {{ segmentId segment {{ {SEGMENT} }} }} }}",
        "Query.itemAssignments",
        "ItemAssignment.segment",
    ),
    _query(
        "itemAssignment",
        f"""own: itemAssignment(segmentId: "s1", type: PRODUCT, itemId: "p1") {{
              {ASSIGNMENT} segment {{ id }} }}
            item: itemAssignment(segmentId: "s1", type: PRODUCT, itemId: "{P_OTHER}") {{
              segmentId }}
            other: itemAssignment(segmentId: "{S_OTHER}", type: PRODUCT, itemId: "{P_OTHER}") {{
              segmentId }}""",
        "Query.itemAssignment",
        "ItemAssignment.segment",
    ),
    _query(
        "categoryTrees",
        f"""all: categoryTrees {{ {TREE} }}
            mixed: categoryTrees(siteCode: "main", segmentIds: ["s1", "{S_OTHER}"]) {{ id }}""",
        "Query.categoryTrees",
    ),
    _query(
        "categoryTreeNodes",
        f'categoryTreeNodes(segmentIds: ["s1", "{S_OTHER}"]) {{ {NODE} subcategories {{ id }} }}',
        "Query.categoryTreeNodes",
    ),
    _query(
        "matchItems",
        f"""matchItems(siteCode: "main", segmentIds: ["s1", "s2", "{S_OTHER}"],
              itemIds: ["p1", "{P_OTHER}", "p3", "{C_OTHER}"])""",
        "Query.matchItems",
    ),
]

ITEMS_P = f'[{{id: "p1"}}, {{id: "{P_OTHER}"}}, {{id: "p3", mixins: {{owner: "alpha"}}}}]'
CUSTOMERS = (
    f'[{{customerId: "c1"}}, {{customerId: "{OTHER_CUSTOMER}"}}, '
    '{customerId: "c2", legalEntityId: "le1"}]'
)

MUTATIONS = [
    _mutation(
        "upsertItemAssignment",
        f"""own: upsertItemAssignment(segmentId: "s1", type: PRODUCT, itemId: "p3") {{
              created assignment {{ {ASSIGNMENT} }} {ERRORS} }}
            other: upsertItemAssignment(segmentId: "s1", type: PRODUCT, itemId: "{P_OTHER}") {{
              created {ERRORS} }}""",
        "Mutation.upsertItemAssignment",
    ),
    _mutation(
        "upsertItemAssignment with segment",
        f"""upsertItemAssignment(segmentId: "s1", type: CATEGORY, itemId: "c-child") {{
              assignment {{ segment {{ id }} }} {ERRORS} }}""",
        "Mutation.upsertItemAssignment",
        "ItemAssignment.segment",
    ),
    _mutation(
        "deleteItemAssignment",
        f"""other: deleteItemAssignment(segmentId: "{S_OTHER}", type: PRODUCT, itemId: "p1") {{
              deleted {ERRORS} }}
            own: deleteItemAssignment(segmentId: "s2", type: PRODUCT, itemId: "p3") {{
              deleted {ERRORS} }}""",
        "Mutation.deleteItemAssignment",
    ),
    _mutation(
        "bulkUpsertItemAssignments",
        f"""own: bulkUpsertItemAssignments(segmentId: "s1", type: PRODUCT, items: {ITEMS_P}) {{
              {BULK} }}""",
        "Mutation.bulkUpsertItemAssignments",
    ),
    _mutation(
        "bulkUpsertItemAssignments on the other's segment",
        f"""bulkUpsertItemAssignments(segmentId: "{S_OTHER}", type: PRODUCT, items: {ITEMS_P}) {{
              {BULK} }}""",
        "Mutation.bulkUpsertItemAssignments",
    ),
    _mutation(
        "bulkDeleteItemAssignments",
        f"""bulkDeleteItemAssignments(segmentId: "s1", type: PRODUCT,
              itemIds: ["{P_OTHER}", "p2"]) {{ {BULK} }}""",
        "Mutation.bulkDeleteItemAssignments",
    ),
    _mutation(
        "createSegment",
        f"""taken: createSegment(input: {{id: "s1", name: [{{locale: "en", value: "Gold"}}],
              siteCode: "main"}}) {{ created segment {{ id }} {ERRORS} }}
            new: createSegment(input: {{name: [{{locale: "en", value: "New"}}],
              siteCode: "main", status: ACTIVE}}) {{ created segment {{ {SEGMENT} }} {ERRORS} }}""",
        "Mutation.createSegment",
    ),
    _mutation(
        "upsertSegment",
        f"""upsertSegment(id: "s1", input: {{name: [{{locale: "en", value: "Gold"}}],
              siteCode: "main", status: ACTIVE, mixins: {{owner: "alpha"}}}}) {{
              created segment {{ {SEGMENT} }} {ERRORS} }}""",
        "Mutation.upsertSegment",
    ),
    _mutation(
        "upsertSegment with items and customers",
        f"""upsertSegment(id: "s1", input: {{name: [{{locale: "en", value: "Gold"}}],
              siteCode: "main", status: ACTIVE}}) {{
              segment {{ id {SEGMENT_ITEMS} {SEGMENT_CUSTOMERS} }} {ERRORS} }}""",
        "Mutation.upsertSegment",
        "Segment.items",
        "ItemAssignment.segment",
        "Segment.customers",
    ),
    _mutation(
        "deleteSegment",
        f"""other: deleteSegment(id: "{S_OTHER}", forceDelete: true) {{ deleted {ERRORS} }}
            own: deleteSegment(id: "s3", forceDelete: true) {{ deleted {ERRORS} }}""",
        "Mutation.deleteSegment",
    ),
    _mutation(
        "upsertCustomerAssignment",
        f"""own: upsertCustomerAssignment(segmentId: "s1", customerId: "c3") {{
              created assignment {{ {CUSTOMER} }} {ERRORS} }}
            other: upsertCustomerAssignment(segmentId: "{S_OTHER}", customerId: "c1") {{
              created {ERRORS} }}""",
        "Mutation.upsertCustomerAssignment",
    ),
    _mutation(
        "deleteCustomerAssignment",
        f"""other: deleteCustomerAssignment(segmentId: "s1", customerId: "{OTHER_CUSTOMER}") {{
              deleted {ERRORS} }}
            own: deleteCustomerAssignment(segmentId: "s1", customerId: "c2",
              legalEntityId: "le1") {{ deleted {ERRORS} }}""",
        "Mutation.deleteCustomerAssignment",
    ),
    _mutation(
        "bulkUpsertCustomerAssignments",
        f"""bulkUpsertCustomerAssignments(segmentId: "s1", assignments: {CUSTOMERS}) {{
              {BULK} }}""",
        "Mutation.bulkUpsertCustomerAssignments",
    ),
    _mutation(
        "bulkDeleteCustomerAssignments",
        f"""bulkDeleteCustomerAssignments(segmentId: "s1", assignments: [
              {{customerId: "{OTHER_CUSTOMER}"}}, {{customerId: "c9"}}]) {{ {BULK} }}""",
        "Mutation.bulkDeleteCustomerAssignments",
    ),
    _mutation(
        "bulkDeleteCustomerAssignments on the other's segment",
        f"""bulkDeleteCustomerAssignments(segmentId: "{S_OTHER}", assignments: [
              {{customerId: "c1"}}]) {{ {BULK} }}""",
        "Mutation.bulkDeleteCustomerAssignments",
    ),
]

_HOOK = "subscription { id url eventTypes description createdAt }"
# segment_manage for every field, reads included; each tenant has a subscription "wh1".
WEBHOOKS = [
    _query(
        "webhookSubscriptions",
        "webhookSubscriptions { id url eventTypes description createdAt }",
        "Query.webhookSubscriptions",
    ),
    _query(
        "webhookDeliveries",
        'webhookDeliveries(subscriptionId: "wh1") { items { eventId status } totalCount }',
        "Query.webhookDeliveries",
    ),
    _mutation(
        "createWebhookSubscription",
        f"""createWebhookSubscription(input: {{url: "https://93.184.215.14/in",
              eventTypes: ["customer-segment.segment-created"]}}) {{ {_HOOK} secret {ERRORS} }}""",
        "Mutation.createWebhookSubscription",
    ),
    _mutation(
        "deleteWebhookSubscription",
        f'deleteWebhookSubscription(id: "wh1") {{ deleted {ERRORS} }}',
        "Mutation.deleteWebhookSubscription",
    ),
]

OPERATIONS = [*QUERIES, *MUTATIONS, *WEBHOOKS]
