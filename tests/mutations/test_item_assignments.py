"""upsertItemAssignment and deleteItemAssignment, as the contract describes them."""

import asyncio

from tests.conftest import MANAGE
from tests.mutations.operations import (
    DELETE_ITEM,
    UPSERT_ITEM,
    read_item,
    read_items,
    snapshot,
    upsert_item,
)

SCHEMA_URL = "https://res.cloudinary.com/schemata/segmentAttributes_v1.json"


async def catalog(seed):
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), seed.product("p1"), seed.category("c1"))


async def test_first_upsert_creates_at_version_1(gql, seed):
    # given
    await catalog(seed)
    # when
    payload = await upsert_item(gql, "p1", mixins={"rank": 1})
    # then
    assert payload["created"] is True
    assert payload["userErrors"] == []
    assignment = payload["assignment"]
    assert assignment["segmentId"] == "s1"
    assert assignment["type"] == "PRODUCT"
    assert assignment["item"] == {"id": "p1", "code": "p1"}
    assert assignment["mixins"] == {"rank": 1}
    assert assignment["metadata"]["version"] == 1
    assert assignment["metadata"]["createdAt"] == assignment["metadata"]["modifiedAt"]


async def test_second_upsert_updates_and_adds_one_to_the_version(gql, seed):
    # given
    await catalog(seed)
    first = (await upsert_item(gql, "p1"))["assignment"]["metadata"]
    # when
    payload = await upsert_item(gql, "p1", metadata={"version": 1})
    # then
    assert payload["created"] is False
    metadata = payload["assignment"]["metadata"]
    assert metadata["version"] == 2
    assert metadata["createdAt"] == first["createdAt"]
    assert metadata["modifiedAt"] > first["modifiedAt"]


async def test_upsert_that_changes_nothing_still_moves_version_and_modified_at(gql, seed):
    # given
    await catalog(seed)
    before = (await upsert_item(gql, "p1", mixins={"a": 1}))["assignment"]["metadata"]
    # when
    after = (await upsert_item(gql, "p1", mixins={"a": 1}))["assignment"]["metadata"]
    # then
    assert after["version"] == before["version"] + 1
    assert after["modifiedAt"] > before["modifiedAt"]
    assert after["createdAt"] == before["createdAt"]


async def test_upsert_replaces_mixins_and_metadata_mixins_as_a_put(gql, seed):
    # given
    await catalog(seed)
    await upsert_item(
        gql, "p1", mixins={"a": 1, "b": 2}, metadata={"mixins": {"segmentAttributes": SCHEMA_URL}}
    )
    # when
    payload = await upsert_item(gql, "p1", mixins={"c": 3})
    # then
    assert payload["assignment"]["mixins"] == {"c": 3}
    assert payload["assignment"]["metadata"]["mixins"] is None
    assert (await read_item(gql, "p1"))["mixins"] == {"c": 3}


async def test_upsert_without_input_empties_the_mixins(gql, seed):
    # given
    await catalog(seed)
    await upsert_item(gql, "p1", mixins={"a": 1})
    # when
    payload = await upsert_item(gql, "p1")
    # then
    assert payload["assignment"]["mixins"] is None
    assert await read_items(gql) == {"p1": (2, None)}


async def test_metadata_mixins_are_stored_as_given(gql, seed):
    # given
    await catalog(seed)
    schemas = {"segmentAttributes": SCHEMA_URL, "other": "not even a url"}
    # when
    payload = await upsert_item(gql, "p1", metadata={"mixins": schemas})
    # then
    assert payload["assignment"]["metadata"]["mixins"] == schemas
    assert (await read_item(gql, "p1"))["metadata"]["mixins"] == schemas


async def test_stale_version_is_a_conflict_with_the_current_version_and_writes_nothing(
    gql, seed, db
):
    # given
    await catalog(seed)
    await upsert_item(gql, "p1", mixins={"a": 1})
    await upsert_item(gql, "p1", mixins={"a": 2})
    before = await snapshot(db)
    # when
    payload = await upsert_item(gql, "p1", mixins={"a": 3}, metadata={"version": 1})
    # then
    assert payload["created"] is False
    assert payload["assignment"] is None
    assert payload["userErrors"] == [
        {
            "code": "VERSION_CONFLICT",
            "message": "The resource you are attempting to access has changed.",
            "field": ["input", "metadata", "version"],
            "currentVersion": 2,
        }
    ]
    assert await snapshot(db) == before


