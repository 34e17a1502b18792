"""Paging of `segments`: page numbers, cursors, totalCount and bad paging arguments."""

import base64

import orjson
import pytest

from tests.conftest import READ_OWN

PAGE = """
query($q: String, $site: String, $sort: String, $size: Int, $page: Int, $after: String) {
  segments(q: $q, siteCode: $site, sort: $sort, pageSize: $size, pageNumber: $page, after: $after) {
    items { id } pageNumber pageSize hasNextPage endCursor
  }
}
"""
COUNTED = """
query($q: String, $size: Int) {
  segments(q: $q, pageSize: $size) { items { id } totalCount }
}
"""


async def page(gql, **variables):
    return (await gql.data(PAGE, variables))["segments"]


async def seed_segments(seed, count, **fields):
    await seed.tenant_row()
    await seed.add(*(seed.segment(f"s{i:03d}", **fields) for i in range(count)))


async def test_page_numbers_walk_through_the_list(gql, seed):
    # given
    await seed_segments(seed, 5)
    # when
    first = await page(gql, size=2, page=1)
    last = await page(gql, size=2, page=3)
    # then
    assert [i["id"] for i in first["items"]] == ["s000", "s001"]
    assert first["hasNextPage"] is True
    assert first["endCursor"] is not None
    assert [i["id"] for i in last["items"]] == ["s004"]
    assert last["hasNextPage"] is False
    assert (last["pageNumber"], last["pageSize"]) == (3, 2)


async def test_page_past_the_end_is_empty(gql, seed):
    # given
    await seed_segments(seed, 3)
    # when
    past = await page(gql, size=2, page=5)
    # then
    assert past == {
        "items": [],
        "pageNumber": 5,
        "pageSize": 2,
        "hasNextPage": False,
        "endCursor": None,
    }


async def test_exactly_full_last_page_has_no_next_page(gql, seed):
    # given
    await seed_segments(seed, 4)
    # when
    second = await page(gql, size=2, page=2)
    # then
    assert len(second["items"]) == 2
    assert second["hasNextPage"] is False


@pytest.mark.parametrize(
    ("variables", "argument"),
    [
        ({"size": 0}, "pageSize"),
        ({"size": 501}, "pageSize"),
        ({"size": -1}, "pageSize"),
        ({"page": 0}, "pageNumber"),
        ({"page": -3}, "pageNumber"),
    ],
)
async def test_paging_out_of_range_is_bad_user_input(gql, seed, variables, argument):
    # given
    await seed_segments(seed, 1)
    # when
    error = await gql.error(PAGE, variables)
    # then
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert argument in error["message"]


async def test_largest_page_size_is_allowed(gql, seed):
    # given
    await seed_segments(seed, 3)
    # when
    found = await page(gql, size=500)
    # then
    assert len(found["items"]) == 3


async def test_after_continues_from_the_cursor_and_reports_page_zero(gql, seed):
    # given
    await seed_segments(seed, 5)
    first = await page(gql, size=2)
    # when
    second = await page(gql, size=2, after=first["endCursor"], page=7)
    # then: pageNumber is ignored with a cursor
    assert [i["id"] for i in second["items"]] == ["s002", "s003"]
    assert second["pageNumber"] == 0
    assert second["hasNextPage"] is True


async def test_keyset_paging_equals_offset_paging(gql, seed):
    # given: many ties on siteCode, broken by id
    await seed.tenant_row()
    await seed.add(*(seed.segment(f"s{i:02d}", site=f"site{i % 3}") for i in range(23)))
    sort = "siteCode:DESC"
    # when
    by_number = []
    for number in range(1, 6):
        by_number += (await page(gql, sort=sort, size=5, page=number))["items"]
    by_cursor, after = [], None
    while True:
        found = await page(gql, sort=sort, size=5, after=after)
        by_cursor += found["items"]
        if not found["hasNextPage"]:
            break
        after = found["endCursor"]
    # then
    assert len(by_number) == 23
    assert by_cursor == by_number
    assert len({i["id"] for i in by_cursor}) == 23


