"""What the normalized-cache tests send: two selections of a segment's items, and both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphql import GraphQLObjectType, build_schema

from tests.assignments.helpers import store

FIRST = "{ __typename id segmentId type item { __typename id } }"
SECOND = "{ __typename id mixins metadata { __typename version } }"
BOTH = (
    "{ __typename id segmentId type item { __typename id } mixins metadata { __typename version } }"
)


ROOT = Path(__file__).parents[2]
# Its id is the entry's, as REST reports it: two bulk answers about one id are not one object.
NOT_AN_ENTITY = {"BulkItemResult"}


def keyless_types() -> list[str]:
    """Object types a normalized cache must embed in their parent: no id, or not their own."""
    schema = build_schema((ROOT / "schema.graphql").read_text())
    roots = {"Query", "Mutation", "Subscription"}
    return sorted(
        name
        for name, type_ in schema.type_map.items()
        if isinstance(type_, GraphQLObjectType)
        and not name.startswith("__")
        and name not in roots
        and ("id" not in type_.fields or name in NOT_AN_ENTITY)
    )


def items_query(selection: str) -> str:
    return '{ segment(id: "s1") { __typename id items { __typename items ' + selection + " } } }"


async def two_selections(gql: Any, seed: Any) -> list[dict[str, Any]]:
    """The gateway's answers to FIRST and SECOND over a segment with two items."""
    await seed.tenant_row()
    await store(
        seed,
        seed.segment("s1"),
        seed.product("p1"),
        seed.category("c1"),
        seed.item("s1", "PRODUCT", "p1", mixins={"k": "v"}),
        seed.item("s1", "CATEGORY", "c1"),
    )
    queries = [items_query(selection) for selection in (FIRST, SECOND)]
    return [{"query": query, "data": await gql.data(query)} for query in queries]


def merged_items(read: dict[str, Any]) -> set[tuple[str, str, int]]:
    items = read["segment"]["items"]["items"]
    return {(i["type"], i["item"]["id"], i["metadata"]["version"]) for i in items}
