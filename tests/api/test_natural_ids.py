"""Every assignment has an id: stable, unique in the tenant, the same wherever it is read."""

from __future__ import annotations

import pytest

from gateway.api.types import natural_id
from tests.assignments.helpers import store
from tests.conftest import MANAGE

READS = """query {
  itemAssignments { items { id segmentId type item { id } } }
  segment(id: "s:1") {
    items { items { id } }
    customers { items { id segmentId customerId legalEntityId } }
  }
}"""
UPSERT_ITEM = """mutation {
  upsertItemAssignment(segmentId: "s:1", type: PRODUCT, itemId: "p/1") { assignment { id } }
}"""
UPSERT_CUSTOMER = """mutation {
  upsertCustomerAssignment(segmentId: "s:1", customerId: "anna", legalEntityId: "le:1") {
    assignment { id }
  }
}"""


@pytest.fixture
async def assigned(seed):
    await seed.tenant_row()
    await store(
        seed,
        seed.segment("s:1"),
        seed.product("p/1"),
        seed.category("p/1"),
        seed.item("s:1", "PRODUCT", "p/1"),
        seed.item("s:1", "CATEGORY", "p/1"),
        seed.customer("s:1", "anna"),
        seed.customer("s:1", "anna", "le:1"),
    )


def test_parts_are_percent_encoded_so_no_two_keys_share_an_id():
    # a ':' inside a part cannot make two natural keys read the same
    assert natural_id("a:b", "c") == "a%3Ab:c"
    assert natural_id("a", "b:c") == "a:b%3Ac"
    assert natural_id("hobby", "PRODUCT", "p1") == "hobby:PRODUCT:p1"


async def test_item_assignments_have_their_natural_key_as_id(gql, assigned):
    # when
    data = await gql.data(READS)
    # then
    ids = {(a["type"], a["item"]["id"]): a["id"] for a in data["itemAssignments"]["items"]}
    assert ids == {
        ("PRODUCT", "p/1"): "s%3A1:PRODUCT:p%2F1",
        ("CATEGORY", "p/1"): "s%3A1:CATEGORY:p%2F1",
    }
    # the same ids through the segment as at the root
    assert {a["id"] for a in data["segment"]["items"]["items"]} == set(ids.values())


async def test_customer_assignments_ids_tell_b2c_from_b2b(gql, assigned):
    # when
    customers = (await gql.data(READS))["segment"]["customers"]["items"]
    # then
    assert sorted(c["id"] for c in customers) == [
        "s%3A1:CUSTOMER:anna:",
        "s%3A1:CUSTOMER:anna:le%3A1",
    ]


async def test_ids_are_unique_across_both_kinds_of_assignment(gql, assigned):
    data = await gql.data(READS)
    ids = [a["id"] for a in data["itemAssignments"]["items"]]
    ids += [c["id"] for c in data["segment"]["customers"]["items"]]
    assert len(set(ids)) == len(ids) == 4


async def test_a_written_assignment_has_the_id_it_is_read_with(gql, assigned):
    # when
    item = await gql.data(UPSERT_ITEM, scopes=MANAGE)
    customer = await gql.data(UPSERT_CUSTOMER, scopes=MANAGE)
    # then: the same ids as the reads give, so a client cache updates the object it holds
    assert item["upsertItemAssignment"]["assignment"]["id"] == "s%3A1:PRODUCT:p%2F1"
    assert customer["upsertCustomerAssignment"]["assignment"]["id"] == "s%3A1:CUSTOMER:anna:le%3A1"
