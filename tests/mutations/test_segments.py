"""createSegment, upsertSegment and deleteSegment, with the contract's validation."""

import re

from tests.conftest import MANAGE, READ
from tests.mutations.operations import (
    CREATE_SEGMENT,
    DELETE_SEGMENT,
    SEGMENT,
    UPSERT_SEGMENT,
    read_items,
    segment_input,
    snapshot,
)


async def create(gql, **fields):
    data = await gql.data(CREATE_SEGMENT, {"input": segment_input(**fields)}, scopes=MANAGE)
    return data["createSegment"]


async def upsert(gql, segment_id, **fields):
    variables = {"id": segment_id, "input": segment_input(**fields)}
    return (await gql.data(UPSERT_SEGMENT, variables, scopes=MANAGE))["upsertSegment"]


async def delete(gql, segment_id, force=None):
    data = await gql.data(DELETE_SEGMENT, {"id": segment_id, "force": force}, scopes=MANAGE)
    return data["deleteSegment"]


def errors(payload):
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def test_create_with_an_id_stores_every_field(gql, seed):
    # given
    await seed.tenant_row()
    # when
    payload = await create(
        gql,
        id="golden",
        name=[{"locale": "en", "value": "Golden"}, {"locale": "de", "value": "Gold"}],
        description=[{"locale": "en", "value": "Best customers"}],
        status="ACTIVE",
        validity={"from": "2024-04-17T08:00:00.000Z", "to": "2025-04-17T08:00:00.000Z"},
        mixins={"tier": {"level": 3}},
        metadata={"mixins": {"tier": "https://example.com/tier.json"}},
    )
    # then
    assert payload["created"] is True
    assert payload["userErrors"] == []
    segment = payload["segment"]
    assert segment["id"] == "golden"
    assert segment["status"] == "ACTIVE"
    assert segment["nameAllLocales"] == [
        {"locale": "de", "value": "Gold"},
        {"locale": "en", "value": "Golden"},
    ]
    assert segment["validity"] == {
        "from": "2024-04-17T08:00:00.000Z",
        "to": "2025-04-17T08:00:00.000Z",
    }
    assert segment["mixins"] == {"tier": {"level": 3}}
    assert segment["metadata"]["version"] == 1
    assert segment["metadata"]["mixins"] == {"tier": "https://example.com/tier.json"}
    assert (await gql.data(SEGMENT, {"id": "golden"}, scopes=READ))["segment"] == segment


async def test_create_without_an_id_generates_24_lowercase_hex_digits(gql, seed):
    # given
    await seed.tenant_row()
    # when
    payload = await create(gql)
    # then
    assert re.fullmatch(r"[0-9a-f]{24}", payload["segment"]["id"])
    assert payload["segment"]["status"] == "INACTIVE"


async def test_create_with_a_taken_id_is_already_exists(gql, seed, db):
    # given
    await seed.tenant_row()
    await create(gql, id="s1")
    before = await snapshot(db)
    # when
    payload = await create(gql, id="s1", siteCode="other")
    # then
    assert payload["segment"] is None
    assert errors(payload) == [("ALREADY_EXISTS", ["input", "id"])]
    assert await snapshot(db) == before


async def test_upsert_creates_then_replaces_keeping_created_at(gql, seed):
    # given
    await seed.tenant_row()
    first = await upsert(gql, "s1", mixins={"a": 1}, status="ACTIVE")
    # when
    second = await upsert(gql, "s1", siteCode="outlet", metadata={"version": 1})
    # then
    assert (first["created"], second["created"]) == (True, False)
    segment = second["segment"]
    assert (segment["siteCode"], segment["status"]) == ("outlet", "INACTIVE")
    assert segment["mixins"] is None
    assert segment["metadata"]["version"] == 2
    assert segment["metadata"]["createdAt"] == first["segment"]["metadata"]["createdAt"]
    assert segment["metadata"]["modifiedAt"] > first["segment"]["metadata"]["modifiedAt"]


async def test_upsert_with_a_stale_version_is_a_conflict(gql, seed, db):
    # given
    await seed.tenant_row()
    await upsert(gql, "s1")
    await upsert(gql, "s1")
    before = await snapshot(db)
    # when
    stale = await upsert(gql, "s1", metadata={"version": 1})
    absent = await upsert(gql, "s2", metadata={"version": 1})
    # then
    assert [(e["code"], e["currentVersion"]) for e in stale["userErrors"]] == [
        ("VERSION_CONFLICT", 2)
    ]
    assert [(e["code"], e["currentVersion"]) for e in absent["userErrors"]] == [
        ("VERSION_CONFLICT", None)
    ]
    assert await snapshot(db) == before


