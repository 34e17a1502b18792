"""Per-request loaders of the assignments domain, and the read access they are keyed by."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar, cast

from gateway.assignments import repository
from gateway.assignments.filters import Plan
from gateway.assignments.repository import AssignmentFilter, Paging
from gateway.context import Loader
from gateway.errors import GatewayError
from gateway.query_language import PageResult, one_batch_per_cursor

A = TypeVar("A")


@dataclass(frozen=True)
class SegmentItems:
    """What one Segment.items call asks; equal for every segment of a list, so they batch."""

    where: AssignmentFilter
    q: str | None
    sort: str | None
    paging: Paging
    plan: Plan = field(compare=False)  # compiled from q and sort, which are compared


SegmentItemsKey = tuple[str, SegmentItems]


class ItemPageBySegmentLoader(Loader[SegmentItemsKey, PageResult]):
    """A page of a segment's assignments; all segments asking the same share one statement."""

    async def batch_load_fn(self, keys: Sequence[SegmentItemsKey]) -> list[PageResult]:
        found: dict[SegmentItemsKey, PageResult | GatewayError] = {}
        async with self.context.read_session() as session:
            for ask, ids in _group(keys).items():
                for batch in one_batch_per_cursor(ids, ask.paging.after):
                    try:
                        pages = await repository.assignment_pages(
                            session,
                            ask.where,
                            batch,
                            ask.plan.conditions,
                            ask.plan.keys,
                            ask.paging,
                        )
                    except GatewayError as refused:  # a cursor of another segment
                        found.update(((segment_id, ask), refused) for segment_id in batch)
                        continue
                    found.update(((segment_id, ask), page) for segment_id, page in pages.items())
        # aiodataloader fails the key whose value is an exception, and only that key.
        return cast(list[PageResult], [found.get(key) or _empty(key[1].paging) for key in keys])


@dataclass(frozen=True)
class SegmentCount:
    """What one Segment.items totalCount counts."""

    where: AssignmentFilter
    q: str | None
    plan: Plan = field(compare=False)


SegmentCountKey = tuple[str, SegmentCount]


class ItemCountBySegmentLoader(Loader[SegmentCountKey, int]):
    """How many assignments match per segment: one GROUP BY for all segments asking."""

    async def batch_load_fn(self, keys: Sequence[SegmentCountKey]) -> list[int]:
        found: dict[SegmentCountKey, int] = {}
        async with self.context.read_session() as session:
            for ask, ids in _group(keys).items():
                counts = await repository.count_by_segment(
                    session, ask.where, ids, ask.plan.conditions
                )
                found.update(((segment_id, ask), n) for segment_id, n in counts.items())
        return [found.get(key, 0) for key in keys]


def _group(keys: Sequence[tuple[str, A]]) -> dict[A, list[str]]:
    grouped: dict[A, list[str]] = {}
    for segment_id, ask in keys:
        grouped.setdefault(ask, []).append(segment_id)
    return grouped


def _empty(paging: Paging) -> PageResult:
    return PageResult.empty(paging.page_number, paging.page_size, paging.after)
