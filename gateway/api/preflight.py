"""Before any resolver runs: every argument checked against the limits, and the static cost.

A document whose arguments break a limit anywhere runs nothing, so a mutation document never
half-applies because a later field was over a limit. The cost is the number of objects the
operation can return at most: a list field multiplies its selection by its bound (the page
size, a list argument's length, the tenant's languages); a category tree counts every
category of the tenant once, whatever depth it is selected to.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)
from graphql.execution.values import get_argument_values, get_variable_values

from gateway.context import Context
from gateway.errors import ErrorCode, GatewayError, bad_input
from gateway.query_language import FieldSet, check_paging, compile_q, compile_sort
from gateway.settings import Limits
from gateway.store.json_values import json_problem

RULE_KEY = "gateway.api.preflight"
DEFAULT_PAGE_SIZE = 60
_SKIPPED = frozenset({"__typename", "__schema", "__type"})


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


@dataclass
class _Cost:
    """fixed + categories x per_category: linear in the one count known only to the database."""

    fixed: int = 0
    per_category: int = 0

    def add(self, other: _Cost, times: int = 1) -> None:
        self.fixed += other.fixed * times
        self.per_category += other.per_category * times


class Preflight:
    """One walk over the operation that checks arguments and adds up the cost."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Any,
        context: Context,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.context = context
        self.limits: Limits = context.settings.limits
        self.tree: Tree | None = None
        self._checked: set[int] = set()
        self._memo: dict[tuple[str, int], _Cost] = {}

    async def cost(self, operation: OperationDefinitionNode) -> int:
        """Checks every argument (GatewayError on the first bad one) and returns the cost."""
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        try:
            total = self._selection_cost(root, operation.selection_set, {})
        except RecursionError:
            raise bad_input("The operation is nested too deeply to be checked.") from None
        if total.per_category and self.tree is not None:
            total.fixed += total.per_category * await self.tree.categories(self.context)
        return total.fixed

    def _selection_cost(
        self, parent: Any, selection_set: SelectionSetNode, parent_args: dict[str, Any]
    ) -> _Cost:
        total = _Cost()
        for node, owner in self._fields(parent, selection_set):
            total.add(self._field_cost(owner, node, parent_args))
        return total

    def _fields(
        self, parent: Any, selection_set: SelectionSetNode, visited: set[str] | None = None
    ) -> Iterator[tuple[FieldNode, Any]]:
        """Field nodes with the type that owns them; as in execution, a fragment spread
        again in the same selection adds nothing (so spreads cannot multiply the walk)."""
        visited = set() if visited is None else visited
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                owner = self._condition_type(selection, parent)
                yield from self._fields(owner, selection.selection_set, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in visited:
                    visited.add(name)
                    owner = self._condition_type(fragment, parent)
                    yield from self._fields(owner, fragment.selection_set, visited)

    def _condition_type(
        self, node: InlineFragmentNode | FragmentDefinitionNode, parent: Any
    ) -> Any:
        condition = node.type_condition
        return parent if condition is None else self.schema.get_type(condition.name.value)

    def _field_cost(self, owner: Any, node: FieldNode, parent_args: dict[str, Any]) -> _Cost:
        name = node.name.value
        fields = getattr(owner, "fields", None)
        if name in _SKIPPED or fields is None or name not in fields:
            return _Cost()
        field_def: GraphQLField = fields[name]
        args = self._arguments(field_def, node)
        rule = rule_of(field_def)
        if id(node) not in self._checked:
            self._checked.add(id(node))
            self._check(field_def, rule, args)
        return_type = get_nullable_type(field_def.type)
        if not is_composite_type(get_named_type(return_type)) or node.selection_set is None:
            return _Cost()
        key = (name, id(node))
        inner = self._memo.get(key)
        if inner is None:
            child = get_named_type(return_type)
            inner = self._selection_cost(child, node.selection_set, args)
            inner.fixed += 1  # the object itself
            self._memo[key] = inner
        return self._bounded(inner, rule, is_list_type(return_type), args, parent_args)

    def _bounded(
        self,
        inner: _Cost,
        rule: FieldRule | None,
        is_list: bool,
        args: dict[str, Any],
        parent_args: dict[str, Any],
    ) -> _Cost:
        bound = rule.bound if rule else None
        result = _Cost()
        if isinstance(bound, Tree | TreeLevel):
            # Every level's nodes are the tenant's categories, each counted once: a node
            # costs what the dearest level selects of it (`per_category` of the levels below).
            self.tree = bound if isinstance(bound, Tree) else self.tree
            result.per_category = max(inner.fixed, inner.per_category)
        else:
            result.add(inner, self._times(bound, is_list, parent_args))
        return result

    def _times(self, bound: Bound | None, is_list: bool, parent_args: dict[str, Any]) -> int:
        if not is_list:
            return 1
        if isinstance(bound, PageItems):
            size = parent_args.get("pageSize")
            return size if isinstance(size, int) else DEFAULT_PAGE_SIZE
        if isinstance(bound, Languages):
            return max(len(self.context.languages.languages), 1)
        if isinstance(bound, ArgumentLength):
            return sum(len(parent_args.get(name) or ()) for name in bound.names)
        if isinstance(bound, Fixed):
            return bound.count
        # A list with no declared bound: as long as the longest page (tests/ check none exist).
        return self.limits.max_page_size

    def _arguments(self, field_def: GraphQLField, node: FieldNode) -> dict[str, Any]:
        if not field_def.args:
            return {}
        try:
            return get_argument_values(field_def, node, self.variables)
        except GraphQLError as error:
            raise bad_input(error.message) from None

    def _check(self, field_def: GraphQLField, rule: FieldRule | None, args: dict[str, Any]) -> None:
        for name, argument in field_def.args.items():
            if name in args:
                _check_json(argument.type, args[name], name, self.limits.max_mixins_depth)
        if "pageSize" in field_def.args:
            check_paging(
                _int(args.get("pageSize"), DEFAULT_PAGE_SIZE),
                _int(args.get("pageNumber"), 1),
                max_page_size=self.limits.max_page_size,
                after=args.get("after"),
            )
        if rule is None:
            return
        for name, limit_name in rule.max_lengths.items():
            _check_length(name, args.get(name), getattr(self.limits, limit_name))
        if rule.query_fields is not None:
            self._check_query(rule.query_fields, args)
        if rule.check is not None:
            rule.check(args)

    def _check_query(self, fields: FieldSet, args: dict[str, Any]) -> None:
        limits = self.limits
        dialect = str(self.context.sessions.kw["bind"].dialect.name)
        compile_q(args.get("q"), fields, dialect=dialect, limits=limits)
        sort = args.get("sort")
        compile_sort(
            sort, fields, default=(), locales=self.context.locales, dialect=dialect, limits=limits
        )


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


def cost_exceeded(cost: int, limit: int) -> GatewayError:
    return GatewayError(
        ErrorCode.MAX_COST_EXCEEDED,
        f"The operation could return up to {cost} objects; at most {limit} are allowed. "
        "Ask for smaller pages or fewer nested lists.",
        cost=cost,
        limit=limit,
    )


class VariableErrors(Exception):
    """The variables do not coerce: a request error, as graphql-core would report it."""

    def __init__(self, errors: list[GraphQLError]) -> None:
        super().__init__(errors[0].message)
        self.errors = errors


async def check_operation(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    raw_variables: dict[str, Any] | None,
    context: Context,
    *,
    hide_suggestions: bool = False,
) -> int:
    """The operation's cost after checking every argument; GatewayError for a bad one."""
    variables = get_variable_values(
        schema,
        operation.variable_definitions or (),
        raw_variables or {},
        max_errors=10,
        hide_suggestions=hide_suggestions,
    )
    if isinstance(variables, list):
        raise VariableErrors(variables)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    cost = await Preflight(schema, fragments, variables, context).cost(operation)
    limit = context.settings.limits.max_cost
    if cost > limit:
        raise cost_exceeded(cost, limit)
    return cost
