"""The page type of every list: Page[Segment] is exposed as SegmentPage, and so on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

T = TypeVar("T")


@strawberry.type(description="One page of a list, with what is needed to fetch the next.")
class Page(Generic[T]):
    items: list[T] = strawberry.field(description="The entries of this page.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(
        description="How many entries match across all pages; counted only when selected."
    )
    async def total_count(self) -> int:
        return await self.count()

    page_number: int = strawberry.field(
        description="The page number, from 1; 0 when the page was fetched with `after`."
    )
    page_size: int = strawberry.field(description="The requested page size.")
    has_next_page: bool = strawberry.field(description="Whether another page follows.")
    end_cursor: str | None = strawberry.field(
        description="Opaque cursor of the last entry (null for an empty page); pass it as `after`."
    )
