"""One list read: `q`, `sort` and paging compiled under the request's limits, page by page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from gateway.errors import GatewayError
from gateway.query_language.compile import DEFAULT_LIMITS, compile_q
from gateway.query_language.cursors import fingerprint
from gateway.query_language.fields import FieldSet
from gateway.query_language.paging import (
    PageResult,
    check_paging,
    fetch_page,
    fetch_pages,
    one_batch_per_cursor,
)
from gateway.query_language.sorting import SortKey, compile_sort
from gateway.settings import Limits

P = TypeVar("P", bound=Hashable)


@dataclass(frozen=True)
class Compiled:
    """A compiled `q` and `sort`: the extra WHERE conditions and the ordered sort keys."""

    conditions: tuple[ColumnElement[bool], ...]
    keys: tuple[SortKey, ...]


@dataclass(frozen=True)
class ListQuery:
    """`q`, `sort` and paging of one list read; hashable, so it can be part of a loader key."""

    q: str | None = None
    sort: str | None = None
    page_size: int = 1
    page_number: int = 1
    after: str | None = None
    # The request's limits, which `q` and `sort` are compiled under.
    limits: Limits = DEFAULT_LIMITS

    @classmethod
    def checked(
        cls,
        *,
        q: str | None,
        sort: str | None,
        page_size: int,
        page_number: int,
        after: str | None,
        limits: Limits,
    ) -> ListQuery:
        """Paging checked up front: BAD_USER_INPUT before any statement runs."""
        check_paging(page_size, page_number, max_page_size=limits.max_page_size, after=after)
        # pageNumber is ignored after a cursor: one value keeps loader keys (and batches) equal.
        number = 1 if after is not None else page_number
        return cls(q, sort, page_size, number, after, limits)

    def counting(self) -> ListQuery:
        """What a totalCount depends on (`q` and the limits), so every page's count batches."""
        return ListQuery(q=self.q, limits=self.limits)

    def conditions(self, fields: FieldSet, *, dialect: str) -> list[ColumnElement[bool]]:
        """`q` as WHERE conditions; BAD_USER_INPUT naming the position when it is bad."""
        return compile_q(self.q, fields, dialect=dialect, limits=self.limits)

    def compile(
        self, fields: FieldSet, *, default: Sequence[str], locales: Sequence[str], dialect: str
    ) -> Compiled:
        """`q` then `sort` (the `default` natural keys as tie-breakers) over `fields`."""
        conditions = self.conditions(fields, dialect=dialect)
        keys = compile_sort(
            self.sort,
            fields,
            default=default,
            locales=locales,
            dialect=dialect,
            limits=self.limits,
        )
        return Compiled(tuple(conditions), tuple(keys))

    def binding(self, name: str, tenant: str, compiled: Compiled, *filters: Any) -> str:
        """What the cursors are bound to: the list field, tenant, `q`, sort keys and filters.

        The key names carry the languages an unqualified localized key sorts by."""
        return fingerprint(name, tenant, self.q, [key.name for key in compiled.keys], *filters)

    def empty(self) -> PageResult:
        """The page of a parent that has no entries on it."""
        return PageResult.empty(self.page_number, self.page_size, self.after)

    async def page(
        self, session: AsyncSession, stmt: Select[Any], compiled: Compiled, bound_to: str
    ) -> PageResult:
        """One page of `stmt` (narrowed by `q` already) in the compiled order."""
        return await fetch_page(
            session,
            stmt,
            keys=compiled.keys,
            page_size=self.page_size,
            page_number=self.page_number,
            after=self.after,
            fingerprint=bound_to,
        )

    async def pages(
        self,
        session: AsyncSession,
        stmt: Select[Any],
        compiled: Compiled,
        bound_to: str,
        *,
        partition: ColumnElement[Any],
        parents: Sequence[Any],
    ) -> dict[Any, PageResult]:
        """The same page of each parent's partition of `stmt`, in one statement."""
        return await fetch_pages(
            session,
            stmt,
            partition=partition,
            parents=parents,
            keys=compiled.keys,
            page_size=self.page_size,
            page_number=self.page_number,
            after=self.after,
            fingerprint=bound_to,
        )

    async def pages_by_parent(
        self, parents: Sequence[P], fetch: Callable[[list[P]], Awaitable[dict[P, PageResult]]]
    ) -> dict[P, PageResult | GatewayError]:
        """Each parent's page, as `fetch` reads them (see `pages`): one call for all, or one
        per parent after a cursor. A refusal (a cursor of another parent, a bad `q`) is the
        value of each parent it concerns, for the loader to fail those keys alone."""
        found: dict[P, PageResult | GatewayError] = {}
        for batch in one_batch_per_cursor(parents, self.after):
            try:
                found.update(await fetch(batch))
            except GatewayError as refused:
                found.update((parent, refused) for parent in batch)
        return found


__all__ = ["Compiled", "ListQuery"]
