"""Every mutation needs customersegment.segment_manage: without it, FORBIDDEN and no write."""

import pytest

from tests.conftest import MANAGE, READ, READ_OWN
from tests.mutations import operations as ops

ITEM = {"s": "s1", "t": "PRODUCT", "i": "p1"}
CUSTOMER = {"s": "s1", "c": "c1", "le": None}
CALLS = {
    "upsertItemAssignment": (ops.UPSERT_ITEM, {**ITEM, "input": {"mixins": {"a": 2}}}),
    "deleteItemAssignment": (ops.DELETE_ITEM, ITEM),
    "bulkUpsertItemAssignments": (
        ops.BULK_UPSERT_ITEMS,
        {"s": "s1", "t": "PRODUCT", "items": [{"id": "p2"}]},
    ),
    "bulkDeleteItemAssignments": (
        ops.BULK_DELETE_ITEMS,
        {"s": "s1", "t": "PRODUCT", "ids": ["p1"]},
    ),
    "createSegment": (ops.CREATE_SEGMENT, {"input": ops.segment_input(id="s9")}),
    "upsertSegment": (ops.UPSERT_SEGMENT, {"id": "s1", "input": ops.segment_input()}),
    "deleteSegment": (ops.DELETE_SEGMENT, {"id": "s1", "force": True}),
    "upsertCustomerAssignment": (ops.UPSERT_CUSTOMER, {**CUSTOMER, "input": None}),
    "deleteCustomerAssignment": (ops.DELETE_CUSTOMER, CUSTOMER),
    "bulkUpsertCustomerAssignments": (
        ops.BULK_UPSERT_CUSTOMERS,
        {"s": "s1", "a": [{"customerId": "c2"}]},
    ),
    "bulkDeleteCustomerAssignments": (
        ops.BULK_DELETE_CUSTOMERS,
        {"s": "s1", "a": [{"customerId": "c1"}]},
    ),
}


async def populated(seed):
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), seed.product("p1"), seed.product("p2"))
    await seed.add(seed.item("s1", "PRODUCT", "p1", mixins={"a": 1}), seed.customer("s1", "c1"))


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("scopes", [READ, READ_OWN, ()], ids=["read", "read_own", "none"])
async def test_mutation_without_manage_is_forbidden_and_changes_nothing(
    gql, seed, db, name, scopes
):
    # given
    await populated(seed)
    before = await ops.snapshot(db)
    document, variables = CALLS[name]
    # when
    body = await gql(document, variables, scopes=scopes, customer="c1")
    # then
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert "segment_manage" in body["errors"][0]["message"]
    assert await ops.snapshot(db) == before


@pytest.mark.parametrize("name", sorted(CALLS))
async def test_the_same_mutation_with_manage_writes(gql, seed, db, name):
    # given
    await populated(seed)
    before = await ops.snapshot(db)
    document, variables = CALLS[name]
    # when
    body = await gql(document, variables, scopes=MANAGE)
    # then
    assert "errors" not in body
    assert await ops.snapshot(db) != before
