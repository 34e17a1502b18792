"""A fast path for the lists of tree nodes: the selection planned once, then applied per node.

graphql-core completes every field of every node on its own (resolve info, resolver call,
leaf completion): at 10,000 nodes that is nine tenths of a tree request. The nodes are
plain dicts (tree_types) whose fields cannot fail, so when a selection holds only their
fields, with no directives, deferral or merged duplicates, the executor hands the list
here instead (api/plain_lists). Anything else takes graphql-core's own path, so answers
never differ.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from graphql import FieldNode, GraphQLObjectType, GraphQLScalarType
from graphql.execution import Executor
from graphql.execution.values import get_argument_values

from gateway.api.plain_lists import Unplanned, keyed_plan, leaf_fields
from gateway.catalog.tree_types import Node, is_plain
from gateway.localization import resolve

# The list fields this plans: {(parent type, field): handler} for api/plain_lists.
ROOTS = frozenset({"categoryTrees", "categoryTreeNodes"})
_PLAIN = frozenset({"id", "parentId", "code", "position", "published", "isSegmentAssigned"})
_LOCALIZED = {"name", "description", "slug"}
_ALL_LOCALES = {"nameAllLocales": "nameMap", "descriptionAllLocales": "descriptionMap"}
_ALL_LOCALES["slugAllLocales"] = "slugMap"

Step = Callable[[Node, Sequence[str]], Any]
Plan = list[tuple[str, Step]]


def plain_list(executor: Executor[Any], field: FieldNode, nodes: list[Node], info: Any) -> Any:
    """The completed list (the handler of ROOTS under api/plain_lists.PLAIN_LISTS); Unplanned
    when graphql-core must complete it itself."""
    node_type = executor.schema.type_map["CategoryTreeNode"]
    assert isinstance(node_type, GraphQLObjectType)
    arguments: list[Any] = []
    plan = _plan(executor, node_type, field.selection_set, arguments)
    locales = info.context.locales
    memo = _memo_key(field.selection_set, arguments, locales)
    if memo is None:
        return [{key: step(node, locales) for key, step in plan} for node in nodes]
    return [_output(node, plan, locales, memo) for node in nodes]


# Outputs kept per node: a few selections and locale orders each, not every one ever asked.
MAX_OUTPUTS_PER_NODE = 4


def _memo_key(selections: Any, arguments: list[Any], locales: Sequence[str]) -> Any:
    """What a planned node's output depends on besides the node: the selection (where it
    stands in which document text), the argument values the plan took and the locale order.
    Text, not the AST: equal ASTs of two parses compare node by node, text in one step."""
    loc = getattr(selections, "loc", None)
    if loc is None:
        return None
    return (loc.source.body, loc.start, loc.end, tuple(arguments), tuple(locales))


def _output(node: Node, plan: Plan, locales: Sequence[str], memo: Any) -> Any:
    outputs = getattr(node, "outputs", None)
    if outputs is None:  # built for this request only: nothing to keep it in
        return {key: step(node, locales) for key, step in plan}
    done = outputs.get(memo)
    if done is None:
        done = {key: step(node, locales) for key, step in plan}
        if len(outputs) < MAX_OUTPUTS_PER_NODE:
            outputs[memo] = done
    return done


def _plan(
    executor: Executor[Any], node_type: GraphQLObjectType, selections: Any, arguments: list[Any]
) -> Plan:
    """The steps of a selection; `arguments` collects every argument value they use."""
    return keyed_plan(
        executor,
        selections,
        node_type.name,
        lambda field: _step(executor, node_type, field, arguments),
    )


def _step(
    executor: Executor[Any], node_type: GraphQLObjectType, field: FieldNode, arguments: list[Any]
) -> Step:
    name = field.name.value
    if name == "__typename":
        return lambda _node, _locales: node_type.name
    field_def = node_type.fields.get(name)
    if field_def is None or not is_plain(field_def.resolve):
        raise Unplanned  # unknown, or wrapped (a policy guard): graphql-core decides
    if name in _PLAIN or name in ("depth", "ecn"):
        if field.arguments or field.selection_set:
            raise Unplanned
        return lambda node, _locales: node[name]
    if name in _LOCALIZED:
        locale = get_argument_values(field_def, field, executor.variable_values).get("locale")
        arguments.append(locale)
        key = f"{name}Map"
        return lambda node, locales: resolve(node[key], locales, locale)
    if name == "subcategories":
        inner = _plan(executor, node_type, field.selection_set, arguments)
        return lambda node, locales: [
            {k: step(child, locales) for k, step in inner} for child in node["subcategories"]
        ]
    if name in _ALL_LOCALES:
        return _all_locales(executor, field, _ALL_LOCALES[name])
    if name == "validity":
        return _validity(executor, field)
    raise Unplanned


def _all_locales(executor: Executor[Any], field: FieldNode, key: str) -> Step:
    leaves = leaf_fields(executor, field, "LocalizedString")
    if any(name not in ("locale", "value", "__typename") for _, name in leaves):
        raise Unplanned

    def pick(name: str, locale: str, value: str) -> str:
        return "LocalizedString" if name == "__typename" else locale if name == "locale" else value

    return lambda node, _locales: [
        {k: pick(name, locale, value) for k, name in leaves}
        for locale, value in sorted(node[key].items())
    ]


def _validity(executor: Executor[Any], field: FieldNode) -> Step:
    leaves = leaf_fields(executor, field, "Validity")
    if any(name not in ("from", "to", "__typename") for _, name in leaves):
        raise Unplanned
    scalar = executor.schema.type_map["DateTime"]
    assert isinstance(scalar, GraphQLScalarType)
    serialize = scalar.serialize

    def value(validity: Any, name: str) -> Any:
        if name == "__typename":
            return "Validity"
        instant = validity.from_ if name == "from" else validity.to
        return None if instant is None else serialize(instant)

    return lambda node, _locales: (
        None
        if node["validity"] is None
        else {k: value(node["validity"], name) for k, name in leaves}
    )


PLAIN_LISTS = {("Query", root): plain_list for root in ROOTS}
