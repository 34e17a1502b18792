"""The async engine for SQLite or PostgreSQL, its timeouts and pool, sessions, dialects."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from gateway.store.json_values import decode_json
from gateway.store.sqlite_connections import sqlite_functions, sqlite_pragmas

# No statement may run longer than this, on either database (a pathological regex, a
# runaway sort): PostgreSQL cancels it, SQLite interrupts it (OperationalError
# "interrupted"), instead of it holding a connection and the request forever; the request
# then fails as UNAVAILABLE.
DEFAULT_STATEMENT_TIMEOUT_MS = 15_000
# Client-side bounds for a server that does not answer at all (frozen, partitioned), which
# statement_timeout cannot catch. A request's deadline (`within_deadline`) is shorter and
# fires first; these bound work outside a request (imports, migrations) and the cleanup of
# a connection whose statement a deadline cancelled.
CONNECT_TIMEOUT_S = 5.0
POOL_TIMEOUT_S = 5.0
# Past statement_timeout, so the server cancels a slow statement first (a clean error), and
# the client gives up only on a server that is silent.
COMMAND_TIMEOUT_MARGIN_S = 5.0
# PostgreSQL pool: a query holds one connection for all its reads, a mutation one at a
# time, so the pool is sized to the requests served at once; past size + overflow they
# queue for POOL_TIMEOUT_S. Overflow connections are closed as soon as they are returned,
# so a size below the steady concurrency churns connections.
DEFAULT_POOL_SIZE = 20
POOL_OVERFLOW = 10


def create_engine(
    url: str,
    *,
    statement_timeout_ms: int = DEFAULT_STATEMENT_TIMEOUT_MS,
    pool_size: int = DEFAULT_POOL_SIZE,
    **kwargs: Any,
) -> AsyncEngine:
    """An async engine for a SQLite (aiosqlite) or PostgreSQL (asyncpg) URL."""
    # Stored JSON (names, mixins, metadata) is read on every list: orjson, exactly.
    kwargs.setdefault("json_deserializer", decode_json)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, statement_timeout_ms, kwargs)
    kwargs["pool_size"] = pool_size
    kwargs.setdefault("max_overflow", POOL_OVERFLOW)
    kwargs.setdefault("pool_timeout", POOL_TIMEOUT_S)
    # No ping per checkout (it costs three round trips); a connection found broken
    # invalidates the pool instead, so stale connections fail once, not forever.
    kwargs.setdefault("pool_pre_ping", False)
    _postgres_timeouts(kwargs.setdefault("connect_args", {}), statement_timeout_ms)
    return create_async_engine(url, **kwargs)


def _sqlite_engine(url: str, statement_timeout_ms: int, kwargs: dict[str, Any]) -> AsyncEngine:
    engine = create_async_engine(url, **kwargs)
    event.listen(engine.sync_engine, "connect", sqlite_pragmas)
    # After SQLAlchemy's own "connect" hook, so our REGEXP replaces its `re` one.
    functions = sqlite_functions(max(statement_timeout_ms, 0) / 1000)
    event.listen(engine.sync_engine, "connect", functions)
    return engine


def _postgres_timeouts(connect_args: dict[str, Any], statement_timeout_ms: int) -> None:
    connect_args.setdefault("timeout", CONNECT_TIMEOUT_S)
    statement_ms = (
        statement_timeout_ms if statement_timeout_ms > 0 else DEFAULT_STATEMENT_TIMEOUT_MS
    )
    statement_s = statement_ms / 1000
    connect_args.setdefault("command_timeout", statement_s + COMMAND_TIMEOUT_MARGIN_S)
    if statement_timeout_ms > 0:
        settings = {"statement_timeout": str(statement_timeout_ms)}
        connect_args.setdefault("server_settings", settings)


def dialect_of(session: AsyncSession) -> str:
    """The name of the session's database dialect: "sqlite" or "postgresql"."""
    return str(session.get_bind().dialect.name)


def conflict_insert(session: AsyncSession, table: sa.Table) -> Any:
    """The dialect's INSERT for `table`, which offers ON CONFLICT on both databases."""
    return dialect_insert(session.get_bind().dialect.name, table)


def dialect_insert(dialect: str, table: sa.Table) -> Any:
    """conflict_insert for a dialect given by name, for statements built once per dialect."""
    return (postgresql if dialect == "postgresql" else sqlite).insert(table)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session inside one transaction: committed on success, rolled back on error."""
    async with sessions() as session, session.begin():
        yield session
