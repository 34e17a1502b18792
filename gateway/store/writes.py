"""Write transactions shared by every domain: serialized, retried, raising the data version;
and the statements of writes (upserts, modifiedAt that always moves forward)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.store.database import conflict_insert, dialect_insert
from gateway.store.tables import data_version_table

T = TypeVar("T")
EndStep = Callable[[AsyncSession, str, int], Awaitable[None]]
_END_STEPS = "gateway.store.end_steps"
log = logging.getLogger("gateway.store.writes")

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


async def bump_data_version(session: AsyncSession, *, tenant: str, catalog: bool = False) -> int:
    """Raises the tenant's data version inside the caller's write transaction; the new one.

    `catalog`: the write also changes categories, products or their links, so structures
    built from the catalog alone (the category index) must be rebuilt too.
    """
    # Last in the transaction (but for the at_end steps): the row lock it takes is held
    # until the commit, as briefly as possible.
    stmt = _bump_statement(session.get_bind().dialect.name, catalog)
    return int((await session.execute(stmt, {"tenant": tenant})).scalar_one())


def at_end(session: AsyncSession, step: EndStep) -> None:
    """Runs `step(session, tenant, data_version)` once, last in this write transaction, after
    the data version is raised: the outbox's insert, whose events take that version as
    their commit order (its row lock is held until the commit)."""
    steps = session.info.setdefault(_END_STEPS, [])
    if step not in steps:
        steps.append(step)


async def finish_write(session: AsyncSession, *, tenant: str, catalog: bool = False) -> int:
    """Raises the data version, then runs the at_end steps with it; the new version. What
    `write` does last, for a transaction of its own (the import's)."""
    data_version = await bump_data_version(session, tenant=tenant, catalog=catalog)
    for step in session.info.pop(_END_STEPS, ()):
        await step(session, tenant, data_version)
    return data_version


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
    ).returning(table.c.version)


async def write(
    sessions: async_sessionmaker[AsyncSession],
    work: Callable[[AsyncSession], Awaitable[T]],
    *,
    tenant: str,
    raise_version: bool = True,
) -> T:
    """Runs `work` in one write transaction, again from the start on a transient failure.

    The transaction also raises the tenant's data version, so every process's caches of
    the tenant see the write on their next read, and then runs the steps `work` asked for
    with `at_end` (the insert of its events); `raise_version=False` for writes that no
    answer depends on and that record no events (a persisted document).
    """
    for attempt in range(1, ATTEMPTS + 1):
        try:
            async with _transaction(sessions) as session:
                done = await work(session)
                if raise_version:
                    await finish_write(session, tenant=tenant)
                return done
        except DBAPIError as error:
            if attempt == ATTEMPTS or not is_transient(error):
                raise
            log.info("write attempt %d hit %s; retrying", attempt, type(error.orig).__name__)
            await asyncio.sleep(0.01 * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover
