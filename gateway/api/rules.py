"""A field's preflight rule (argument limits, list bound), attached to its schema field.

The rules themselves, one per field, are each domain's RULES (in its schema.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLField, GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema

from gateway.context import Context
from gateway.query_language import FieldSet

RULE_KEY = "gateway.api.preflight"
DEFAULT_PAGE_SIZE = 60


@dataclass(frozen=True)
class PageItems:
    """The `items` of a page: as many as the page field's `pageSize`."""


@dataclass(frozen=True)
class Languages:
    """One object per language of the tenant (the `...AllLocales` lists)."""


@dataclass(frozen=True)
class ArgumentLength:
    """As many as the parent field's list arguments `names` have entries (bulk results)."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class Fixed:
    count: int


@dataclass(frozen=True)
class Tree:
    """A category tree's root field: every category of the tenant at most, counted once."""

    categories: Callable[[Context], Awaitable[int]]


@dataclass(frozen=True)
class TreeLevel:
    """`subcategories`: its nodes are already counted by the tree's root field."""


Bound = PageItems | Languages | ArgumentLength | Fixed | Tree | TreeLevel


@dataclass(frozen=True)
class FieldRule:
    """What a field's arguments are checked against before execution, and its list bound."""

    query_fields: FieldSet | None = None  # `q` and `sort` compile against these
    max_lengths: Mapping[str, str] = field(default_factory=dict)  # list arg -> Limits attribute
    bound: Bound | None = None
    check: Callable[[dict[str, Any]], None] | None = None  # any other argument rule


def install(schema: GraphQLSchema, rules: Mapping[str, FieldRule]) -> None:
    """Attaches each rule to its field ("Type.field"); a rule for a missing field is a bug."""
    for key, rule in rules.items():
        type_name, _, field_name = key.partition(".")
        parent = schema.get_type(type_name)
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) or (
            field_name not in parent.fields
        ):
            raise ValueError(f"preflight rule for {key}, which the schema does not have")
        parent.fields[field_name].extensions[RULE_KEY] = rule


def rule_of(field_def: GraphQLField) -> FieldRule | None:
    rule = field_def.extensions.get(RULE_KEY)
    return rule if isinstance(rule, FieldRule) else None