async def test_validation_reports_every_problem_and_writes_nothing(gql, seed, db):
    # given
    await seed.tenant_row(languages=("en", "de"))
    before = await snapshot(db)
    # when
    payload = await upsert(
        gql,
        "s1",
        name=[
            {"locale": "fr", "value": "Or"},
            {"locale": "en", "value": "A"},
            {"locale": "en", "value": "B"},
        ],
        description=[{"locale": "xx", "value": "?"}],
        siteCode=" ",
        validity={"from": "2025-01-01T00:00:00.000Z", "to": "2024-01-01T00:00:00.000Z"},
    )
    # then
    assert payload["created"] is False
    assert payload["segment"] is None
    assert errors(payload) == [
        ("BAD_USER_INPUT", ["input", "name", "0", "locale"]),
        ("BAD_USER_INPUT", ["input", "name", "2", "locale"]),
        ("BAD_USER_INPUT", ["input", "description", "0", "locale"]),
        ("BAD_USER_INPUT", ["input", "siteCode"]),
        ("BAD_USER_INPUT", ["input", "validity"]),
    ]
    assert await snapshot(db) == before


async def test_name_needs_a_translation(gql, seed, db):
    # given
    await seed.tenant_row()
    # when
    empty = await create(gql, name=[])
    blank = await create(gql, name=[{"locale": "en", "value": "  "}])
    # then
    assert errors(empty) == [("BAD_USER_INPUT", ["input", "name"])]
    assert errors(blank) == [("BAD_USER_INPUT", ["input", "name", "0", "value"])]
    assert (await snapshot(db))["segment"] == []


async def test_validity_from_must_be_before_to_but_either_may_be_open(gql, seed):
    # given
    await seed.tenant_row()
    instant = "2025-01-01T00:00:00.000Z"
    # when
    same = await create(gql, validity={"from": instant, "to": instant})
    open_end = await create(gql, validity={"from": instant})
    # then
    assert errors(same) == [("BAD_USER_INPUT", ["input", "validity"])]
    assert open_end["segment"]["validity"] == {"from": instant, "to": None}


async def test_tenant_without_languages_accepts_only_the_fallback_language(gql, seed):
    # given no tenant row
    # when
    english = await create(gql, id="s1")
    german = await create(gql, id="s2", name=[{"locale": "de", "value": "Gold"}])
    # then
    assert english["created"] is True
    assert errors(german) == [("BAD_USER_INPUT", ["input", "name", "0", "locale"])]


async def test_bad_ids_are_refused(gql, seed):
    # given
    await seed.tenant_row()
    # when
    created = await create(gql, id=" padded")
    upserted = await upsert(gql, "x" * 257)
    mismatch = await upsert(gql, "s1", id="s2")
    # then
    assert errors(created) == [("BAD_USER_INPUT", ["input", "id"])]
    assert errors(upserted) == [("BAD_USER_INPUT", ["id"])]
    assert errors(mismatch) == [("BAD_USER_INPUT", ["input", "id"])]


async def test_segment_mixins_that_are_not_an_object_are_a_top_level_error(gql, seed, db):
    # given
    await seed.tenant_row()
    # when
    error = await gql.error(CREATE_SEGMENT, {"input": segment_input(mixins=[1])}, scopes=MANAGE)
    # then
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await snapshot(db))["segment"] == []


async def test_delete_of_an_empty_segment(gql, seed):
    # given
    await seed.tenant_row()
    await create(gql, id="s1")
    # when
    payload = await delete(gql, "s1")
    # then
    assert payload == {"deleted": True, "userErrors": []}
    assert (await gql.data(SEGMENT, {"id": "s1"}, scopes=READ))["segment"] is None


async def test_delete_of_an_absent_segment_is_not_found(gql, seed):
    # given
    await seed.tenant_row()
    # when
    payload = await delete(gql, "nope")
    # then
    assert payload["deleted"] is False
    assert errors(payload) == [("NOT_FOUND", ["id"])]


async def test_delete_refuses_a_segment_with_assignments_unless_forced(gql, seed, db):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), seed.segment("s2"), seed.product("p1"))
    await seed.add(seed.item("s1", "PRODUCT", "p1"), seed.customer("s2", "c1", "le1"))
    before = await snapshot(db)
    # when
    refused = [await delete(gql, "s1"), await delete(gql, "s2", force=False)]
    # then
    for payload in refused:
        assert payload["deleted"] is False
        assert errors(payload) == [("BAD_USER_INPUT", ["forceDelete"])]
    assert await snapshot(db) == before


async def test_forced_delete_removes_the_assignments_too(gql, seed, db):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), seed.segment("s2"), seed.product("p1"))
    await seed.add(
        seed.item("s1", "PRODUCT", "p1"),
        seed.item("s2", "PRODUCT", "p1"),
        seed.customer("s1", "c1"),
        seed.customer("s1", "c1", "le1"),
    )
    # when
    payload = await delete(gql, "s1", force=True)
    # then
    assert payload == {"deleted": True, "userErrors": []}
    rows = await snapshot(db)
    assert rows["customer_assignment"] == []
    assert len(rows["item_assignment"]) == 1
    assert await read_items(gql, "s2") == {"p1": (1, None)}


async def test_create_with_a_version_is_a_conflict_with_null_current_version(gql, seed, db):
    # given
    await seed.tenant_row()
    # when
    payload = await create(gql, id="s1", metadata={"version": 1})
    # then
    assert [(e["code"], e["currentVersion"]) for e in payload["userErrors"]] == [
        ("VERSION_CONFLICT", None)
    ]
    assert (await snapshot(db))["segment"] == []
