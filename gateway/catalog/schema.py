"""Root fields of the catalog domain: segment category trees and matchItems."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.api.field_rules import all_locales
from gateway.api.rules import FieldRule, Tree, TreeLevel
from gateway.api.types import Info, LegalEntityArg
from gateway.catalog.loaders import CatalogIndexByTenantLoader, kept_tree, matched_products
from gateway.catalog.sources import match_source, tree_source
from gateway.catalog.tree_types import CategoryTreeNode, flat_nodes, nested_nodes
from gateway.context import Context
from gateway.settings import Limits

# Descriptions state the default limits: the schema is built once, before any settings.
_LIMITS = Limits()

SiteCode = Annotated[
    str | None,
    strawberry.argument(description="Only segments of this site; all sites when absent."),
]
TreeSegmentIds = Annotated[
    list[strawberry.ID] | None,
    strawberry.argument(
        description=f"Only these segments (at most {_LIMITS.max_match_segments}); ids the caller "
        "may not see, or of inactive segments, are ignored. All the caller's active segments "
        "when absent."
    ),
]


@strawberry.type
class Query:
    @strawberry.field(
        description="Category trees of the caller's active segments: assigned categories with "
        "their published, valid descendants and the ancestors up to the root."
    )
    async def category_trees(
        self,
        info: Info,
        site_code: SiteCode = None,
        legal_entity_id: LegalEntityArg = None,
        segment_ids: TreeSegmentIds = None,
    ) -> list[CategoryTreeNode]:
        source = tree_source(info.context, site_code, legal_entity_id, segment_ids)
        index, kept = await kept_tree(info.context, source)
        # Plain dicts read by graphql-core (tree_types.plain_resolvers), not Strawberry objects.
        return [] if index is None else nested_nodes(index, kept)

    @strawberry.field(
        description="The nodes of categoryTrees as one flat list in pre-order (a node before "
        "its subcategories), each with empty subcategories; use depth and parentId to nest."
    )
    async def category_tree_nodes(
        self,
        info: Info,
        site_code: SiteCode = None,
        legal_entity_id: LegalEntityArg = None,
        segment_ids: TreeSegmentIds = None,
    ) -> list[CategoryTreeNode]:
        source = tree_source(info.context, site_code, legal_entity_id, segment_ids)
        index, kept = await kept_tree(info.context, source)
        return [] if index is None else flat_nodes(index, kept)

    @strawberry.field(
        description="Which of itemIds are products assigned to one of the given active "
        "segments of the site, directly or through a category the tree keeps as assigned. "
        "Keeps the input order, without duplicates."
    )
    async def match_items(
        self,
        info: Info,
        site_code: Annotated[str, strawberry.argument(description="The segments' site.")],
        segment_ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(
                description=f"Segments to match (at most {_LIMITS.max_match_segments})."
            ),
        ],
        item_ids: Annotated[
            list[strawberry.ID],
            strawberry.argument(description=f"Product ids (at most {_LIMITS.max_match_items})."),
        ],
    ) -> list[strawberry.ID]:
        context = info.context
        source = match_source(context, site_code, segment_ids, item_ids)
        wanted = list(dict.fromkeys(str(i) for i in item_ids))
        if not wanted or not source.segment_ids:
            return []
        matched = await matched_products(context, source, wanted)
        return [strawberry.ID(i) for i in wanted if i in matched]


async def _categories(context: Context) -> int:
    # The tree's own loader: the count costs no statement the tree would not make anyway.
    return (await context.loader(CatalogIndexByTenantLoader).load(context.tenant)).size


_SEGMENT_IDS = {"segmentIds": "max_match_segments"}
_TREE = FieldRule(max_lengths=_SEGMENT_IDS, bound=Tree(_categories))

# Each field's argument limits and list bound (api/rules.py), checked before execution.
RULES: dict[str, FieldRule] = {
    "Query.categoryTrees": _TREE,
    "Query.categoryTreeNodes": _TREE,
    "Query.matchItems": FieldRule(max_lengths={**_SEGMENT_IDS, "itemIds": "max_match_items"}),
    "CategoryTreeNode.subcategories": FieldRule(bound=TreeLevel()),
    **all_locales("Item", "name"),
    **all_locales("Product", "name"),
    **all_locales("Category", "name", "description", "slug"),
    **all_locales("CategoryTreeNode", "name", "description", "slug"),
}
