"""itemAssignments(sort, pageSize, pageNumber, after): order, ties, nulls and stable pages."""

from __future__ import annotations

import pytest

from tests.assignments.helpers import error, keys, page, store


async def test_sort_descending_breaks_ties_by_the_natural_key(gql, seed):
    # given: p1 (code "b") sits in two segments, a tie on item.code
    await seed.tenant_row()
    await store(
        seed,
        seed.segment("s1"),
        seed.segment("s2"),
        seed.product("p1", code="b"),
        seed.product("p2", code="a"),
        seed.category("c1", code="c"),
        seed.item("s2", "PRODUCT", "p1"),
        seed.item("s1", "PRODUCT", "p1"),
        seed.item("s1", "PRODUCT", "p2"),
        seed.item("s1", "CATEGORY", "c1"),
    )
    # when
    found = await keys(gql, sort="item.code:DESC")
    # then
    assert found == ["s1/CATEGORY/c1", "s1/PRODUCT/p1", "s2/PRODUCT/p1", "s1/PRODUCT/p2"]


async def test_sort_by_mixins_puts_missing_values_first_ascending_and_last_descending(gql, seed):
    # given
    await seed.tenant_row()
    await store(
        seed,
        seed.segment("s1"),
        *(seed.product(p) for p in ("p1", "p2", "p3", "p4")),
        seed.item("s1", "PRODUCT", "p1", mixins={"rank": 2}),
        seed.item("s1", "PRODUCT", "p2"),
        seed.item("s1", "PRODUCT", "p3", mixins={"rank": 1}),
        seed.item("s1", "PRODUCT", "p4", mixins={"rank": 2}),
    )
    # when
    ascending = await keys(gql, sort="mixins.rank:ASC")
    descending = await keys(gql, sort="mixins.rank:DESC")
    # then: ties (p1, p4) keep the natural order both ways
    assert ascending == ["s1/PRODUCT/p2", "s1/PRODUCT/p3", "s1/PRODUCT/p1", "s1/PRODUCT/p4"]
    assert descending == ["s1/PRODUCT/p1", "s1/PRODUCT/p4", "s1/PRODUCT/p3", "s1/PRODUCT/p2"]


async def test_sort_by_several_fields(gql, seed):
    # given
    await seed.tenant_row()
    await store(
        seed,
        seed.segment("s1"),
        seed.segment("s2"),
        seed.product("p1"),
        seed.product("p2"),
        seed.item("s1", "PRODUCT", "p1", version=2),
        seed.item("s1", "PRODUCT", "p2"),
        seed.item("s2", "PRODUCT", "p1"),
        seed.item("s2", "PRODUCT", "p2", version=2),
    )
    # when
    found = await keys(gql, sort="metadata.version:DESC, item.id:DESC")
    # then
    assert found == ["s2/PRODUCT/p2", "s1/PRODUCT/p1", "s1/PRODUCT/p2", "s2/PRODUCT/p1"]


async def test_item_name_without_language_sorts_by_the_resolved_language(gql, seed):
    # given: English and German names order the products differently; p3 has no German
    await seed.tenant_row(default="en", languages=("en", "de"))
    await store(
        seed,
        seed.segment("s1"),
        seed.product("p1", name={"en": "Apple", "de": "Zitrone"}),
        seed.product("p2", name={"en": "Banana", "de": "Apfel"}),
        seed.product("p3", name={"en": "Cherry"}),
        *(seed.item("s1", "PRODUCT", p) for p in ("p1", "p2", "p3")),
    )
    # when
    english = await keys(gql, sort="item.name")
    german = await keys(gql, sort="item.name", as_={"accept_language": "de-CH"})
    german_explicit = await keys(gql, sort="item.name.de:DESC")
    # then: without German, p3 sorts by its English name "Cherry"
    assert english == ["s1/PRODUCT/p1", "s1/PRODUCT/p2", "s1/PRODUCT/p3"]
    assert german == ["s1/PRODUCT/p2", "s1/PRODUCT/p3", "s1/PRODUCT/p1"]
    assert german_explicit == ["s1/PRODUCT/p1", "s1/PRODUCT/p2", "s1/PRODUCT/p3"]


@pytest.mark.parametrize("sort", ["colour:ASC", "item.code:UP", "item.code:ASC,item.code:DESC"])
async def test_a_bad_sort_is_bad_user_input(gql, seed, sort):
    # given
    await seed.tenant_row()
    # when
    problem = await error(gql, sort=sort)
    # then
    assert problem["extensions"]["code"] == "BAD_USER_INPUT"
    assert "sort" in problem["message"]


