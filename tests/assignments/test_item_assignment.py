"""itemAssignment(segmentId, type, itemId): one assignment by natural key, or null."""

from __future__ import annotations

import pytest

from tests.assignments.helpers import store

QUERY = """query($segmentId: ID!, $type: ItemType!, $itemId: ID!) {
  itemAssignment(segmentId: $segmentId, type: $type, itemId: $itemId) {
    segmentId type mixins metadata { version }
    item { __typename id code ... on Category { position } }
    segment { id siteCode }
  }
}"""


async def one(gql, segment, item_type, item_id, **caller):
    variables = {"segmentId": segment, "type": item_type, "itemId": item_id}
    return (await gql.data(QUERY, variables, **caller))["itemAssignment"]


@pytest.fixture
async def assigned(seed):
    await seed.tenant_row()
    await store(
        seed,
        seed.segment("s1", site="outlet"),
        seed.product("p1", code="hammer"),
        seed.category("c1", code="tools", position=2),
        seed.item("s1", "PRODUCT", "p1", mixins={"k": "v"}, version=3),
        seed.item("s1", "CATEGORY", "c1"),
        seed.item("s1", "PRODUCT", "p-gone"),
    )


async def test_returns_the_assignment_with_its_item_and_segment(gql, assigned):
    # when
    found = await one(gql, "s1", "PRODUCT", "p1")
    # then
    assert found == {
        "segmentId": "s1",
        "type": "PRODUCT",
        "mixins": {"k": "v"},
        "metadata": {"version": 3},
        "item": {"__typename": "Product", "id": "p1", "code": "hammer"},
        "segment": {"id": "s1", "siteCode": "outlet"},
    }


async def test_returns_a_category_assignment(gql, assigned):
    # when
    found = await one(gql, "s1", "CATEGORY", "c1")
    # then
    assert found["item"] == {"__typename": "Category", "id": "c1", "code": "tools", "position": 2}


@pytest.mark.parametrize(
    ("segment", "item_type", "item_id"),
    [
        ("s1", "PRODUCT", "p2"),  # not assigned
        ("s1", "CATEGORY", "p1"),  # assigned, but as the other type
        ("s1", "PRODUCT", "p-gone"),  # its item left the catalog
        ("s9", "PRODUCT", "p1"),  # unknown segment
    ],
)
async def test_is_null_when_absent(gql, assigned, segment, item_type, item_id):
    # when / then
    assert await one(gql, segment, item_type, item_id) is None


async def test_is_null_in_another_tenant(gql, assigned):
    # when / then
    assert await one(gql, "s1", "PRODUCT", "p1", tenant="other") is None


async def test_reads_one_statement_besides_the_tenants_languages(gql, assigned, db):
    # when
    with db.count_statements() as statements:
        await gql.data(
            '{ itemAssignment(segmentId: "s1", type: PRODUCT, itemId: "p1") '
            "{ type item { id code name } } }"
        )
    # then: the tenant's languages, then the assignment joined with its item
    assert len(statements) == 2
