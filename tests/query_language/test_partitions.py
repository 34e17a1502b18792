"""fetch_pages: one statement gives each partition the page fetch_page would give it."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from gateway.errors import GatewayError
from gateway.query_language import PageResult, compile_sort, fetch_page, fetch_pages, fingerprint
from gateway.segments.models import CustomerAssignment
from tests.conftest import Database
from tests.query_language.sample_fields import CUSTOMER

FP = fingerprint("demo", "Segment.customers", None, None)
COUNTS = {"s0": 0, "s1": 1, "s2": 5, "s3": 12}


@pytest.fixture
async def memberships(seed: Any) -> None:
    await seed.add(*(seed.segment(segment) for segment in COUNTS))
    await seed.add(
        *(
            seed.customer(
                segment,
                f"c{n % 4}",
                None if n % 3 == 0 else f"le{n % 5}",
                assignment_type=["MANUAL", "AUTOMATIC"][n % 2],
            )
            for segment, count in COUNTS.items()
            for n in range(count)
        )
    )


def keys_for(db: Database, sort: str | None) -> Any:
    return compile_sort(
        sort, CUSTOMER, default=["customerId", "legalEntityId"], locales=(), dialect=db.dialect
    )


async def many(
    db: Database,
    sort: str | None,
    *,
    size: int,
    number: int = 1,
    after: str | None = None,
    parents: tuple[str, ...] = tuple(COUNTS),
) -> dict[Any, PageResult]:
    statement = sa.select(CustomerAssignment)
    async with db.sessions() as session:
        return await fetch_pages(
            session,
            statement,
            partition=CustomerAssignment.segment_id,
            parents=parents,
            keys=keys_for(db, sort),
            page_size=size,
            page_number=number,
            after=after,
            fingerprint=FP,
        )


async def one(
    db: Database,
    segment: str,
    sort: str | None,
    *,
    size: int,
    number: int = 1,
    after: str | None = None,
) -> PageResult:
    statement = sa.select(CustomerAssignment).where(CustomerAssignment.segment_id == segment)
    async with db.sessions() as session:
        return await fetch_page(
            session,
            statement,
            keys=keys_for(db, sort),
            page_size=size,
            page_number=number,
            after=after,
            fingerprint=FP,
        )


def members(result: PageResult) -> list[tuple[str, str]]:
    return [
        (row.CustomerAssignment.customer_id, row.CustomerAssignment.legal_entity_id)
        for row in result.rows
    ]


@pytest.mark.parametrize("sort", [None, "assignmentType:DESC", "legalEntityId:DESC"])
@pytest.mark.parametrize(("size", "number"), [(2, 1), (2, 2), (5, 2), (500, 1)])
async def test_each_partition_gets_its_own_page(
    db: Database, memberships: None, sort: str | None, size: int, number: int
) -> None:
    # when
    pages = await many(db, sort, size=size, number=number)
    # then
    for segment in COUNTS:
        expected = await one(db, segment, sort, size=size, number=number)
        found = pages.get(segment, PageResult.empty(number, size))
        assert members(found) == members(expected)
        assert found.has_next == expected.has_next
        assert (found.end_cursor is None) == (expected.end_cursor is None)
        assert (found.page_number, found.page_size) == (number, size)


async def test_all_partitions_take_one_statement(db: Database, memberships: None) -> None:
    with db.count_statements() as statements:
        pages = await many(db, None, size=3)
    assert len(statements) == 1
    assert sorted(pages) == ["s1", "s2", "s3"]


async def test_a_cursor_continues_its_own_partition(db: Database, memberships: None) -> None:
    # given: the last row of s2's first page
    cursor = (await many(db, "legalEntityId:DESC", size=2))["s2"].end_cursor
    alone = (await one(db, "s2", "legalEntityId:DESC", size=2)).end_cursor
    # when
    pages = await many(db, "legalEntityId:DESC", size=3, after=cursor, parents=("s2",))
    # then: s2 continues after those key values, as fetch_page would
    expected = await one(db, "s2", "legalEntityId:DESC", size=3, after=alone)
    assert members(pages["s2"]) == members(expected)
    assert (pages["s2"].has_next, pages["s2"].page_number) == (expected.has_next, 0)


@pytest.mark.parametrize("parents", [("s3",), ("s2", "s3"), ("s1", "s3")])
async def test_a_cursor_is_foreign_to_other_partitions(
    db: Database, memberships: None, parents: tuple[str, ...]
) -> None:
    # given
    cursor = (await many(db, None, size=2))["s2"].end_cursor
    # when / then: any parent but s2 refuses it, before any statement runs
    with db.count_statements() as statements, pytest.raises(GatewayError, match="another query"):
        await many(db, None, size=2, after=cursor, parents=parents)
    assert statements == []


async def test_an_unpartitioned_cursor_is_foreign_to_partitions(
    db: Database, memberships: None
) -> None:
    cursor = (await one(db, "s2", None, size=2)).end_cursor
    with pytest.raises(GatewayError, match="another query"):
        await many(db, None, size=2, after=cursor, parents=("s2",))


async def test_partition_rows_are_the_callers_rows(db: Database, memberships: None) -> None:
    pages = await many(db, None, size=1)
    row = pages["s1"].rows[0]
    assert len(row) == 1
    assert row.CustomerAssignment.segment_id == "s1"


async def test_partition_rows_keep_the_callers_column_names(
    db: Database, memberships: None
) -> None:
    # given: plain columns, one of them twice under another name, and an expression
    c = CustomerAssignment.__table__.c  # type: ignore[attr-defined]
    statement = sa.select(
        c.customer_id, c.customer_id.label("who"), sa.func.upper(c.customer_id).label("loud")
    ).where(c.segment_id == "s2")
    # when
    async with db.sessions() as session:
        pages = await fetch_pages(
            session,
            statement,
            partition=c.segment_id,
            parents=["s2"],
            keys=keys_for(db, None),
            page_size=2,
            page_number=1,
            after=None,
            fingerprint=FP,
        )
    # then
    rows = pages["s2"].rows
    assert [tuple(row._mapping.items()) for row in rows] == [
        (("customer_id", "c0"), ("who", "c0"), ("loud", "C0")),
        (("customer_id", "c0"), ("who", "c0"), ("loud", "C0")),
    ]
