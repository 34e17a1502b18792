"""Every field of the schema has an authorization decision, and the served schema enforces it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from graphql import GraphQLField, GraphQLObjectType, GraphQLSchema, GraphQLString, graphql

from gateway.auth import scopes
from gateway.auth.policy import POLICY, Decision, allows, enforce, object_fields, stale, undecided
from gateway.auth.principal import Principal
from gateway.schema import schema

SERVED = schema._schema
EVERYTHING = Principal(tenant="demo", scopes=frozenset(scopes.ALL), customer_id="c1")


def test_every_field_of_the_schema_has_a_decision():
    # when / then
    assert undecided(SERVED) == []


def test_the_table_decides_only_fields_the_schema_has():
    # when / then
    assert stale(SERVED) == []


@pytest.mark.parametrize("root", ["Query", "Mutation"])
def test_every_root_field_asks_for_a_scope(root):
    # when
    roots = {key: POLICY[key] for key, _field in object_fields(SERVED) if key.startswith(root)}
    # then
    assert roots
    assert Decision.PARENT not in roots.values()


def test_every_field_that_asks_for_a_scope_is_guarded_in_the_served_schema():
    # when
    unguarded = [
        key
        for key, field in object_fields(SERVED)
        if POLICY[key] is not Decision.PARENT
        and not getattr(field.resolve, "__gateway_policy__", False)
    ]
    # then
    assert unguarded == []


def _tiny_schema() -> GraphQLSchema:
    fields = {
        "segments": GraphQLField(GraphQLString, resolve=lambda *_: "listed"),
        "somethingNew": GraphQLField(GraphQLString, resolve=lambda *_: "secret"),
    }
    return GraphQLSchema(query=GraphQLObjectType("Query", fields))


async def test_a_field_nobody_decided_on_is_refused_even_to_every_scope(caplog):
    # given
    tiny = _tiny_schema()
    # when
    enforce(tiny)
    result = await graphql(
        tiny, "{ segments somethingNew }", context_value=SimpleNamespace(principal=EVERYTHING)
    )
    # then
    assert result.data == {"segments": "listed", "somethingNew": None}
    assert [e.extensions["code"] for e in result.errors or []] == ["FORBIDDEN"]
    assert "Query.somethingNew has no authorization decision" in caplog.text


async def test_a_decided_root_field_refuses_a_token_without_its_scope():
    # given
    tiny = _tiny_schema()
    enforce(tiny)
    manager = Principal(tenant="demo", scopes=frozenset({scopes.MANAGE}))
    # when
    result = await graphql(tiny, "{ segments }", context_value=SimpleNamespace(principal=manager))
    # then
    assert result.data == {"segments": None}
    error = (result.errors or [])[0]
    assert error.extensions == {"code": "FORBIDDEN"}
    assert "customersegment.segment_read" in error.message


@pytest.mark.parametrize(
    ("held", "decision", "allowed"),
    [
        ((), Decision.PARENT, True),
        ((scopes.READ_OWN,), Decision.READ, True),
        ((scopes.READ_OWN,), Decision.OWN_DATA, True),
        ((scopes.MANAGE,), Decision.READ, False),
        ((scopes.MANAGE,), Decision.READ_OR_MANAGE, True),
        ((scopes.READ, scopes.READ_OWN), Decision.MANAGE, False),
        (("other.scope",), Decision.READ_OR_MANAGE, False),
    ],
)
def test_a_decision_allows_exactly_the_scopes_it_names(held, decision, allowed):
    # given
    principal = Principal(tenant="demo", scopes=frozenset(held), customer_id="c1")
    # when / then
    assert allows(decision, principal) is allowed


def test_enforcing_twice_guards_once():
    # given
    tiny = _tiny_schema()
    enforce(tiny)
    guarded = tiny.query_type.fields["segments"].resolve  # type: ignore[union-attr]
    # when
    enforce(tiny)
    # then
    assert tiny.query_type.fields["segments"].resolve is guarded  # type: ignore[union-attr]
