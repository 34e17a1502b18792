"""A field's arguments checked against the request's limits before anything runs."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
)

from gateway.api.rules import DEFAULT_PAGE_SIZE, FieldRule
from gateway.context import Context
from gateway.errors import bad_input
from gateway.query_language import FieldSet, check_paging, compile_q, compile_sort
from gateway.store.json_values import json_problem


def check_arguments(
    field_def: GraphQLField, rule: FieldRule | None, args: dict[str, Any], context: Context
) -> None:
    """Raises GatewayError (BAD_USER_INPUT) for the first argument of the field over a limit."""
    limits = context.settings.limits
    for name, argument in field_def.args.items():
        if name in args:
            _check_json(argument.type, args[name], name, limits.max_mixins_depth)
    if "pageSize" in field_def.args:
        check_paging(
            _int(args.get("pageSize"), DEFAULT_PAGE_SIZE),
            _int(args.get("pageNumber"), 1),
            max_page_size=limits.max_page_size,
            after=args.get("after"),
        )
    if rule is None:
        return
    for name, limit_name in rule.max_lengths.items():
        _check_length(name, args.get(name), getattr(limits, limit_name))
    if rule.query_fields is not None:
        _check_query(rule.query_fields, args, context)
    if rule.check is not None:
        rule.check(args)


def _check_query(fields: FieldSet, args: dict[str, Any], context: Context) -> None:
    limits = context.settings.limits
    dialect = str(context.sessions.kw["bind"].dialect.name)
    compile_q(args.get("q"), fields, dialect=dialect, limits=limits)
    sort = args.get("sort")
    compile_sort(sort, fields, default=(), locales=context.locales, dialect=dialect, limits=limits)


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) else default


def _check_length(name: str, values: Any, limit: int) -> None:
    if values is not None and len(values) > limit:
        raise bad_input(
            f"`{name}` has {len(values)} entries; at most {limit} are allowed.", argument=name
        )


def _check_json(type_: GraphQLInputType, value: Any, path: str, max_depth: int) -> None:
    """Every JSON scalar inside an argument (input objects and lists entered) is storable."""
    pending: list[tuple[Any, Any, str]] = [(type_, value, path)]
    while pending:
        kind, item, where = pending.pop()
        if isinstance(kind, GraphQLNonNull):
            pending.append((kind.of_type, item, where))
        elif isinstance(kind, GraphQLList) and isinstance(item, list):
            pending.extend((kind.of_type, v, f"{where}[{i}]") for i, v in enumerate(item))
        elif isinstance(kind, GraphQLInputObjectType) and isinstance(item, dict):
            for name, child in item.items():
                if name in kind.fields:
                    pending.append((kind.fields[name].type, child, f"{where}.{name}"))
        elif isinstance(kind, GraphQLScalarType) and kind.name == "JSON":
            problem = json_problem(item, name=where, max_depth=max_depth)
            if problem:
                raise bad_input(f"{problem}.", argument=path)
