"""The GraphQL type of category trees: CategoryTreeNode, and its nodes as plain dicts.

A tree can hold every category of the tenant, so its nodes skip Strawberry at run time:
each is a dict keyed by GraphQL field name, read by graphql-core's default resolver, and
the localized fields get resolvers that take their `locale` straight from graphql-core.
What does not depend on the request is built once per catalog index and position.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLObjectType, GraphQLSchema

from gateway.api.types import Described, Named, Slugged, Validity, localized_list, validity_of
from gateway.catalog.repository import StoredDisplay, decode_list, decode_map
from gateway.catalog.trees import CatalogIndex
from gateway.localization import resolve

Node = dict[str, Any]


class StaticNode(dict[str, Any]):
    """A flat node kept per catalog index, which also keeps what selections made of it.

    `outputs`: the completed object per (selection, argument values, locale order), filled by
    tree_output.plain_list, so the first tree after an assignment write reuses them. An
    attribute, not a key: copies ({**node}) must not carry another node's outputs.
    """

    __slots__ = ("outputs",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outputs: dict[Any, Any] = {}


@strawberry.type(description="A category of a segment category tree, with its subcategories.")
class CategoryTreeNode(Named, Described, Slugged):
    id: strawberry.ID = strawberry.field(description="The category's id in the catalog.")
    parent_id: strawberry.ID | None = strawberry.field(description="The parent; null for roots.")
    code: str = strawberry.field(description="The category's user-defined code.")

    ecn: list[str] = strawberry.field(description="ECN codes of the category.")
    validity: Validity | None = strawberry.field(description="When the category is valid.")
    position: int = strawberry.field(description="Position among its siblings.")
    published: bool = strawberry.field(description="Whether the category is published.")
    is_segment_assigned: bool = strawberry.field(
        description="Whether the category, or a category above it, is assigned to one of the "
        "segments; false for ancestors shown only to reach an assigned category."
    )
    depth: int = strawberry.field(description="Distance from the root; 0 for roots.")
    subcategories: list[CategoryTreeNode] = strawberry.field(
        description="The kept subcategories, ordered by position, then code; always empty in "
        "categoryTreeNodes."
    )


_LOCALIZED = {
    "name": "nameAllLocales",
    "description": "descriptionAllLocales",
    "slug": "slugAllLocales",
}


# The resolvers installed here: tree_output may read the dicts itself for these fields only.
_OURS: set[Callable[..., Any]] = set()


def _ours(resolver: Callable[..., Any]) -> Callable[..., Any]:
    _OURS.add(resolver)
    return resolver


def is_plain(resolver: Callable[..., Any] | None) -> bool:
    """Whether a field resolver is graphql-core's default or one of this module's."""
    return resolver is None or resolver in _OURS


def _in_locale(key: str) -> Callable[..., str | None]:
    def resolve_in_locale(node: Node, info: Any, locale: str | None = None) -> str | None:
        return resolve(node[key], info.context.locales, locale)

    return _ours(resolve_in_locale)


def _all_locales(key: str) -> Callable[..., Any]:
    return _ours(lambda node, _info: localized_list(node[key]))


def plain_resolvers(schema: GraphQLSchema) -> None:
    """Makes CategoryTreeNode's fields read the dicts this module builds (call before guards)."""
    node = schema.type_map["CategoryTreeNode"]
    assert isinstance(node, GraphQLObjectType)
    for field in node.fields.values():
        field.resolve = None  # graphql-core's default: node[name]
    for name, all_locales in _LOCALIZED.items():
        node.fields[name].resolve = _in_locale(f"{name}Map")
        node.fields[all_locales].resolve = _all_locales(f"{name}Map")


# Per index (so per tenant and data version), per position: what no request changes.
_static: weakref.WeakKeyDictionary[CatalogIndex, dict[Any, Node]] = weakref.WeakKeyDictionary()


def _static_node(index: CatalogIndex, position: int) -> Node:
    category = index.categories[position]
    display: StoredDisplay = category.display
    return {
        "id": category.id,
        "parentId": category.parent_id or None,
        "code": category.code,
        "nameMap": decode_map(display.name),
        "descriptionMap": decode_map(display.description),
        "slugMap": decode_map(display.slug),
        "ecn": decode_list(display.ecn),
        "validity": validity_of(category.valid_from, category.valid_to),
        "position": category.position,
        "published": category.published,
        "depth": index.depth[position],
        "subcategories": [],
    }


def _statics(index: CatalogIndex) -> dict[Any, Node]:
    found = _static.get(index)
    if found is None:
        found = _static[index] = {}
    return found


def _flat(index: CatalogIndex, statics: dict[Any, Node], position: int, assigned: bool) -> Node:
    """A flat node, kept too: it is the same for every request of this index."""
    node = statics.get((position, assigned))
    if node is None:
        other = statics.get((position, not assigned))
        base = _static_node(index, position) if other is None else other
        node = statics[position, assigned] = StaticNode(base, isSegmentAssigned=assigned)
    return node


def flat_nodes(index: CatalogIndex, kept: list[tuple[int, bool]]) -> list[Any]:
    """Every kept node in pre-order, each with no subcategories."""
    statics = _statics(index)
    return [_flat(index, statics, position, assigned) for position, assigned in kept]


def nested_nodes(index: CatalogIndex, kept: list[tuple[int, bool]]) -> list[Any]:
    """The roots, each holding its kept subcategories; `kept` in pre-order. No recursion."""
    statics = _statics(index)
    made: dict[Any, Node] = {}
    roots: list[Node] = []
    for position, assigned in kept:
        node = made[position] = {
            **_flat(index, statics, position, assigned),
            "subcategories": [],
        }
        parent = made.get(index.parent[position])
        (roots if parent is None else parent["subcategories"]).append(node)
    return roots
