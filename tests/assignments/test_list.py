"""itemAssignments: what it returns and how each filter argument narrows it."""

from __future__ import annotations

from datetime import datetime

from gateway.store.columns import utcnow
from tests.assignments.helpers import keys, page, stamped, store
from tests.factories import FUTURE, PAST, days

FULL = """
items {
  segmentId type mixins
  metadata { createdAt modifiedAt version mixins }
  item {
    __typename id code name
    ... on Product { categoryIds }
    ... on Category { parentId position published ecn validity { from to } }
  }
}
"""


async def test_returns_assignments_with_their_items_in_natural_order(gql, seed):
    # given
    await seed.tenant_row()
    await store(
        seed,
        seed.segment("s2"),
        seed.segment("s1"),
        seed.product("p2"),
        seed.product("p1"),
        seed.category("c1"),
        seed.item("s2", "PRODUCT", "p1"),
        seed.item("s1", "PRODUCT", "p2"),
        seed.item("s1", "PRODUCT", "p1"),
        seed.item("s1", "CATEGORY", "c1"),
    )
    # when
    found = await keys(gql)
    # then: segmentId, then type, then item id
    assert found == ["s1/CATEGORY/c1", "s1/PRODUCT/p1", "s1/PRODUCT/p2", "s2/PRODUCT/p1"]


async def test_exposes_item_fields_mixins_and_metadata(gql, seed):
    # given
    await seed.tenant_row()
    await store(
        seed,
        seed.segment("s1"),
        seed.product("p1", code="hammer", name={"en": "Hammer"}),
        seed.category("c0"),
        seed.category("c1", parent="c0", code="tools", position=3, ecn=["T-1"]),
        seed.link("p1", "c1"),
        stamped(
            seed.item(
                "s1",
                "PRODUCT",
                "p1",
                mixins={"a": {"b": 1}},
                metadata_mixins={"a": "https://x/a"},
                version=4,
            ),
            datetime(2024, 10, 12, 12),
            datetime(2024, 10, 13),
        ),
        seed.item("s1", "CATEGORY", "c1"),
    )
    # when
    found = await page(gql, selection=FULL)
    # then
    category, product = found["items"]
    assert product == {
        "segmentId": "s1",
        "type": "PRODUCT",
        "mixins": {"a": {"b": 1}},
        "metadata": {
            "createdAt": "2024-10-12T12:00:00.000Z",
            "modifiedAt": "2024-10-13T00:00:00.000Z",
            "version": 4,
            "mixins": {"a": "https://x/a"},
        },
        "item": {
            "__typename": "Product",
            "id": "p1",
            "code": "hammer",
            "name": "Hammer",
            "categoryIds": ["c1"],
        },
    }
    assert category["mixins"] is None and category["metadata"]["mixins"] is None
    assert category["item"] == {
        "__typename": "Category",
        "id": "c1",
        "code": "tools",
        "name": "C1",
        "parentId": "c0",
        "position": 3,
        "published": True,
        "ecn": ["T-1"],
        "validity": None,
    }


async def test_segment_id_narrows_to_one_segment(gql, seed):
    # given
    await seed.tenant_row()
    await store(
        seed,
        seed.segment("s1"),
        seed.segment("s2"),
        seed.product("p1"),
        seed.item("s1", "PRODUCT", "p1"),
        seed.item("s2", "PRODUCT", "p1"),
    )
    # when / then
    assert await keys(gql, segmentId="s2") == ["s2/PRODUCT/p1"]


async def test_unknown_segment_gives_an_empty_page(gql, seed):
    # given
    await seed.tenant_row()
    await store(seed, seed.segment("s1"), seed.product("p1"), seed.item("s1", "PRODUCT", "p1"))
    # when
    found = await page(gql, selection="items { type } totalCount", segmentId="nope")
    # then
    assert found == {
        "items": [],
        "totalCount": 0,
        "pageNumber": 1,
        "pageSize": 60,
        "hasNextPage": False,
        "endCursor": None,
    }


