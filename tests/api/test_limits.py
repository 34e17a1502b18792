"""Operations too deep, too aliased or too long are refused before they run.

What an operation may reveal (introspection, suggestions) is in test_introspection.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from gateway.api.execution import RequestError
from gateway.settings import Limits, Settings
from tests.api.limits_schema import RESOLVED, execute, refused


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
