"""The async engine, sessions and the column types every table shares."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import aiosqlite
import re2  # type: ignore[import-untyped]
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


# SQLite's REGEXP is ours: RE2 matches in time linear in the value's length, where the
# `re` function SQLAlchemy registers backtracks exponentially on `(.|.|.|.)*#`. Capturing
# nothing keeps RE2 on its DFA; its errors are BAD_USER_INPUT, not log lines.
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.never_capture = True
_RE2_OPTIONS.log_errors = False


@lru_cache(maxsize=64)
def sqlite_regex(pattern: str) -> Any:
    """`pattern` (RE2 syntax) as SQLite's REGEXP compiles it, once; raises re2.error."""
    return re2.compile(pattern, _RE2_OPTIONS)


def _regexp(pattern: str | None, value: object) -> bool | None:
    if pattern is None or value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return sqlite_regex(pattern).search(text) is not None


# SQLite calls the progress handler every this many VM steps: about every 0.1 ms at the
# ~90 million steps a second it runs, 1% of the statement's time.
PROGRESS_STEPS = 10_000


class _Deadline:
    """Interrupts any statement of one SQLite connection running longer than `seconds`."""

    __slots__ = ("seconds", "started")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started = time.monotonic()

    def start(self, statement: str) -> None:
        # SQLite traces every statement as it starts (on the connection's own thread, so
        # even one whose caller was cancelled keeps its deadline), and each trigger
        # program a statement runs, as "-- TRIGGER ...": that is the same statement.
        if not statement.startswith("--"):
            self.started = time.monotonic()

    def expired(self) -> bool:
        return time.monotonic() - self.started > self.seconds


def _sqlite_functions(deadline_seconds: float) -> Callable[[Any, Any], None]:
    async def install(connection: aiosqlite.Connection) -> None:
        await connection.create_function("regexp", 2, _regexp, deterministic=True)
        if deadline_seconds > 0:
            deadline = _Deadline(deadline_seconds)
            await connection.set_trace_callback(deadline.start)
            await connection.set_progress_handler(deadline.expired, PROGRESS_STEPS)

    def connect(dbapi_connection: Any, _record: Any) -> None:
        # aiosqlite runs sqlite3 on a thread of its own: install there, through its API.
        dbapi_connection.run_async(install)

    return connect


# No statement may run longer than this, on either database (a pathological regex, a
# runaway sort): PostgreSQL cancels it, SQLite interrupts it (OperationalError
# "interrupted"), instead of it holding a connection and the request forever.
DEFAULT_STATEMENT_TIMEOUT_MS = 15_000


def create_engine(
    url: str, *, statement_timeout_ms: int = DEFAULT_STATEMENT_TIMEOUT_MS, **kwargs: Any
) -> AsyncEngine:
    """An async engine for a SQLite (aiosqlite) or PostgreSQL (asyncpg) URL."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        # After SQLAlchemy's own "connect" hook, so our REGEXP replaces its `re` one.
        functions = _sqlite_functions(max(statement_timeout_ms, 0) / 1000)
        event.listen(engine.sync_engine, "connect", functions)
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