async def _many(seed, count=23):
    """`count` products in 3 segments whose mixins.group has many ties."""
    await seed.tenant_row()
    await store(
        seed,
        *(seed.segment(s) for s in ("s1", "s2", "s3")),
        *(seed.product(f"p{n:02d}", code=f"code{n % 4}") for n in range(count)),
        *(
            seed.item(
                f"s{n % 3 + 1}", "PRODUCT", f"p{n:02d}", mixins={"group": n % 3} if n % 5 else {}
            )
            for n in range(count)
        ),
    )


async def _walk_offset(gql, size, **args):
    found, number = [], 1
    while True:
        current = await keys(gql, pageSize=size, pageNumber=number, **args)
        if not current:
            return found
        found += current
        number += 1


async def _walk_keyset(gql, size, **args):
    found, after = [], None
    while True:
        extra = {"after": after} if after else {}
        current = await page(gql, pageSize=size, **extra, **args)
        found += [f"{a['segmentId']}/{a['type']}/{a['item']['id']}" for a in current["items"]]
        if not current["hasNextPage"]:
            return found
        after = current["endCursor"]


@pytest.mark.parametrize("sort", [None, "mixins.group:DESC", "item.code:ASC,mixins.group:ASC"])
async def test_offset_and_keyset_pages_cover_everything_once_in_the_same_order(gql, seed, sort):
    # given
    await _many(seed)
    args = {"sort": sort} if sort else {}
    everything = await keys(gql, pageSize=500, **args)
    # when
    by_offset = await _walk_offset(gql, 5, **args)
    by_keyset = await _walk_keyset(gql, 5, **args)
    # then
    assert len(everything) == 23 and len(set(everything)) == 23
    assert by_offset == everything
    assert by_keyset == everything


async def test_keyset_pages_report_page_number_zero_and_a_cursor(gql, seed):
    # given
    await _many(seed, count=4)
    first = await page(gql, pageSize=3)
    # when
    second = await page(gql, pageSize=3, pageNumber=0, after=first["endCursor"])
    # then
    assert first["pageNumber"] == 1 and first["hasNextPage"] and first["endCursor"]
    assert second["pageNumber"] == 0 and not second["hasNextPage"]
    assert len(second["items"]) == 1 and second["endCursor"]


async def test_a_page_past_the_end_is_empty(gql, seed):
    # given
    await _many(seed, count=4)
    # when
    found = await page(gql, selection="items { type } totalCount", pageSize=2, pageNumber=3)
    # then
    assert found == {
        "items": [],
        "totalCount": 4,
        "pageNumber": 3,
        "pageSize": 2,
        "hasNextPage": False,
        "endCursor": None,
    }


@pytest.mark.parametrize(
    ("args", "argument"),
    [
        ({"pageSize": 0}, "pageSize"),
        ({"pageSize": 501}, "pageSize"),
        ({"pageNumber": 0}, "pageNumber"),
        ({"pageNumber": -1}, "pageNumber"),
    ],
)
async def test_paging_out_of_range_is_bad_user_input(gql, seed, args, argument):
    # given
    await seed.tenant_row()
    # when
    problem = await error(gql, **args)
    # then
    assert problem["extensions"]["code"] == "BAD_USER_INPUT"
    assert argument in problem["message"]


async def test_a_malformed_cursor_is_bad_user_input(gql, seed):
    # given
    await _many(seed, count=4)
    # when
    problem = await error(gql, after="not-a-cursor")
    # then
    assert problem["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "changed",
    [
        {"q": "type:PRODUCT"},
        {"sort": "item.code"},
        {"segmentId": "s1"},
        {"type": "PRODUCT"},
        {"siteCode": "main"},
        {"onlyActive": True},
    ],
)
async def test_a_cursor_of_another_query_is_bad_user_input(gql, seed, changed):
    # given
    await _many(seed, count=4)
    cursor = (await page(gql, pageSize=1))["endCursor"]
    # when
    problem = await error(gql, after=cursor, **changed)
    # then
    assert problem["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_cursor_of_another_tenant_is_bad_user_input(gql, seed):
    # given
    await _many(seed, count=4)
    cursor = (await page(gql, pageSize=1))["endCursor"]
    # when
    problem = await error(gql, after=cursor, as_={"tenant": "other"})
    # then
    assert problem["extensions"]["code"] == "BAD_USER_INPUT"


async def test_total_count_is_counted_only_when_selected(gql, seed, db):
    # given
    await _many(seed, count=7)
    # when
    with db.count_statements() as without:
        await page(gql, pageSize=2)
    with db.count_statements() as with_count:
        counted = await page(gql, selection="items { type } totalCount", pageSize=2)
    # then
    assert counted["totalCount"] == 7
    assert len(with_count) == len(without) + 1
