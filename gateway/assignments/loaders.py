"""Per-request loaders of the assignments domain: Segment.items pages and their counts."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import cast

from gateway.assignments import repository
from gateway.assignments.repository import AssignmentFilter
from gateway.context import Loader
from gateway.errors import GatewayError
from gateway.query_language import ListQuery, PageResult

# One Segment.items call: equal for every segment of a list, so they batch.
ItemPageKey = tuple[str, AssignmentFilter, ListQuery]


class ItemPageBySegmentLoader(Loader[ItemPageKey, PageResult]):
    """A page of a segment's assignments; all segments asking the same share one statement."""

    async def batch_load_fn(self, keys: Sequence[ItemPageKey]) -> list[PageResult]:
        found: dict[ItemPageKey, PageResult | GatewayError] = {}
        locales = self.context.locales
        async with self.context.read_session() as session:
            for (where, query), ids in _group(keys).items():
                read = partial(
                    repository.assignment_pages, session, where, query=query, locales=locales
                )
                pages = await query.pages_by_parent(ids, read)
                found.update(((i, where, query), page) for i, page in pages.items())
        # aiodataloader fails the key whose value is an exception, and only that key.
        return cast(list[PageResult], [found.get(key) or key[2].empty() for key in keys])


# The ListQuery of a count is ListQuery.counting(): equal for every page of one `q`.
ItemCountKey = tuple[str, AssignmentFilter, ListQuery]


class ItemCountBySegmentLoader(Loader[ItemCountKey, int]):
    """How many assignments match per segment: one GROUP BY for all segments asking."""

    async def batch_load_fn(self, keys: Sequence[ItemCountKey]) -> list[int]:
        found: dict[ItemCountKey, int] = {}
        async with self.context.read_session() as session:
            for (where, query), ids in _group(keys).items():
                counts = await repository.count_by_segment(session, where, ids, query)
                found.update(((i, where, query), n) for i, n in counts.items())
        return [found.get(key, 0) for key in keys]


def _group(
    keys: Sequence[tuple[str, AssignmentFilter, ListQuery]],
) -> dict[tuple[AssignmentFilter, ListQuery], list[str]]:
    """Segment ids grouped by what they ask, so each group is one statement."""
    grouped: dict[tuple[AssignmentFilter, ListQuery], list[str]] = {}
    for segment_id, where, query in keys:
        grouped.setdefault((where, query), []).append(segment_id)
    return grouped
