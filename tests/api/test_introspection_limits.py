"""Introspection's own bounds: not the depth and alias limits, but one __schema and the tokens."""

from __future__ import annotations

import pytest
from graphql import get_introspection_query

from gateway.api.execution import prepare
from gateway.settings import Limits, Settings
from tests.api.limits_schema import SCHEMA, execute, refused
from tests.api.test_limits import aliased, nested


def type_ref(depth: int) -> str:
    """`__type(name: "Query") { fields { type { ofType { ... } } } }`: `depth` fields deep."""
    middle = depth - 3
    return (
        '__type(name: "Query") { fields { type '
        + "{ ofType " * middle
        + "{ name }"
        + (" }" * middle)
        + " } }"
    )


# --- depth -------------------------------------------------------------------------------


async def test_an_introspection_selection_deeper_than_the_depth_limit_runs() -> None:
    # when
    body = await execute("{ " + type_ref(20) + " }")
    # then
    assert "errors" not in body
    assert body["data"]["__type"]["fields"][0]["type"]["ofType"] is not None


async def test_data_fields_next_to_introspection_keep_the_depth_limit() -> None:
    # when
    message = await refused(nested(13)[:-1] + type_ref(20) + " }")
    # then
    assert "nested deeper than 12" in message


async def test_data_fields_at_the_depth_limit_next_to_introspection_run() -> None:
    # when
    body = await execute(nested(12)[:-1] + type_ref(20) + " }")
    # then
    assert "errors" not in body


# --- aliases -----------------------------------------------------------------------------


async def test_aliases_inside_introspection_do_not_count() -> None:
    # when
    body = await execute("{ __schema { " + aliased(31, "description") + " } }")
    # then
    assert "errors" not in body
    assert len(body["data"]["__schema"]) == 31


async def test_aliased_type_lookups_do_not_count() -> None:
    # when
    body = await execute("{ " + aliased(31, '__type(name: "Node") { name }') + " }")
    # then
    assert body["data"]["a30"] == {"name": "Node"}


async def test_data_aliases_next_to_introspection_keep_the_alias_limit() -> None:
    # when
    message = await refused(
        "{ " + aliased(31) + " __schema { " + aliased(5, "description") + " } }"
    )
    # then
    assert "more than 30 aliases" in message


# --- at most one __schema ----------------------------------------------------------------


async def test_one_schema_selection_runs() -> None:
    # when
    body = await execute("{ __schema { queryType { name } } __typename }")
    # then
    assert body["data"] == {"__schema": {"queryType": {"name": "Query"}}, "__typename": "Query"}


async def test_two_schema_selections_are_refused() -> None:
    # when
    message = await refused("{ a: __schema { description } b: __schema { description } }")
    # then
    assert "'__schema' at most once" in message


async def test_a_fragment_with_schema_spread_twice_is_refused() -> None:
    # given
    query = "{ ...S ... on Query { ...S } } fragment S on Query { __schema { description } }"
    # when
    message = await refused(query)
    # then
    assert "'__schema' at most once" in message


async def test_schema_in_an_inline_fragment_counts_too() -> None:
    # when
    message = await refused(
        "{ __schema { description } ... on Query { __schema { description } } }"
    )
    # then
    assert "'__schema' at most once" in message


def test_schema_selected_once_in_each_of_two_operations_is_fine() -> None:
    # given
    query = "query A { __schema { description } } query B { __schema { description } }"
    # when
    prepared = prepare(SCHEMA, Settings(), query, operation_name="B")
    # then
    assert prepared.operation.name is not None and prepared.operation.name.value == "B"


# --- tokens ------------------------------------------------------------------------------


async def test_the_token_limit_still_applies_to_introspection() -> None:
    # given the standard schema query (about 180 tokens) and a limit below that
    query = get_introspection_query(descriptions=True)
    settings = Settings(limits=Limits(max_tokens=100))
    # when
    message = await refused(query, settings)
    # then
    assert "more than 100 tokens" in message


# --- graphql-core's own bound on introspection lists -------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
        '{ __type(name: "Node") { fields { type { interfaces { possibleTypes { name } } } } } }',
    ],
)
async def test_lists_nested_inside_introspection_past_three_are_refused(query: str) -> None:
    # Without the depth limit, these would multiply the schema's lists into a huge answer.
    # when
    message = await refused(query)
    # then
    assert "Maximum introspection depth exceeded" in message
