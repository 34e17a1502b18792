"""`q` compiled to SQL conditions over a FieldSet; every value a bound parameter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from gateway.errors import GatewayError
from gateway.query_language import values
from gateway.query_language.fields import FieldSet, Kind
from gateway.query_language.json_sql import JsonPath, compare, localized_text
from gateway.query_language.parser import Condition, Term, parse_q
from gateway.query_language.problems import at
from gateway.query_language.regex import check_pattern
from gateway.settings import Limits
from gateway.store.columns import code_point

DEFAULT_LIMITS = Limits()

ORDERED = ("<", ">", "<=", ">=")


def compile_q(
    q: str | None,
    fields: FieldSet,
    *,
    dialect: str,
    limits: Limits = DEFAULT_LIMITS,
) -> list[ColumnElement[bool]]:
    """The WHERE conditions (to be ANDed) that `q` stands for; [] when q is empty."""
    if q is None:
        return []
    check_text(q, "q", limits.max_q_length)
    terms = parse_q(q)
    for term in terms:
        check_path_parts(term.path, "q", limits.max_path_parts, term.position)
    return [_Term(term, fields, dialect, limits.max_regex_length).compile() for term in terms]


def check_path_parts(path: str, argument: str, limit: int, position: int) -> None:
    """A path such as mixins.a.b has at most `limit` parts: deeper paths cost every row."""
    parts = path.count(".") + 1
    if parts > limit:
        shown = path if len(path) <= 40 else path[:40] + "..."
        message = f"the path {shown!r} has {parts} parts; at most {limit} are allowed"
        raise at(argument, message, position)


def check_text(text: str, argument: str, max_length: int) -> None:
    """Refuses what no database accepts as text (NUL, lone surrogates) and overlong input."""
    if len(text) > max_length:
        raise at(argument, f"longer than {max_length} characters", max_length)
    for index, char in enumerate(text):
        if char == "\x00" or "\ud800" <= char <= "\udfff":
            raise at(argument, f"character U+{ord(char):04X} is not allowed", index)


class _Term:
    """One `path:value` term against the field its path names."""

    def __init__(self, term: Term, fields: FieldSet, dialect: str, max_regex: int) -> None:
        self.term = term
        self.dialect = dialect
        self.max_regex = max_regex
        resolved = fields.resolve(term.path)
        if resolved is None:
            raise self.error(f"unknown field {term.path!r}")
        self.name, self.field, self.rest = resolved
        self._check_path()

    def error(self, message: str, position: int | None = None) -> GatewayError:
        return at("q", message, self.term.position if position is None else position)

    def _check_path(self) -> None:
        kind = self.field.kind
        if kind is Kind.LOCALIZED and len(self.rest) != 1:
            raise self.error(f"{self.name!r} needs one language, e.g. '{self.name}.en'")
        if kind is Kind.JSON and not self.rest:
            raise self.error(f"{self.name!r} needs a path, e.g. '{self.name}.<name>'")

    def compile(self) -> ColumnElement[bool]:
        match = self.term.match
        if match in ("null", "missing", "exists"):
            return self._presence(match)
        parts = [self._condition(condition) for condition in self.term.conditions]
        return sa.and_(*parts) if match == "all" else sa.or_(*parts)

    def _presence(self, match: str) -> ColumnElement[bool]:
        if self.field.kind is Kind.JSON:
            path = self._json()
            return {"null": path.null, "missing": path.missing, "exists": path.exists}[match]()
        expr = self._scalar_expr()
        absent: ColumnElement[bool] = expr.is_(None)
        if self.field.empty_is_null:
            absent = sa.or_(absent, expr == "")
        return sa.not_(absent) if match == "exists" else absent

    def _condition(self, condition: Condition) -> ColumnElement[bool]:
        if condition.op == "~":
            return self._regex(condition)
        if self.field.kind is Kind.JSON:
            return self._json_condition(condition)
        return _BY_KIND[self.field.kind](self, condition)

    def _scalar_expr(self) -> ColumnElement[Any]:
        if self.field.kind is Kind.LOCALIZED:
            return localized_text(self.field.expr, self.rest[0], self.dialect)
        return self.field.expr

    def _json(self) -> JsonPath:
        return JsonPath(self.field.expr, self.rest, self.dialect)

    def _regex(self, condition: Condition) -> ColumnElement[bool]:
        if self.field.kind not in (Kind.STRING, Kind.ENUM, Kind.LOCALIZED, Kind.JSON):
            raise self.error(
                f"'~' applies to text fields, not {self.term.path!r}", condition.value.position - 1
            )
        value = condition.value
        pattern = check_pattern(value.text, value.position, max_length=self.max_regex)
        if self.field.kind is Kind.JSON:
            return self._json().regex(pattern.text, pattern.re2)
        text = pattern.text if self.dialect == "postgresql" else pattern.re2
        return self._scalar_expr().regexp_match(text)

    def _ordered_only_for(self, condition: Condition, *kinds: Kind) -> None:
        if condition.op in ORDERED and self.field.kind not in kinds:
            raise self.error(
                f"{condition.op!r} does not apply to {self.term.path!r}",
                condition.value.position - len(condition.op),
            )

    def _string(self, condition: Condition) -> ColumnElement[bool]:
        expr = self._scalar_expr()
        if condition.op == "=":
            return expr == condition.value.text
        return compare(code_point(expr), condition.op, condition.value.text)

    def _enum(self, condition: Condition) -> ColumnElement[bool]:
        self._ordered_only_for(condition)
        value = values.enum(condition.value, self.term.path, self.field.enum_values)
        return self.field.expr == value

    def _bool(self, condition: Condition) -> ColumnElement[bool]:
        self._ordered_only_for(condition)
        return self.field.expr == values.boolean(condition.value, self.term.path)

    def _int(self, condition: Condition) -> ColumnElement[bool]:
        number = values.integer(condition.value, self.term.path)
        return compare(self.field.expr, condition.op, sa.literal(number, sa.BigInteger))

    def _datetime(self, condition: Condition) -> ColumnElement[bool]:
        moment = values.instant(condition.value, self.term.path)
        stored, inside = values.millisecond_bounds(moment)
        op = condition.op
        if inside:  # stored values have millisecond precision: compare with the millisecond
            if op == "=":
                return sa.false()
            op = {"<": "<=", ">=": ">"}.get(op, op)
        return compare(self.field.expr, op, sa.literal(stored, self.field.expr.type))

    def _json_condition(self, condition: Condition) -> ColumnElement[bool]:
        path, value, op = self._json(), condition.value, condition.op
        number = values.json_number(value)
        flag = values.json_boolean(value)
        as_text = path.string(op, value.text)
        if number is not None and op != "=":
            return path.number(op, number)
        if number is not None:
            return sa.or_(path.number(op, number), as_text)
        if flag is not None and op == "=":
            return sa.or_(path.boolean(flag), as_text)
        return as_text


_BY_KIND: dict[Kind, Callable[[_Term, Condition], ColumnElement[bool]]] = {
    Kind.STRING: _Term._string,
    Kind.LOCALIZED: _Term._string,
    Kind.ENUM: _Term._enum,
    Kind.BOOL: _Term._bool,
    Kind.INT: _Term._int,
    Kind.DATETIME: _Term._datetime,
}
