"""Assembles the domains' Query and Mutation types into one strawberry.Schema."""

from __future__ import annotations

import strawberry
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from gateway.api.execution import EXECUTOR
from gateway.api.field_rules import SHARED
from gateway.api.plain_lists import PLAIN_LISTS, PlainListExecutor
from gateway.api.plain_objects import plain_object_list
from gateway.api.rules import install
from gateway.api.types import SCALAR_MAP, plain_localized_resolvers
from gateway.assignments import mutations as assignments_mutations
from gateway.assignments import schema as assignments
from gateway.auth.policy import enforce
from gateway.catalog import schema as catalog
from gateway.catalog import tree_output
from gateway.catalog.tree_types import plain_resolvers
from gateway.catalog.types import Category, Product
from gateway.changes import schema as changes
from gateway.customers import mutations as customer_mutations
from gateway.segments import mutations as segments_mutations
from gateway.segments import schema as segments
from gateway.webhooks import mutations as webhooks_mutations
from gateway.webhooks import schema as webhooks

Query = merge_types("Query", (segments.Query, assignments.Query, catalog.Query, webhooks.Query))

Mutation = merge_types(
    "Mutation",
    (
        segments_mutations.Mutation,
        customer_mutations.Mutation,
        assignments_mutations.Mutation,
        webhooks_mutations.Mutation,
    ),
)

schema = strawberry.Schema(
    query=Query,
    mutation=Mutation,
    subscription=changes.Subscription,
    # Reached only through the Item interface (ItemAssignment.item), so named here.
    types=[Product, Category],
    config=StrawberryConfig(auto_camel_case=True, scalar_map=SCALAR_MAP),
)
# Localized fields (name, description, slug) skip Strawberry's per-call argument conversion;
# tree nodes then get resolvers of their own.
plain_localized_resolvers(schema._schema)
# Tree nodes are plain dicts at run time (gateway/catalog/tree_types.py); before the guards,
# so a guard would wrap these resolvers too.
plain_resolvers(schema._schema)
# Every field's scope decision (gateway/auth/policy.py), checked before its resolver runs.
enforce(schema._schema)
# Every field's argument limits and list bound (each domain's RULES), checked before execution.
install(
    schema._schema,
    {
        **SHARED,
        **segments.RULES,
        **customer_mutations.RULES,
        **assignments.RULES,
        **catalog.RULES,
        **webhooks.RULES,
        **changes.RULES,
    },
)
# Lists of tree nodes and pages of item assignments skip per-field completion when their
# selection allows it (gateway/api/plain_lists.py).
schema._schema.extensions[PLAIN_LISTS] = {
    **tree_output.PLAIN_LISTS,
    ("ItemAssignmentPage", "items"): plain_object_list,
}
schema._schema.extensions[EXECUTOR] = PlainListExecutor


def export_sdl() -> str:
    """The schema as SDL, exactly as `schema.graphql` holds it."""
    return schema.as_str() + "\n"
