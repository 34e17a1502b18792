"""The GraphQL face of every list: its paging arguments, its ListQuery, and its page type.

Page[Segment] is exposed as SegmentPage, and so on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Generic, TypeVar

import strawberry

from gateway.api.inputs import given
from gateway.api.rules import DEFAULT_PAGE_SIZE
from gateway.api.types import Info
from gateway.query_language import FieldSet, ListQuery, PageResult
from gateway.settings import Limits

T = TypeVar("T")


Sort = Annotated[
    str | None,
    strawberry.argument(description="`field:ASC,field2:DESC` over the `q` fields."),
]
# Descriptions ship in the schema file, so they name the default limits (gateway/settings.py).
PageSize = Annotated[
    int | None,
    strawberry.argument(
        description=f"Entries per page, 1 to {Limits().max_page_size}; "
        f"{DEFAULT_PAGE_SIZE} by default."
    ),
]
PageNumber = Annotated[
    int | None,
    strawberry.argument(description="The page, from 1; ignored when `after` is given."),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Continue after this `endCursor` (keyset paging)."),
]


def q_description(example: str, fields: FieldSet, *, omit: tuple[str, ...] = ()) -> str:
    """The description of a `q` argument: an example, then the fields it may name."""
    return f"Filter in the query language, e.g. `{example}`. Fields: {fields.described(omit)}."


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


def list_query(
    info: Info,
    q: str | None,
    sort: str | None,
    page_size: int | None,
    page_number: int | None,
    after: str | None,
) -> ListQuery:
    """A list field's arguments (left out or null: the defaults), its paging checked."""
    size, number = given(page_size), given(page_number)
    return ListQuery.checked(
        q=given(q),
        sort=given(sort),
        page_size=DEFAULT_PAGE_SIZE if size is None else size,
        page_number=1 if number is None else number,
        after=given(after),
        limits=info.context.settings.limits,
    )


def page_of(
    result: PageResult, convert: Callable[[Any], T], count: Callable[[], Awaitable[int]]
) -> Page[T]:
    """A Page of GraphQL objects from a PageResult of rows; `count` runs only if selected."""
    return Page(
        items=[convert(row) for row in result.rows],
        count=count,
        page_number=result.page_number,
        page_size=result.page_size,
        has_next_page=result.has_next,
        end_cursor=result.end_cursor,
    )
