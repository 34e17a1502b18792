"""`categoryTrees`: the shape of the tree, its flags, pruning and sibling order."""

from datetime import UTC, datetime

from tests.catalog.queries import TREES, node_ids, tree_nodes
from tests.conftest import MANAGE, READ_OWN
from tests.factories import FUTURE, PAST

DESCRIPTION = "Basic and professional-grade hammers for construction and home improvement tasks."


async def customer_in_segment(seed, *categories: str, segment: str = "s1") -> None:
    """Customer c1 belongs to `segment`, which has `categories` assigned."""
    await seed.add(seed.segment(segment))
    await seed.add(
        seed.customer(segment, "c1"), *(seed.item(segment, "CATEGORY", c) for c in categories)
    )


async def test_reference_example_is_reproduced_exactly(gql, seed, clock):
    # given: the REST reference's Tools > Hammer > Sledgehammers, with Hammer assigned
    clock(datetime(2025, 6, 1, tzinfo=UTC))
    await seed.tenant_row()
    await seed.add(
        seed.category("12468504", code="123", name={"en": "Tools"}, position=0),
        seed.category(
            "12468505",
            "12468504",
            code="234",
            name={"en": "Hammer"},
            description={"en": DESCRIPTION},
            valid_from=datetime(2024, 4, 17, 8),
            valid_to=datetime(2026, 4, 17, 8),
            position=1,
        ),
        seed.category("12468506", "12468505", code="345", name={"en": "Sledgehammers"}, position=2),
    )
    await customer_in_segment(seed, "12468505")
    # when
    data = await gql.data(TREES, scopes=READ_OWN, customer="c1")
    # then
    common = {"slug": None, "ecn": [], "published": True}
    sledgehammers = {
        "id": "12468506", "parentId": "12468505", "code": "345", "name": "Sledgehammers",
        "nameAllLocales": [{"locale": "en", "value": "Sledgehammers"}], "description": None,
        "validity": None, "position": 2, "isSegmentAssigned": True, "depth": 2,
        "subcategories": [], **common,
    }  # fmt: skip
    hammer = {
        "id": "12468505", "parentId": "12468504", "code": "234", "name": "Hammer",
        "nameAllLocales": [{"locale": "en", "value": "Hammer"}], "description": DESCRIPTION,
        "validity": {"from": "2024-04-17T08:00:00.000Z", "to": "2026-04-17T08:00:00.000Z"},
        "position": 1, "isSegmentAssigned": True, "depth": 1, "subcategories": [sledgehammers],
        **common,
    }  # fmt: skip
    tools = {
        "id": "12468504", "parentId": None, "code": "123", "name": "Tools",
        "nameAllLocales": [{"locale": "en", "value": "Tools"}], "description": None,
        "validity": None, "position": 0, "isSegmentAssigned": False, "depth": 0,
        "subcategories": [hammer], **common,
    }  # fmt: skip
    assert data == {"categoryTrees": [tools]}


async def test_the_reference_hammer_is_pruned_once_its_validity_ended(gql, seed, clock):
    # given: the same tree on a day after Hammer's validity
    clock(datetime(2026, 4, 17, 8, tzinfo=UTC))
    await seed.tenant_row()
    await seed.add(
        seed.category("tools"),
        seed.category("hammer", "tools", valid_to=datetime(2026, 4, 17, 8)),
        seed.category("sledge", "hammer"),
    )
    await customer_in_segment(seed, "hammer")
    # when / then: the end is exclusive, and Tools has nothing left to lead to
    assert await node_ids(gql, scopes=READ_OWN, customer="c1") == []


async def test_ancestors_are_not_assigned_and_descendants_are(gql, seed):
    # given: a > b > c > d, with c assigned
    await seed.tenant_row()
    await seed.add(
        seed.category("a"),
        seed.category("b", "a"),
        seed.category("c", "b"),
        seed.category("d", "c"),
    )
    await customer_in_segment(seed, "c")
    # when
    nodes = await tree_nodes(gql, scopes=READ_OWN, customer="c1")
    # then
    assert [(n["id"], n["isSegmentAssigned"]) for n in nodes] == [
        ("a", False),
        ("b", False),
        ("c", True),
        ("d", True),
    ]


async def test_an_assigned_ancestor_is_flagged_itself(gql, seed):
    # given: a > b, both assigned
    await seed.tenant_row()
    await seed.add(seed.category("a"), seed.category("b", "a"))
    await customer_in_segment(seed, "a", "b")
    # when
    nodes = await tree_nodes(gql, scopes=READ_OWN, customer="c1")
    # then
    assert [(n["id"], n["isSegmentAssigned"]) for n in nodes] == [("a", True), ("b", True)]


