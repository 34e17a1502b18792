"""Root fields of the catalog domain: segment category trees and matchItems."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import strawberry

from gateway.api.types import Info
from gateway.catalog.loaders import (
    AssignedCategoryIdsBySourceLoader,
    CatalogIndexByTenantLoader,
    CategoryIdsByProductIdLoader,
    DirectAssignmentByProductInSourceLoader,
    ProductInSource,
)
from gateway.catalog.repository import SegmentSource
from gateway.catalog.tree_types import CategoryTreeNode, flat_nodes, nested_nodes
from gateway.catalog.trees import CatalogIndex, covered_by_assigned, kept_positions
from gateway.context import Context
from gateway.errors import bad_input
from gateway.segments.visibility import match_access, tree_access
from gateway.settings import Limits

# Descriptions state the default limits: the schema is built once, before any settings.
_LIMITS = Limits()

SiteCode = Annotated[
    str | None,
    strawberry.argument(description="Only segments of this site; all sites when absent."),
]
LegalEntityId = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="For customers: the legal entity whose B2B memberships count (one of "
        "theirs); else the token's, else all of theirs. Ignored for segment_read callers."
    ),
]
TreeSegmentIds = Annotated[
    list[strawberry.ID] | None,
    strawberry.argument(
        description=f"Only these segments (at most {_LIMITS.max_match_segments}); ids the caller "
        "may not see, or of inactive segments, are ignored. All the caller's active segments "
        "when absent."
    ),
]


def _check_count(name: str, values: Sequence[str] | None, limit: int) -> None:
    if values is not None and len(values) > limit:
        raise bad_input(f"`{name}` takes at most {limit} ids; {len(values)} were given.")


def _ids(values: Sequence[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(sorted({str(v) for v in values}))


def _tree_source(
    context: Context,
    site_code: str | None,
    legal_entity_id: str | None,
    segment_ids: Sequence[str] | None,
) -> SegmentSource:
    """The caller's active segments the tree draws on; read or read_own needed."""
    access = tree_access(context, None if legal_entity_id is None else str(legal_entity_id))
    _check_count("segmentIds", segment_ids, context.settings.limits.max_match_segments)
    return SegmentSource(access, site_code, _ids(segment_ids))


async def _kept(
    context: Context, source: SegmentSource
) -> tuple[CatalogIndex | None, list[tuple[int, bool]]]:
    """The tree's nodes as index positions in pre-order: one statement for assignments."""
    if source.segment_ids == ():
        return None, []
    assigned = await context.loader(AssignedCategoryIdsBySourceLoader).load(source)
    if not assigned:
        return None, []
    index = await context.loader(CatalogIndexByTenantLoader).load(context.tenant)
    return index, kept_positions(index, assigned, context.now)


async def _matched_through_categories(
    context: Context, source: SegmentSource, product_ids: list[str]
) -> set[str]:
    """Products in a category the tree keeps as assigned (the category or one above it)."""
    links = await context.loader(CategoryIdsByProductIdLoader).load_many(product_ids)
    if not any(links):
        return set()
    assigned = await context.loader(AssignedCategoryIdsBySourceLoader).load(source)
    if not assigned:
        return set()
    index = await context.loader(CatalogIndexByTenantLoader).load(context.tenant)
    now = context.now
    return {
        p
        for p, ids in zip(product_ids, links, strict=True)
        if any(covered_by_assigned(index, assigned, c, now) for c in ids)
    }


async def _matched(context: Context, source: SegmentSource, product_ids: list[str]) -> set[str]:
    keys = [ProductInSource(source, p) for p in product_ids]
    direct = await context.loader(DirectAssignmentByProductInSourceLoader).load_many(keys)
    matched = {p for p, hit in zip(product_ids, direct, strict=True) if hit}
    rest = [p for p in product_ids if p not in matched]
    if rest:
        matched |= await _matched_through_categories(context, source, rest)
    return matched


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
        legal_entity_id: LegalEntityId = None,
        segment_ids: TreeSegmentIds = None,
    ) -> list[CategoryTreeNode]:
        source = _tree_source(info.context, site_code, legal_entity_id, segment_ids)
        index, kept = await _kept(info.context, source)
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
        legal_entity_id: LegalEntityId = None,
        segment_ids: TreeSegmentIds = None,
    ) -> list[CategoryTreeNode]:
        source = _tree_source(info.context, site_code, legal_entity_id, segment_ids)
        index, kept = await _kept(info.context, source)
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
        source = SegmentSource(match_access(context), site_code, _ids(segment_ids))
        _check_count("segmentIds", segment_ids, context.settings.limits.max_match_segments)
        _check_count("itemIds", item_ids, context.settings.limits.max_match_items)
        wanted = list(dict.fromkeys(str(i) for i in item_ids))
        if not wanted or not source.segment_ids:
            return []
        matched = await _matched(context, source, wanted)
        return [strawberry.ID(i) for i in wanted if i in matched]
