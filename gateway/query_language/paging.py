"""Offset and keyset pages, for one list or for many partitions in one statement."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Select
from sqlalchemy.engine import Result
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from gateway.errors import bad_input
from gateway.query_language import cursors
from gateway.query_language.cursors import fingerprint
from gateway.query_language.keyset import after as keyset_after
from gateway.query_language.sorting import SortKey, order_by

KEY_LABEL = "_ql_key_{}"
PARTITION_LABEL = "_ql_partition"
RANK_LABEL = "_ql_rank"


def check_paging(
    page_size: int, page_number: int, *, max_page_size: int, after: str | None = None
) -> None:
    """BAD_USER_INPUT unless 1 <= pageSize <= max and pageNumber >= 1 (ignored with `after`)."""
    if not 1 <= page_size <= max_page_size:
        raise bad_input(
            f"pageSize must be between 1 and {max_page_size}, not {page_size}",
            argument="pageSize",
        )
    if after is None and page_number < 1:
        raise bad_input(f"pageNumber starts at 1, not {page_number}", argument="pageNumber")


@dataclass(frozen=True)
class PageResult:
    rows: list[Any]
    has_next: bool
    end_cursor: str | None
    page_number: int  # 0 for keyset pages
    page_size: int

    @classmethod
    def empty(cls, page_number: int, page_size: int, after: str | None = None) -> PageResult:
        return cls([], False, None, 0 if after else page_number, page_size)


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
    """One page of `stmt` in `keys` order: page `page_number`, or the page after a cursor."""
    bound_to = cursors.binding(fingerprint, keys)
    query = _with_keys(stmt, keys).order_by(None).order_by(*order_by(keys))
    if after is not None:
        query = query.where(keyset_after(keys, cursors.decode(after, bound_to, keys)))
    else:
        query = query.offset((page_number - 1) * page_size)
    result = await session.execute(query.limit(page_size + 1))
    rows, key_values = _split(result, len(keys))
    return _page(rows, key_values, page_size, 0 if after else page_number, bound_to)


async def fetch_pages(
    session: Any,
    stmt: Select[Any],
    *,
    partition: ColumnElement[Any],
    parents: Sequence[Any],
    keys: Sequence[SortKey],
    page_size: int,
    page_number: int,
    after: str | None,
    fingerprint: str,
) -> dict[Any, PageResult]:
    """The same page of every partition of `stmt` among `parents`, in one statement.

    Each partition's cursors are bound to it, so a cursor continues one partition only:
    with `after`, every parent must be the cursor's own. Partitions without rows on that
    page are absent: use PageResult.empty for them.
    """
    if not parents:
        return {}
    bound = {parent: cursors.binding(fingerprint, keys, parent) for parent in parents}
    rank = sa.func.row_number().over(partition_by=partition, order_by=order_by(keys))
    inner = _with_keys(stmt.where(partition.in_(bound)), keys).add_columns(
        partition.label(PARTITION_LABEL), rank.label(RANK_LABEL)
    )
    skip = 0
    if after is not None:
        values = [cursors.decode(after, bound_to, keys) for bound_to in bound.values()][-1]
        inner = inner.where(keyset_after(keys, values))
    else:
        skip = (page_number - 1) * page_size
    result = await session.execute(_ranked(stmt, inner, skip, page_size + 1, len(keys)))
    number = 0 if after else page_number
    return {
        key: _page(rows, values, page_size, number, bound[key])
        for key, (rows, values) in _by_partition(*_split(result, len(keys) + 2)).items()
    }


def one_batch_per_cursor(parents: Sequence[Any], after: str | None) -> list[list[Any]]:
    """How to split a batch of parents for fetch_pages: all at once, or one by one after a
    cursor (it belongs to one of them; the others must refuse it, each on its own)."""
    return [list(parents)] if after is None else [[parent] for parent in parents]


def _by_partition(
    rows: list[Any], tails: list[Sequence[Any]]
) -> dict[Any, tuple[list[Any], list[Sequence[Any]]]]:
    """Rows grouped by partition, each with its key values (tails end partition, rank)."""
    groups: dict[Any, tuple[list[Any], list[Sequence[Any]]]] = {}
    for row, tail in zip(rows, tails, strict=True):
        group = groups.setdefault(tail[-2], ([], []))
        group[0].append(row)
        group[1].append(tail[:-2])
    return groups


def _with_keys(stmt: Select[Any], keys: Sequence[SortKey]) -> Select[Any]:
    # The caller's columns come first and keep their names; key values follow for cursors.
    return stmt.add_columns(*(key.expr.label(KEY_LABEL.format(i)) for i, key in enumerate(keys)))


def _ranked(
    stmt: Select[Any], inner: Select[Any], skip: int, limit: int, key_count: int
) -> Select[Any]:
    """The caller's entities and columns read back from the ranked subquery, page by page."""
    sub = inner.subquery()
    outer: list[Any] = []
    for described, selected in zip(stmt.column_descriptions, _originals(stmt), strict=True):
        entity = described.get("entity")
        if entity is not None and described["expr"] is entity:
            outer.append(aliased(entity, sub, name=described["name"]))
        else:
            outer.append(_read_back(sub, selected, described["name"]))
    rank = sub.c[RANK_LABEL]
    labels = [KEY_LABEL.format(i) for i in range(key_count)] + [PARTITION_LABEL, RANK_LABEL]
    return (
        sa.select(*outer, *(sub.c[label] for label in labels))
        .where(rank > skip, rank <= skip + limit)
        .order_by(sub.c[PARTITION_LABEL], rank)
    )