async def test_version_for_an_absent_assignment_is_a_conflict_with_null_current_version(
    gql, seed, db
):
    # given
    await catalog(seed)
    # when
    payload = await upsert_item(gql, "p1", metadata={"version": 1})
    # then
    error = payload["userErrors"][0]
    assert (error["code"], error["currentVersion"]) == ("VERSION_CONFLICT", None)
    assert await read_items(gql) == {}


async def test_unknown_segment_is_not_found_on_segment_id(gql, seed):
    # given
    await catalog(seed)
    # when
    payload = await upsert_item(gql, "p1", segment="nope")
    # then
    assert payload["assignment"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("NOT_FOUND", ["segmentId"])
    ]


async def test_unknown_item_and_item_of_the_other_type_are_not_found_on_item_id(gql, seed):
    # given
    await catalog(seed)
    # when
    unknown = await upsert_item(gql, "p9")
    other_type = await upsert_item(gql, "c1", kind="PRODUCT")
    # then
    for payload in (unknown, other_type):
        assert payload["created"] is False
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
            ("NOT_FOUND", ["itemId"])
        ]
    assert await read_items(gql) == {}


async def test_category_assignment_needs_a_category(gql, seed):
    # given
    await catalog(seed)
    # when
    payload = await upsert_item(gql, "c1", kind="CATEGORY")
    # then
    assert payload["created"] is True
    assert payload["assignment"]["type"] == "CATEGORY"


async def test_blank_item_id_is_bad_input_naming_the_field(gql, seed, db):
    # given
    await catalog(seed)
    before = await snapshot(db)
    # when
    payload = await upsert_item(gql, " p1")
    # then
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("BAD_USER_INPUT", ["itemId"])
    ]
    assert await snapshot(db) == before


async def test_mixins_that_are_not_an_object_are_a_top_level_bad_input(gql, seed, db):
    # given
    await catalog(seed)
    before = await snapshot(db)
    variables = {"s": "s1", "t": "PRODUCT", "i": "p1"}
    # when
    errors = [
        await gql.error(UPSERT_ITEM, {**variables, "input": bad}, scopes=MANAGE)
        for bad in ({"mixins": [1, 2]}, {"mixins": "x"}, {"metadata": {"mixins": {"a": 1}}})
    ]
    # then
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"] * 3
    assert [e["extensions"]["field"] for e in errors] == [
        ["input", "mixins"],
        ["input", "mixins"],
        ["input", "metadata", "mixins"],
    ]
    assert "must be a JSON object" in errors[0]["message"]
    assert await snapshot(db) == before


async def test_delete_removes_the_assignment(gql, seed):
    # given
    await catalog(seed)
    await upsert_item(gql, "p1")
    # when
    data = await gql.data(DELETE_ITEM, {"s": "s1", "t": "PRODUCT", "i": "p1"}, scopes=MANAGE)
    # then
    assert data["deleteItemAssignment"] == {"deleted": True, "userErrors": []}
    assert await read_items(gql) == {}


async def test_delete_of_an_absent_assignment_is_not_found(gql, seed):
    # given
    await catalog(seed)
    # when
    absent = await gql.data(DELETE_ITEM, {"s": "s1", "t": "PRODUCT", "i": "p1"}, scopes=MANAGE)
    no_segment = await gql.data(DELETE_ITEM, {"s": "x", "t": "PRODUCT", "i": "p1"}, scopes=MANAGE)
    # then
    assert absent["deleteItemAssignment"]["deleted"] is False
    assert absent["deleteItemAssignment"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert no_segment["deleteItemAssignment"]["userErrors"][0]["field"] == ["segmentId"]


async def test_recreated_assignment_starts_again_at_version_1(gql, seed):
    # given
    await catalog(seed)
    await upsert_item(gql, "p1")
    await upsert_item(gql, "p1")
    await gql.data(DELETE_ITEM, {"s": "s1", "t": "PRODUCT", "i": "p1"}, scopes=MANAGE)
    # when
    payload = await upsert_item(gql, "p1")
    # then
    assert (payload["created"], payload["assignment"]["metadata"]["version"]) == (True, 1)


async def test_modified_at_moves_with_every_write_even_in_quick_succession(gql, seed):
    # given
    await catalog(seed)
    # when
    stamps = []
    for _ in range(5):
        stamps.append((await upsert_item(gql, "p1"))["assignment"]["metadata"]["modifiedAt"])
        await asyncio.sleep(0)
    # then
    assert stamps == sorted(set(stamps))
