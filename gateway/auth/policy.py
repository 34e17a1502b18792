"""Who may resolve each field: one table of decisions, enforced on the schema in one place."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from enum import Enum
from typing import Any

from graphql import GraphQLField, GraphQLObjectType, GraphQLSchema, default_field_resolver

from gateway.auth.principal import Principal
from gateway.auth.scopes import MANAGE, READ, READ_OWN
from gateway.errors import forbidden

log = logging.getLogger("gateway.auth.policy")

_GUARD = "__gateway_policy__"


class Decision(Enum):
    """What a field asks of the caller's token before it resolves."""

    # Plain data of an object the caller was already allowed to reach (its parent decided).
    PARENT = "resolved wherever its parent object is"
    # segment_read sees the tenant; segment_read_own only the caller's own active segments.
    READ = f"the {READ} or {READ_OWN} scope"
    # As READ, and under segment_read_own only the caller's own customer assignments.
    OWN_DATA = f"the {READ} or {READ_OWN} scope (the caller's own records only)"
    READ_OR_MANAGE = f"the {READ}, {READ_OWN} or {MANAGE} scope"
    MANAGE = f"the {MANAGE} scope"


_ALLOWS: dict[Decision, Callable[[Principal], bool]] = {
    Decision.PARENT: lambda principal: True,
    Decision.READ: lambda principal: principal.can_read,
    Decision.OWN_DATA: lambda principal: principal.can_read,
    Decision.READ_OR_MANAGE: lambda principal: principal.can_read or principal.can_manage,
    Decision.MANAGE: lambda principal: principal.can_manage,
}


def allows(decision: Decision, principal: Principal) -> bool:
    """Whether a token with `principal`'s scopes may resolve a field under `decision`."""
    return _ALLOWS[decision](principal)


def _each(type_name: str, field_names: str, decision: Decision) -> dict[str, Decision]:
    return {f"{type_name}.{name}": decision for name in field_names.split()}


_PAGE_FIELDS = "items totalCount pageNumber pageSize hasNextPage endCursor"
_LOCALIZED = "name nameAllLocales description descriptionAllLocales slug slugAllLocales"

