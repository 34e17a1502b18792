"""SQL over a path inside a JSON column, the same answers on PostgreSQL and SQLite.

Every test is guarded by the JSON type of the value found, so a comparison with a value of
another type is simply false, never a database error: numbers compare numerically, strings
exactly (and by code point for < and >), booleans as booleans.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from gateway.store.columns import code_point

NUMBER = ("integer", "real")  # SQLite's json_type names for numbers


def compare(left: ColumnElement[Any], op: str, right: Any) -> ColumnElement[bool]:
    return left.operate(_OPERATORS[op], right)


_OPERATORS = {
    "=": sa.sql.operators.eq,
    ">": sa.sql.operators.gt,
    "<": sa.sql.operators.lt,
    ">=": sa.sql.operators.ge,
    "<=": sa.sql.operators.le,
}


@dataclass(frozen=True)
class JsonPath:
    """One path (`mixins.a.b` -> column `mixins`, parts `a`, `b`) on one dialect."""

    column: ColumnElement[Any]
    parts: tuple[str, ...]
    dialect: str

    @property
    def postgres(self) -> bool:
        return self.dialect == "postgresql"

    def _value(self) -> ColumnElement[Any]:
        if self.postgres:
            return sa.func.jsonb_extract_path(self.column, *self.parts, type_=JSONB)
        return sa.func.json_extract(self.column, self._sqlite_path())

    def _sqlite_path(self) -> str:
        # Parts are identifiers ([A-Za-z_][A-Za-z0-9_]*): no quoting needed.
        return "$." + ".".join(self.parts)

    def type_name(self) -> ColumnElement[Any]:
        """'number', 'string', 'boolean', 'null', 'object', 'array'; NULL when absent."""
        if self.postgres:
            return sa.func.jsonb_typeof(self._value())
        raw = sa.func.json_type(self.column, self._sqlite_path())
        return sa.case(
            (raw.in_(NUMBER), "number"),
            (raw == "text", "string"),
            (raw.in_(("true", "false")), "boolean"),
            else_=raw,
        )

    def _is(self, name: str) -> ColumnElement[bool]:
        if self.postgres:
            return sa.func.jsonb_typeof(self._value()) == name
        raw = sa.func.json_type(self.column, self._sqlite_path())
        sqlite = {"number": NUMBER, "string": ("text",), "boolean": ("true", "false")}
        return raw.in_(sqlite.get(name, (name,)))

    def text(self) -> ColumnElement[Any]:
        """The value as text (strings unquoted); NULL when absent or JSON null."""
        if self.postgres:
            return sa.func.jsonb_extract_path_text(self.column, *self.parts)
        return sa.func.json_extract(self.column, self._sqlite_path())

    def missing(self) -> ColumnElement[bool]:
        if self.postgres:
            return self._value().is_(None)
        return sa.func.json_type(self.column, self._sqlite_path()).is_(None)

    def exists(self) -> ColumnElement[bool]:
        return sa.not_(self.missing())

    def null(self) -> ColumnElement[bool]:
        """Absent or JSON null."""
        return sa.or_(self.missing(), self._is("null"))

    def string(self, op: str, value: str) -> ColumnElement[bool]:
        left = self.text() if op == "=" else code_point(self.text())
        return sa.and_(self._is("string"), compare(left, op, value))

    def number(self, op: str, value: Decimal) -> ColumnElement[bool]:
        if self.postgres:
            right = sa.cast(sa.literal(str(value), sa.Text), JSONB)
            return sa.and_(self._is("number"), compare(self._value(), op, right))
        bound: int | float = int(value) if _exact_int(value) else float(value)
        return sa.and_(self._is("number"), compare(self._value(), op, bound))

    def boolean(self, value: bool) -> ColumnElement[bool]:
        if self.postgres:
            return self._value() == sa.cast(sa.literal("true" if value else "false"), JSONB)
        raw = sa.func.json_type(self.column, self._sqlite_path())
        return raw == ("true" if value else "false")

    def regex(self, postgres_pattern: str, re2_pattern: str) -> ColumnElement[bool]:
        pattern = postgres_pattern if self.postgres else re2_pattern
        return sa.and_(self._is("string"), self.text().regexp_match(pattern))

    def sort_keys(self) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
        """Numbers (NULL otherwise), then strings and booleans as text (NULL otherwise)."""
        if self.postgres:
            number = sa.case((self._is("number"), sa.cast(self.text(), sa.Numeric)))
        else:
            number = sa.case((self._is("number"), self._value()))
        textual = sa.case(
            (self._is("string"), self.text()),
            (self._is("boolean"), sa.case((self._truthy(), "true"), else_="false")),
        )
        return number, code_point(textual)

    def _truthy(self) -> ColumnElement[bool]:
        if self.postgres:
            return self._value() == sa.cast(sa.literal("true"), JSONB)
        return sa.func.json_type(self.column, self._sqlite_path()) == "true"


def localized_text(column: ColumnElement[Any], lang: str, dialect: str) -> ColumnElement[Any]:
    """The translation of `lang` in a language -> text map; NULL when there is none."""
    return JsonPath(column, (lang,), dialect).text()


def first_translation(column: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """The translation whose language sorts first by code point (the last fallback)."""
    if dialect == "postgresql":
        each = sa.func.jsonb_each_text(column).table_valued("key", "value")
    else:
        each = sa.func.json_each(column).table_valued("key", "value")
    query = sa.select(each.c.value).order_by(code_point(each.c.key)).limit(1)
    return query.scalar_subquery()


def coalesce(exprs: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
    return exprs[0] if len(exprs) == 1 else sa.func.coalesce(*exprs)


def _exact_int(value: Decimal) -> bool:
    return value == value.to_integral_value() and abs(value) < 2**63
