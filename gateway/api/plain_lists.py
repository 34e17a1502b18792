"""What every fast path for lists shares: planning a selection once, and the executor hook.

graphql-core completes every field of every entry of a list on its own (resolve info,
resolver call, leaf completion). Where a list's entries are plain data, a domain may plan
the selection once and apply the plan per entry instead: it registers a handler for the
list field in the schema's extensions under PLAIN_LISTS, and PlainListExecutor hands the
field's list to it. A handler returns None (or raises Unplanned while planning or applying)
when the selection needs graphql-core's general path: directives, deferral, merged
duplicates, anything it does not know. The plans read data only, so a plan given up half
way has done nothing, and graphql-core then completes the whole list itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    NamedTypeNode,
    SelectionSetNode,
    is_abstract_type,
)
from graphql.execution import Executor

from gateway.auth.policy import POLICY, Decision

# Schema extension: {(parent type name, field name): Handler}.
PLAIN_LISTS = "gateway.plain_lists"

Handler = Callable[[Executor[Any], FieldNode, list[Any], Any], Any]


class Unplanned(Exception):
    """The selection (or an entry) needs graphql-core's general path."""


def response_key(field: FieldNode) -> str:
    return field.alias.value if field.alias else field.name.value


def is_parent_decided(type_name: str, field_name: str) -> bool:
    """Whether a field resolves wherever its parent does (auth/policy.py): a fast path may read
    it itself. Any other decision is a guard that only graphql-core's path runs."""
    return POLICY.get(f"{type_name}.{field_name}") is Decision.PARENT


def _applies(executor: Executor[Any], condition: NamedTypeNode | None, type_name: str) -> bool:
    """Whether a fragment's type condition holds for an object of `type_name`."""
    if condition is None or condition.name.value == type_name:
        return True
    named = executor.schema.get_type(condition.name.value)
    own = executor.schema.get_type(type_name)
    if not is_abstract_type(named) or not isinstance(own, GraphQLObjectType):
        return False
    assert isinstance(named, GraphQLAbstractType)
    return executor.schema.is_sub_type(named, own)


def selected_fields(
    executor: Executor[Any], selections: SelectionSetNode | None, type_name: str
) -> list[FieldNode]:
    """The fields a selection asks of an object of `type_name`, fragments flattened in order;
    Unplanned for any directive (@include, @skip, @defer) or fragment variables."""
    if selections is None:
        raise Unplanned
    found: list[FieldNode] = []
    for selection in selections.selections:
        if selection.directives:
            raise Unplanned
        if isinstance(selection, FieldNode):
            found.append(selection)
            continue
        condition: NamedTypeNode | None
        if isinstance(selection, FragmentSpreadNode):
            fragment = executor.fragment_definitions.get(selection.name.value)
            if fragment is None or fragment.directives or fragment.variable_definitions:
                raise Unplanned
            condition, inner = fragment.type_condition, fragment.selection_set
        elif isinstance(selection, InlineFragmentNode):
            condition, inner = selection.type_condition, selection.selection_set
        else:
            raise Unplanned
        if _applies(executor, condition, type_name):
            found += selected_fields(executor, inner, type_name)
    return found


Step = Callable[..., Any]
Plan = list[tuple[str, Step]]


def keyed_plan(
    executor: Executor[Any],
    selections: SelectionSetNode | None,
    type_name: str,
    step_of: Callable[[FieldNode], Step],
) -> Plan:
    """(response key, step) per selected field; Unplanned when two fields share a key, which
    graphql-core would merge by its own rules."""
    plan: Plan = []
    for field in selected_fields(executor, selections, type_name):
        key = response_key(field)
        if any(key == seen for seen, _ in plan):
            raise Unplanned
        plan.append((key, step_of(field)))
    return plan


def leaf_fields(executor: Executor[Any], field: FieldNode, type_name: str) -> list[tuple[str, str]]:
    """(response key, field name) of a selection of leaves without arguments."""
    found = []
    for leaf in selected_fields(executor, field.selection_set, type_name):
        if leaf.arguments or leaf.selection_set:
            raise Unplanned
        found.append((response_key(leaf), leaf.name.value))
    if len({key for key, _ in found}) != len(found):
        raise Unplanned
    return found


def _single_node(field_details_list: Sequence[Any]) -> FieldNode | None:
    """The list field's one node, when nothing about it needs graphql-core's path."""
    if len(field_details_list) != 1:
        return None
    details = field_details_list[0]
    if details.defer_usage or details.fragment_variable_values or details.node.directives:
        return None
    node: FieldNode = details.node
    return node


class PlainListExecutor(Executor[Any]):
    """graphql-core's executor, handing the lists registered under PLAIN_LISTS to their
    handlers when it can; the schema's extensions name the handlers, so this knows no domain."""

    def complete_value(
        self,
        return_type: Any,
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        # The field's own type ([T!]!), not the list inside it nor its entries, which
        # graphql-core completes next (with the same info) when the handler declines.
        if (
            isinstance(result, list)
            and isinstance(return_type, GraphQLNonNull)
            and isinstance(return_type.of_type, GraphQLList)
        ):
            handlers = self.schema.extensions.get(PLAIN_LISTS) or {}
            handler = handlers.get((info.parent_type.name, info.field_name))
            node = None if handler is None else _single_node(field_details_list)
            if handler is not None and node is not None:
                try:
                    done = handler(self, node, result, info)
                except Unplanned:
                    done = None
                if done is not None:
                    return done
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )
