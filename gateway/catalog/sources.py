"""The segments a category tree or a match draws on, from a root field's arguments."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.catalog.repository import SegmentSource
from gateway.context import Context
from gateway.errors import bad_input
from gateway.segments.visibility import match_access, tree_access


def check_count(name: str, values: Sequence[str] | None, limit: int) -> None:
    if values is not None and len(values) > limit:
        raise bad_input(f"`{name}` takes at most {limit} ids; {len(values)} were given.")


def id_set(values: Sequence[str] | None) -> tuple[str, ...] | None:
    """Listed ids without duplicates, sorted so equal lists make equal loader keys."""
    return None if values is None else tuple(sorted({str(v) for v in values}))


def tree_source(
    context: Context,
    site_code: str | None,
    legal_entity_id: str | None,
    segment_ids: Sequence[str] | None,
) -> SegmentSource:
    """The caller's active segments the tree draws on; read or read_own needed."""
    access = tree_access(context, None if legal_entity_id is None else str(legal_entity_id))
    check_count("segmentIds", segment_ids, context.settings.limits.max_match_segments)
    return SegmentSource(access, site_code, id_set(segment_ids))


def match_source(
    context: Context, site_code: str, segment_ids: Sequence[str], item_ids: Sequence[str]
) -> SegmentSource:
    """The segments matchItems draws on, after its two list arguments' limits."""
    source = SegmentSource(match_access(context), site_code, id_set(segment_ids))
    check_count("segmentIds", segment_ids, context.settings.limits.max_match_segments)
    check_count("itemIds", item_ids, context.settings.limits.max_match_items)
    return source
