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