async def test_cursor_past_the_last_entry_gives_an_empty_page(gql, seed):
    # given
    await seed_segments(seed, 2)
    last = await page(gql, size=2)
    # when
    after_last = await page(gql, size=2, after=last["endCursor"])
    # then
    assert after_last["items"] == []
    assert after_last["hasNextPage"] is False
    assert after_last["endCursor"] is None


@pytest.mark.parametrize("cursor", ["nonsense", "", "eyJhIjoxfQ", "!!!"])
async def test_malformed_cursor_is_bad_user_input(gql, seed, cursor):
    # given
    await seed_segments(seed, 2)
    # when
    error = await gql.error(PAGE, {"after": cursor})
    # then
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("changed", [{"q": "siteCode:main"}, {"sort": "id:DESC"}, {"site": "main"}])
async def test_cursor_of_another_query_is_bad_user_input(gql, seed, changed):
    # given
    await seed_segments(seed, 3)
    cursor = (await page(gql, size=1))["endCursor"]
    # when
    error = await gql.error(PAGE, {"size": 1, "after": cursor, **changed})
    # then
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_cursor_of_another_tenant_is_bad_user_input(gql, seed):
    # given
    await seed_segments(seed, 3)
    cursor = (await page(gql, size=1))["endCursor"]
    # when
    error = await gql.error(PAGE, {"size": 1, "after": cursor}, tenant="other")
    # then
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_cursor_of_another_customer_is_bad_user_input(gql, seed):
    # given
    await seed_segments(seed, 3)
    await seed.add(seed.customer("s000", "cust1"), seed.customer("s000", "cust2"))
    own = {"scopes": READ_OWN}
    cursor = (await gql.data(PAGE, {"size": 1}, customer="cust1", **own))["segments"]["endCursor"]
    # when
    error = await gql.error(PAGE, {"size": 1, "after": cursor}, customer="cust2", **own)
    # then
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_total_count_counts_every_match_across_pages(gql, seed):
    # given
    await seed_segments(seed, 7)
    await seed.add(seed.segment("other", site="outlet"))
    # when
    data = await gql.data(COUNTED, {"q": "siteCode:main", "size": 2})
    # then
    assert len(data["segments"]["items"]) == 2
    assert data["segments"]["totalCount"] == 7


async def test_total_count_is_counted_only_when_selected(gql, seed, db):
    # given
    await seed_segments(seed, 3)
    # when
    with db.count_statements() as without:
        await gql.data(PAGE, {"size": 2})
    with db.count_statements() as counted:
        await gql.data(COUNTED, {"size": 2})
    # then
    assert len(counted) == len(without) + 1
    assert not any("count(" in s.lower() for s in without)


def edited(cursor, value):
    payload = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    payload[2][0] = value
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


@pytest.mark.parametrize(
    "value",
    [
        ["t", "0000-01-01T00:00:00+00:00"],
        ["t", "0001-01-01T00:00:00+01:00"],
        ["t", "9999-12-31T23:59:59.999999-01:00"],
        ["t", "9999-12-31T23:59:59.999999"],
        ["f", "1e20"],
        ["t", "not a date"],
    ],
)
async def test_cursor_edited_to_an_extreme_timestamp_is_bad_user_input(gql, seed, value):
    # given: a real cursor over (createdAt, id) whose timestamp was edited
    await seed_segments(seed, 3)
    cursor = (await page(gql, sort="metadata.createdAt", size=1))["endCursor"]
    # when
    error = await gql.error(PAGE, {"sort": "metadata.createdAt", "after": edited(cursor, value)})
    # then
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}
    assert error["message"] == (
        "after: not a cursor this API issued: its value for metadata.createdAt must be "
        "a UTC timestamp"
    )
