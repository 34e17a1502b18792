"""Every write is visible to the next read of any query: lists, trees, matchItems, segments."""

from tests.catalog.queries import MATCH, TREES
from tests.conftest import MANAGE, READ, READ_OWN
from tests.mutations import operations as ops


async def shop(seed):
    await seed.tenant_row()
    await seed.add(
        seed.segment("s1"),
        seed.category("tools"),
        seed.category("saws", parent="tools"),
        seed.product("p1"),
        seed.product("p2"),
    )
    await seed.add(seed.link("p1", "saws"))


async def tree(gql, **kw):
    variables = {"site": "main", "le": None, "segments": ["s1"]}
    nodes = (await gql.data(TREES, variables, **kw))["categoryTrees"]

    def walk(node):
        return [(node["id"], node["isSegmentAssigned"])] + [
            pair for child in node["subcategories"] for pair in walk(child)
        ]

    return [pair for node in nodes for pair in walk(node)]


async def matched(gql, items=("p1", "p2")):
    variables = {"site": "main", "segments": ["s1"], "items": list(items)}
    return (await gql.data(MATCH, variables))["matchItems"]


async def test_category_assignment_shows_in_trees_and_match_at_once(gql, seed):
    # given
    await shop(seed)
    assert await tree(gql) == []
    # when
    await ops.upsert_item(gql, "saws", kind="CATEGORY")
    # then
    assert await tree(gql) == [("tools", False), ("saws", True)]
    assert await matched(gql) == ["p1"]


async def test_deleted_assignment_leaves_trees_and_match_at_once(gql, seed):
    # given
    await shop(seed)
    await ops.upsert_item(gql, "saws", kind="CATEGORY")
    await ops.bulk_upsert(gql, [{"id": "p2"}])
    assert await matched(gql) == ["p1", "p2"]
    # when
    await gql.data(ops.DELETE_ITEM, {"s": "s1", "t": "CATEGORY", "i": "saws"}, scopes=MANAGE)
    await gql.data(ops.BULK_DELETE_ITEMS, {"s": "s1", "t": "PRODUCT", "ids": ["p2"]}, scopes=MANAGE)
    # then
    assert await tree(gql) == []
    assert await matched(gql) == []
    assert await ops.read_items(gql) == {}


async def test_segment_switched_off_by_upsert_stops_matching(gql, seed):
    # given
    await shop(seed)
    await ops.bulk_upsert(gql, [{"id": "p1"}])
    # when
    await gql.data(
        ops.UPSERT_SEGMENT,
        {"id": "s1", "input": ops.segment_input(status="INACTIVE")},
        scopes=MANAGE,
    )
    # then
    assert await matched(gql) == []
    segment = (await gql.data(ops.SEGMENT, {"id": "s1"}, scopes=READ))["segment"]
    assert segment["status"] == "INACTIVE"


async def test_customer_assignment_gives_the_customer_the_segment_at_once(gql, seed):
    # given
    await shop(seed)
    await ops.upsert_item(gql, "saws", kind="CATEGORY")
    assert await tree(gql, scopes=READ_OWN, customer="u1") == []
    # when
    await gql.data(
        ops.UPSERT_CUSTOMER, {"s": "s1", "c": "u1", "le": "le1", "input": None}, scopes=MANAGE
    )
    # then
    assert await tree(gql, scopes=READ_OWN, customer="u1") == [("tools", False), ("saws", True)]
    await gql.data(ops.DELETE_CUSTOMER, {"s": "s1", "c": "u1", "le": "le1"}, scopes=MANAGE)
    assert await tree(gql, scopes=READ_OWN, customer="u1") == []


async def test_forced_segment_delete_empties_every_read(gql, seed):
    # given
    await shop(seed)
    await ops.upsert_item(gql, "saws", kind="CATEGORY")
    await gql.data(
        ops.UPSERT_CUSTOMER, {"s": "s1", "c": "u1", "le": None, "input": None}, scopes=MANAGE
    )
    # when
    await gql.data(ops.DELETE_SEGMENT, {"id": "s1", "force": True}, scopes=MANAGE)
    # then
    assert await tree(gql) == []
    assert await matched(gql) == []
    assert await ops.read_items(gql, None) == {}
    customer = await gql.data(
        ops.CUSTOMER_ASSIGNMENT, {"s": "s1", "c": "u1", "le": None}, scopes=READ
    )
    assert customer["customerAssignment"] is None
