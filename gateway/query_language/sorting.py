"""`sort` compiled to ordered keys, and ORDER BY clauses with nulls as the smallest value."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.sql.elements import ColumnElement

from gateway.query_language.fields import FieldSet


@dataclass(frozen=True)
class SortKey:
    name: str
    expr: ColumnElement[Any]
    descending: bool


def compile_sort(
    sort: str | None,
    fields: FieldSet,
    *,
    default: Sequence[str],
    locales: Sequence[str],
    dialect: str,
) -> list[SortKey]:
    """The sort keys of `sort`, followed by the `default` natural keys as tie-breakers."""
    names = [part.split(":")[0].strip() for part in (sort or "").split(",") if part.strip()]
    keys: list[SortKey] = []
    for name in [*names, *default]:
        if name not in {key.name for key in keys}:
            keys.append(SortKey(name, fields.fields[name].expr, False))
    return keys


def order_by(keys: Sequence[SortKey]) -> list[Any]:
    """ORDER BY clauses: ASC NULLS FIRST, DESC NULLS LAST."""
    return [key.expr.desc().nulls_last() if key.descending else key.expr.asc().nulls_first()
            for key in keys]
