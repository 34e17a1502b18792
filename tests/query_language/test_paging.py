"""Offset and keyset pages: no overlap, no gaps, the same rows either way, on both databases."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from gateway.errors import GatewayError
from gateway.query_language import (
    check_paging,
    fetch_page,
)
from gateway.segments.models import Segment
from tests.conftest import Database
from tests.query_language.pages import (
    FP,
    SORTS,
    by_keyset,
    by_offset,
    everything,
    ids,
    keys_for,
    page,
)


@pytest.mark.parametrize("sort", SORTS)
async def test_offset_pages_cover_every_row_once(db: Database, many: None, sort: str) -> None:
    expected = await everything(db, sort)
    for size in (1, 4, 7):
        # when
        pages = await by_offset(db, sort, size)
        # then
        assert [i for p in pages for i in ids(p)] == expected
        assert [len(p.rows) for p in pages[:-1]] == [size] * (len(pages) - 1)
        assert all(p.end_cursor for p in pages)


@pytest.mark.parametrize("sort", SORTS)
async def test_keyset_pages_equal_offset_pages(db: Database, many: None, sort: str) -> None:
    for size in (1, 6):
        # when
        offset_pages = await by_offset(db, sort, size)
        keyset_pages = await by_keyset(db, sort, size)
        # then
        assert [ids(p) for p in keyset_pages] == [ids(p) for p in offset_pages]
        assert [p.end_cursor for p in keyset_pages] == [p.end_cursor for p in offset_pages]
        assert [p.page_number for p in keyset_pages[1:]] == [0] * (len(keyset_pages) - 1)


async def test_a_keyset_page_can_start_from_any_offset_cursor(db: Database, many: None) -> None:
    # given
    third = await page(db, "validity.from:DESC,siteCode", size=4, number=3)
    # when
    fourth = await page(db, "validity.from:DESC,siteCode", size=4, after=third.end_cursor)
    # then
    assert ids(fourth) == ids(await page(db, "validity.from:DESC,siteCode", size=4, number=4))


async def test_a_page_past_the_end_is_empty_without_cursor(db: Database, many: None) -> None:
    result = await page(db, size=10, number=4)
    assert (result.rows, result.has_next, result.end_cursor) == ([], False, None)
    assert (result.page_number, result.page_size) == (4, 10)


async def test_the_last_page_has_a_cursor_and_no_next(db: Database, many: None) -> None:
    # given
    last = await page(db, size=10, number=3)
    # when
    after_last = await page(db, size=10, after=last.end_cursor)
    # then
    assert (len(last.rows), last.has_next, bool(last.end_cursor)) == (3, False, True)
    assert (after_last.rows, after_last.has_next, after_last.end_cursor) == ([], False, None)


async def test_keyset_pages_respect_the_filter(db: Database, many: None) -> None:
    # given
    first = await page(db, "name", size=2, q="siteCode:main")
    # when
    second = await page(db, "name", size=2, q="siteCode:main", after=first.end_cursor)
    # then
    everything_main = await page(db, "name", size=500, q="siteCode:main")
    assert ids(first) + ids(second) == ids(everything_main)[:4]


async def test_rows_are_the_callers_own(db: Database, many: None) -> None:
    # given
    keys = keys_for(db, "siteCode")
    statement = sa.select(Segment.id, Segment.site_code.label("site"))
    # when
    async with db.sessions() as session:
        with db.count_statements() as statements:
            result = await fetch_page(
                session,
                statement,
                keys=keys,
                page_size=2,
                page_number=1,
                after=None,
                fingerprint=FP,
            )
    # then: one statement, and rows shaped like the caller's select
    assert len(statements) == 1
    assert [tuple(row) for row in result.rows] == [("a", "Main"), ("s04", "Main")]
    assert result.rows[0].site == "Main"


@pytest.mark.parametrize(("size", "ok"), [(0, False), (1, True), (500, True), (501, False)])
def test_page_size_runs_from_1_to_the_maximum(size: int, ok: bool) -> None:
    if ok:
        check_paging(size, 1, max_page_size=500)
        return
    with pytest.raises(GatewayError) as caught:
        check_paging(size, 1, max_page_size=500)
    assert caught.value.message == f"pageSize must be between 1 and 500, not {size}"
    assert caught.value.extensions == {"code": "BAD_USER_INPUT", "argument": "pageSize"}


def test_page_numbers_start_at_1_unless_a_cursor_is_given() -> None:
    with pytest.raises(GatewayError, match="pageNumber starts at 1, not 0"):
        check_paging(60, 0, max_page_size=500)
    check_paging(60, 0, max_page_size=500, after="cursor")


@pytest.mark.parametrize("size", [1, 500])
async def test_the_extreme_page_sizes_work(db: Database, many: None, size: int) -> None:
    result = await page(db, size=size)
    assert len(result.rows) == min(size, 23)
    assert result.has_next is (size < 23)


async def test_rows_read_by_column_name_whatever_the_names(db: Database, many: None) -> None:
    # given: plain names, and names a Python identifier cannot be ("class", a leading "_")
    plain = sa.select(Segment.id, Segment.site_code.label("site"))
    odd = sa.select(Segment.id.label("class"), Segment.site_code.label("_site"))
    async with db.sessions() as session:
        # when
        pages = [
            await fetch_page(
                session,
                statement,
                keys=keys_for(db, None),
                page_size=3,
                page_number=1,
                after=None,
                fingerprint=FP,
            )
            for statement in (plain, odd)
        ]
    # then: each row holds the caller's columns only, by name and by position
    first, other = pages[0].rows, pages[1].rows
    assert [tuple(row) for row in first] == [tuple(row) for row in other]
    assert [row.id for row in first] == [getattr(row, "class") for row in other]
    assert [row.site for row in first] == [row._site for row in other]
    assert all(len(row) == 2 for row in first + other)
