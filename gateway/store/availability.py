"""When the database does not answer: the errors that say so, and a deadline for work on it."""

from __future__ import annotations

import asyncio
import errno
import logging
import sqlite3
from collections.abc import Coroutine
from typing import Any, TypeVar

from sqlalchemy import exc as sa_exc

T = TypeVar("T")
log = logging.getLogger("gateway.store.availability")

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
