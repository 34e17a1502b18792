"""`sort` compiled to ordered keys, and ORDER BY with nulls as the smallest value."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from gateway.errors import GatewayError
from gateway.query_language.compile import DEFAULT_LIMITS, check_path_parts, check_text
from gateway.query_language.fields import Field, FieldSet, Kind
from gateway.query_language.json_sql import JsonPath, coalesce, first_translation, localized_text
from gateway.query_language.problems import at
from gateway.settings import Limits
from gateway.store.columns import code_point

_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_TEXT_KINDS = (Kind.STRING, Kind.ENUM)


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
    limits: Limits = DEFAULT_LIMITS,
) -> list[SortKey]:
    """The keys `sort` names, then the `default` natural keys (ascending) as tie-breakers."""
    builder = _Keys(fields, locales, dialect, limits.max_path_parts)
    if sort:
        # The same length budget as `q`: the contract gives both 2,000 characters.
        check_text(sort, "sort", limits.max_q_length)
        # Each key multiplies the work of ordering and of every keyset comparison.
        keys = sort.count(",") + 1
        if keys > limits.max_sort_keys:
            message = f"names {keys} keys; at most {limits.max_sort_keys} are allowed"
            raise at("sort", message, 0)
        builder.parse(sort)
    for path in default:
        builder.add(path, descending=False, position=None)
    return builder.keys


def order_by(keys: Sequence[SortKey]) -> list[Any]:
    """ORDER BY clauses: ASC NULLS FIRST, DESC NULLS LAST (explicit only where nullable)."""
    clauses = []
    for key in keys:
        clause = key.expr.desc() if key.descending else key.expr.asc()
        if nullable(key.expr):
            clause = clause.nulls_last() if key.descending else clause.nulls_first()
        clauses.append(clause)
    return clauses


def nullable(expr: ColumnElement[Any]) -> bool:
    """False only for a NOT NULL column (maybe compared by code point)."""
    inner = expr.expr if isinstance(expr, code_point) else expr
    column = getattr(inner, "expression", inner)
    return not (isinstance(column, sa.Column) and not column.nullable)


class _Keys:
    def __init__(
        self, fields: FieldSet, locales: Sequence[str], dialect: str, max_path_parts: int
    ) -> None:
        self.fields = fields
        self.locales = tuple(locales)
        self.dialect = dialect
        self.max_path_parts = max_path_parts
        self.keys: list[SortKey] = []
        self.paths: set[str] = set()

    def parse(self, sort: str) -> None:
        offset = 0
        for entry in sort.split(","):
            self.entry(entry, offset)
            offset += len(entry) + 1

    def entry(self, entry: str, offset: int) -> None:
        position = offset + len(entry) - len(entry.lstrip())
        path, colon, direction = entry.strip().partition(":")
        if not _PATH.fullmatch(path):
            raise at("sort", f"expected a field name, found {path!r}", position)
        check_path_parts(path, "sort", self.max_path_parts, position)
        if path in self.paths:
            raise at("sort", f"{path!r} appears twice", position)
        word = direction.strip().upper() if colon else "ASC"
        if word not in ("ASC", "DESC"):
            where = position + len(path) + 1
            raise at("sort", f"direction must be ASC or DESC, not {direction.strip()!r}", where)
        self.add(path, descending=word == "DESC", position=position)

    def add(self, path: str, *, descending: bool, position: int | None) -> None:
        if path in self.paths:
            return
        resolved = self.fields.resolve(path)
        if resolved is None:
            raise self._error(f"unknown field {path!r}", position)
        name, field, rest = resolved
        for key_name, expr in self._exprs(path, field, rest, position):
            self.keys.append(SortKey(key_name, expr, descending))
        self.paths.add(path)

    def _error(self, message: str, position: int | None) -> GatewayError:
        if position is None:  # a default key the caller named: a bug, not bad input
            raise ValueError(message)
        return at("sort", message, position)

    def _exprs(
        self, path: str, field: Field, rest: tuple[str, ...], position: int | None
    ) -> list[tuple[str, ColumnElement[Any]]]:
        if field.kind is Kind.JSON:
            if not rest:
                raise self._error(f"{path!r} needs a path, e.g. '{path}.<name>'", position)
            number, text = JsonPath(field.expr, rest, self.dialect).sort_keys()
            return [(f"{path}#number", number), (f"{path}#text", text)]
        if field.kind is Kind.LOCALIZED:
            if len(rest) > 1:
                raise self._error(f"unknown field {path!r}", position)
            return [self._localized(path, field, rest)]
        if field.kind in _TEXT_KINDS:
            return [(path, code_point(field.expr))]
        return [(path, field.expr)]

    def _localized(
        self, path: str, field: Field, rest: tuple[str, ...]
    ) -> tuple[str, ColumnElement[Any]]:
        if rest:
            return path, code_point(localized_text(field.expr, rest[0], self.dialect))
        # The resolved locale: the request's languages in order, then any translation.
        texts = [localized_text(field.expr, lang, self.dialect) for lang in self.locales]
        texts.append(first_translation(field.expr, self.dialect))
        return f"{path}[{','.join(self.locales)}]", code_point(coalesce(texts))
