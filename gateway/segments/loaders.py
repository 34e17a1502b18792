"""Per-request loaders of the segments domain, keyed by the read access they apply."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any, cast

from gateway.context import Loader
from gateway.errors import GatewayError
from gateway.query_language import ListQuery, PageResult
from gateway.segments import repository
from gateway.segments.models import CustomerAssignmentRow, SegmentRow
from gateway.segments.repository import CustomerKey
from gateway.segments.visibility import CustomerAccess, SegmentAccess


def _grouped(keys: Sequence[tuple[Any, ...]]) -> dict[tuple[Any, ...], list[Any]]:
    """First key part (an id) grouped by the rest, so each group is one statement."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for first, *rest in keys:
        groups.setdefault(tuple(rest), []).append(first)
    return groups


SegmentKey = tuple[str, SegmentAccess]


class SegmentByIdLoader(Loader[SegmentKey, SegmentRow | None]):
    """A segment row by (id, access); None when absent or not visible under that access."""

    async def batch_load_fn(self, keys: Sequence[SegmentKey]) -> list[SegmentRow | None]:
        found: dict[SegmentKey, SegmentRow] = {}
        async with self.context.read_session() as session:
            for (access,), ids in _grouped(keys).items():
                rows = await repository.segments_by_id(session, access=access, ids=ids)
                found.update(((row.id, access), row) for row in rows)
        return [found.get(key) for key in keys]


CustomerPageKey = tuple[str, CustomerAccess, ListQuery]


class CustomerPageBySegmentIdLoader(Loader[CustomerPageKey, PageResult]):
    """A page of a segment's customer assignments; one statement for every segment asked."""

    async def batch_load_fn(self, keys: Sequence[CustomerPageKey]) -> list[PageResult]:
        found: dict[CustomerPageKey, PageResult | GatewayError] = {}
        async with self.context.read_session() as session:
            for (where, query), ids in _grouped(keys).items():
                read = partial(repository.customer_pages, session, where, query=query)
                pages = await query.pages_by_parent(ids, read)
                found.update(((i, where, query), page) for i, page in pages.items())
        # aiodataloader fails the key whose value is an exception, and only that key.
        return cast(list[PageResult], [found.get(key) or key[2].empty() for key in keys])


# The ListQuery of a count is ListQuery.counting(): equal for every page of one `q`.
CustomerCountKey = tuple[str, CustomerAccess, ListQuery]


class CustomerCountBySegmentIdLoader(Loader[CustomerCountKey, int]):
    """How many customer assignments `q` selects in a segment; one GROUP BY for all."""

    async def batch_load_fn(self, keys: Sequence[CustomerCountKey]) -> list[int]:
        found: dict[CustomerCountKey, int] = {}
        async with self.context.read_session() as session:
            for (where, query), ids in _grouped(keys).items():
                counts = await repository.count_customers(
                    session, where=where, segment_ids=ids, query=query
                )
                found.update(((i, where, query), n) for i, n in counts.items())
        return [found.get(key, 0) for key in keys]


CustomerAssignmentKey = tuple[CustomerKey, SegmentAccess]


class CustomerAssignmentByKeyLoader(Loader[CustomerAssignmentKey, CustomerAssignmentRow | None]):
    """An assignment by (segment, customer, legal entity); None when absent or invisible."""

    async def batch_load_fn(
        self, keys: Sequence[CustomerAssignmentKey]
    ) -> list[CustomerAssignmentRow | None]:
        found: dict[CustomerAssignmentKey, CustomerAssignmentRow] = {}
        async with self.context.read_session() as session:
            for (access,), natural in _grouped(keys).items():
                rows = await repository.customer_assignments_by_key(
                    session, access=access, keys=natural
                )
                found.update(
                    (((r.segment_id, r.customer_id, r.legal_entity_id), access), r) for r in rows
                )
        return [found.get(key) for key in keys]
