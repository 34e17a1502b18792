"""The async engine, sessions and the column types every table shares."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement

# JSONB on PostgreSQL gives containment, ordering and path operators; SQLite stores text JSON.
JSONType = sa.JSON().with_variant(JSONB(), "postgresql")

# Strings compare by code point on both databases: SQLite's BINARY collation does it
# already, PostgreSQL needs the "C" collation.
CodePointString = sa.String().with_variant(sa.String(collation="C"), "postgresql")


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Stores naive UTC at millisecond precision, hands back aware UTC datetimes."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.replace(microsecond=value.microsecond // 1000 * 1000)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """Now, in UTC, truncated to the millisecond the API exposes."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class code_point(ColumnElement[str]):
    """An expression compared by code point: `COLLATE "C"` on PostgreSQL, as-is on SQLite."""

    inherit_cache = True
    type = sa.String()

    def __init__(self, expr: ColumnElement[Any]) -> None:
        self.expr = expr


@compiles(code_point)
def _code_point_default(element: code_point, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.expr, **kw))


@compiles(code_point, "postgresql")
def _code_point_pg(element: code_point, compiler: Any, **kw: Any) -> str:
    return f'({compiler.process(element.expr, **kw)}) COLLATE "C"'


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# No statement may hold a PostgreSQL connection longer than this (a pathological regex, a
# runaway sort); the request then fails as INTERNAL instead of exhausting the pool.
DEFAULT_STATEMENT_TIMEOUT_MS = 15_000


def create_engine(
    url: str, *, statement_timeout_ms: int = DEFAULT_STATEMENT_TIMEOUT_MS, **kwargs: Any
) -> AsyncEngine:
    """An async engine for a SQLite (aiosqlite) or PostgreSQL (asyncpg) URL."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_pre_ping", False)
    if statement_timeout_ms > 0:
        settings = {"statement_timeout": str(statement_timeout_ms)}
        kwargs.setdefault("connect_args", {}).setdefault("server_settings", settings)
    return create_async_engine(url, **kwargs)


def conflict_insert(session: AsyncSession, table: sa.Table) -> Any:
    """The dialect's INSERT for `table`, which offers ON CONFLICT on both databases."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session inside one transaction: committed on success, rolled back on error."""
    async with sessions() as session, session.begin():
        yield session
