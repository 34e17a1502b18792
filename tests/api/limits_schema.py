"""A schema whose resolvers record that they ran, and the request pipeline run against it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
import strawberry
from graphql import GraphQLSchema

from gateway.api.execution import RequestError, prepare, run
from gateway.settings import Settings

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
