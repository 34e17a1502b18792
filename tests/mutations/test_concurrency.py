"""Many clients writing at once: every write applies or gets VERSION_CONFLICT, none is lost."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from gateway.store.database import create_engine, session_factory
from tests.conftest import MANAGE, READ, Database, GraphQL
from tests.mutations.operations import (
    BULK_UPSERT_CUSTOMERS,
    BULK_UPSERT_ITEMS,
    DELETE_SEGMENT,
    SEGMENT,
    UPSERT_ITEM,
    UPSERT_SEGMENT,
    bulk_upsert,
    read_item,
    read_items,
    segment_input,
)

pytestmark = pytest.mark.slow


def no_errors(bodies: list[dict[str, Any]]) -> None:
    """Nothing reached a client as a top-level error: no INTERNAL, no "database is locked"."""
    errors = [error for body in bodies for error in body.get("errors", [])]
    assert errors == []


async def upsert_body(gql: Any, item: str, mixins: Any, version: int | None) -> dict[str, Any]:
    variables = {
        "s": "s1",
        "t": "PRODUCT",
        "i": item,
        "input": {"mixins": mixins, "metadata": {"version": version}},
    }
    return await gql(UPSERT_ITEM, variables, scopes=MANAGE)


async def test_concurrent_upserts_with_one_expected_version_let_exactly_one_through(gql, seed):
    # given
    await seed.add(seed.segment("s1"), seed.product("p1"))
    await seed.add(seed.item("s1", "PRODUCT", "p1", version=7))
    for round_ in range(20):
        start = (await read_item(gql, "p1"))["metadata"]["version"]
        # when
        bodies = await asyncio.gather(
            *(upsert_body(gql, "p1", {"writer": n}, start) for n in range(50))
        )
        # then
        no_errors(bodies)
        payloads = [body["data"]["upsertItemAssignment"] for body in bodies]
        winners = [p for p in payloads if not p["userErrors"]]
        conflicts = [e for p in payloads for e in p["userErrors"]]
        assert len(winners) == 1, f"round {round_}"
        assert winners[0]["assignment"]["metadata"]["version"] == start + 1
        assert len(conflicts) == 49
        assert {e["code"] for e in conflicts} == {"VERSION_CONFLICT"}
        assert {e["currentVersion"] for e in conflicts} == {start + 1}
        stored = await read_item(gql, "p1")
        assert stored["metadata"]["version"] == start + 1
        assert stored["mixins"] == winners[0]["assignment"]["mixins"]
    assert (await read_item(gql, "p1"))["metadata"]["version"] == 7 + 20


async def apply_with_retry(gql: Any, edits: dict[str, str]) -> int:
    """Adds each edit's key to its item's mixins (read, modify, write with the version read),
    all pending edits in one bulk; retries the entries that conflict. Returns the rounds."""
    pending = dict(edits)
    rounds = 0
    while pending:
        rounds += 1
        current = await read_items(gql)
        entries = [
            {
                "id": item,
                "mixins": {**(current[item][1] or {}), key: True},
                "metadata": {"version": current[item][0]},
            }
            for item, key in pending.items()
        ]
        variables = {"s": "s1", "t": "PRODUCT", "items": entries}
        body = await gql(BULK_UPSERT_ITEMS, variables, scopes=MANAGE)
        no_errors([body])
        for result in body["data"]["bulkUpsertItemAssignments"]["results"]:
            assert result["code"] in (204, 409), result
            if result["code"] == 204:
                del pending[result["id"]]
    return rounds


async def test_writers_retrying_on_conflict_lose_no_edit(gql, seed):
    # given 20 writers, each with 50 distinct edits: one new mixin key on each of 50 items
    items = [f"p{n:02d}" for n in range(50)]
    await seed.add(seed.segment("s1"), *(seed.product(i) for i in items))
    await bulk_upsert(gql, [{"id": i} for i in items])
    writers = [{item: f"w{w}-{item}" for item in items} for w in range(20)]
    # when
    rounds = await asyncio.gather(*(apply_with_retry(gql, edits) for edits in writers))
    # then
    stored = await read_items(gql)
    keys = {key for _, mixins in stored.values() for key in mixins}
    assert keys == {key for edits in writers for key in edits.values()}
    assert len(keys) == 1000
    assert {version for version, _ in stored.values()} == {1 + 20}
    assert sum(rounds) > 20  # the writers really did collide and retry


async def test_overlapping_bulk_upserts_never_deadlock_and_settle_every_entry(gql, seed):
    # given 300 assignments; bulk A writes p000-p199, bulk B p100-p299 in reverse order
    ids = [f"p{n:03d}" for n in range(300)]
    await seed.add(seed.segment("s1"), *(seed.product(i) for i in ids))
    await bulk_upsert(gql, [{"id": i} for i in ids[:200]])
    await bulk_upsert(gql, [{"id": i} for i in ids[200:]])
    rng = random.Random(7)
    for round_ in range(20):
        versions = {i: v for i, (v, _) in (await read_items(gql)).items()}
        first = [entry(i, "A", versions, rng) for i in ids[:200]]
        second = [entry(i, "B", versions, rng) for i in reversed(ids[100:])]
        # when
        bodies = await asyncio.gather(
            *(
                gql(BULK_UPSERT_ITEMS, {"s": "s1", "t": "PRODUCT", "items": items}, scopes=MANAGE)
                for items in (first, second)
            )
        )
        # then
        no_errors(bodies)
        results = [body["data"]["bulkUpsertItemAssignments"]["results"] for body in bodies]
        assert {r["code"] for rs in results for r in rs} <= {204, 409}, f"round {round_}"
        check_overlap(versions, first, second, results, await read_items(gql))


def entry(item: str, writer: str, versions: dict[str, int], rng: random.Random) -> Any:
    """A bulk entry that expects the version read (70%) or writes unconditionally."""
    version = versions[item] if rng.random() < 0.7 else None
    return {"id": item, "mixins": {"by": writer}, "metadata": {"version": version}}


def check_overlap(
    before: dict[str, int],
    first: list[dict[str, Any]],
    second: list[dict[str, Any]],
    results: list[list[dict[str, Any]]],
    after: dict[str, Any],
) -> None:
    """Each item moved by exactly the entries that succeeded for it, and of the entries that
    expected the same version, at most one succeeded."""
    applied: dict[str, int] = {}
    checked: dict[str, int] = {}
    for entries, outcome in zip((first, second), results, strict=True):
        for entry, result in zip(entries, outcome, strict=True):
            assert result["id"] == entry["id"]
            versioned = entry["metadata"]["version"] is not None
            if result["code"] == 409:
                assert versioned
            else:
                applied[entry["id"]] = applied.get(entry["id"], 0) + 1
                checked[entry["id"]] = checked.get(entry["id"], 0) + versioned
    assert max(checked.values()) <= 1
    for item, version in before.items():
        assert after[item][0] == version + applied.get(item, 0), item


async def test_two_engines_on_one_database_serialize_their_writes_too(gql, seed, db, settings):
    # given a second engine on the same database, as a second worker process would have
    await seed.add(seed.segment("s1"), seed.product("p1"))
    await seed.add(seed.item("s1", "PRODUCT", "p1"))
    engine = create_engine(db.url, **({} if db.dialect == "sqlite" else {"max_overflow": 30}))
    other = GraphQL(Database(db.url, engine, session_factory(engine)), settings)
    try:
        for _ in range(5):
            start = (await read_item(gql, "p1"))["metadata"]["version"]
            # when
            bodies = await asyncio.gather(
                *(upsert_body((gql, other)[n % 2], "p1", {"n": n}, start) for n in range(40))
            )
            # then
            no_errors(bodies)
            payloads = [body["data"]["upsertItemAssignment"] for body in bodies]
            assert sum(not p["userErrors"] for p in payloads) == 1
            assert (await read_item(gql, "p1"))["metadata"]["version"] == start + 1
    finally:
        await engine.dispose()


async def test_segment_writes_racing_assignment_writes_never_deadlock(gql, seed):
    # given
    ids = [f"p{n:02d}" for n in range(50)]
    await seed.add(*(seed.product(i) for i in ids))
    segment = {"id": "s1", "input": segment_input(status="ACTIVE")}
    items = {"s": "s1", "t": "PRODUCT", "items": [{"id": i} for i in ids]}
    customers = {"s": "s1", "a": [{"customerId": f"u{n}"} for n in range(50)]}
    for round_ in range(10):
        await gql.data(UPSERT_SEGMENT, segment, scopes=MANAGE)
        # when
        bodies = await asyncio.gather(
            gql(BULK_UPSERT_ITEMS, items, scopes=MANAGE),
            gql(BULK_UPSERT_CUSTOMERS, customers, scopes=MANAGE),
            gql(UPSERT_SEGMENT, segment, scopes=MANAGE),
            gql(DELETE_SEGMENT, {"id": "s1", "force": True}, scopes=MANAGE),
            gql(BULK_UPSERT_ITEMS, items, scopes=MANAGE),
        )
        # then only a bulk that came after the delete may fail, as NOT_FOUND
        codes = {e["extensions"]["code"] for body in bodies for e in body.get("errors", [])}
        assert codes <= {"NOT_FOUND"}, f"round {round_}"
        segment_left = (await gql.data(SEGMENT, {"id": "s1"}, scopes=READ))["segment"]
        if segment_left is None:
            assert await read_items(gql, None) == {}
