"""Item assignment mutations record item-assignment events (§15), one per written entry."""

from tests.conftest import MANAGE
from tests.events.helpers import ITEM_DELETED, ITEM_WRITTEN, recorded, short
from tests.mutations.operations import (
    BULK_DELETE_ITEMS,
    BULK_UPSERT_ITEMS,
    DELETE_ITEM,
    bulk_upsert,
    upsert_item,
)
from tests.mutations.test_item_bulk import catalog


async def bulk_delete(gql, ids, segment="s1"):
    variables = {"s": segment, "t": "PRODUCT", "ids": ids}
    return await gql(BULK_DELETE_ITEMS, variables, scopes=MANAGE)


async def test_an_upsert_records_created_then_updated_with_the_item(gql, db, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), seed.product("p1", code="P-1", name={"en": "Hammer"}))
    schemas = {"tool": "https://example.com/tool.json"}
    # when
    first = await upsert_item(gql, "p1")
    second = await upsert_item(gql, "p1", mixins={"a": 1}, metadata={"mixins": schemas})
    # then
    created, updated = await recorded(db)
    assert (short(created), short(updated)) == (
        "item-assignment-created",
        "item-assignment-updated",
    )
    assert set(created["data"]) == ITEM_WRITTEN
    assert created["data"] == {
        "segmentId": "s1",
        "type": "PRODUCT",
        "item": {"id": "p1", "code": "P-1", "name": {"en": "Hammer"}},
        "mixins": None,
        "metadata": first["assignment"]["metadata"],
        "tenant": "demo",
    }
    assert updated["data"]["mixins"] == {"a": 1}
    assert updated["data"]["metadata"] == second["assignment"]["metadata"]
    assert updated["data"]["metadata"]["mixins"] == schemas
    keys = ("segment_id", "item_type", "item_id", "customer_id", "legal_entity_id")
    assert [updated[k] for k in keys] == ["s1", "PRODUCT", "p1", None, None]


async def test_a_category_assignment_carries_its_type(gql, db, seed):
    # given
    await catalog(seed)
    # when
    await upsert_item(gql, "c1", kind="CATEGORY")
    # then
    [event] = await recorded(db)
    assert (event["item_type"], event["data"]["type"]) == ("CATEGORY", "CATEGORY")
    assert event["data"]["item"] == {"id": "c1", "code": "c1", "name": {"en": "C1"}}


async def test_mixins_keep_every_digit_of_a_long_integer(gql, db, seed):
    # given
    await catalog(seed)
    big = 123456789012345678901234567890
    # when
    await upsert_item(gql, "p1", mixins={"big": big, "text": "grün"})
    # then
    [event] = await recorded(db)
    assert event["data"]["mixins"] == {"big": big, "text": "grün"}


async def test_a_stale_or_unknown_single_upsert_records_nothing(gql, db, seed):
    # given
    await catalog(seed)
    await upsert_item(gql, "p1")
    # when
    stale = await upsert_item(gql, "p1", metadata={"version": 5})
    unknown = await upsert_item(gql, "nope")
    # then
    assert stale["userErrors"][0]["code"] == "VERSION_CONFLICT"
    assert unknown["userErrors"][0]["code"] == "NOT_FOUND"
    assert [short(e) for e in await recorded(db)] == ["item-assignment-created"]


async def test_a_bulk_upsert_records_one_event_per_written_entry_only(gql, db, seed):
    # given
    await catalog(seed)
    await upsert_item(gql, "p2")
    before = len(await recorded(db))
    # when
    payload = await bulk_upsert(
        gql,
        [
            {"id": "p3", "mixins": {"n": 3}},
            {"id": "p2", "metadata": {"version": 9}},  # stale: 409
            {"id": "zz"},  # not in the catalog: 404
            {"id": "p1"},
            {"id": "p3"},  # a duplicate: 400
            {"id": " p4"},  # a bad id: 400
            {"id": "p2", "mixins": 7},  # not an object: 400
        ],
    )
    # then
    assert payload["succeeded"] == 2
    events = (await recorded(db))[before:]
    assert [(short(e), e["item_id"]) for e in events] == [
        ("item-assignment-created", "p3"),
        ("item-assignment-created", "p1"),
    ]
    assert events[0]["data"]["mixins"] == {"n": 3}
    assert {e["data_version"] for e in events} == {events[0]["data_version"]}


async def test_a_bulk_upsert_tells_created_from_updated_per_entry(gql, db, seed):
    # given
    await catalog(seed)
    await upsert_item(gql, "p2")
    # when
    await bulk_upsert(gql, [{"id": "p1"}, {"id": "p2"}])
    # then
    events = (await recorded(db))[1:]
    assert [(short(e), e["data"]["metadata"]["version"]) for e in events] == [
        ("item-assignment-created", 1),
        ("item-assignment-updated", 2),
    ]


async def test_deletes_record_one_event_per_removed_assignment(gql, db, seed):
    # given
    await catalog(seed)
    await bulk_upsert(gql, [{"id": "p1"}, {"id": "p2"}, {"id": "p3"}])
    before = len(await recorded(db))
    # when
    await gql.data(DELETE_ITEM, {"s": "s1", "t": "PRODUCT", "i": "p3"}, scopes=MANAGE)
    body = await bulk_delete(gql, ["p2", "nope", "p1", "p2"])
    # then
    assert body["data"]["bulkDeleteItemAssignments"]["succeeded"] == 2
    events = (await recorded(db))[before:]
    assert [e["item_id"] for e in events] == ["p3", "p2", "p1"]
    assert {short(e) for e in events} == {"item-assignment-deleted"}
    assert set(events[0]["data"]) == ITEM_DELETED
    assert events[0]["data"] == {
        "itemId": "p3",
        "segmentId": "s1",
        "tenant": "demo",
        "type": "PRODUCT",
    }


async def test_a_bulk_that_fails_as_a_whole_records_nothing(gql, db, seed):
    # given
    await catalog(seed)
    await upsert_item(gql, "p1")
    before = await recorded(db)
    # when
    upserted = await gql(
        BULK_UPSERT_ITEMS, {"s": "nope", "t": "PRODUCT", "items": [{"id": "p1"}]}, scopes=MANAGE
    )
    deleted = await bulk_delete(gql, ["p1"], segment="nope")
    # then
    assert [b["errors"][0]["extensions"]["code"] for b in (upserted, deleted)] == ["NOT_FOUND"] * 2
    assert await recorded(db) == before
