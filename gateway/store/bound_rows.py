"""Many rows or values bound as a fixed set of parameters: the statement's text is the same
for any count.

A multi-row VALUES list is a new statement for every row count: SQLAlchemy compiles it again
(about 0.1 ms a row) and asyncpg prepares it again; an `IN (...)` list is rendered again,
value by value. Bound here instead, PostgreSQL reads them from one array per column
(`unnest`, `= ANY`), SQLite from one JSON array (`json_each`); the statement compiles once
and stays cached.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeEngine


def _wire(column: sa.Column[Any]) -> TypeEngine[Any]:
    """What a column's values travel as inside a PostgreSQL array (JSON as text, cast back)."""
    generic = getattr(column.type, "impl", column.type)  # a TypeDecorator's underlying type
    for kind, wire in _WIRE:
        if isinstance(generic, kind):
            return wire
    raise TypeError(f"no array type for column {column.name} ({column.type!r})")


_WIRE: tuple[tuple[type[TypeEngine[Any]], TypeEngine[Any]], ...] = (
    (sa.JSON, sa.Text()),
    (sa.String, sa.Text()),
    (sa.DateTime, sa.DateTime()),
    (sa.Integer, sa.BigInteger()),
)


def _is_json(column: sa.Column[Any]) -> bool:
    return isinstance(column.type, sa.JSON)


class BoundRows:
    """Rows for the given columns, selectable from the parameters `bind` returns."""

    def __init__(self, name: str, columns: Sequence[sa.Column[Any]]) -> None:
        self.name = name
        self.columns = tuple(columns)

    def _param(self, index: int) -> str:
        return f"{self.name}_{index}"

    def values(self, dialect: str) -> list[ColumnElement[Any]]:
        """One expression per column (typed as the column), over the rows' FROM clause."""
        if dialect == "postgresql":
            return self._unnest()
        return self._json_each()

    def _unnest(self) -> list[ColumnElement[Any]]:
        arrays = [
            sa.bindparam(self._param(n), type_=ARRAY(_wire(c))) for n, c in enumerate(self.columns)
        ]
        names = [c.name for c in self.columns]
        rows = sa.func.unnest(*arrays).table_valued(*names).render_derived(name=self.name)
        return [
            sa.cast(rows.c[c.name], c.type)
            if _is_json(c)
            else sa.type_coerce(rows.c[c.name], c.type)
            for c in self.columns
        ]

    def _json_each(self) -> list[ColumnElement[Any]]:
        rows = sa.func.json_each(sa.bindparam(self.name, type_=sa.Text())).table_valued("value")
        rows = rows.alias(self.name)
        return [
            sa.type_coerce(sa.func.json_extract(rows.c.value, f"$[{n}]"), c.type)
            for n, c in enumerate(self.columns)
        ]

    def bind(self, dialect: Dialect, rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
        """The parameters carrying `rows` (each one value per column, in column order)."""
        columns = zip(*rows, strict=True) if rows else [() for _ in self.columns]
        processed = [
            _processed(c, values, dialect) for c, values in zip(self.columns, columns, strict=True)
        ]
        if dialect.name == "postgresql":
            return {self._param(n): values for n, values in enumerate(processed)}
        # SQLite stores what the column's own processing gives (JSON as its text, datetimes
        # as strings), carried as JSON strings so json_extract hands them back unchanged.
        return {self.name: orjson.dumps(list(zip(*processed, strict=True))).decode()}


def _processor(column: sa.Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _processed(column: sa.Column[Any], values: Sequence[Any], dialect: Dialect) -> list[Any]:
    """The values as the column's type binds them. Bulks repeat values (the same timestamp,
    empty mixins), so one that is the value before, or empty like it, reuses its result."""
    processor = _processor(column, dialect)
    if processor is None:
        return list(values)
    found: list[Any] = []
    last, result = object(), None
    for value in values:
        # Equal is not enough: {"a": 1} == {"a": True}, yet their JSON differs.
        if not (value is last or (not value and not last and type(value) is type(last))):
            last, result = value, processor(value)
        found.append(result)
    return found


def one_of(column: sa.Column[Any], name: str, dialect: str) -> ColumnElement[bool]:
    """`column IN` the values of parameter `name` (see `values_for`), bound as one value."""
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(name, type_=ARRAY(_wire(column))))
    found = sa.func.json_each(sa.bindparam(name, type_=sa.Text())).table_valued("value")
    return column.in_(sa.select(found.c.value))


def values_for(column: sa.Column[Any], values: Collection[Any], dialect: Dialect) -> Any:
    """The value of a `one_of` parameter over `column`."""
    bound = _processed(column, list(values), dialect)
    return bound if dialect.name == "postgresql" else orjson.dumps(bound).decode()
