"""createSegment, upsertSegment and deleteSegment record segment events (§15)."""

from tests.events.helpers import SEGMENT_UPDATED, SEGMENT_WRITTEN, recorded, short
from tests.mutations.test_segments import create, delete, upsert

GOLDEN = {
    "name": [{"locale": "en", "value": "Golden"}, {"locale": "de", "value": "Gold"}],
    "description": [{"locale": "en", "value": "Best customers"}],
    "validity": {"from": "2024-04-17T08:00:00.000Z", "to": None},
    "mixins": {"tier": {"level": 3}},
    "metadata": {"mixins": {"tier": "https://example.com/tier.json"}},
}


async def test_create_records_segment_created_with_the_stored_fields(gql, db, seed):
    # given
    await seed.tenant_row()
    # when
    payload = await create(gql, id="golden", status="ACTIVE", **GOLDEN)
    # then
    [event] = await recorded(db)
    assert event["type"] == "customer-segment.segment-created"
    assert (event["tenant"], event["segment_id"]) == ("demo", "golden")
    assert set(event["data"]) == SEGMENT_WRITTEN
    assert event["data"] == {
        "id": "golden",
        "name": {"en": "Golden", "de": "Gold"},
        "description": {"en": "Best customers"},
        "siteCode": "main",
        "status": "ACTIVE",
        "validity": {"from": "2024-04-17T08:00:00.000Z", "to": None},
        "metadata": payload["segment"]["metadata"],
        "tenant": "demo",
    }
    assert event["data"]["metadata"]["mixins"] == {"tier": "https://example.com/tier.json"}
    # kept as written (json, not jsonb, on PostgreSQL), for a delivery to send as it is
    assert list(event["data"]) == [
        *("id", "name", "description", "siteCode", "status", "validity", "metadata", "tenant")
    ]


async def test_upsert_of_a_new_id_records_created_and_of_a_stored_one_updated(gql, db, seed):
    # given
    await seed.tenant_row()
    # when
    await upsert(gql, "golden", status="INACTIVE")
    second = await upsert(gql, "golden", status="ACTIVE", **GOLDEN)
    # then
    created, updated = await recorded(db)
    assert (short(created), short(updated)) == ("segment-created", "segment-updated")
    assert set(updated["data"]) == SEGMENT_UPDATED
    assert updated["data"]["previousStatus"] == "INACTIVE"
    assert updated["data"]["status"] == "ACTIVE"
    assert updated["data"]["mixins"] == {"tier": {"level": 3}}
    assert updated["data"]["metadata"] == second["segment"]["metadata"]
    assert updated["data"]["metadata"]["version"] == 2
    assert updated["data_version"] > created["data_version"]


async def test_an_update_without_mixins_or_validity_has_them_null(gql, db, seed):
    # given
    await seed.tenant_row()
    await upsert(gql, "plain")
    # when
    await upsert(gql, "plain")
    # then
    data = (await recorded(db))[-1]["data"]
    assert (data["mixins"], data["validity"], data["metadata"]["mixins"]) == (None, None, None)
    assert data["description"] == {}


async def test_refused_writes_record_nothing(gql, db, seed):
    # given
    await seed.tenant_row()
    await create(gql, id="golden")
    # when
    taken = await create(gql, id="golden")
    stale = await upsert(gql, "golden", metadata={"version": 7})
    # then
    assert taken["userErrors"][0]["code"] == "ALREADY_EXISTS"
    assert stale["userErrors"][0]["code"] == "VERSION_CONFLICT"
    assert [short(e) for e in await recorded(db)] == ["segment-created"]


async def test_delete_records_segment_deleted(gql, db, seed):
    # given
    await seed.add(seed.segment("s1"))
    # when
    await delete(gql, "s1")
    # then
    [event] = await recorded(db)
    assert event["type"] == "customer-segment.segment-deleted"
    assert event["data"] == {"id": "s1", "tenant": "demo"}
    assert event["segment_id"] == "s1"


async def test_a_refused_or_missing_delete_records_nothing(gql, db, seed):
    # given
    await seed.add(seed.segment("s1"))
    await seed.add(seed.customer("s1", "c1"))
    # when
    refused = await delete(gql, "s1")
    missing = await delete(gql, "nope", force=True)
    # then
    assert refused["userErrors"][0]["field"] == ["forceDelete"]
    assert missing["userErrors"][0]["code"] == "NOT_FOUND"
    assert await recorded(db) == []


async def test_a_forced_delete_records_the_delete_of_every_assignment_it_removed(gql, db, seed):
    # given
    await seed.add(seed.segment("s1"), seed.segment("s2"), seed.product("p1"))
    await seed.add(seed.category("c9"), seed.item("s1", "PRODUCT", "p1"))
    await seed.add(seed.item("s1", "CATEGORY", "c9"), seed.item("s2", "PRODUCT", "p1"))
    await seed.add(seed.customer("s1", "u1"), seed.customer("s1", "u2", "le1"))
    await seed.add(seed.customer("s2", "u1"))
    # when
    await delete(gql, "s1", force=True)
    # then
    events = await recorded(db)
    assert [(short(e), e["data"]) for e in events] == [
        ("item-assignment-deleted", item_deleted("CATEGORY", "c9")),
        ("item-assignment-deleted", item_deleted("PRODUCT", "p1")),
        ("customer-assignment-deleted", customer_deleted("u1", None)),
        ("customer-assignment-deleted", customer_deleted("u2", "le1")),
        ("segment-deleted", {"id": "s1", "tenant": "demo"}),
    ]
    assert {e["data_version"] for e in events} == {events[0]["data_version"]}
    assert [e["position"] for e in events] == [0, 1, 2, 3, 4]
    assert len({e["id"] for e in events}) == 5
    assert [e["item_id"] for e in events] == ["c9", "p1", None, None, None]
    assert [e["legal_entity_id"] for e in events] == [None, None, None, "le1", None]


def item_deleted(kind: str, item: str) -> dict[str, str]:
    return {"itemId": item, "segmentId": "s1", "tenant": "demo", "type": kind}


def customer_deleted(customer: str, legal_entity: str | None) -> dict[str, str | None]:
    return {
        "customerId": customer,
        "legalEntityId": legal_entity,
        "segmentId": "s1",
        "tenant": "demo",
    }
