"""The async engine, sessions and the column types every table shares."""

from __future__ import annotations

import asyncio
import errno
import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar

import aiosqlite
import re2  # type: ignore[import-untyped]
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
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
from sqlalchemy.sql.visitors import InternalTraversal

from gateway.store.json_values import decode_json

T = TypeVar("T")
log = logging.getLogger("gateway.store.database")

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
    # Part of the cache key: without it no statement holding one is ever cached (a
    # sorted page was compiled anew on every request).
    _traverse_internals = [("expr", InternalTraversal.dp_clauseelement)]

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
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        # After SQLAlchemy's own "connect" hook, so our REGEXP replaces its `re` one.
        functions = _sqlite_functions(max(statement_timeout_ms, 0) / 1000)
        event.listen(engine.sync_engine, "connect", functions)
        return engine
    kwargs["pool_size"] = pool_size
    kwargs.setdefault("max_overflow", POOL_OVERFLOW)
    kwargs.setdefault("pool_timeout", POOL_TIMEOUT_S)
    # No ping per checkout (it costs three round trips); a connection found broken
    # invalidates the pool instead, so stale connections fail once, not forever.
    kwargs.setdefault("pool_pre_ping", False)
    connect_args = kwargs.setdefault("connect_args", {})
    connect_args.setdefault("timeout", CONNECT_TIMEOUT_S)
    statement_ms = (
        statement_timeout_ms if statement_timeout_ms > 0 else DEFAULT_STATEMENT_TIMEOUT_MS
    )
    statement_s = statement_ms / 1000
    connect_args.setdefault("command_timeout", statement_s + COMMAND_TIMEOUT_MARGIN_S)
    if statement_timeout_ms > 0:
        settings = {"statement_timeout": str(statement_timeout_ms)}
        connect_args.setdefault("server_settings", settings)
    return create_async_engine(url, **kwargs)


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


# SQLSTATEs of a database that is down, restarting, overloaded or past a statement timeout.
_UNAVAILABLE_SQLSTATE_CLASSES = ("08",)  # connection exceptions
_UNAVAILABLE_SQLSTATES = frozenset(
    {
        "57014",  # query_canceled: statement_timeout
        "57P01",  # admin_shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now: starting up or shutting down
        "53300",  # too_many_connections
    }
)
_UNREACHABLE = frozenset({errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN})
# SQLite: a statement interrupted at its deadline, or a lock not granted in time.
_SQLITE_UNAVAILABLE = ("interrupted", "database is locked", "database table is locked")


def is_unavailable(error: BaseException) -> bool:
    """The database did not answer in time or is down: the client may retry later."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if _names_unavailability(current):
            return True
        # SQLAlchemy wraps the driver's error as `orig`; adapters chain theirs as the cause.
        pending.extend((getattr(current, "orig", None), current.__cause__))
    return False


def _names_unavailability(error: BaseException) -> bool:
    if isinstance(error, TimeoutError | ConnectionError | sa_exc.TimeoutError):
        return True
    if isinstance(error, OSError) and error.errno in _UNREACHABLE:
        return True
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str) and (
        sqlstate in _UNAVAILABLE_SQLSTATES or sqlstate.startswith(_UNAVAILABLE_SQLSTATE_CLASSES)
    ):
        return True
    return _is_closed_connection(error) or _is_sqlite_unavailable(error)


def _is_closed_connection(error: BaseException) -> bool:
    # asyncpg's InterfaceError, raw or as SQLAlchemy adapts it, for a connection gone away
    # (asyncpg is not imported here: SQLite deployments need not load it).
    return type(error).__name__ == "InterfaceError" and "connection is closed" in str(error)


def _is_sqlite_unavailable(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError) and str(error).startswith(
        _SQLITE_UNAVAILABLE
    )


async def within_deadline(work: Coroutine[Any, Any, T], seconds: float) -> T:
    """`work`'s result, or TimeoutError after `seconds`, without waiting for its cleanup."""
    task = asyncio.create_task(work)
    try:
        await asyncio.wait((task,), timeout=seconds)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if task.done():
        return task.result()
    # Cancelling a statement on a silent server makes asyncpg wait up to its command timeout
    # before the connection is given back (or terminated): that happens after the answer.
    task.cancel()
    task.add_done_callback(_forget)
    raise TimeoutError(f"no answer within {seconds} s")


def _forget(task: asyncio.Task[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.info("work past its deadline ended with %r", task.exception())
