"""The real app over ASGI, with its lifespan, and a small schema that records what ran."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLInt,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
)
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.auth import scopes
from gateway.auth.tokens import mint_token
from gateway.settings import Settings
from gateway.web.assets import ASSETS, cached_path

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def recording_schema(calls: list[str]) -> GraphQLSchema:
    """Fields that show what the context held; every resolver call is recorded."""

    def field_(type_: Any, resolve: Callable[..., Any], **args: Any) -> GraphQLField:
        def recorded(root: Any, info: Any, **kwargs: Any) -> Any:
            calls.append(info.field_name)
            return resolve(info.context, **kwargs)

        return GraphQLField(type_, args=args or None, resolve=recorded)

    def boom(context: Any) -> str:
        raise RuntimeError("SELECT secret FROM /srv/gateway.db")

    query = GraphQLObjectType(
        "Query",
        {
            "hello": field_(GraphQLString, lambda c: "world"),
            "tenant": field_(GraphQLString, lambda c: c.tenant),
            "customer": field_(GraphQLString, lambda c: c.principal.customer_id),
            "locale": field_(GraphQLString, lambda c: c.locales[0]),
            "requestId": field_(GraphQLString, lambda c: c.request_id),
            "echo": field_(
                GraphQLInt,
                lambda c, value: value,
                value=GraphQLArgument(GraphQLNonNull(GraphQLInt)),
            ),
            "big": field_(GraphQLString, lambda c: "x" * 10_000),
            "boom": field_(GraphQLString, boom),
        },
    )
    mutation = GraphQLObjectType("Mutation", {"touch": field_(GraphQLBoolean, lambda c: True)})
    return GraphQLSchema(query=query, mutation=mutation)


@dataclass
class Gateway:
    app: Starlette
    client: httpx.AsyncClient
    settings: Settings
    calls: list[str] = field(default_factory=list)

    def token(
        self,
        *,
        tenant: str = "demo",
        scope: tuple[str, ...] = (scopes.READ,),
        customer: str | None = None,
        legal_entity: str | None = None,
        ttl: int = 3600,
    ) -> str:
        return mint_token(
            self.settings,
            tenant=tenant,
            scopes=scope,
            customer=customer,
            legal_entity=legal_entity,
            ttl_seconds=ttl,
        )

    def auth(self, **token: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(**token)}"}

    async def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        path: str = "/demo/graphql",
        headers: dict[str, str] | None = None,
        **token: Any,
    ) -> httpx.Response:
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        return await self.client.post(
            path, json=body, headers={**self.auth(**token), **(headers or {})}
        )

    async def get(
        self, params: dict[str, str], *, headers: dict[str, str] | None = None, **token: Any
    ) -> httpx.Response:
        return await self.client.get(
            "/demo/graphql", params=params, headers={**self.auth(**token), **(headers or {})}
        )


Serve = Callable[..., Awaitable[Gateway]]


@pytest.fixture
async def serve(settings: Settings, tmp_path: Path) -> AsyncIterator[Serve]:
    """Starts the app (lifespan included) with setting overrides; stops it after the test.

    The recording schema by default; `schema=None` serves the gateway's own schema.
    """
    async with AsyncExitStack() as stack:

        async def start(
            *, schema: Any = "recording", tracer_provider: Any = None, **overrides: Any
        ) -> Gateway:
            overrides.setdefault("asset_cache_dir", tmp_path / "assets")
            configured = replace(settings, **overrides)
            calls: list[str] = []
            graphql_schema = recording_schema(calls) if schema == "recording" else schema
            app = create_app(
                configured, graphql_schema=graphql_schema, tracer_provider=tracer_provider
            )
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app)
            client = httpx.AsyncClient(transport=transport, base_url="http://gateway.test")
            await stack.enter_async_context(client)
            return Gateway(app, client, configured, calls)

        yield start


@pytest.fixture
async def gateway(serve: Serve) -> Gateway:
    return await serve()


def fake_asset_cache(root: Path) -> Path:
    """A cache dir holding a small stand-in for every pinned asset."""
    for asset in ASSETS:
        path = cached_path(root, asset)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"/* {asset.key} */")
    return root
