"""Introspection and suggestions, switched on and off, and off in the production profile."""

from __future__ import annotations

import pytest

from gateway.settings import DEVELOPMENT_JWT_SECRET, Settings, load_settings
from tests.api.limits_schema import execute, refused

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
