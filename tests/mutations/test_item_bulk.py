"""bulkUpsertItemAssignments and bulkDeleteItemAssignments: per-entry results, REST codes."""

from tests.conftest import MANAGE
from tests.mutations.operations import (
    BULK_DELETE_ITEMS,
    BULK_UPSERT_ITEMS,
    bulk_upsert,
    read_items,
    snapshot,
    upsert_item,
)


async def catalog(seed, products=3):
    await seed.tenant_row()
    await seed.add(
        seed.segment("s1"),
        seed.category("c1"),
        *(seed.product(f"p{n}") for n in range(1, products + 1)),
    )


def codes(payload):
    keys = ("index", "id", "code", "status", "errorCode")
    return [tuple(r[k] for k in keys) for r in payload["results"]]


async def test_bulk_upsert_reports_created_and_updated_per_entry(gql, seed):
    # given
    await catalog(seed)
    await upsert_item(gql, "p2")
    # when
    payload = await bulk_upsert(gql, [{"id": "p1", "mixins": {"a": 1}}, {"id": "p2"}])
    # then
    assert codes(payload) == [
        (1, "p1", 201, "Created", None),
        (2, "p2", 204, "OK", None),
    ]
    assert [r["message"] for r in payload["results"]] == [None, None]
    assert (payload["succeeded"], payload["failed"]) == (2, 0)
    assert await read_items(gql) == {"p1": (1, {"a": 1}), "p2": (2, None)}


async def test_failing_entries_neither_undo_nor_block_the_others(gql, seed):
    # given
    await catalog(seed)
    await upsert_item(gql, "p2")
    # when
    payload = await bulk_upsert(
        gql,
        [
            {"id": "p1"},
            {"id": "p2", "metadata": {"version": 9}},
            {"id": "nope"},
            {"id": "c1"},
            {"id": "p1", "mixins": {"second": True}},
            {"id": "p3", "mixins": [1]},
            {"id": "p3", "metadata": {"version": 1}},
        ],
    )
    # then
    assert codes(payload) == [
        (1, "p1", 201, "Created", None),
        (2, "p2", 409, "Conflict", "VERSION_CONFLICT"),
        (3, "nope", 404, "Not Found", "NOT_FOUND"),
        (4, "c1", 404, "Not Found", "NOT_FOUND"),
        (5, "p1", 400, "Bad Request", "BAD_USER_INPUT"),
        (6, "p3", 400, "Bad Request", "BAD_USER_INPUT"),
        (7, "p3", 409, "Conflict", "VERSION_CONFLICT"),
    ]
    assert all(r["message"] for r in payload["results"][1:])
    assert (payload["succeeded"], payload["failed"]) == (1, 6)
    assert await read_items(gql) == {"p1": (1, None), "p2": (1, None)}


async def test_conflicting_entry_message_is_the_rest_message(gql, seed):
    # given
    await catalog(seed)
    await upsert_item(gql, "p1")
    # when
    payload = await bulk_upsert(gql, [{"id": "p1", "metadata": {"version": 2}}])
    # then
    assert payload["results"][0]["message"] == (
        "The resource you are attempting to access has changed."
    )


async def test_bulk_of_200_runs_the_statements_of_a_bulk_of_1(gql, seed, db):
    # given
    await catalog(seed, products=200)
    items = [{"id": f"p{n}", "mixins": {"n": n}} for n in range(1, 201)]
    with db.count_statements() as for_one:
        await bulk_upsert(gql, items[:1])
    # when
    with db.count_statements() as for_200:
        payload = await bulk_upsert(gql, items)
    # then: the same statements, text and all, whatever the number of entries
    assert payload["succeeded"] == 200
    assert [r["index"] for r in payload["results"]] == list(range(1, 201))
    assert for_200 == for_one
    assert len(for_200) <= 7
    assert sum(s.startswith("INSERT INTO item_assignment") for s in for_200) == 1
    assert len(await read_items(gql)) == 200


