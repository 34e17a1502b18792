"""`~` runs in time linear in the value's length, and no SQLite statement outlives its deadline."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.query_language.regex import check_pattern
from gateway.store.database import create_engine
from tests.conftest import Database

ROWS = 40
LENGTH = 20_000  # Python's `re` needs hours to years for each of these on one such value

# (pattern, the long value's filler, what follows the filler, rows that match)
CATASTROPHIC = [
    ("(.|.|.|.)*#", "a", "", 0),
    ("(.|.|.|.)*#", "a", "#", ROWS),
    ("(a|aa)*b", "a", "", 0),
    ("(a|aa)*b", "a", "b", ROWS),
    ("(a|a)*b", "a", "", 0),
    ("(a*)*b", "a", "", 0),
    ("((a+)+)+$", "a", "!", 0),
    ("(x+x+)+y", "x", "", 0),
    ("a*a*a*a*a*a*c", "a", "", 0),
    ("a?a?a?a?a?a?a?a?a?a?a?a?a{12}c", "a", "", 0),
    (".*x.*y", "a", "x", 0),
    (".*x.*y", "a", "xy", ROWS),
    ("(.*a){12}b", "a", "", 0),
    ("^(\\.|[^\\.])*\\.\\.\\.#", ".", "", 0),
]


@pytest.fixture
async def engine(db: Database) -> AsyncIterator[AsyncEngine]:
    """The test database with a statement deadline Python's `re` would blow many times."""
    engine = create_engine(db.url, statement_timeout_ms=5_000)
    yield engine
    await engine.dispose()


def long_values(filler: str, tail: str) -> tuple[sa.CTE, sa.ColumnElement[str]]:
    """ROWS distinct values of LENGTH characters: filler, tail, the row's number."""
    numbers = sa.select(sa.literal(1).label("n")).cte("numbers", recursive=True)
    numbers = numbers.union_all(sa.select(numbers.c.n + 1).where(numbers.c.n < ROWS))
    value = sa.literal(filler * LENGTH + tail, sa.String) + sa.cast(numbers.c.n, sa.String)
    return numbers, value


@pytest.mark.parametrize(("pattern", "filler", "tail", "expected"), CATASTROPHIC)
async def test_catastrophic_patterns_answer_within_the_deadline_on_long_values(
    db: Database, engine: AsyncEngine, pattern: str, filler: str, tail: str, expected: int
) -> None:
    # given
    checked = check_pattern(pattern, 0, max_length=200)
    text = checked.text if db.dialect == "postgresql" else checked.re2
    numbers, value = long_values(filler, tail)
    query = sa.select(sa.func.count()).select_from(numbers).where(value.regexp_match(text))
    # when: the statement must finish before the deadline interrupts it
    async with engine.connect() as conn:
        found = (await conn.execute(query)).scalar_one()
    # then
    assert found == expected


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'deadline.db'}", statement_timeout_ms=500
    )
    yield engine
    await engine.dispose()


COUNT_TO_A_BILLION = sa.text(
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000)"
    " SELECT count(*) FROM c"
)


async def test_a_sqlite_statement_past_the_deadline_is_interrupted(
    sqlite_engine: AsyncEngine,
) -> None:
    async with sqlite_engine.connect() as conn:
        # when: a statement that would run for minutes
        with pytest.raises(OperationalError) as interrupted:
            await conn.execute(COUNT_TO_A_BILLION)
        # then: SQLite interrupted it, and the connection goes on working
        assert isinstance(interrupted.value.orig, sqlite3.OperationalError)
        assert str(interrupted.value.orig) == "interrupted"
        assert (await conn.execute(sa.text("SELECT 1"))).scalar_one() == 1


async def test_a_connection_interrupted_inside_a_transaction_writes_afterwards(
    sqlite_engine: AsyncEngine,
) -> None:
    # given
    async with sqlite_engine.begin() as conn:
        await conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
    # when
    async with sqlite_engine.connect() as conn:
        with pytest.raises(OperationalError):
            await conn.execute(COUNT_TO_A_BILLION)
        await conn.rollback()
        await conn.execute(sa.text("INSERT INTO t VALUES (1)"))
        await conn.commit()
    # then
    async with sqlite_engine.connect() as conn:
        assert (await conn.execute(sa.text("SELECT count(*) FROM t"))).scalar_one() == 1


async def test_the_deadline_counts_from_each_statement_not_the_connection(
    sqlite_engine: AsyncEngine,
) -> None:
    # given a connection older than the deadline
    async with sqlite_engine.connect() as conn:
        await conn.execute(sa.text("SELECT 1"))
        await asyncio.sleep(0.7)
        # when: a statement that runs more than the handler's interval but briefly
        counted = await conn.execute(
            sa.text(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000)"
                " SELECT count(*) FROM c"
            )
        )
        # then
        assert counted.scalar_one() == 100_000


async def test_sqlites_regexp_is_re2_not_pythons_re(sqlite_engine: AsyncEngine) -> None:
    # given: \z, which Python's `re` (3.11) refuses, and values that are not text
    columns = [
        sa.literal("a\nb").regexp_match("(?s)a.b\\z"),
        sa.literal(42).op("REGEXP")("^4"),
        sa.null().regexp_match("a"),
    ]
    # when
    async with sqlite_engine.connect() as conn:
        row = (await conn.execute(sa.select(*columns))).one()
    # then
    assert tuple(row) == (1, 1, None)
