"""Offset and keyset pages, for one list or for many partitions in one statement."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Select
from sqlalchemy.sql.elements import ColumnElement

from gateway.errors import bad_input
from gateway.query_language.sorting import SortKey, order_by


def fingerprint(*parts: Any) -> str:
    """A short digest binding a cursor to tenant, query name, q, sort and filters."""
    data = orjson.dumps(list(parts), default=str, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(data).hexdigest()[:24]


def check_paging(page_size: int, page_number: int, *, max_page_size: int) -> None:
    if not 1 <= page_size <= max_page_size:
        raise bad_input(f"pageSize must be between 1 and {max_page_size}, got {page_size}")
    if page_number < 1:
        raise bad_input(f"pageNumber must be 1 or more, got {page_number}")


@dataclass(frozen=True)
class PageResult:
    rows: list[Any]
    has_next: bool
    end_cursor: str | None
    page_number: int
    page_size: int


async def fetch_page(
    session: Any,
    stmt: Select[Any],
    *,
    keys: Sequence[SortKey],
    page_size: int,
    page_number: int,
    after: str | None,
    fingerprint: str,
) -> PageResult:
    """One page of `stmt` ordered by `keys`: by page number, or after a cursor."""
    offset = (page_number - 1) * page_size
    result = await session.execute(
        stmt.order_by(None).order_by(*order_by(keys)).limit(page_size + 1).offset(offset)
    )
    rows = list(result.all())
    return PageResult(rows[:page_size], len(rows) > page_size, None, page_number, page_size)


async def fetch_pages(
    session: Any,
    stmt: Select[Any],
    *,
    partition: ColumnElement[Any],
    keys: Sequence[SortKey],
    page_size: int,
    page_number: int,
    after: str | None,
    fingerprint: str,
) -> dict[Any, PageResult]:
    """The same page of every partition of `stmt`, in one statement."""
    raise NotImplementedError("fetch_pages is being built")