async def test_each_entry_keeps_its_own_mixins_even_where_python_calls_them_equal(gql, seed):
    # given
    await catalog(seed)
    # when: 1 == True == 1.0 in Python, yet they are three different JSON values
    await bulk_upsert(
        gql,
        [
            {"id": "p1", "mixins": {"a": 1}},
            {"id": "p2", "mixins": {"a": True}},
            {"id": "p3", "mixins": {"a": 1.0}},
        ],
    )
    # then
    stored = await read_items(gql)
    assert {i: repr(mixins) for i, (_, mixins) in stored.items()} == {
        "p1": "{'a': 1}",
        "p2": "{'a': True}",
        "p3": "{'a': 1.0}",
    }


async def test_bulk_of_201_is_one_top_level_error_and_writes_nothing(gql, seed, db):
    # given
    await catalog(seed, products=201)
    before = await snapshot(db)
    items = [{"id": f"p{n}"} for n in range(1, 202)]
    # when
    body = await gql(BULK_UPSERT_ITEMS, {"s": "s1", "t": "PRODUCT", "items": items}, scopes=MANAGE)
    # then: refused before execution, so there is no data at all
    assert "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
    assert "at most 200" in body["errors"][0]["message"]
    assert await snapshot(db) == before


async def test_bulk_on_an_unknown_segment_is_one_top_level_not_found(gql, seed, db):
    # given
    await catalog(seed)
    before = await snapshot(db)
    # when
    upsert = await gql.error(
        BULK_UPSERT_ITEMS, {"s": "nope", "t": "PRODUCT", "items": [{"id": "p1"}]}, scopes=MANAGE
    )
    delete = await gql.error(
        BULK_DELETE_ITEMS, {"s": "nope", "t": "PRODUCT", "ids": ["p1"]}, scopes=MANAGE
    )
    # then
    assert upsert["extensions"]["code"] == delete["extensions"]["code"] == "NOT_FOUND"
    assert await snapshot(db) == before


async def test_bulk_delete_reports_each_entry(gql, seed):
    # given
    await catalog(seed)
    await bulk_upsert(gql, [{"id": "p1"}, {"id": "p2"}])
    # when
    data = await gql.data(
        BULK_DELETE_ITEMS, {"s": "s1", "t": "PRODUCT", "ids": ["p1", "p3", "p1"]}, scopes=MANAGE
    )
    # then
    payload = data["bulkDeleteItemAssignments"]
    assert codes(payload) == [
        (1, "p1", 204, "OK", None),
        (2, "p3", 404, "Not Found", "NOT_FOUND"),
        (3, "p1", 400, "Bad Request", "BAD_USER_INPUT"),
    ]
    assert (payload["succeeded"], payload["failed"]) == (1, 2)
    assert await read_items(gql) == {"p2": (1, None)}


async def test_bulk_delete_of_201_ids_is_refused(gql, seed, db):
    # given
    await catalog(seed)
    await bulk_upsert(gql, [{"id": "p1"}])
    before = await snapshot(db)
    # when
    error = await gql.error(
        BULK_DELETE_ITEMS, {"s": "s1", "t": "PRODUCT", "ids": ["p1"] * 201}, scopes=MANAGE
    )
    # then
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert await snapshot(db) == before


async def test_bulk_delete_of_200_takes_a_bounded_number_of_statements(gql, seed, db):
    # given
    await catalog(seed, products=200)
    await bulk_upsert(gql, [{"id": f"p{n}"} for n in range(1, 201)])
    ids = [f"p{n}" for n in range(1, 201)]
    # when
    with db.count_statements() as statements:
        data = await gql.data(
            BULK_DELETE_ITEMS, {"s": "s1", "t": "PRODUCT", "ids": ids}, scopes=MANAGE
        )
    # then
    assert data["bulkDeleteItemAssignments"]["succeeded"] == 200
    assert len(statements) <= 8
    assert await read_items(gql) == {}


async def test_empty_bulk_is_an_empty_result(gql, seed):
    # given
    await catalog(seed)
    # when
    payload = await bulk_upsert(gql, [])
    # then
    assert payload == {"results": [], "succeeded": 0, "failed": 0}
