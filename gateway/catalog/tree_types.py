"""The GraphQL type of category trees: CategoryTreeNode, and its making from tree nodes."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from gateway.catalog.repository import StoredDisplay, decode_list, decode_map
from gateway.catalog.trees import TreeNode
from gateway.types import Described, Named, Slugged, Validity, validity_of


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


def tree_node_of(node: TreeNode, subcategories: list[CategoryTreeNode]) -> CategoryTreeNode:
    """The GraphQL node of one kept category."""
    category = node.category
    display: StoredDisplay = category.display
    return CategoryTreeNode(
        id=strawberry.ID(category.id),
        parent_id=strawberry.ID(category.parent_id) if category.parent_id else None,
        code=category.code,
        name_map=decode_map(display.name),
        description_map=decode_map(display.description),
        slug_map=decode_map(display.slug),
        ecn=decode_list(display.ecn),
        validity=validity_of(category.valid_from, category.valid_to),
        position=category.position,
        published=category.published,
        is_segment_assigned=node.assigned,
        depth=node.depth,
        subcategories=subcategories,
    )


def nested_nodes(nodes: Sequence[TreeNode]) -> list[CategoryTreeNode]:
    """The roots, each holding its subcategories; `nodes` in pre-order. No recursion."""
    made = {node.category.id: tree_node_of(node, []) for node in nodes}
    for node in nodes:
        made[node.category.id].subcategories.extend(made[c.category.id] for c in node.children)
    return [made[node.category.id] for node in nodes if node.depth == 0]


def flat_nodes(nodes: Sequence[TreeNode]) -> list[CategoryTreeNode]:
    """Every node in pre-order, each with no subcategories."""
    return [tree_node_of(node, []) for node in nodes]