async def test_unassigned_branches_are_left_out(gql, seed):
    # given: root > (left > leftchild, right), only right assigned
    await seed.tenant_row()
    await seed.add(
        seed.category("root"),
        seed.category("left", "root", position=0),
        seed.category("leftchild", "left"),
        seed.category("right", "root", position=1),
        seed.category("other"),
    )
    await customer_in_segment(seed, "right")
    # when / then
    assert await node_ids(gql, scopes=READ_OWN, customer="c1") == ["root", "right"]


async def test_unpublished_branch_is_pruned_with_its_descendants(gql, seed):
    # given: shop > (hidden > inside), shop assigned, inside assigned too
    await seed.tenant_row()
    await seed.add(
        seed.category("shop"),
        seed.category("hidden", "shop", published=False),
        seed.category("inside", "hidden"),
        seed.category("visible", "shop"),
    )
    await customer_in_segment(seed, "shop", "inside")
    # when / then
    assert await node_ids(gql, scopes=READ_OWN, customer="c1") == ["shop", "visible"]


async def test_expired_and_future_branches_are_pruned_with_their_descendants(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(
        seed.category("shop"),
        seed.category("expired", "shop", valid_to=PAST),
        seed.category("below-expired", "expired"),
        seed.category("future", "shop", valid_from=FUTURE),
        seed.category("below-future", "future"),
        seed.category("current", "shop", valid_from=PAST, valid_to=FUTURE),
    )
    await customer_in_segment(seed, "shop")
    # when / then
    assert await node_ids(gql, scopes=READ_OWN, customer="c1") == ["shop", "current"]


async def test_an_ancestor_is_absent_when_its_only_assigned_descendant_is_pruned(gql, seed):
    # given: tools > hammer (unpublished, assigned); garden > rake (assigned)
    await seed.tenant_row()
    await seed.add(
        seed.category("tools"),
        seed.category("hammer", "tools", published=False),
        seed.category("garden"),
        seed.category("rake", "garden"),
    )
    await customer_in_segment(seed, "hammer", "rake")
    # when / then
    assert await node_ids(gql, scopes=READ_OWN, customer="c1") == ["garden", "rake"]


async def test_an_assigned_category_below_a_pruned_one_does_not_appear(gql, seed):
    # given: old (expired) > deal (assigned)
    await seed.tenant_row()
    await seed.add(seed.category("old", valid_to=PAST), seed.category("deal", "old"))
    await customer_in_segment(seed, "deal")
    # when / then
    assert await node_ids(gql, scopes=READ_OWN, customer="c1") == []


async def test_siblings_are_ordered_by_position_then_code_by_code_point(gql, seed):
    # given: codes that sort differently by code point and by locale
    await seed.tenant_row()
    await seed.add(
        seed.category("root"),
        seed.category("x1", "root", code="b", position=1),
        seed.category("x2", "root", code="a", position=1),
        seed.category("x3", "root", code="B", position=1),
        seed.category("x4", "root", code="z", position=0),
        seed.category("x5", "root", code="ä", position=1),
    )
    await customer_in_segment(seed, "root")
    # when
    data = await gql.data(TREES, scopes=READ_OWN, customer="c1")
    # then
    children = data["categoryTrees"][0]["subcategories"]
    assert [c["code"] for c in children] == ["z", "B", "a", "b", "ä"]


async def test_roots_are_ordered_like_siblings(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(
        seed.category("r1", position=2), seed.category("r2", position=1), seed.category("r3")
    )
    await customer_in_segment(seed, "r1", "r2", "r3")
    # when / then
    assert await node_ids(gql, scopes=READ_OWN, customer="c1") == ["r3", "r2", "r1"]


async def test_assigned_categories_missing_from_the_catalog_are_ignored(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.category("real"))
    await customer_in_segment(seed, "gone", "real")
    # when / then
    assert await node_ids(gql, scopes=READ_OWN, customer="c1") == ["real"]


async def test_a_customer_without_segments_gets_no_trees(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.category("a"))
    # when
    data = await gql.data(TREES, scopes=READ_OWN, customer="nobody")
    # then
    assert data == {"categoryTrees": []}


async def test_manage_alone_may_not_read_trees(gql, seed):
    # given
    await seed.tenant_row()
    # when
    error = await gql.error(TREES, scopes=MANAGE)
    # then
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["path"] == ["categoryTrees"]
