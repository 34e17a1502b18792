"""The schema queries of real tools, sent through the endpoint, give a usable client schema."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import build_client_schema, get_introspection_query

from tests.web import graphql_js
from tests.web.conftest import GRAPHQL_RESPONSE, Gateway, Serve

# graphql-core's, with every option it has on.
GRAPHQL_CORE = get_introspection_query(
    descriptions=True,
    specified_by_url=True,
    directive_is_repeatable=True,
    schema_description=True,
    input_value_deprecation=True,
    experimental_directive_deprecation=True,
    one_of=True,
)

PRODUCTION: dict[str, Any] = {"profile": "production", "jwt_secret": "s" * 40}


@pytest.fixture(scope="session")
def graphql_js_query(tmp_path_factory: pytest.TempPathFactory) -> str:
    package = graphql_js.install(tmp_path_factory.mktemp("graphql-js"))
    return graphql_js.introspection_query(package)


async def fetch_schema(
    gateway: Gateway, query: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    """POSTs the document as the tools do: JSON, named operation, no token unless given."""
    body = {"query": query, "operationName": "IntrospectionQuery"}
    return await gateway.client.post("/demo/graphql", json=body, headers=headers or {})


def client_schema_fields(response: httpx.Response) -> dict[str, Any]:
    """The Query type's fields of the client schema built from the answer."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body
    query_type = build_client_schema(body["data"]).query_type
    assert query_type is not None
    return query_type.fields


async def test_graphql_core_fetches_the_schema_without_a_token(serve: Serve) -> None:
    # given
    gateway = await serve(schema=None)
    # when
    response = await fetch_schema(gateway, GRAPHQL_CORE)
    # then
    assert "segments" in client_schema_fields(response)
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)


async def test_graphql_js_fetches_the_schema_without_a_token(
    serve: Serve, graphql_js_query: str
) -> None:
    # given
    gateway = await serve(schema=None)
    # when
    response = await fetch_schema(gateway, graphql_js_query)
    # then
    assert "segments" in client_schema_fields(response)


async def test_graphql_js_fetches_the_schema_with_a_token(
    serve: Serve, graphql_js_query: str
) -> None:
    # given
    gateway = await serve(schema=None)
    # when
    response = await fetch_schema(gateway, graphql_js_query, gateway.auth())
    # then
    assert "segments" in client_schema_fields(response)


async def test_the_schema_query_works_over_get_too(serve: Serve) -> None:
    # given
    gateway = await serve(schema=None)
    # when
    response = await gateway.client.get("/demo/graphql", params={"query": GRAPHQL_CORE})
    # then
    assert "segments" in client_schema_fields(response)


async def test_production_with_introspection_on_needs_a_token(serve: Serve) -> None:
    # given
    gateway = await serve(schema=None, **PRODUCTION, introspection=True)
    # when
    without = await fetch_schema(gateway, GRAPHQL_CORE)
    with_token = await fetch_schema(gateway, GRAPHQL_CORE, gateway.auth())
    # then
    assert without.status_code == 401
    assert without.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "segments" in client_schema_fields(with_token)


async def test_production_keeps_introspection_off_even_with_a_token(serve: Serve) -> None:
    # given
    gateway = await serve(schema=None, **PRODUCTION, introspection=False)
    # when
    response = await fetch_schema(gateway, GRAPHQL_CORE, gateway.auth())
    # then
    assert response.status_code == 400
    assert "Introspection is disabled" in response.json()["errors"][0]["message"]


def test_the_documents_are_the_deep_ones_the_limits_used_to_refuse(graphql_js_query: str) -> None:
    # then: TypeRef nests ofType far past the depth limit of 12
    assert GRAPHQL_CORE.count("ofType") >= 8
    assert graphql_js_query.count("ofType") >= 8
    assert "isOneOf" in graphql_js_query and "isRepeatable" in graphql_js_query
