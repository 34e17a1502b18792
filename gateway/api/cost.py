"""The static cost of an operation: the most objects it can return, in one walk that also
checks every field's arguments.

A list field multiplies its selection by its bound (the page size, a list argument's length,
the tenant's languages); a category tree counts every category of the tenant once, whatever
depth it is selected to.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)
from graphql.execution.values import get_argument_values

from gateway.api.argument_checks import check_arguments
from gateway.api.rules import (
    DEFAULT_PAGE_SIZE,
    ArgumentLength,
    Bound,
    FieldRule,
    Fixed,
    Languages,
    PageItems,
    Tree,
    TreeLevel,
    rule_of,
)
from gateway.context import Context
from gateway.errors import bad_input
from gateway.settings import Limits

_SKIPPED = frozenset({"__typename", "__schema", "__type"})


@dataclass
class _Cost:
    """fixed + categories x per_category: linear in the one count known only to the database."""

    fixed: int = 0
    per_category: int = 0

    def add(self, other: _Cost, times: int = 1) -> None:
        self.fixed += other.fixed * times
        self.per_category += other.per_category * times


class CostWalk:
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
            check_arguments(field_def, rule, args, self.context)
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
