"""Validation rules that refuse costly or revealing operations before anything executes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from graphql.language.visitor import SKIP, VisitorAction

from gateway.errors import ErrorCode
from gateway.settings import Limits, Settings

# Their selections are bounded by the schema's own types, not by the data: the depth and
# alias limits skip them (the standard schema queries nest deeper than any data query may),
# and OneSchemaRule with the token limit bounds them instead.
_INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})


def validation_rules(settings: Settings) -> tuple[type[ValidationRule], ...]:
    """The gateway's rules, to run alongside graphql-core's specified rules."""
    rules = _limit_rules(settings.limits.max_depth, settings.limits.max_aliases)
    if settings.introspection:
        return (*rules, OneSchemaRule)
    return (*rules, NoIntrospectionRule)


def _is_introspection(selection: FieldNode) -> bool:
    return selection.name.value in _INTROSPECTION_FIELDS


def _is_alias(selection: FieldNode) -> bool:
    return selection.alias is not None and not _is_introspection(selection)


def _is_schema(selection: FieldNode) -> bool:
    return selection.name.value == "__schema"


@lru_cache(maxsize=8)
def _limit_rules(max_depth: int, max_aliases: int) -> tuple[type[ValidationRule], ...]:
    depth = type("MaxDepthRule", (MaxDepthRule,), {"limit": max_depth})
    aliases = type("MaxAliasesRule", (MaxAliasesRule,), {"limit": max_aliases})
    return (depth, aliases)


class MaxDepthRule(ValidationRule):
    """Fields on an operation's longest path, root and leaf included, fragments followed."""

    limit = Limits().max_depth

    def enter_operation_definition(
        self, node: OperationDefinitionNode, *_args: Any
    ) -> VisitorAction:
        if _deeper_than(self.context, node.selection_set, self.limit):
            self.report_error(
                _refusal(
                    f"The operation is nested deeper than {self.limit} fields "
                    "(counting the root field and the leaf).",
                    node,
                )
            )
        return SKIP


def _deeper_than(context: ValidationContext, root: SelectionSetNode, limit: int) -> bool:
    # A work list, not recursion: fragment chains cannot exhaust the stack. A fragment is
    # entered once per depth it is spread at, so cycles (reported by NoFragmentCyclesRule)
    # end, and the work is bounded by fragments x limit whatever the spreads multiply to.
    pending: list[tuple[SelectionSetNode, int]] = [(root, 0)]
    entered: set[tuple[str, int]] = set()
    while pending:
        selection_set, depth = pending.pop()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if _is_introspection(selection):
                    continue
                if depth + 1 > limit:
                    return True
                if selection.selection_set:
                    pending.append((selection.selection_set, depth + 1))
            elif isinstance(selection, InlineFragmentNode):
                pending.append((selection.selection_set, depth))
            elif isinstance(selection, FragmentSpreadNode):
                key = (selection.name.value, depth)
                fragment = context.get_fragment(key[0])
                if fragment is not None and key not in entered:
                    entered.add(key)
                    pending.append((fragment.selection_set, depth))
    return False


class MaxAliasesRule(ValidationRule):
    """Aliases an operation would resolve, with each fragment counted once per spread."""

    limit = Limits().max_aliases

    def enter_operation_definition(
        self, node: OperationDefinitionNode, *_args: Any
    ) -> VisitorAction:
        counter = _SpreadCounter(self.context, _is_alias, cap=self.limit + 1)
        if counter.count(node.selection_set) > self.limit:
            self.report_error(
                _refusal(
                    f"The operation uses more than {self.limit} aliases "
                    "(fragments count once per spread).",
                    node,
                )
            )
        return SKIP


class OneSchemaRule(ValidationRule):
    """At most one __schema per operation, fragments counted once per spread."""

    def enter_operation_definition(
        self, node: OperationDefinitionNode, *_args: Any
    ) -> VisitorAction:
        if _SpreadCounter(self.context, _is_schema, cap=2).count(node.selection_set) > 1:
            self.report_error(_refusal("An operation may select '__schema' at most once.", node))
        return SKIP


class _SpreadCounter:
    """Counts the fields `counts` picks after expanding spreads; totals are capped so they
    stay small. The selections of __schema and __type are not entered."""

    def __init__(
        self, context: ValidationContext, counts: Callable[[FieldNode], bool], cap: int
    ) -> None:
        self._context = context
        self._counts = counts
        self._cap = cap
        self._totals: dict[str, int] = {}

    def count(self, root: SelectionSetNode) -> int:
        own, spreads = _scan(root, self._counts)
        self._resolve(spreads)
        return self._sum(own, spreads)

    def _sum(self, own: int, spreads: Counter[str]) -> int:
        total = own + sum(times * self._totals.get(name, 0) for name, times in spreads.items())
        return min(total, self._cap)

    def _resolve(self, roots: Counter[str]) -> None:
        # Post-order over the fragment graph without recursion. A spread of a fragment
        # still being resolved closes a cycle and counts 0; the cycle is reported anyway.
        scans: dict[str, tuple[int, Counter[str]]] = {}
        stack = list(roots)
        while stack:
            name = stack[-1]
            if name in self._totals:
                stack.pop()
            elif name not in scans:
                scans[name] = self._scan_fragment(name)
                stack.extend(n for n in scans[name][1] if n not in scans)
            else:
                stack.pop()
                self._totals[name] = self._sum(*scans[name])

    def _scan_fragment(self, name: str) -> tuple[int, Counter[str]]:
        fragment = self._context.get_fragment(name)
        return _scan(fragment.selection_set, self._counts) if fragment else (0, Counter())


def _scan(root: SelectionSetNode, counts: Callable[[FieldNode], bool]) -> tuple[int, Counter[str]]:
    """Fields counted directly in a selection set (fragments not entered) and its spreads."""
    found, spreads = 0, Counter[str]()
    pending = [root]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                spreads[selection.name.value] += 1
                continue
            if isinstance(selection, FieldNode):
                found += counts(selection)
                if _is_introspection(selection):
                    continue
            if isinstance(selection, FieldNode | InlineFragmentNode) and selection.selection_set:
                pending.append(selection.selection_set)
    return found, spreads


class NoIntrospectionRule(ValidationRule):
    """Refuses __schema and __type; __typename stays allowed."""

    def enter_field(self, node: FieldNode, *_args: Any) -> VisitorAction:
        if node.name.value not in _INTROSPECTION_FIELDS:
            return None
        self.report_error(
            _refusal(f"Introspection is disabled: '{node.name.value}' cannot be queried.", node)
        )
        return SKIP


def _refusal(message: str, node: Any) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": ErrorCode.BAD_USER_INPUT.value})
