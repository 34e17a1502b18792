"""Which failures mean "the database is unavailable" (503, retry) rather than a bug."""

from __future__ import annotations

import asyncio
import errno
import sqlite3

import pytest
from sqlalchemy import exc

from gateway.store.availability import is_unavailable, within_deadline


class _PgError(Exception):
    """Stands in for asyncpg's errors, which carry the server's SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


class InterfaceError(Exception):
    """Named as asyncpg's client-side error is."""


def _wrapped(orig: BaseException, kind: type[exc.DBAPIError] = exc.OperationalError) -> Exception:
    return kind("SELECT 1", {}, orig)


@pytest.mark.parametrize(
    "error",
    [
        TimeoutError(),
        ConnectionRefusedError(),
        ConnectionResetError(),
        OSError(errno.EHOSTUNREACH, "No route to host"),
        exc.TimeoutError("QueuePool limit of size 10 overflow 10 reached"),
        _wrapped(_PgError("57014")),  # statement_timeout
        _wrapped(_PgError("57P01")),  # admin_shutdown
        _wrapped(_PgError("57P03")),  # cannot_connect_now
        _wrapped(_PgError("08003")),  # connection does not exist
        _wrapped(InterfaceError("connection is closed"), exc.InterfaceError),
        _wrapped(sqlite3.OperationalError("interrupted")),
        _wrapped(sqlite3.OperationalError("database is locked")),
    ],
    ids=repr,
)
def test_a_database_that_is_down_or_too_slow_is_unavailable(error):
    assert is_unavailable(error)


def test_a_cause_further_down_the_chain_counts():
    # given an error raised while handling a lost connection
    try:
        try:
            raise ConnectionResetError("peer reset")
        except ConnectionResetError as lost:
            raise RuntimeError("while reading rows") from lost
    except RuntimeError as error:
        # then
        assert is_unavailable(error)


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("boom"),
        ValueError("bad"),
        FileNotFoundError(errno.ENOENT, "No such file"),
        _wrapped(_PgError("23505"), exc.IntegrityError),  # unique_violation: a bug or a race
        _wrapped(_PgError("42601"), exc.ProgrammingError),  # syntax_error: a bug
        _wrapped(sqlite3.OperationalError("no such table: segment")),
        _wrapped(InterfaceError("another operation is in progress"), exc.InterfaceError),
    ],
    ids=repr,
)
def test_bugs_are_not_unavailability(error):
    assert not is_unavailable(error)


async def test_within_deadline_answers_without_waiting_for_a_slow_cleanup():
    # given work whose cancellation takes long to clean up, as a statement on a silent server
    cleaned = asyncio.Event()

    async def stuck() -> None:
        try:
            await asyncio.sleep(60)
        finally:
            await asyncio.shield(asyncio.sleep(0.5))
            cleaned.set()

    # when
    started = asyncio.get_running_loop().time()
    with pytest.raises(TimeoutError):
        await within_deadline(stuck(), 0.1)
    # then the deadline holds, and the cleanup still runs to its end
    assert asyncio.get_running_loop().time() - started < 0.3
    await asyncio.wait_for(cleaned.wait(), 2)


async def test_within_deadline_returns_and_raises_what_the_work_does():
    async def value() -> int:
        return 7

    async def failing() -> None:
        raise ValueError("bad")

    assert await within_deadline(value(), 1) == 7
    with pytest.raises(ValueError):
        await within_deadline(failing(), 1)
