"""Fixtures shared by the whole suite: databases, a GraphQL runner, statement counting."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from structlog.stdlib import ProcessorFormatter

from gateway.auth import scopes
from gateway.settings import Settings
from gateway.store.database import create_engine, session_factory
from gateway.store.tables import metadata
from tests.databases import PostgresServer, create_database, drop_database, find_postgres

REQUIRE_POSTGRES = os.environ.get("GATEWAY_TEST_REQUIRE_POSTGRES") == "1"
_postgres: PostgresServer | None = None
_postgres_db: str | None = None


def _server() -> PostgresServer:
    assert _postgres is not None, "pytest_sessionstart runs first"
    return _postgres


def pytest_sessionstart(session: pytest.Session) -> None:
    # Probe and create the run's PostgreSQL database outside any event loop.
    global _postgres, _postgres_db
    _postgres = find_postgres()
    if _postgres.url:
        _postgres_db = asyncio.run(create_database(_postgres.url))


def pytest_report_header(config: pytest.Config) -> str:
    server = find_postgres() if _postgres is None else _postgres
    if server.url:
        return f"databases: SQLite and PostgreSQL ({server.url.split('@')[-1]})"
    return f"databases: SQLite only; PostgreSQL tests are SKIPPED: {server.reason}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    server = _server()
    if _postgres_db and server.url:
        asyncio.run(drop_database(server.url, _postgres_db))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    server = _server()
    if not server.url:
        terminalreporter.write_line(f"PostgreSQL tests were SKIPPED: {server.reason}", yellow=True)


@pytest.fixture(autouse=True)
def _logging_as_pytest_set_it() -> Iterator[None]:
    """`gateway.cli.run` configures the process's logging, as a command must; the next test
    gets pytest's back, not a handler writing to this test's captured stderr."""
    root = logging.getLogger()
    level = root.level
    yield
    for handler in root.handlers[:]:
        if isinstance(handler.formatter, ProcessorFormatter):
            root.removeHandler(handler)
    root.setLevel(level)


def _postgres_url() -> str:
    server = _server()
    if not server.url or not _postgres_db:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL is required here but unavailable: {server.reason}")
        pytest.skip(f"PostgreSQL unavailable: {server.reason}")
    return _postgres_db


@dataclass
class Database:
    """A fresh, empty database for one test, with its schema created."""

    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    statements: list[str] = field(default_factory=list)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def count_statements(self) -> Iterator[list[str]]:
        """Collects the SQL statements run inside the block."""
        seen: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            seen.append(statement)

        event.listen(self.engine.sync_engine, "before_cursor_execute", record)
        try:
            yield seen
        finally:
            event.remove(self.engine.sync_engine, "before_cursor_execute", record)

    @contextmanager
    def count_checkouts(self) -> Iterator[list[Any]]:
        """Collects the pool connections checked out inside the block."""
        seen: list[Any] = []

        def record(dbapi_connection: Any, *_args: Any) -> None:
            seen.append(dbapi_connection)

        event.listen(self.engine.sync_engine.pool, "checkout", record)
        try:
            yield seen
        finally:
            event.remove(self.engine.sync_engine.pool, "checkout", record)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
    else:
        url = _postgres_url()
        engine = create_engine(url, pool_size=25, max_overflow=35)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
            await conn.execute(sa.text(f"TRUNCATE {names}"))
    yield Database(url, engine, session_factory(engine))
    await engine.dispose()


@pytest.fixture
def settings(db: Database) -> Settings:
    return Settings(database_url=db.url)


READ = (scopes.READ,)
READ_OWN = (scopes.READ_OWN,)
MANAGE = (scopes.MANAGE,)


@dataclass
class GraphQL:
    """Runs operations through the same pipeline as HTTP, minus the transport."""

    db: Database
    settings: Settings

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        tenant: str = "demo",
        scopes: tuple[str, ...] = READ,
        customer: str | None = None,
        legal_entity: str | None = None,
        accept_language: str | None = None,
    ) -> dict[str, Any]:
        from gateway.api.execution import RequestError, prepare, run
        from gateway.auth.principal import Principal
        from gateway.schema import schema
        from gateway.web.request_context import build_context

        principal = Principal(
            tenant=tenant,
            scopes=frozenset(scopes),
            subject=customer,
            customer_id=customer,
            legal_entity_id=legal_entity,
        )
        graphql_schema = schema._schema
        prepared = prepare(graphql_schema, self.settings, query, variables=variables)
        # After prepare, as over HTTP: run() gives the context's read connection back.
        context = await build_context(
            settings=self.settings,
            sessions=self.db.sessions,
            tenant=tenant,
            principal=principal,
            accept_language=accept_language,
            operation=prepared.operation,
        )
        try:
            return await run(graphql_schema, prepared, context)
        except RequestError as refused:
            # Refused before execution (bad arguments, cost): the body HTTP would send.
            return {"errors": refused.errors}

    async def data(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        """The `data` of a response that must have no errors."""
        body = await self(query, variables, **kw)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def error(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        """The first error of a response that must have one."""
        body = await self(query, variables, **kw)
        assert body.get("errors"), body
        return body["errors"][0]


@pytest.fixture
def gql(db: Database, settings: Settings) -> GraphQL:
    return GraphQL(db, settings)


@pytest.fixture
def seed(db: Database) -> Any:
    from tests.factories import Seed

    return Seed(db)


@pytest.fixture
async def empty_url(db: Database, tmp_path: Path) -> AsyncIterator[str]:
    """A database with no tables at all, of the same kind as `db`."""
    if db.dialect == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    url = await create_database(db.url)
    yield url
    await drop_database(db.url, url)