async def test_type_keeps_only_products_or_only_categories(gql, seed):
    # given
    await seed.tenant_row()
    await store(
        seed,
        seed.segment("s1"),
        seed.product("x1"),
        seed.category("x1"),
        seed.item("s1", "PRODUCT", "x1"),
        seed.item("s1", "CATEGORY", "x1"),
    )
    # when / then
    assert await keys(gql, type="CATEGORY") == ["s1/CATEGORY/x1"]
    assert await keys(gql, type="PRODUCT") == ["s1/PRODUCT/x1"]


async def test_site_code_keeps_items_of_that_sites_segments(gql, seed):
    # given
    await seed.tenant_row()
    await store(
        seed,
        seed.segment("s1", site="main"),
        seed.segment("s2", site="outlet"),
        seed.product("p1"),
        seed.item("s1", "PRODUCT", "p1"),
        seed.item("s2", "PRODUCT", "p1"),
    )
    # when / then
    assert await keys(gql, siteCode="outlet") == ["s2/PRODUCT/p1"]
    assert await keys(gql, siteCode="nowhere") == []


async def test_only_active_keeps_items_of_segments_in_effect_now(gql, seed):
    # given: one segment in effect, one switched off, one expired, one not yet started
    now = utcnow()
    await seed.tenant_row()
    await store(
        seed,
        seed.segment("on", valid_from=PAST, valid_to=FUTURE),
        seed.segment("off", status="INACTIVE"),
        seed.segment("expired", valid_to=now - days(1)),
        seed.segment("later", valid_from=now + days(1)),
        seed.product("p1"),
        *(seed.item(s, "PRODUCT", "p1") for s in ("on", "off", "expired", "later")),
    )
    # when / then
    assert await keys(gql, onlyActive=True) == ["on/PRODUCT/p1"]
    assert len(await keys(gql, onlyActive=False)) == 4


async def test_null_arguments_take_their_defaults(gql, seed):
    # given
    await seed.tenant_row()
    await store(seed, seed.segment("s1"), seed.product("p1"), seed.item("s1", "PRODUCT", "p1"))
    # when
    found = await page(gql, onlyActive=None, pageSize=None, pageNumber=None, sort=None, q=None)
    # then
    assert (found["pageSize"], found["pageNumber"], len(found["items"])) == (60, 1, 1)


async def test_assignments_whose_item_left_the_catalog_are_left_out(gql, seed):
    # given: p-gone was deleted from the catalog; x1 exists only as a category
    await seed.tenant_row()
    await store(
        seed,
        seed.segment("s1"),
        seed.product("p1"),
        seed.category("x1"),
        seed.item("s1", "PRODUCT", "p1"),
        seed.item("s1", "PRODUCT", "p-gone"),
        seed.item("s1", "PRODUCT", "x1"),
    )
    # when
    found = await page(gql, selection="items { item { id } } totalCount")
    # then
    assert found["items"] == [{"item": {"id": "p1"}}]
    assert found["totalCount"] == 1


async def test_catalog_publication_and_validity_do_not_apply(gql, seed):
    # given
    await seed.tenant_row()
    await store(
        seed,
        seed.segment("s1"),
        seed.category("c1", published=False),
        seed.category("c2", valid_to=PAST),
        seed.item("s1", "CATEGORY", "c1"),
        seed.item("s1", "CATEGORY", "c2"),
    )
    # when / then
    assert await keys(gql) == ["s1/CATEGORY/c1", "s1/CATEGORY/c2"]


async def test_a_tenant_without_data_gives_an_empty_page(gql):
    # when
    found = await page(gql, selection="items { type } totalCount", as_={"tenant": "empty"})
    # then
    assert found["items"] == [] and found["totalCount"] == 0 and found["endCursor"] is None


async def test_other_tenants_assignments_stay_invisible(gql, seed, db):
    # given: the same ids in another tenant
    other = type(seed)(db, tenant="other")
    await seed.tenant_row()
    await store(other, other.segment("s9"), other.product("p1"), other.item("s9", "PRODUCT", "p1"))
    await store(seed, seed.segment("s1"), seed.product("p1"), seed.item("s1", "PRODUCT", "p1"))
    # when / then
    assert await keys(gql) == ["s1/PRODUCT/p1"]
    assert await keys(gql, segmentId="s9") == []