# Every field of every object type, by its GraphQL name. A field missing here resolves for
# nobody (see `enforce`), and tests/security/test_policy.py fails until it gets a decision.
POLICY: Mapping[str, Decision] = {
    **_each(
        "Query",
        "segments segment itemAssignments itemAssignment categoryTrees categoryTreeNodes",
        Decision.READ,
    ),
    # A customer's membership names a customer: read_own gets only its own.
    "Query.customerAssignment": Decision.OWN_DATA,
    # Widened on purpose (API.md): merchandisers match with read or manage.
    "Query.matchItems": Decision.READ_OR_MANAGE,
    **_each(
        "Mutation",
        "upsertItemAssignment deleteItemAssignment bulkUpsertItemAssignments "
        "bulkDeleteItemAssignments createSegment upsertSegment deleteSegment "
        "upsertCustomerAssignment deleteCustomerAssignment bulkUpsertCustomerAssignments "
        "bulkDeleteCustomerAssignments",
        Decision.MANAGE,
    ),
    # Webhooks (API.md): segment_manage for every field, reads included.
    **_each("Query", "webhookSubscriptions webhookDeliveries", Decision.MANAGE),
    **_each("Mutation", "createWebhookSubscription deleteWebhookSubscription", Decision.MANAGE),
    **_each("WebhookSubscription", "id url eventTypes description createdAt", Decision.PARENT),
    **_each("WebhookSubscriptionPayload", "subscription secret userErrors", Decision.PARENT),
    **_each(
        "WebhookDelivery",
        "eventId eventType attempts status lastStatusCode nextAttemptAt",
        Decision.PARENT,
    ),
    **_each("WebhookDeliveryPage", _PAGE_FIELDS, Decision.PARENT),
    **_each(
        "Segment",
        "id status active siteCode validity name nameAllLocales description "
        "descriptionAllLocales mixins metadata",
        Decision.PARENT,
    ),
    # Reachable from mutation payloads too, where the token may hold manage alone.
    "Segment.items": Decision.READ,
    "Segment.customers": Decision.OWN_DATA,
    **_each("ItemAssignment", "id segmentId type item mixins metadata", Decision.PARENT),
    "ItemAssignment.segment": Decision.READ,
    **_each(
        "CustomerAssignment",
        "id segmentId customerId legalEntityId assignmentType mixins metadata",
        Decision.PARENT,
    ),
    # Counts and pages are narrowed exactly like the items they page.
    **_each("SegmentPage", _PAGE_FIELDS, Decision.PARENT),
    **_each("ItemAssignmentPage", _PAGE_FIELDS, Decision.PARENT),
    **_each("CustomerAssignmentPage", _PAGE_FIELDS, Decision.PARENT),
    # Catalog data of the tenant, reached only through a decided field above.
    **_each("Product", "id code name nameAllLocales categoryIds", Decision.PARENT),
    **_each(
        "Category",
        f"id code {_LOCALIZED} parentId position published validity ecn",
        Decision.PARENT,
    ),
    **_each(
        "CategoryTreeNode",
        f"id parentId code {_LOCALIZED} ecn validity position published isSegmentAssigned "
        "depth subcategories",
        Decision.PARENT,
    ),
    **_each("LocalizedString", "locale value", Decision.PARENT),
    **_each("Validity", "from to", Decision.PARENT),
    **_each("Metadata", "createdAt modifiedAt version mixins", Decision.PARENT),
    **_each("UserError", "code message field currentVersion", Decision.PARENT),
    # Payloads of mutations, which MANAGE already guards.
    **_each("ItemAssignmentPayload", "created assignment userErrors", Decision.PARENT),
    **_each("CustomerAssignmentPayload", "created assignment userErrors", Decision.PARENT),
    **_each("SegmentPayload", "created segment userErrors", Decision.PARENT),
    **_each("DeletePayload", "deleted userErrors", Decision.PARENT),
    **_each("BulkPayload", "results succeeded failed", Decision.PARENT),
    **_each("BulkItemResult", "index id code status message errorCode", Decision.PARENT),
    # Each subscriber gets only the events it may see (gateway/changes/schema.py).
    "Subscription.changes": Decision.READ,
    **_each(
        "ChangeEvent",
        "id type occurredAt segmentId itemType itemId customerId legalEntityId",
        Decision.PARENT,
    ),
}


def object_fields(schema: GraphQLSchema) -> Iterator[tuple[str, GraphQLField]]:
    """("Type.field", field) for every field that resolves: object types, not introspection."""
    for type_name, named in schema.type_map.items():
        if isinstance(named, GraphQLObjectType) and not type_name.startswith("__"):
            for field_name, field in named.fields.items():
                yield f"{type_name}.{field_name}", field


def undecided(schema: GraphQLSchema) -> list[str]:
    """Fields of `schema` that have no decision in POLICY."""
    return [key for key, _field in object_fields(schema) if key not in POLICY]


def stale(schema: GraphQLSchema) -> list[str]:
    """Decisions in POLICY for fields `schema` does not have."""
    present = {key for key, _field in object_fields(schema)}
    return sorted(set(POLICY) - present)


def enforce(schema: GraphQLSchema) -> None:
    """Guards every field whose decision asks for a scope; undecided fields resolve for nobody."""
    for key, field in object_fields(schema):
        decision = POLICY.get(key)
        if decision is Decision.PARENT or getattr(field.resolve, _GUARD, False):
            continue
        if decision is None:
            log.warning("%s has no authorization decision: it is refused to every caller", key)
        field.resolve = _guarded(field.resolve or default_field_resolver, key, decision)
        if field.subscribe is not None:
            # A subscription's events come from its source stream, which resolve never opens.
            field.subscribe = _guarded(field.subscribe, key, decision)


def _guarded(
    resolve: Callable[..., Any], key: str, decision: Decision | None
) -> Callable[..., Any]:
    if decision is None:
        message = f"{key} has no authorization decision yet."
    else:
        message = f"{key} needs {decision.value}."

    def guarded(root: Any, info: Any, **args: Any) -> Any:
        # Before the resolver: a refused field runs no statement and writes nothing.
        if decision is None or not allows(decision, info.context.principal):
            raise forbidden(message)
        return resolve(root, info, **args)

    setattr(guarded, _GUARD, True)
    return guarded
