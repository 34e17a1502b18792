"""`Segment.items(...)`: the segment's item assignments, through the assignments domain."""

from tests.conftest import READ_OWN

ITEMS = """
query($q: String, $type: ItemType, $sort: String, $size: Int, $page: Int, $after: String) {
  segment(id: "s1") {
    items(q: $q, type: $type, sort: $sort, pageSize: $size, pageNumber: $page, after: $after) {
      items { segmentId type item { id code } }
      pageNumber hasNextPage endCursor
    }
  }
}
"""


async def items(gql, **variables):
    return (await gql.data(ITEMS, variables))["segment"]["items"]


def ids(page):
    return [(i["type"], i["item"]["id"]) for i in page["items"]]


async def given_catalog(seed):
    await seed.tenant_row()
    await seed.add(seed.product("p1"), seed.product("p2"), seed.category("c1"))
    await seed.add(seed.segment("s1"), seed.segment("s2"))
    await seed.add(
        seed.item("s1", "PRODUCT", "p2"),
        seed.item("s1", "PRODUCT", "p1"),
        seed.item("s1", "CATEGORY", "c1"),
        seed.item("s2", "PRODUCT", "p1"),
    )


async def test_items_of_the_segment_by_type_then_id(gql, seed):
    # given
    await given_catalog(seed)
    # when
    page = await items(gql)
    # then
    assert ids(page) == [("CATEGORY", "c1"), ("PRODUCT", "p1"), ("PRODUCT", "p2")]
    assert {i["segmentId"] for i in page["items"]} == {"s1"}


async def test_items_filtered_by_type_and_q(gql, seed):
    # given
    await given_catalog(seed)
    # when / then
    assert ids(await items(gql, type="PRODUCT")) == [("PRODUCT", "p1"), ("PRODUCT", "p2")]
    assert ids(await items(gql, q="item.code:p2")) == [("PRODUCT", "p2")]


async def test_items_sorted_and_paged(gql, seed):
    # given
    await given_catalog(seed)
    # when
    first = await items(gql, sort="item.id:DESC", size=2)
    rest = await items(gql, sort="item.id:DESC", size=2, after=first["endCursor"])
    # then
    assert ids(first) == [("PRODUCT", "p2"), ("PRODUCT", "p1")]
    assert first["hasNextPage"] is True
    assert ids(rest) == [("CATEGORY", "c1")]
    assert rest["pageNumber"] == 0


async def test_items_paging_arguments_are_checked(gql, seed):
    # given
    await given_catalog(seed)
    # when
    error = await gql.error(ITEMS, {"size": 501})
    # then
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_customer_sees_items_of_own_segment(gql, seed):
    # given
    await given_catalog(seed)
    await seed.add(seed.customer("s1", "cust1"))
    # when
    data = await gql.data(ITEMS, {"type": "CATEGORY"}, scopes=READ_OWN, customer="cust1")
    # then
    assert ids(data["segment"]["items"]) == [("CATEGORY", "c1")]


ITEMS_OF = """
query($id: ID!, $after: String) {
  segment(id: $id) { items(pageSize: 1, after: $after) { items { item { id } } endCursor } }
}
"""
BOTH_ITEMS = """
query($after: String) {
  segments { items { items(pageSize: 1, after: $after) { items { item { id } } } } }
}
"""


async def test_a_cursor_of_another_segment_is_foreign(gql, seed):
    # given: s1's first page ends at (PRODUCT, p1), a position s2 has too
    await given_catalog(seed)
    await seed.add(seed.item("s2", "PRODUCT", "p2"))
    first = await gql.data(ITEMS_OF, {"id": "s1"})
    cursor = first["segment"]["items"]["endCursor"]
    # when
    error = await gql.error(ITEMS_OF, {"id": "s2", "after": cursor})
    # then
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}
    assert "another query" in error["message"]
    assert error["path"] == ["segment", "items"]


async def test_a_cursor_in_a_list_continues_only_its_own_segment(gql, seed):
    # given
    await given_catalog(seed)
    cursor = (await gql.data(ITEMS_OF, {"id": "s1"}))["segment"]["items"]["endCursor"]
    # when: the same cursor is sent to every segment of a list
    body = await gql(BOTH_ITEMS, {"after": cursor})
    # then: s2 refuses it, and s2 alone (items is non-null, so the error nulls the list)
    assert [e["path"] for e in body["errors"]] == [["segments", "items", 1, "items"]]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
