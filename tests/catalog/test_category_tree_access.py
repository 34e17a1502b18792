"""Which segments a category tree draws on: activity, site, membership, scopes."""

from tests.catalog.queries import NODES, node_ids
from tests.conftest import MANAGE, READ, READ_OWN
from tests.factories import FUTURE, PAST

ALL_SCOPES = (*READ, *READ_OWN, *MANAGE)


async def one_root_per_segment(seed, *segments) -> None:
    """Each segment gets its own root category, named after it and assigned to it."""
    await seed.add(*segments, *(seed.category(f"cat-{s.id}") for s in segments))
    await seed.add(*(seed.item(s.id, "CATEGORY", f"cat-{s.id}") for s in segments))


async def test_only_active_member_segments_of_the_site_contribute(gql, seed):
    # given
    await seed.tenant_row()
    await one_root_per_segment(
        seed,
        seed.segment("good", valid_from=PAST, valid_to=FUTURE),
        seed.segment("inactive", status="INACTIVE"),
        seed.segment("expired", valid_to=PAST),
        seed.segment("future", valid_from=FUTURE),
        seed.segment("outlet", site="outlet"),
        seed.segment("foreign"),
    )
    members = ["good", "inactive", "expired", "future", "outlet"]
    await seed.add(*(seed.customer(s, "c1") for s in members))
    # when / then
    assert await node_ids(gql, site="main", scopes=READ_OWN, customer="c1") == ["cat-good"]


async def test_without_site_code_every_site_counts(gql, seed):
    # given
    await seed.tenant_row()
    await one_root_per_segment(seed, seed.segment("main"), seed.segment("outlet", site="outlet"))
    await seed.add(seed.customer("main", "c1"), seed.customer("outlet", "c1"))
    # when / then
    assert await node_ids(gql, scopes=READ_OWN, customer="c1") == ["cat-main", "cat-outlet"]
    assert await node_ids(gql, site="outlet", scopes=READ_OWN, customer="c1") == ["cat-outlet"]


async def b2b_customer(seed) -> None:
    """c1 belongs to b2c without a legal entity, to le1seg through le1 and le2seg through le2."""
    await seed.tenant_row()
    await one_root_per_segment(
        seed, seed.segment("b2c"), seed.segment("le1seg"), seed.segment("le2seg")
    )
    await seed.add(
        seed.customer("b2c", "c1"),
        seed.customer("le1seg", "c1", legal_entity="le1"),
        seed.customer("le2seg", "c1", legal_entity="le2"),
    )


async def test_legal_entity_argument_picks_the_b2b_memberships(gql, seed):
    # given
    await b2b_customer(seed)
    # when
    ids = await node_ids(gql, le="le1", scopes=READ_OWN, customer="c1", legal_entity="le2")
    # then: the argument beats the token's legal entity; B2C always counts
    assert ids == ["cat-b2c", "cat-le1seg"]


async def test_legal_entity_of_the_token_applies_without_an_argument(gql, seed):
    # given
    await b2b_customer(seed)
    # when
    ids = await node_ids(gql, scopes=READ_OWN, customer="c1", legal_entity="le2")
    # then
    assert ids == ["cat-b2c", "cat-le2seg"]


async def test_every_legal_entity_counts_without_argument_or_token_claim(gql, seed):
    # given
    await b2b_customer(seed)
    # when / then
    assert await node_ids(gql, scopes=READ_OWN, customer="c1") == [
        "cat-b2c",
        "cat-le1seg",
        "cat-le2seg",
    ]


async def test_a_legal_entity_that_is_not_the_customers_matches_no_b2b_membership(gql, seed):
    # given
    await b2b_customer(seed)
    # when / then
    assert await node_ids(gql, le="other", scopes=READ_OWN, customer="c1") == ["cat-b2c"]


async def test_segment_read_sees_every_active_segment_of_the_tenant(gql, seed):
    # given
    await seed.tenant_row()
    await one_root_per_segment(
        seed, seed.segment("a"), seed.segment("b"), seed.segment("off", status="INACTIVE")
    )
    # when / then
    assert await node_ids(gql, scopes=READ) == ["cat-a", "cat-b"]


async def test_segment_read_with_segment_ids_sees_the_active_ones_among_them(gql, seed):
    # given
    await seed.tenant_row()
    await one_root_per_segment(
        seed,
        seed.segment("a"),
        seed.segment("b"),
        seed.segment("c"),
        seed.segment("off", status="INACTIVE"),
    )
    # when
    ids = await node_ids(gql, segments=["c", "a", "off", "unknown"], scopes=READ)
    # then
    assert ids == ["cat-a", "cat-c"]


async def test_segment_read_ignores_the_legal_entity_argument(gql, seed):
    # given
    await b2b_customer(seed)
    # when
    ids = await node_ids(gql, le="le1", scopes=READ)
    # then
    assert ids == ["cat-b2c", "cat-le1seg", "cat-le2seg"]


async def test_segment_read_wins_over_read_own(gql, seed):
    # given: c1 belongs to no segment
    await seed.tenant_row()
    await one_root_per_segment(seed, seed.segment("a"))
    # when / then
    assert await node_ids(gql, scopes=ALL_SCOPES, customer="c1") == ["cat-a"]


async def test_customers_segment_ids_narrow_and_foreign_ids_are_ignored(gql, seed):
    # given: c1 belongs to mine1 and mine2, not to theirs
    await seed.tenant_row()
    await one_root_per_segment(
        seed, seed.segment("mine1"), seed.segment("mine2"), seed.segment("theirs")
    )
    await seed.add(seed.customer("mine1", "c1"), seed.customer("mine2", "c1"))
    # when
    ids = await node_ids(gql, segments=["mine2", "theirs"], scopes=READ_OWN, customer="c1")
    # then
    assert ids == ["cat-mine2"]


async def test_empty_segment_ids_give_no_tree(gql, seed):
    # given
    await seed.tenant_row()
    await one_root_per_segment(seed, seed.segment("a"))
    # when / then
    assert await node_ids(gql, segments=[], scopes=READ) == []


async def test_segments_of_another_tenant_never_contribute(gql, seed):
    # given: the same ids in another tenant
    await seed.tenant_row()
    await one_root_per_segment(seed, seed.segment("a"))
    # when / then
    assert await node_ids(gql, scopes=READ, tenant="other") == []


async def test_more_than_200_segment_ids_are_refused(gql, seed):
    # given
    await seed.tenant_row()
    variables = {"segments": [f"s{i}" for i in range(201)]}
    # when
    error = await gql.error(NODES, variables, scopes=READ)
    # then
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "segmentIds" in error["message"] and "200" in error["message"]


async def test_200_segment_ids_are_accepted(gql, seed):
    # given
    await seed.tenant_row()
    await one_root_per_segment(seed, seed.segment("s7"))
    # when / then
    assert await node_ids(gql, segments=[f"s{i}" for i in range(200)], scopes=READ) == ["cat-s7"]


async def test_manage_alone_may_not_read_tree_nodes(gql, seed):
    # given
    await seed.tenant_row()
    # when
    error = await gql.error(NODES, scopes=MANAGE)
    # then
    assert error["extensions"]["code"] == "FORBIDDEN"