def _read_back(sub: sa.Subquery, selected: Any, name: str | None) -> Any:
    column = sub.corresponding_column(getattr(selected, "expression", selected))
    if column is None:
        raise ValueError(f"fetch_pages cannot read back the column {name!r}")
    # Two columns of one lineage (item_id and item_id AS id) may resolve to either proxy.
    return column.label(name) if name and column.name != name else column


def _originals(stmt: Select[Any]) -> list[Any]:
    return [described["expr"] for described in stmt.column_descriptions]


@lru_cache(maxsize=256)
def _row_type(fields: tuple[str, ...]) -> Any:
    """A named tuple type for the caller's columns, with a Row's `_mapping` too; None when
    a name cannot be a field."""
    try:
        base = namedtuple("PageRow", list(fields))  # type: ignore[misc]  # fields known at run time
    except ValueError:
        return None

    def mapping(row: Any) -> dict[str, Any]:
        return dict(zip(fields, row, strict=True))

    return type("PageRow", (base,), {"__slots__": (), "_mapping": property(mapping)})


def _split(result: Result[Any], tail: int) -> tuple[list[Any], list[Sequence[Any]]]:
    """The caller's rows (without the extra columns) and the extra values of each.

    The rows are named tuples, read by attribute (or _mapping) like SQLAlchemy's: one pass
    over the result, and attribute reads a tenth of a Row's (a page of 50 assignments reads
    a thousand). Column names a named tuple cannot take keep SQLAlchemy's rows.
    """
    keys = tuple(result.keys())
    width = len(keys) - tail
    row_type = _row_type(keys[:width])
    if row_type is None:
        frozen = result.freeze()
        full = frozen().all()
        rows: list[Any] = list(frozen().columns(*range(width)).all()) if full else []
        return rows, [tuple(row[width:]) for row in full]
    make = row_type._make
    found = [tuple(row) for row in result.all()]
    return [make(row[:width]) for row in found], [row[width:] for row in found]


def _page(
    rows: list[Any],
    key_values: list[Sequence[Any]],
    page_size: int,
    page_number: int,
    bound_to: str,
) -> PageResult:
    shown = rows[:page_size]
    cursor = cursors.encode(bound_to, key_values[len(shown) - 1]) if shown else None
    return PageResult(shown, len(rows) > page_size, cursor, page_number, page_size)


__all__ = [
    "PageResult",
    "check_paging",
    "fetch_page",
    "fetch_pages",
    "fingerprint",
    "one_batch_per_cursor",
]
