"""Cursors of keyset pages: malformed, foreign or edited ones are refused as bad input."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import orjson
import pytest

from gateway.assignments.filters import ITEM_ASSIGNMENT_FIELDS
from gateway.errors import GatewayError
from gateway.query_language import (
    FieldSet,
    Kind,
    compile_sort,
    cursors,
    fingerprint,
)
from gateway.segments.filters import CUSTOMER_FIELDS, SEGMENT_FIELDS
from tests.conftest import Database
from tests.query_language.pages import (
    ids,
    page,
)


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
