"""A fast path for lists of Strawberry objects whose selected fields are plain attributes.

A page of 50 item assignments spent a third of its time in graphql-core completing them:
per field a resolve info, Strawberry's attribute resolver and the leaf's completion, per
item the Item interface's type resolution. The entries are dataclasses already built, so
when every selected field is a plain attribute (no resolver of its own), decided PARENT by
auth/policy.py, a localized field read in the request's locales, or __typename, the
selection is planned once per request and read off each entry. Leaves go through the
schema's own serializers, so answers are graphql-core's byte for byte; anything else
(resolvers, guards, unknown types, a value that would be an error) takes its path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graphql import (
    FieldNode,
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
)
from graphql.execution import Executor
from graphql.execution.values import get_argument_values

from gateway.api.plain_lists import Plan, Unplanned, is_parent_decided, keyed_plan
from gateway.api.types import localized_map
from gateway.localization import resolve

# value, locales -> completed value
Complete = Callable[[Any, Sequence[str]], Any]

_DEFINITION = "strawberry-definition"
_GUARD = "__gateway_policy__"


def plain_object_list(
    executor: Executor[Any], field: FieldNode, entries: list[Any], info: Any
) -> Any:
    """The completed list of a field typed [T!]! (a handler for api/plain_lists.PLAIN_LISTS);
    planned once per request and field node, however many parents (Segment.items) ask."""
    plans = _plans(executor)
    key = id(field)
    if key not in plans:
        try:
            named = info.parent_type.fields[info.field_name].type.of_type
            plans[key] = _Planner(executor).complete(named, field)
        except Unplanned:
            plans[key] = None
    complete = plans[key]
    if complete is None:
        return None
    locales = info.context.locales
    try:
        return complete(entries, locales)
    except Exception:  # an entry graphql-core would report on: its own path does
        return None


def _plans(executor: Executor[Any]) -> dict[int, Complete | None]:
    """The request's plans, kept on its executor (one executor per operation)."""
    found: dict[int, Complete | None] | None = executor.__dict__.get("_plain_object_plans")
    if found is None:
        found = executor.__dict__["_plain_object_plans"] = {}
    return found


class _Planner:
    """Turns a field's type and selection into one function completing its value."""

    def __init__(self, executor: Executor[Any]) -> None:
        self.executor = executor

    def complete(self, type_: Any, field: FieldNode) -> Complete:
        if isinstance(type_, GraphQLNonNull):
            inner = self.complete(type_.of_type, field)

            def non_null(value: Any, locales: Sequence[str]) -> Any:
                if value is None:
                    raise Unplanned  # a field error: graphql-core reports it
                return inner(value, locales)

            return non_null
        nullable = self._nullable(type_, field)
        return lambda value, locales: None if value is None else nullable(value, locales)

    def _nullable(self, type_: Any, field: FieldNode) -> Complete:
        if isinstance(type_, GraphQLList):
            inner = self.complete(type_.of_type, field)

            def entries(value: Any, locales: Sequence[str]) -> Any:
                if not isinstance(value, list | tuple):
                    raise Unplanned
                return [inner(entry, locales) for entry in value]

            return entries
        if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
            if field.selection_set:
                raise Unplanned
            return _leaf(type_)
        if isinstance(type_, GraphQLObjectType):
            return self._by_class({_origin(type_): self._object(type_, field)})
        if isinstance(type_, GraphQLAbstractType):
            possible = self.executor.schema.get_possible_types(type_)
            return self._by_class({_origin(t): self._object(t, field) for t in possible})
        raise Unplanned

    def _by_class(self, plans: dict[type, Plan]) -> Complete:
        """An object of one of the classes planned; which one is its GraphQL type, as
        Strawberry's own type resolution decides for these dataclasses."""

        def complete(value: Any, locales: Sequence[str]) -> Any:
            plan = plans.get(type(value))
            if plan is None:
                raise Unplanned
            return {key: step(value, locales) for key, step in plan}

        return complete

    def _object(self, object_type: GraphQLObjectType, field: FieldNode) -> Plan:
        return keyed_plan(
            self.executor,
            field.selection_set,
            object_type.name,
            lambda inner: self._step(object_type, inner),
        )

    def _step(self, object_type: GraphQLObjectType, field: FieldNode) -> Complete:
        name = field.name.value
        if name == "__typename":
            return lambda _value, _locales: object_type.name
        field_def = object_type.fields.get(name)
        if (
            field_def is None
            or not is_parent_decided(object_type.name, name)
            or getattr(field_def.resolve, _GUARD, False)
        ):
            raise Unplanned  # unknown, or guarded: graphql-core decides
        definition = field_def.extensions.get(_DEFINITION)
        if definition is None or definition.extensions or definition.permission_classes:
            raise Unplanned
        translations = localized_map(field_def.resolve)
        if translations is not None:
            if field.selection_set:
                raise Unplanned
            arguments = get_argument_values(field_def, field, self.executor.variable_values)
            locale = arguments.get("locale")
            return lambda value, locales: resolve(getattr(value, translations), locales, locale)
        if definition.base_resolver is not None or field.arguments:
            raise Unplanned  # a resolver of its own
        attribute = definition.python_name
        complete = self.complete(field_def.type, field)
        return lambda value, locales: complete(getattr(value, attribute), locales)


def _origin(object_type: GraphQLObjectType) -> type:
    """The Python class of a Strawberry object type."""
    definition = object_type.extensions.get(_DEFINITION)
    origin = getattr(definition, "origin", None)
    if not isinstance(origin, type):
        raise Unplanned
    return origin


def _leaf(type_: GraphQLScalarType | GraphQLEnumType) -> Complete:
    serialize = type_.serialize

    def leaf(value: Any, _locales: Sequence[str]) -> Any:
        serialized = serialize(value)
        if serialized is Undefined or serialized is None:
            raise Unplanned  # graphql-core's "Expected a value of type" error
        return serialized

    return leaf
