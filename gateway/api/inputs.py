"""Input objects built straight from the values graphql-core has already coerced.

Strawberry converts every field of every input value through its generic machinery, about
13 µs a field: 2.6 ms for a bulk of 200 bare entries, 8 ms when they carry mixins and
metadata. By then graphql-core has coerced and checked each field; a scalar's (JSON and enums
included) coerced value is what Strawberry would hand over anyway, so only the names are
left to map. Other fields (lists, nested inputs, GlobalID) still go through Strawberry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING
from typing import Any, TypeVar

import strawberry
from strawberry.relay.types import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.arguments import InputContext
from strawberry.types.base import (
    StrawberryMaybe,
    StrawberryObjectDefinition,
    StrawberryOptional,
    StrawberryType,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition

T = TypeVar("T")
# Per field: GraphQL name, Python name, its type when it needs converting, and whether the
# class has no default for it (Strawberry passes None then, as for an omitted nullable field).
_Plan = list[tuple[str, str, StrawberryType | type | None, bool]]


def direct_input(cls: type[T]) -> type[T]:
    """Lets Strawberry build this `strawberry.input` class without per-field conversion."""
    definition: StrawberryObjectDefinition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    plans: list[_Plan] = []  # made on first use, when the schema's name converter is known

    def build(target: type, value: Mapping[str, Any], context: InputContext) -> Any:
        if not plans:
            plans.append(_plan(definition, context))
        kwargs: dict[str, Any] = {}
        for graphql_name, python_name, type_, required in plans[0]:
            if graphql_name in value:
                item = value[graphql_name]
                if type_ is not None and item is not None:
                    item = context.convert(item, type_, graphql_name)
                kwargs[python_name] = item
            elif required:
                kwargs[python_name] = None
        return target(**kwargs)

    definition.from_input = build
    return cls


def _plan(definition: StrawberryObjectDefinition, context: InputContext) -> _Plan:
    plan: _Plan = []
    for field in definition.fields:
        type_ = field.resolve_type(type_definition=definition)
        required = field.default_value is MISSING and field.default_factory is MISSING
        name = context.config.name_converter.from_field(field)
        plan.append(
            (name, field.python_name, None if _is_leaf(type_, context) else type_, required)
        )
    return plan


def _is_leaf(type_: StrawberryType | type, context: InputContext) -> bool:
    if isinstance(type_, StrawberryMaybe):  # Strawberry wraps those in Some
        return False
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    if type_ is GlobalID:  # Strawberry parses those from their string
        return False
    return (
        is_scalar(type_, context.scalar_registry)
        or isinstance(type_, StrawberryEnumDefinition)
        or has_enum_definition(type_)
    )


def given(value: T | None) -> T | None:
    """An optional argument or input field: None when left out (UNSET) or null."""
    return None if value is strawberry.UNSET else value
