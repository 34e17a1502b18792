"""The keyset predicate: rows strictly after a cursor's values in `order_by` order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from gateway.query_language.sorting import SortKey, nullable


def after(keys: Sequence[SortKey], values: Sequence[Any]) -> ColumnElement[bool]:
    """(k1, k2, ...) beyond (v1, v2, ...), nulls being the smallest value of each key."""
    if _row_comparable(keys, values):
        left = sa.tuple_(*(key.expr for key in keys))
        pairs = zip(keys, values, strict=True)
        right = sa.tuple_(*(sa.literal(value, key.expr.type) for key, value in pairs))
        return left < right if keys[0].descending else left > right
    branches = []
    for index, key in enumerate(keys):
        step = _beyond(key, values[index])
        if step is None:
            continue
        equal = [_equal(k, v) for k, v in zip(keys[:index], values[:index], strict=True)]
        branches.append(sa.and_(*equal, step))
    return sa.or_(*branches) if branches else sa.false()


def _row_comparable(keys: Sequence[SortKey], values: Sequence[Any]) -> bool:
    """One direction, no NULL anywhere: a row-value comparison, which indexes serve."""
    same_direction = len({key.descending for key in keys}) == 1
    no_nulls = all(v is not None for v in values) and not any(nullable(k.expr) for k in keys)
    return same_direction and no_nulls


def _equal(key: SortKey, value: Any) -> ColumnElement[bool]:
    if value is None:
        return key.expr.is_(None)
    return key.expr == value  # type: ignore[no-any-return]


def _beyond(key: SortKey, value: Any) -> ColumnElement[bool] | None:
    """Rows after `value` on this key alone; None when there can be none."""
    if not key.descending:
        return key.expr.is_not(None) if value is None else key.expr > value
    if value is None:
        return None  # descending, nulls last: nothing comes after a null
    if nullable(key.expr):
        return sa.or_(key.expr < value, key.expr.is_(None))
    return key.expr < value  # type: ignore[no-any-return]
