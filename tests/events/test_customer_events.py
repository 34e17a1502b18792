"""Customer assignment mutations record customer-assignment events (§15)."""

from tests.conftest import MANAGE
from tests.events.helpers import CUSTOMER_DELETED, CUSTOMER_WRITTEN, recorded, short
from tests.mutations.operations import BULK_DELETE_CUSTOMERS, BULK_UPSERT_CUSTOMERS, DELETE_CUSTOMER
from tests.mutations.test_customer_assignments import bulk, segment, upsert


async def test_a_b2b_upsert_records_created_then_updated(gql, db, seed):
    # given
    await segment(seed)
    # when
    first = await upsert(gql, "u1", "le1")
    second = await upsert(gql, "u1", "le1", assignmentType="AUTOMATIC", mixins={"x": True})
    # then
    created, updated = await recorded(db)
    assert (short(created), short(updated)) == (
        "customer-assignment-created",
        "customer-assignment-updated",
    )
    assert set(created["data"]) == CUSTOMER_WRITTEN
    assert created["data"] == {
        "segmentId": "s1",
        "customer": {"id": "u1"},
        "legalEntity": {"id": "le1"},
        "assignmentType": "MANUAL",
        "mixins": None,
        "metadata": first["assignment"]["metadata"],
        "tenant": "demo",
    }
    assert updated["data"]["assignmentType"] == "AUTOMATIC"
    assert updated["data"]["mixins"] == {"x": True}
    assert updated["data"]["metadata"] == second["assignment"]["metadata"]
    keys = ("segment_id", "item_type", "item_id", "customer_id", "legal_entity_id")
    assert [updated[k] for k in keys] == ["s1", None, None, "u1", "le1"]


async def test_a_b2c_assignment_has_no_legal_entity(gql, db, seed):
    # given
    await segment(seed)
    # when
    await upsert(gql, "u1")
    await gql.data(DELETE_CUSTOMER, {"s": "s1", "c": "u1"}, scopes=MANAGE)
    # then
    created, deleted = await recorded(db)
    assert created["data"]["legalEntity"] is None
    assert created["legal_entity_id"] is None
    assert set(deleted["data"]) == CUSTOMER_DELETED
    assert deleted["data"] == {
        "customerId": "u1",
        "legalEntityId": None,
        "segmentId": "s1",
        "tenant": "demo",
    }
    assert (deleted["customer_id"], deleted["legal_entity_id"]) == ("u1", None)


async def test_a_stale_upsert_or_an_absent_delete_records_nothing(gql, db, seed):
    # given
    await segment(seed)
    await upsert(gql, "u1")
    # when
    stale = await upsert(gql, "u1", metadata={"version": 3})
    absent = await gql.data(DELETE_CUSTOMER, {"s": "s1", "c": "u1", "le": "le1"}, scopes=MANAGE)
    # then
    assert stale["userErrors"][0]["code"] == "VERSION_CONFLICT"
    assert absent["deleteCustomerAssignment"]["deleted"] is False
    assert [short(e) for e in await recorded(db)] == ["customer-assignment-created"]


async def test_a_bulk_upsert_records_one_event_per_written_entry_only(gql, db, seed):
    # given
    await segment(seed)
    await upsert(gql, "u2")
    await upsert(gql, "u4")
    # when
    payload = await bulk(
        gql,
        BULK_UPSERT_CUSTOMERS,
        [
            {"customerId": "u1", "legalEntityId": "le1"},
            {"customerId": "u2", "metadata": {"version": 4}},  # stale: 409
            {"customerId": "u4"},
            {"customerId": "u1", "legalEntityId": "le1"},  # a duplicate: 400
            {"customerId": "u3", "legalEntityId": ""},  # a bad id: 400
        ],
    )
    # then
    assert payload["succeeded"] == 2
    events = (await recorded(db))[2:]
    assert [(short(e), e["customer_id"], e["legal_entity_id"]) for e in events] == [
        ("customer-assignment-created", "u1", "le1"),
        ("customer-assignment-updated", "u4", None),
    ]


async def test_a_bulk_delete_records_the_removed_assignments_only(gql, db, seed):
    # given
    await segment(seed)
    await upsert(gql, "u1")
    await upsert(gql, "u1", "le1")
    # when
    payload = await bulk(
        gql,
        BULK_DELETE_CUSTOMERS,
        [{"customerId": "u1", "legalEntityId": "le1"}, {"customerId": "u9"}, {"customerId": "u1"}],
    )
    # then
    assert payload["succeeded"] == 2
    events = (await recorded(db))[2:]
    assert [(short(e), e["data"]["legalEntityId"]) for e in events] == [
        ("customer-assignment-deleted", "le1"),
        ("customer-assignment-deleted", None),
    ]


async def test_a_bulk_for_an_unknown_segment_records_nothing(gql, db, seed):
    # given
    await segment(seed)
    # when
    body = await gql(
        BULK_UPSERT_CUSTOMERS, {"s": "nope", "a": [{"customerId": "u1"}]}, scopes=MANAGE
    )
    # then
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert await recorded(db) == []
