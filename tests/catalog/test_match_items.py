"""`matchItems`: products assigned to active segments, directly or through categories."""

from tests.catalog.queries import MATCH, matched
from tests.conftest import MANAGE, READ, READ_OWN
from tests.factories import PAST


async def catalog(seed) -> None:
    """tools > hammers > (sledges, hidden: unpublished); products in each, one unlinked."""
    await seed.tenant_row()
    await seed.add(
        seed.category("tools"),
        seed.category("hammers", "tools"),
        seed.category("sledges", "hammers"),
        seed.category("hidden", "hammers", published=False),
        *(seed.product(p) for p in ("p-tools", "p-hammer", "p-sledge", "p-hidden", "p-loose")),
    )
    await seed.add(
        seed.link("p-tools", "tools"),
        seed.link("p-hammer", "hammers"),
        seed.link("p-sledge", "sledges"),
        seed.link("p-hidden", "hidden"),
    )


async def assign(seed, segment, *items, **fields) -> None:
    """`segment` with the given (type, id) assignments."""
    await seed.add(seed.segment(segment, **fields))
    await seed.add(*(seed.item(segment, t, i) for t, i in items))


ALL = ["p-tools", "p-hammer", "p-sledge", "p-hidden", "p-loose"]


async def test_a_directly_assigned_product_matches(gql, seed):
    # given
    await catalog(seed)
    await assign(seed, "s1", ("PRODUCT", "p-loose"))
    # when / then
    assert await matched(gql, ["s1"], ALL) == ["p-loose"]


async def test_products_of_an_assigned_category_and_its_descendants_match(gql, seed):
    # given
    await catalog(seed)
    await assign(seed, "s1", ("CATEGORY", "hammers"))
    # when / then: not the ancestor's product, not the pruned category's
    assert await matched(gql, ["s1"], ALL) == ["p-hammer", "p-sledge"]


async def test_a_product_only_in_an_ancestor_does_not_match(gql, seed):
    # given
    await catalog(seed)
    await assign(seed, "s1", ("CATEGORY", "sledges"))
    # when / then
    assert await matched(gql, ["s1"], ["p-tools", "p-hammer", "p-sledge"]) == ["p-sledge"]


async def test_a_pruned_assigned_category_does_not_match(gql, seed):
    # given
    await catalog(seed)
    await assign(seed, "s1", ("CATEGORY", "hidden"))
    # when / then
    assert await matched(gql, ["s1"], ALL) == []


async def test_a_category_id_is_not_a_product(gql, seed):
    # given
    await catalog(seed)
    await assign(seed, "s1", ("CATEGORY", "tools"))
    # when / then
    assert await matched(gql, ["s1"], ["tools", "p-tools"]) == ["p-tools"]


async def test_inactive_expired_and_other_site_segments_do_not_match(gql, seed):
    # given
    await catalog(seed)
    await assign(seed, "off", ("PRODUCT", "p-loose"), status="INACTIVE")
    await assign(seed, "old", ("CATEGORY", "tools"), valid_to=PAST)
    await assign(seed, "outlet", ("PRODUCT", "p-tools"), site="outlet")
    # when / then
    assert await matched(gql, ["off", "old", "outlet"], ALL) == []
    assert await matched(gql, ["outlet"], ALL, site="outlet") == ["p-tools"]


async def test_only_the_given_segments_count(gql, seed):
    # given
    await catalog(seed)
    await assign(seed, "s1", ("PRODUCT", "p-loose"))
    await assign(seed, "s2", ("CATEGORY", "tools"))
    # when / then
    assert await matched(gql, ["s1"], ALL) == ["p-loose"]
    assert await matched(gql, ["s2"], ALL) == ["p-tools", "p-hammer", "p-sledge"]


async def test_result_keeps_input_order_without_duplicates(gql, seed):
    # given
    await catalog(seed)
    await assign(seed, "s1", ("CATEGORY", "hammers"), ("PRODUCT", "p-loose"))
    # when
    ids = await matched(gql, ["s1", "s1"], ["p-sledge", "p-loose", "nope", "p-sledge", "p-hammer"])
    # then
    assert ids == ["p-sledge", "p-loose", "p-hammer"]


async def test_a_product_assigned_but_missing_from_the_catalog_does_not_match(gql, seed):
    # given
    await catalog(seed)
    await assign(seed, "s1", ("PRODUCT", "gone"))
    # when / then
    assert await matched(gql, ["s1"], ["gone"]) == []


async def test_read_own_narrows_to_the_callers_own_active_segments(gql, seed):
    # given: c1 belongs to mine, not to theirs
    await catalog(seed)
    await assign(seed, "mine", ("PRODUCT", "p-loose"))
    await assign(seed, "theirs", ("CATEGORY", "tools"))
    await seed.add(seed.customer("mine", "c1"))
    # when
    ids = await matched(gql, ["mine", "theirs"], ALL, scopes=READ_OWN, customer="c1")
    # then
    assert ids == ["p-loose"]


async def test_manage_may_match_every_active_segment(gql, seed):
    # given
    await catalog(seed)
    await assign(seed, "s1", ("CATEGORY", "sledges"))
    # when / then
    assert await matched(gql, ["s1"], ALL, scopes=MANAGE) == ["p-sledge"]


async def test_a_token_without_segment_scopes_is_forbidden(gql, seed):
    # given
    await seed.tenant_row()
    # when
    error = await gql.error(
        MATCH, {"site": "main", "segments": ["s1"], "items": ["p"]}, scopes=("other.scope",)
    )
    # then
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_200_segment_ids_and_500_item_ids_are_accepted(gql, seed):
    # given
    await catalog(seed)
    await assign(seed, "s199", ("PRODUCT", "p-loose"))
    segments = [f"s{i}" for i in range(200)]
    items = ["p-loose"] + [f"x{i}" for i in range(499)]
    # when / then
    assert await matched(gql, segments, items, scopes=READ) == ["p-loose"]


async def test_201_segment_ids_are_refused(gql, seed):
    # given
    await seed.tenant_row()
    variables = {"site": "main", "segments": [f"s{i}" for i in range(201)], "items": ["p"]}
    # when
    error = await gql.error(MATCH, variables)
    # then
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "segmentIds" in error["message"] and "200" in error["message"]


async def test_501_item_ids_are_refused(gql, seed):
    # given
    await seed.tenant_row()
    variables = {"site": "main", "segments": ["s1"], "items": [f"p{i}" for i in range(501)]}
    # when
    error = await gql.error(MATCH, variables)
    # then
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "itemIds" in error["message"] and "500" in error["message"]


async def test_empty_lists_match_nothing(gql, seed):
    # given
    await catalog(seed)
    await assign(seed, "s1", ("PRODUCT", "p-loose"))
    # when / then
    assert await matched(gql, [], ALL) == []
    assert await matched(gql, ["s1"], []) == []
