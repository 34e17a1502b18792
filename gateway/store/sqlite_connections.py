"""What every SQLite connection gets on opening: pragmas, an RE2 REGEXP, a statement deadline."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import aiosqlite
import re2  # type: ignore[import-untyped]


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
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


def sqlite_functions(deadline_seconds: float) -> Callable[[Any, Any], None]:
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
