"""Without a token, development answers introspection alone; everything else stays 401."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.web.conftest import Gateway, Serve

SCHEMA_QUERY = "{ __schema { queryType { name } } }"


async def tokenless(gateway: Gateway, query: str, **headers: str) -> httpx.Response:
    return await gateway.client.post("/demo/graphql", json={"query": query}, headers=headers)


def code_of(response: httpx.Response) -> Any:
    return response.json()["errors"][0]["extensions"]["code"]


@pytest.mark.parametrize(
    "query, data",
    [
        (SCHEMA_QUERY, {"__schema": {"queryType": {"name": "Query"}}}),
        ('{ __type(name: "Query") { name } }', {"__type": {"name": "Query"}}),
        ("{ __typename }", {"__typename": "Query"}),
    ],
)
async def test_development_answers_introspection_without_a_token(
    gateway: Gateway, query: str, data: dict[str, Any]
) -> None:
    # when
    response = await tokenless(gateway, query)
    # then
    assert response.status_code == 200
    assert response.json()["data"] == data
    assert gateway.calls == []


@pytest.mark.parametrize(
    "query",
    [
        "{ hello }",
        "{ __schema { queryType { name } } hello }",
        "{ ... on Query { __typename } }",
        "mutation { __typename }",
        "{ __schema { nope } }",
        "{ a: __schema { description } b: __schema { description } }",
        "{ __schema",
    ],
)
async def test_anything_else_without_a_token_is_401(gateway: Gateway, query: str) -> None:
    # when
    response = await tokenless(gateway, query)
    # then
    assert response.status_code == 401
    assert code_of(response) == "UNAUTHENTICATED"
    assert response.headers["www-authenticate"] == "Bearer"
    assert gateway.calls == []


async def test_a_body_that_is_not_graphql_without_a_token_is_401(gateway: Gateway) -> None:
    # when
    response = await gateway.client.post("/demo/graphql", content=b"[1, 2]")
    # then
    assert response.status_code == 401


async def test_development_with_introspection_off_needs_a_token_and_refuses(serve: Serve) -> None:
    # given
    gateway = await serve(introspection=False)
    # when
    without = await tokenless(gateway, SCHEMA_QUERY)
    with_token = await gateway.post(SCHEMA_QUERY)
    # then
    assert without.status_code == 401
    assert "Introspection is disabled" in with_token.json()["errors"][0]["message"]


async def test_a_token_sent_with_introspection_is_still_checked(gateway: Gateway) -> None:
    # when
    invalid = await tokenless(gateway, SCHEMA_QUERY, Authorization="Bearer not-a-token")
    other_tenant = await gateway.post(SCHEMA_QUERY, tenant="other")
    # then
    assert invalid.status_code == 401
    assert other_tenant.status_code == 403


async def test_two_schema_selections_with_a_token_say_why(gateway: Gateway) -> None:
    # when
    response = await gateway.post("{ a: __schema { description } b: __schema { description } }")
    # then
    assert response.status_code == 400
    assert "'__schema' at most once" in response.json()["errors"][0]["message"]


async def test_introspection_without_a_token_works_over_get(gateway: Gateway) -> None:
    # when
    response = await gateway.client.get("/demo/graphql", params={"query": SCHEMA_QUERY})
    # then
    assert response.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}


async def test_the_pages_empty_bearer_counts_as_no_token(gateway: Gateway) -> None:
    # when GraphiQL fetches the schema with the Headers tab it starts with elsewhere than demo
    response = await tokenless(gateway, SCHEMA_QUERY, Authorization="Bearer ")
    # then
    assert response.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}
