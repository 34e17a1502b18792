"""Write transactions shared by every domain: serialized, retried, and the outcomes they report."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.errors import ErrorCode
from gateway.store.database import conflict_insert, dialect_insert
from gateway.store.tables import data_version_table

T = TypeVar("T")
log = logging.getLogger("gateway.store.writes")

CHANGED = "The resource you are attempting to access has changed."
ATTEMPTS = 6
ONE_MS = timedelta(milliseconds=1)
# PostgreSQL deadlock_detected, serialization_failure, lock_not_available: safe to run again.
_TRANSIENT_SQLSTATES = frozenset({"40P01", "40001", "55P03"})
_SQLITE_BUSY = re.compile(r"database (table )?is (locked|busy)", re.IGNORECASE)
# One writer at a time per SQLite engine in this process, so in-process writers queue here
# instead of spinning in SQLite's busy handler; BEGIN IMMEDIATE covers other processes.
_sqlite_locks: weakref.WeakKeyDictionary[Any, tuple[asyncio.AbstractEventLoop, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)
# Ids: 1 to 256 characters, no control characters, no surrounding whitespace.
_ID = re.compile(r"^(?=\S)[^\x00-\x1f\x7f]{1,256}(?<=\S)$")


@dataclass(frozen=True)
class Failure:
    """A business failure of one write (a userError, or a bulk entry's 4xx)."""

    code: ErrorCode
    message: str
    field: tuple[str, ...] | None = None
    current_version: int | None = None


@dataclass(frozen=True)
class Done:
    """A write that applied; `created` tells an insert (REST 201) from an update (204)."""

    created: bool = False


Outcome = Done | Failure
# Shared by every entry that applied: a bulk of 200 needs no 200 equal objects.
CREATED = Done(created=True)
UPDATED = Done()


def version_conflict(current: int | None, field: tuple[str, ...] | None = None) -> Failure:
    return Failure(ErrorCode.VERSION_CONFLICT, CHANGED, field, current)


def check_version(
    expected: int | None, current: int | None, field: tuple[str, ...] | None = None
) -> Failure | None:
    """Without an expected version the write applies; else it must equal the stored one."""
    if expected is None or expected == current:
        return None
    return version_conflict(current, field)


def next_modified(now: datetime, previous: datetime | None) -> datetime:
    """`now`, but always after the previous modifiedAt, so every write moves it forward."""
    if previous is None or previous < now:
        return now
    return previous + ONE_MS


def next_modified_sql(
    now: sa.ColumnElement[Any], previous: sa.ColumnElement[Any], dialect: str
) -> sa.ColumnElement[Any]:
    """next_modified in SQL, for an upsert that updates rows it has not read."""
    if dialect == "postgresql":
        later: sa.ColumnElement[Any] = previous + sa.literal(ONE_MS, sa.Interval())
    else:
        # SQLite keeps them as text, 'YYYY-MM-DD HH:MM:SS.ffffff' at millisecond precision:
        # %f gives 'SS.SSS', the zeros restore the stored form (and its text order).
        later = sa.func.strftime("%Y-%m-%d %H:%M:%f", previous, "+0.001 seconds").concat("000")
    return sa.case((previous < now, now), else_=later)


def upsert_statement(session: AsyncSession, table: sa.Table, rows: list[dict[str, Any]]) -> Any:
    """INSERT ... ON CONFLICT (primary key) DO UPDATE: replaces everything but createdAt."""
    stmt = conflict_insert(session, table).values(rows)
    keep = {c.name for c in table.primary_key.columns} | {"created_at", "version"}
    replaced = {name: stmt.excluded[name] for name in rows[0] if name not in keep}
    return stmt.on_conflict_do_update(
        index_elements=list(table.primary_key.columns),
        set_={**replaced, "version": table.c.version + 1},
    )


def settle(
    outcomes: Sequence[Outcome | None], keys: Sequence[Hashable], versions: dict[Any, int]
) -> list[Outcome]:
    """The final outcomes: each written entry is created when its new version is 1."""
    return [
        o if o is not None else CREATED if versions[k] == 1 else UPDATED
        for o, k in zip(outcomes, keys, strict=True)
    ]


def duplicates(keys: Sequence[Hashable], what: str = "id") -> list[Failure | None]:
    """A 400 for each key already seen earlier in the same request, None for first sightings."""
    seen: set[Hashable] = set()
    found: list[Failure | None] = []
    for key in keys:
        if key in seen:
            found.append(Failure(ErrorCode.BAD_USER_INPUT, f"Duplicate {what} in this request."))
        else:
            seen.add(key)
            found.append(None)
    return found


def id_problem(value: str, name: str) -> str | None:
    """Why `value` is not a usable id, or None."""
    if _ID.fullmatch(value):
        return None
    return (
        f"{name} must be 1 to 256 characters, without control characters or surrounding whitespace."
    )


def is_transient(error: BaseException) -> bool:
    """A lock timeout, deadlock or serialization failure: the same transaction may succeed."""
    if not isinstance(error, DBAPIError):
        return False
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate in _TRANSIENT_SQLSTATES or bool(_SQLITE_BUSY.search(str(error.orig)))


def _sqlite_lock(engine: Any) -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    found = _sqlite_locks.get(engine)
    if found is None or found[0] is not loop:
        found = _sqlite_locks[engine] = (loop, asyncio.Lock())
    return found[1]


@contextlib.asynccontextmanager
async def _transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    engine = sessions.kw["bind"]
    if engine.dialect.name != "sqlite":
        async with sessions() as session, session.begin():
            yield session
        return
    async with _sqlite_lock(engine.sync_engine), sessions() as session, session.begin():
        # Take the write lock before the first read, so check and write see the same data.
        await session.execute(sa.text("BEGIN IMMEDIATE"))
        yield session


async def bump_data_version(session: AsyncSession, *, tenant: str, catalog: bool = False) -> None:
    """Raises the tenant's data version inside the caller's write transaction.

    `catalog`: the write also changes categories, products or their links, so structures
    built from the catalog alone (the category index) must be rebuilt too.
    """
    # Last in the transaction: the row lock it takes is held only until the commit.
    stmt = _bump_statement(session.get_bind().dialect.name, catalog)
    await session.execute(stmt, {"tenant": tenant})


@functools.cache
def _bump_statement(dialect: str, catalog: bool) -> Any:
    """Built once per dialect, as every write runs it."""
    table = data_version_table
    step = 1 if catalog else 0
    stmt = dialect_insert(dialect, table).values(
        tenant=sa.bindparam("tenant"), version=1, catalog_version=step
    )
    return stmt.on_conflict_do_update(
        index_elements=[table.c.tenant],
        set_={"version": table.c.version + 1, "catalog_version": table.c.catalog_version + step},
    )


async def write(
    sessions: async_sessionmaker[AsyncSession],
    work: Callable[[AsyncSession], Awaitable[T]],
    *,
    tenant: str,
) -> T:
    """Runs `work` in one write transaction, again from the start on a transient failure.

    The transaction also raises the tenant's data version, so every process's caches of
    the tenant see the write on their next read.
    """
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with _transaction(sessions) as session:
                done = await work(session)
                await bump_data_version(session, tenant=tenant)
                return done
        except DBAPIError as error:
            if attempt == ATTEMPTS or not is_transient(error):
                raise
            log.info("write attempt %d hit %s; retrying", attempt, type(error.orig).__name__)
            await asyncio.sleep(0.01 * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover
