"""Operations too deep, too aliased, too long or too revealing are refused before they run."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
from graphql import GraphQLSchema

from gateway.api.execution import RequestError, prepare, run
from gateway.settings import DEVELOPMENT_JWT_SECRET, Limits, Settings, load_settings

RESOLVED: list[str] = []


@strawberry.type(description="A node that nests without end.")
class Node:
    @strawberry.field(description="The next node down.")
    def child(self) -> Node:
        RESOLVED.append("child")
        return Node()

    @strawberry.field(description="A number.")
    def leaf(self) -> int:
        RESOLVED.append("leaf")
        return 1


@strawberry.type(description="Test root.")
class Query:
    @strawberry.field(description="The top node.")
    def node(self) -> Node:
        RESOLVED.append("node")
        return Node()

    @strawberry.field(description="A number.")
    def leaf(self) -> int:
        RESOLVED.append("leaf")
        return 1

    @strawberry.field(description="The sum of some numbers.")
    def total(self, values: list[int]) -> int:
        RESOLVED.append("total")
        return sum(values)


SCHEMA: GraphQLSchema = strawberry.Schema(query=Query)._schema


@pytest.fixture(autouse=True)
def _no_resolver_calls_yet() -> None:
    RESOLVED.clear()


class _NoReads:
    """The test schema reads no database: nothing to give back at the end of a request."""

    async def close(self) -> None:
        return None


async def execute(query: str, settings: Settings | None = None) -> dict[str, Any]:
    """prepare + run, the pipeline HTTP uses, against the test schema."""
    settings = settings or Settings()
    prepared = prepare(SCHEMA, settings, query)
    context = SimpleNamespace(request_id="test", settings=settings, reads=_NoReads())
    return await run(SCHEMA, prepared, context)  # type: ignore[arg-type]


async def refused(query: str, settings: Settings | None = None) -> str:
    """The message of a request refused before any resolver ran."""
    with pytest.raises(RequestError) as caught:
        await execute(query, settings)
    assert caught.value.status == 400
    assert RESOLVED == []
    assert caught.value.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    return "\n".join(e["message"] for e in caught.value.errors)


def nested(depth: int) -> str:
    """`node`, then `child` fields, then `leaf`: exactly `depth` fields on the path."""
    middle = depth - 2
    return "{ node " + "{ child " * middle + "{ leaf }" + " }" * middle + " }"


def aliased(count: int, field: str = "leaf") -> str:
    return " ".join(f"a{i}: {field}" for i in range(count))


# --- depth -------------------------------------------------------------------------------


async def test_depth_12_runs() -> None:
    # when
    body = await execute(nested(12))
    # then
    assert "errors" not in body
    assert RESOLVED.count("child") == 10


async def test_depth_13_is_refused() -> None:
    # when
    message = await refused(nested(13))
    # then
    assert "nested deeper than 12" in message


async def test_depth_counts_through_fragments_and_inline_fragments() -> None:
    # given: node, child, F (child, inline child), G (8 x child, leaf): 13 fields
    query = """
      { node { child { ...F } } }
      fragment F on Node { child { ... on Node { child { ...G } } } }
      fragment G on Node { child { child { child { child { child { child { child { child {
        leaf } } } } } } } } }
    """
    # when
    message = await refused(query)
    # then
    assert "nested deeper than 12" in message


async def test_a_fragment_too_deep_where_it_is_spread_low_is_refused() -> None:
    # given: F (3 fields) is harmless under node but spread again under node + 9 children
    query = """
      { node { ...F child { child { child { child { child { child { child { child { child {
        ...F } } } } } } } } } } }
      fragment F on Node { child { child { leaf } } }
    """
    # when
    message = await refused(query)
    # then
    assert "nested deeper than 12" in message


async def test_depth_is_configurable() -> None:
    # given
    settings = Settings(limits=Limits(max_depth=3))
    # when
    message = await refused(nested(4), settings)
    # then
    assert "nested deeper than 3" in message
    assert "errors" not in await execute(nested(3), settings)


# --- aliases -----------------------------------------------------------------------------


async def test_30_aliases_run() -> None:
    # when
    body = await execute("{ " + aliased(30) + " }")
    # then
    assert len(body["data"]) == 30


async def test_31_aliases_are_refused() -> None:
    # when
    message = await refused("{ " + aliased(31) + " }")
    # then
    assert "more than 30 aliases" in message


async def test_aliases_in_nested_selections_count() -> None:
    # when
    message = await refused("{ " + aliased(20) + " node { " + aliased(11) + " } }")
    # then
    assert "more than 30 aliases" in message


async def test_a_fragment_counts_its_aliases_once_per_spread() -> None:
    # given: 10 aliases, spread 4 times: 40 aliases resolved
    query = "{ ...F ...F ...F ...F } fragment F on Query { " + aliased(10) + " }"
    # when
    message = await refused(query)
    # then
    assert "more than 30 aliases" in message


async def test_a_fragment_spread_three_times_with_10_aliases_runs() -> None:
    # given
    query = "{ ...F ...F ...F } fragment F on Query { " + aliased(10) + " }"
    # when
    body = await execute(query)
    # then
    assert len(body["data"]) == 10


async def test_nested_fragment_spreads_multiply() -> None:
    # given: G spreads F twice and is spread twice itself: 4 x 10 aliases
    query = (
        "{ ...G ...G node { ...N } } fragment G on Query { ...F ...F }"
        " fragment N on Node { ...M } fragment M on Node { leaf }"
        " fragment F on Query { " + aliased(10) + " }"
    )
    # when
    message = await refused(query)
    # then
    assert "more than 30 aliases" in message


async def test_exponential_fragment_amplification_is_refused_quickly() -> None:
    # given: each fragment spreads the next twice, 2^40 aliases if expanded
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    query = "{ ...F0 } " + fragments + " fragment F40 on Query { a: leaf }"
    # when
    message = await refused(query)
    # then
    assert "more than 30 aliases" in message


# --- fragment cycles ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
        "{ ...A } fragment A on Query { a: leaf ...A }",
        "{ node { ...A } } fragment A on Node { child { ...A } }",
        "{ node { ...A } } fragment A on Node { x: leaf ...B }"
        " fragment B on Node { child { ...A } }",
    ],
)
async def test_circular_fragments_are_a_validation_error(query: str) -> None:
    # when
    message = await refused(query)
    # then
    assert "Cannot spread fragment 'A' within itself" in message


async def test_a_long_fragment_chain_does_not_exhaust_the_stack() -> None:
    # given: 1500 fragments, each spreading the next (tokens raised to let it parse)
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(1500))
    query = "{ ...F0 } " + chain + " fragment F1500 on Query { leaf }"
    settings = Settings(limits=Limits(max_tokens=100_000))
    # when
    try:
        body = await execute(query, settings)
    except RequestError as refusal:
        body = {"errors": refusal.errors}
    # then: answered either way, and not as an internal error
    assert body.get("data") == {"leaf": 1} or body["errors"][0]["extensions"]["code"] == (
        "BAD_USER_INPUT"
    )


# --- tokens ------------------------------------------------------------------------------


def tokens(count: int) -> str:
    """`{ total(values: [1, 1, ...]) }` made of exactly `count` tokens."""
    return "{ total(values: [" + " 1" * (count - 9) + " ]) }"


async def test_a_document_of_2000_tokens_runs() -> None:
    # when
    body = await execute(tokens(2000))
    # then
    assert body["data"] == {"total": 1991}


async def test_a_document_of_2001_tokens_is_refused() -> None:
    # when
    message = await refused(tokens(2001))
    # then
    assert "more than 2000 tokens" in message


async def test_comments_do_not_count_as_tokens() -> None:
    # when
    body = await execute("# a comment\n" + tokens(2000) + "\n# another")
    # then
    assert body["data"] == {"total": 1991}


# --- introspection and suggestions -------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "{ __schema { queryType { name } } }",
        '{ __type(name: "Query") { name } }',
        "{ ...F } fragment F on Query { __schema { types { name } } }",
        '{ leaf ... on Query { __type(name: "Node") { fields { name } } } }',
    ],
)
async def test_introspection_can_be_turned_off(query: str) -> None:
    # when
    message = await refused(query, Settings(introspection=False))
    # then
    assert "Introspection is disabled" in message


async def test_typename_stays_allowed_without_introspection() -> None:
    # when
    body = await execute("{ __typename node { __typename } }", Settings(introspection=False))
    # then
    assert body["data"] == {"__typename": "Query", "node": {"__typename": "Node"}}


async def test_introspection_works_when_on() -> None:
    # when
    body = await execute("{ __schema { queryType { name } } }", Settings(introspection=True))
    # then
    assert body["data"] == {"__schema": {"queryType": {"name": "Query"}}}


async def test_did_you_mean_appears_with_suggestions_on() -> None:
    # when
    message = await refused("{ lef }", Settings(suggestions=True))
    # then
    assert "Did you mean 'leaf'?" in message


async def test_did_you_mean_is_hidden_with_suggestions_off() -> None:
    # when
    message = await refused("{ lef }", Settings(suggestions=False))
    # then
    assert "Cannot query field 'lef'" in message
    assert "Did you mean" not in message
    assert "leaf" not in message


# --- the production profile --------------------------------------------------------------

PRODUCTION = {"GATEWAY_PROFILE": "production", "GATEWAY_JWT_SECRET": "s" * 40}


def test_production_turns_introspection_graphiql_and_suggestions_off() -> None:
    # when
    settings = load_settings(PRODUCTION)
    # then
    assert (settings.introspection, settings.graphiql, settings.suggestions) == (False,) * 3


def test_development_keeps_introspection_graphiql_and_suggestions_on() -> None:
    # when
    settings = load_settings({})
    # then
    assert (settings.introspection, settings.graphiql, settings.suggestions) == (True,) * 3


@pytest.mark.parametrize(
    "variable, attribute",
    [
        ("GATEWAY_INTROSPECTION", "introspection"),
        ("GATEWAY_GRAPHIQL", "graphiql"),
        ("GATEWAY_SUGGESTIONS", "suggestions"),
    ],
)
def test_production_switches_each_back_on_alone(variable: str, attribute: str) -> None:
    # when
    settings = load_settings({**PRODUCTION, variable: "1"})
    # then
    flags = {a: getattr(settings, a) for a in ("introspection", "graphiql", "suggestions")}
    assert flags == {a: a == attribute for a in flags}


async def test_production_refuses_introspection_and_hides_suggestions() -> None:
    # given
    settings = load_settings(PRODUCTION)
    # when
    introspection = await refused("{ __schema { queryType { name } } }", settings)
    typo = await refused("{ lef }", settings)
    # then
    assert "Introspection is disabled" in introspection
    assert "Did you mean" not in typo


def test_production_refuses_the_development_secret() -> None:
    # when / then
    with pytest.raises(ValueError, match="GATEWAY_JWT_SECRET must be set"):
        load_settings(
            {"GATEWAY_PROFILE": "production", "GATEWAY_JWT_SECRET": DEVELOPMENT_JWT_SECRET}
        )


# --- through the gateway's own pipeline and schema ---------------------------------------


async def test_the_gateway_refuses_too_many_aliases(gql: Any) -> None:
    # when
    with pytest.raises(RequestError) as caught:
        await gql("{ " + aliased(31, "__typename") + " }")
    # then
    assert caught.value.status == 400
    assert "more than 30 aliases" in caught.value.errors[0]["message"]


async def test_the_gateway_refuses_circular_fragments(gql: Any) -> None:
    # when
    with pytest.raises(RequestError) as caught:
        await gql("{ ...A } fragment A on Query { __typename ...A }")
    # then
    assert caught.value.status == 400
    assert "within itself" in caught.value.errors[0]["message"]
