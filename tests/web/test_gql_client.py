"""Python's `gql` client fetches the schema (fetch_schema_from_transport) and then queries."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from gql import Client, gql
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport

from tests.web.conftest import Gateway, Serve

SEGMENTS = gql("{ segments { items { id } } }")
# Every option of gql's introspection query, and deeper type nesting than its default.
ALL_OPTIONS = {
    "descriptions": True,
    "specified_by_url": True,
    "directive_is_repeatable": True,
    "schema_description": True,
    "input_value_deprecation": True,
    "input_object_one_of": True,
    "type_recursion_level": 10,
}


def client(gateway: Gateway, headers: dict[str, str] | None = None, **options: Any) -> Client:
    """gql's own client over httpx, talking to the app in process."""
    transport = HTTPXAsyncTransport(
        url="http://gateway.test/demo/graphql",
        headers=headers or {},
        transport=httpx.ASGITransport(app=gateway.app),
    )
    return Client(transport=transport, fetch_schema_from_transport=True, **options)


@pytest.mark.parametrize("options", [{}, {"introspection_args": ALL_OPTIONS}])
async def test_gql_fetches_the_schema_without_a_token_in_development(serve: Serve, options):
    # given
    gateway = await serve(schema=None)
    tool = client(gateway, **options)
    # when
    async with tool:
        pass
    # then
    assert tool.schema is not None
    assert "segments" in tool.schema.query_type.fields


async def test_gql_queries_with_a_token_once_it_has_the_schema(serve: Serve):
    # given
    gateway = await serve(schema=None)
    # when: gql validates the query against the fetched schema before sending it
    async with client(gateway, gateway.auth(), introspection_args=ALL_OPTIONS) as session:
        result = await session.execute(SEGMENTS)
    # then
    assert result == {"segments": {"items": []}}


async def test_gql_in_production_needs_a_token_to_fetch_the_schema(serve: Serve):
    # given
    gateway = await serve(
        schema=None, profile="production", jwt_secret="s" * 40, introspection=True
    )
    # when / then
    with pytest.raises(TransportQueryError):
        async with client(gateway):
            pass
    async with client(gateway, gateway.auth()) as session:
        assert await session.execute(SEGMENTS) == {"segments": {"items": []}}
