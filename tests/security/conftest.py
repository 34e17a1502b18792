"""The real app and schema over in-process HTTP, with tokens named by what they hold."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.auth import scopes
from gateway.auth.tokens import mint_token
from gateway.settings import Settings
from gateway.store.database import create_engine, session_factory
from gateway.store.tables import metadata
from tests.conftest import Database
from tests.security.tenants import OWN

GRAPHQL_RESPONSE = "application/graphql-response+json"


@dataclass(frozen=True)
class Token:
    """What a bearer token holds; `None` stands for no token at all."""

    scopes: tuple[str, ...]
    tenant: str = OWN
    customer: str | None = None
    legal_entity: str | None = None


# The token kinds of the authorization matrix, by the names the contract gives them.
TOKENS: dict[str, Token | None] = {
    "none": None,
    "read": Token((scopes.READ,)),
    "read_own": Token((scopes.READ_OWN,), customer="c1"),
    "manage": Token((scopes.MANAGE,)),
    "read+manage": Token((scopes.READ, scopes.MANAGE)),
}


@dataclass
class Client:
    """Sends GraphQL requests to the app as a given token."""

    app: Starlette
    http: httpx.AsyncClient
    settings: Settings

    def header(self, token: Token | None) -> dict[str, str]:
        if token is None:
            return {}
        minted = mint_token(
            self.settings,
            tenant=token.tenant,
            scopes=token.scopes,
            customer=token.customer,
            legal_entity=token.legal_entity,
        )
        return {"Authorization": f"Bearer {minted}"}

    async def post(
        self,
        document: str,
        variables: dict[str, Any] | None = None,
        *,
        token: Token | None,
        tenant: str = OWN,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        body: dict[str, Any] = {"query": document}
        if variables is not None:
            body["variables"] = variables
        return await self.http.post(
            f"/{tenant}/graphql",
            json=body,
            headers={"Accept": GRAPHQL_RESPONSE, **self.header(token), **(headers or {})},
        )

    @property
    def engine(self) -> Any:
        return self.app.state.runtime.engine


Serve = Callable[..., Awaitable[Client]]


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh SQLite database, for the tests that run many examples on one database."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'security.db'}"
    engine = create_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield Database(url, engine, session_factory(engine))
    await engine.dispose()


@pytest.fixture
async def serve(tmp_path: Path) -> AsyncIterator[Serve]:
    """Starts the gateway (lifespan included) on a database; stops it after the test."""
    async with AsyncExitStack() as stack:

        async def start(db: Database, base: Settings | None = None, **overrides: Any) -> Client:
            overrides.setdefault("asset_cache_dir", tmp_path / "assets")
            if base is None:
                overrides.setdefault("graphiql", False)
            base = base or Settings()
            settings = replace(base, database_url=db.url, **overrides)
            app = create_app(settings)
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            http = httpx.AsyncClient(transport=transport, base_url="http://gateway.test")
            await stack.enter_async_context(http)
            return Client(app, http, settings)

        yield start
