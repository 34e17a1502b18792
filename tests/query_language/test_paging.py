"""Offset and keyset pages: no overlap, no gaps, the same rows either way, on both databases."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from gateway.assignments.filters import ITEM_ASSIGNMENT_FIELDS
from gateway.errors import GatewayError
from gateway.query_language import (
    FieldSet,
    Kind,
    PageResult,
    check_paging,
    compile_q,
    compile_sort,
    cursors,
    fetch_page,
    fingerprint,
    order_by,
)
from gateway.segments.filters import CUSTOMER_FIELDS, SEGMENT_FIELDS
from gateway.segments.models import Segment
from tests.conftest import Database
from tests.query_language.sample_fields import SEGMENT

FP = fingerprint("demo", "segments", None, None)
SORTS = [
    None,
    "siteCode:DESC",
    "validity.from",
    "validity.from:DESC,siteCode",
    "name.en:DESC,metadata.version",
    "name",
    "mixins.n:DESC",
    "metadata.createdAt:DESC,name.en",
    "id:DESC",
]


def segment_row(seed: Any, index: int) -> Segment:
    """Rows with ties, NULLs, mixed JSON types and millisecond timestamps."""
    ids = ["B", "a", "ä", "Z"]
    row: Segment = seed.segment(
        ids[index] if index < len(ids) else f"s{index:02d}",
        site=["main", "Main", "b2b"][index % 3],
        name={} if index % 5 == 0 else {"en": ["x", "Y", "ü"][index % 3]},
        valid_from=None if index % 4 == 0 else datetime(2024, 1, 1 + index % 5),
        mixins=[{"n": index % 4}, {"n": "t"}, {}, {"n": 1.5}][index % 4],
        version=index % 3,
    )
    row.created_at = datetime(2024, 5, 1, 8, 0, 0, (index % 6) * 7000)
    return row


@pytest.fixture
async def many(seed: Any) -> None:
    await seed.add(*(segment_row(seed, index) for index in range(23)))


def keys_for(db: Database, sort: str | None) -> Any:
    return compile_sort(sort, SEGMENT, default=["id"], locales=["de", "en"], dialect=db.dialect)


async def page(
    db: Database,
    sort: str | None = None,
    *,
    size: int = 5,
    number: int = 1,
    after: str | None = None,
    bound: str = FP,
    q: str | None = None,
) -> PageResult:
    statement = sa.select(Segment).where(*compile_q(q, SEGMENT, dialect=db.dialect))
    async with db.sessions() as session:
        return await fetch_page(
            session,
            statement,
            keys=keys_for(db, sort),
            page_size=size,
            page_number=number,
            after=after,
            fingerprint=bound,
        )


async def everything(db: Database, sort: str | None) -> list[str]:
    statement = sa.select(Segment.id).order_by(*order_by(keys_for(db, sort)))
    async with db.sessions() as session:
        return list((await session.execute(statement)).scalars())


def ids(result: PageResult) -> list[str]:
    return [row.Segment.id for row in result.rows]


async def by_offset(db: Database, sort: str | None, size: int) -> list[PageResult]:
    pages = [await page(db, sort, size=size, number=1)]
    while pages[-1].has_next:
        pages.append(await page(db, sort, size=size, number=len(pages) + 1))
    return pages


async def by_keyset(db: Database, sort: str | None, size: int) -> list[PageResult]:
    pages = [await page(db, sort, size=size)]
    while pages[-1].has_next:
        pages.append(await page(db, sort, size=size, after=pages[-1].end_cursor))
    return pages


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


def edit(cursor: str, change: Any) -> str:
    payload = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    change(payload)
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


MALFORMED = "after: not a cursor this API issued"
FOREIGN = "after: this cursor belongs to another query (tenant, q, sort or filters differ)"


@pytest.mark.parametrize("cursor", ["", "abc", "!!!", "W10", "bnVsbA", "WzEsIngiXQ", "x" * 9000])
async def test_a_malformed_cursor_is_bad_input(db: Database, many: None, cursor: str) -> None:
    with pytest.raises(GatewayError) as caught:
        await page(db, after=cursor)
    assert caught.value.message == MALFORMED
    assert caught.value.extensions == {"code": "BAD_USER_INPUT", "argument": "after"}


async def test_a_cursor_of_another_query_is_foreign(db: Database, many: None) -> None:
    # given
    cursor = (await page(db, "siteCode")).end_cursor
    other = fingerprint("other", "segments", None, None)
    # then: another tenant/filter, or another sort, refuses it
    with pytest.raises(GatewayError, match=FOREIGN.replace("(", r"\(").replace(")", r"\)")):
        await page(db, "siteCode", after=cursor, bound=other)
    with pytest.raises(GatewayError, match="belongs to another query"):
        await page(db, "siteCode:DESC", after=cursor)


async def test_an_edited_cursor_is_bad_input_not_a_database_error(db: Database, many: None) -> None:
    # given: a cursor over (createdAt, id) whose timestamp was swapped for text
    cursor = (await page(db, "metadata.createdAt")).end_cursor
    assert cursor
    edits = [
        edit(cursor, lambda p: p[2].__setitem__(0, ["s", "yesterday"])),
        edit(cursor, lambda p: p[2].__setitem__(0, ["t", "not a date"])),
        edit(cursor, lambda p: p[2].__setitem__(1, ["s", "a\x00b"])),
        edit(cursor, lambda p: p[2].pop()),
        edit(cursor, lambda p: p.__setitem__(0, 2)),
    ]
    # then
    for edited in edits:
        with pytest.raises(GatewayError, match=MALFORMED):
            await page(db, "metadata.createdAt", after=edited)


async def test_an_integer_key_refuses_out_of_range_values(db: Database, many: None) -> None:
    cursor = (await page(db, "metadata.version")).end_cursor
    assert cursor
    edited = edit(cursor, lambda p: p[2].__setitem__(0, ["i", str(2**40)]))
    with pytest.raises(GatewayError, match=MALFORMED):
        await page(db, "metadata.version", after=edited)


async def test_a_cursor_keeps_timestamps_to_the_millisecond(db: Database, seed: Any) -> None:
    # given: two rows one millisecond apart
    rows = [seed.segment("s1"), seed.segment("s2")]
    rows[0].created_at = datetime(2024, 5, 1, 8, 0, 0, 1000)
    rows[1].created_at = datetime(2024, 5, 1, 8, 0, 0, 2000)
    await seed.add(*rows)
    # when
    first = await page(db, "metadata.createdAt", size=1)
    second = await page(db, "metadata.createdAt", size=1, after=first.end_cursor)
    # then
    assert (ids(first), ids(second), second.has_next) == (["s1"], ["s2"], False)


REFUSED = [
    ("metadata.createdAt", 0, ["t", "0000-01-01T00:00:00+00:00"]),
    ("metadata.createdAt", 0, ["t", "0001-01-01T00:00:00+14:00"]),
    ("metadata.createdAt", 0, ["t", "9999-12-31T23:59:59.999999-14:00"]),
    ("metadata.createdAt", 0, ["t", "9999-12-31T23:59:59.999999"]),
    ("metadata.createdAt", 0, ["t", "2024-01-01T00:00:00+05:00"]),
    ("metadata.createdAt", 0, ["t", "10000-01-01T00:00:00+00:00"]),
    ("metadata.createdAt", 0, ["t", "1e20"]),
    ("metadata.createdAt", 0, ["f", "1e20"]),
    ("metadata.createdAt", 0, ["i", "100000000000000000000"]),
    ("metadata.createdAt", 0, ["t", True]),
    ("metadata.createdAt", 0, 1e20),
    ("validity.to", 0, ["t", "2024-02-30T00:00:00+00:00"]),
    ("mixins.n", 0, ["b", True]),
    ("mixins.n", 0, ["s", "1"]),
    ("mixins.n", 0, ["t", "2024-01-01T00:00:00+00:00"]),
    ("mixins.n", 0, ["d", "1e999999"]),
    ("mixins.n", 0, ["d", "1e-999999"]),
    ("mixins.n", 0, ["d", "NaN"]),
    ("mixins.n", 0, ["f", "inf"]),
    ("mixins.n", 0, ["f", "1e400"]),
    ("mixins.n", 0, ["i", str(2**63)]),
    ("mixins.n", 1, ["i", "1"]),
    ("mixins.n", 1, ["s", "a\x00"]),
    ("metadata.version", 0, ["i", str(2**31)]),
    ("metadata.version", 0, ["f", "1.5"]),
    ("metadata.version", 0, ["b", False]),
    ("id", 0, ["s", "a\x00b"]),
    ("id", 0, ["i", "1"]),
    ("id", 0, ["s", 1]),
    ("id", 0, [["s"], "x"]),
    ("id", 0, "s"),
]


@pytest.mark.parametrize(("sort", "index", "value"), REFUSED)
async def test_an_edited_value_is_checked_against_its_key(
    db: Database, many: None, sort: str, index: int, value: Any
) -> None:
    # given: a real cursor whose value for one key was edited, re-encoded as cursors.py does
    cursor = (await page(db, sort)).end_cursor
    assert cursor
    edited = edit(cursor, lambda p: p[2].__setitem__(index, value))
    # when / then: refused before any SQL, saying which key's value is wrong
    with db.count_statements() as statements, pytest.raises(GatewayError) as caught:
        await page(db, sort, after=edited)
    assert caught.value.message.startswith(MALFORMED + ": its value for ")
    assert caught.value.extensions == {"code": "BAD_USER_INPUT", "argument": "after"}
    assert statements == []


ACCEPTED = [
    ("metadata.createdAt", ["t", "0001-01-01T00:00:00+00:00"]),
    ("metadata.createdAt", ["t", "9999-12-31T23:59:59.999999+00:00"]),
    ("metadata.createdAt", ["t", "2024-05-01T08:00:00Z"]),
    ("mixins.n", ["i", str(2**63 - 1)]),
    ("mixins.n", ["i", str(-(2**63))]),
    ("mixins.n", ["f", "1.7976931348623157e308"]),
    ("mixins.n", ["f", "-5e-324"]),
    ("metadata.version", ["i", str(2**31 - 1)]),
]


@pytest.mark.parametrize(("sort", "value"), ACCEPTED)
async def test_the_extreme_values_a_key_can_hold_are_accepted(
    db: Database, many: None, sort: str, value: Any
) -> None:
    cursor = (await page(db, sort)).end_cursor
    assert cursor
    edited = edit(cursor, lambda p: p[2].__setitem__(0, value))
    result = await page(db, sort, after=edited)
    assert result.page_number == 0


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@pytest.mark.parametrize("fields", [SEGMENT_FIELDS, CUSTOMER_FIELDS, ITEM_ASSIGNMENT_FIELDS])
def test_every_sort_key_has_a_type_cursors_can_check(dialect: str, fields: FieldSet) -> None:
    for path, field in fields.fields.items():
        sort = f"{path}.x" if field.kind is Kind.JSON else path
        for key in compile_sort(sort, fields, default=[], locales=["en"], dialect=dialect):
            assert cursors._family(key.expr.type) != "unknown", key.name
