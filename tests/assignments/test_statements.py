"""The number of SQL statements an item assignment read makes does not grow with its result."""

from __future__ import annotations

from tests.assignments.helpers import store, store_many

ROOT = """query($size: Int) { itemAssignments(pageSize: $size) {
  items { segmentId type item { id code name ... on Product { categoryIds } } segment { id name } }
  totalCount hasNextPage } }"""

NESTED = """query($segments: Int, $q: String) { segments(pageSize: $segments) { items {
  id
  items(q: $q, pageSize: 2) {
    totalCount hasNextPage endCursor
    items { type item { id name ... on Product { categoryIds } } segment { id } }
  } } } }"""


async def given_many(seed, segments: int, per_segment: int) -> None:
    """`segments` segments with `per_segment` product assignments each, products linked."""
    await seed.tenant_row()
    products = [seed.product(f"p{n:03d}") for n in range(per_segment)]
    await store_many(
        seed,
        seed.category("c1"),
        *products,
        *(seed.link(p.id, "c1") for p in products),
        *(seed.segment(f"s{n:03d}") for n in range(segments)),
        *(seed.item(f"s{s:03d}", "PRODUCT", p.id) for s in range(segments) for p in products),
    )


async def statements(db, gql, query, variables):
    with db.count_statements() as seen, db.count_checkouts() as checkouts:
        data = await gql.data(query, variables)
    # every read of the request on one connection (on SQLite one per read)
    assert len(checkouts) == 1 or db.dialect == "sqlite"
    return data, seen


async def test_a_page_of_500_makes_as_many_statements_as_a_page_of_10(gql, seed, db):
    # given: 520 assignments
    await given_many(seed, segments=26, per_segment=20)
    # when
    small, small_statements = await statements(db, gql, ROOT, {"size": 10})
    large, large_statements = await statements(db, gql, ROOT, {"size": 500})
    # then
    assert len(small["itemAssignments"]["items"]) == 10
    assert len(large["itemAssignments"]["items"]) == 500
    assert large["itemAssignments"]["totalCount"] == 520
    assert large["itemAssignments"]["items"][-1]["segment"]["id"] == "s024"
    assert large["itemAssignments"]["items"][-1]["item"]["categoryIds"] == ["c1"]
    assert len(small_statements) == len(large_statements)
    # languages, the page with its items, the count, the segments, the category links
    assert len(large_statements) == 5


async def test_segment_items_of_500_segments_is_one_statement_and_one_count(gql, seed, db):
    # given
    await given_many(seed, segments=500, per_segment=3)
    # when
    few, few_statements = await statements(db, gql, NESTED, {"segments": 5})
    many, many_statements = await statements(db, gql, NESTED, {"segments": 500})
    # then
    segments = many["segments"]["items"]
    assert len(segments) == 500
    assert all(s["items"]["totalCount"] == 3 and s["items"]["hasNextPage"] for s in segments)
    assert [i["item"]["id"] for i in segments[499]["items"]["items"]] == ["p000", "p001"]
    assert {i["segment"]["id"] for i in segments[499]["items"]["items"]} == {"s499"}
    assert len(few_statements) == len(many_statements)
    on_assignments = [s for s in many_statements if "item_assignment" in s]
    assert len(on_assignments) == 2  # the pages, and the counts in one GROUP BY


async def test_segment_items_pages_each_segment_on_its_own(gql, seed):
    # given: s1 has three products, s2 one, s3 none
    await seed.tenant_row()
    await store(
        seed,
        *(seed.product(p) for p in ("p1", "p2", "p3")),
        *(seed.segment(s) for s in ("s1", "s2", "s3")),
        *(seed.item("s1", "PRODUCT", p) for p in ("p1", "p2", "p3")),
        seed.item("s2", "PRODUCT", "p3"),
    )
    query = """{ segments { items { id items(pageSize: 2, pageNumber: 2) {
        totalCount hasNextPage pageNumber endCursor items { item { id } } } } } }"""
    # when
    data = await gql.data(query)
    # then
    pages = {s["id"]: s["items"] for s in data["segments"]["items"]}
    assert [i["item"]["id"] for i in pages["s1"]["items"]] == ["p3"]
    assert pages["s1"]["totalCount"] == 3 and pages["s1"]["endCursor"]
    assert pages["s2"] == {
        "totalCount": 1,
        "hasNextPage": False,
        "pageNumber": 2,
        "endCursor": None,
        "items": [],
    }
    assert pages["s3"]["totalCount"] == 0 and pages["s3"]["items"] == []


async def test_segment_items_with_different_arguments_keep_them_apart(gql, seed):
    # given
    await seed.tenant_row()
    await store(
        seed,
        seed.product("p1"),
        seed.category("c1"),
        seed.segment("s1"),
        seed.item("s1", "PRODUCT", "p1"),
        seed.item("s1", "CATEGORY", "c1"),
    )
    query = """{ segment(id: "s1") {
        products: items(type: PRODUCT) { totalCount items { item { id } } }
        categories: items(q: "type:CATEGORY") { totalCount items { item { id } } }
        everything: items { totalCount items { item { id } } } } }"""
    # when
    data = (await gql.data(query))["segment"]
    # then
    assert data["products"] == {"totalCount": 1, "items": [{"item": {"id": "p1"}}]}
    assert data["categories"] == {"totalCount": 1, "items": [{"item": {"id": "c1"}}]}
    assert data["everything"]["totalCount"] == 2
