"""Held catalog indexes never serve stale trees: writes through any engine, and the clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

import gateway.catalog.index
from gateway.importer.run import import_document
from gateway.settings import Settings
from gateway.store.database import create_engine, session_factory
from gateway.store.tables import data_version_table
from tests.catalog.queries import MATCH, NODES, matched, node_ids
from tests.conftest import MANAGE, READ, Database, GraphQL
from tests.importer.documents import document
from tests.mutations.operations import DELETE_ITEM, UPSERT_ITEM

T = datetime(2030, 6, 1, 12, 0, 0, tzinfo=UTC)
MS = timedelta(milliseconds=1)


@pytest.fixture
async def other(db: Database) -> AsyncIterator[GraphQL]:
    """A second gateway on the same database, with its own engine: another process's view."""
    engine = create_engine(db.url)
    yield GraphQL(Database(db.url, engine, session_factory(engine)), Settings(database_url=db.url))
    await engine.dispose()


async def catalog_matched_only_through_categories(gql: GraphQL, db: Database) -> None:
    """The test document, without claw's own assignment: it matches through hammers alone."""
    await import_document(db.sessions, document())
    await gql.data(DELETE_ITEM, {"s": "pros", "t": "PRODUCT", "i": "claw"}, scopes=MANAGE)


async def versions(db: Database) -> tuple[int, int]:
    table = data_version_table
    async with db.sessions() as session:
        row = await session.execute(
            sa.select(table.c.version, table.c.catalog_version).where(table.c.tenant == "demo")
        )
        found = row.one_or_none()
    return (0, 0) if found is None else (found.version, found.catalog_version)


async def test_an_assignment_written_through_one_engine_shows_in_the_next_read_of_another(
    gql, other, db
):
    # given: both gateways have read the tree once, so both hold the index
    await catalog_matched_only_through_categories(gql, db)
    assert await node_ids(other, scopes=READ) == ["tools", "hammers", "sledges"]
    assert await node_ids(gql, scopes=READ) == ["tools", "hammers", "sledges"]
    # when: the only category assignment goes, through the first engine
    await gql.data(DELETE_ITEM, {"s": "pros", "t": "CATEGORY", "i": "hammers"}, scopes=MANAGE)
    # then
    assert await node_ids(other, scopes=READ) == []
    # and when it comes back, on a deeper category
    await gql.data(UPSERT_ITEM, {"s": "pros", "t": "CATEGORY", "i": "sledges"}, scopes=MANAGE)
    assert await node_ids(other, scopes=READ) == ["tools", "hammers", "sledges"]
    assert await matched(other, ["pros"], ["claw"], scopes=READ) == []


async def test_an_import_through_one_engine_rebuilds_the_index_another_engine_holds(gql, other, db):
    # given
    await catalog_matched_only_through_categories(gql, db)
    assert await node_ids(other, scopes=READ) == ["tools", "hammers", "sledges"]
    assert await matched(other, ["pros"], ["claw"], scopes=READ) == ["claw"]
    # when: the assigned category is unpublished by a new import through the first engine
    changed = document()
    changed["categories"][1]["published"] = False
    changed["itemAssignments"] = changed["itemAssignments"][:1]  # claw's own stays deleted
    await import_document(db.sessions, changed)
    # then
    assert await node_ids(other, scopes=READ) == []
    assert await matched(other, ["pros"], ["claw"], scopes=READ) == []


async def test_every_write_raises_the_data_version_and_only_the_import_the_catalog_version(gql, db):
    # given
    await import_document(db.sessions, document())
    before = await versions(db)
    # when
    await gql.data(UPSERT_ITEM, {"s": "pros", "t": "CATEGORY", "i": "tools"}, scopes=MANAGE)
    after_write = await versions(db)
    await import_document(db.sessions, document())
    after_import = await versions(db)
    # then
    assert after_write == (before[0] + 1, before[1])
    assert after_import == (after_write[0] + 1, after_write[1] + 1)


async def test_a_forced_segment_delete_raises_the_data_version(gql, db):
    # given
    await import_document(db.sessions, document())
    before = await versions(db)
    # when
    await gql.data(
        'mutation { deleteSegment(id: "pros", forceDelete: true) { deleted } }', scopes=MANAGE
    )
    # then
    assert (await versions(db))[0] == before[0] + 1
    assert await node_ids(gql, scopes=READ) == []


async def validity_catalog(seed: Any) -> None:
    """a (assigned) > b, valid until T; a > c, valid from T; segment s1 valid until T + 1s."""
    await seed.tenant_row()
    await seed.add(
        seed.category("a"),
        seed.category("b", "a", valid_to=T),
        seed.category("c", "a", valid_from=T),
        seed.category("d", "c"),
    )
    await seed.add(seed.segment("s1", valid_to=T + timedelta(seconds=1)))
    await seed.add(seed.item("s1", "CATEGORY", "a"))


async def test_a_category_leaves_and_another_enters_exactly_at_the_validity_boundary(
    gql, seed, clock
):
    # given
    await validity_catalog(seed)
    # when / then: the same held index, read at three instants
    clock(T - MS)
    assert await node_ids(gql, scopes=READ) == ["a", "b"]
    clock(T)
    assert await node_ids(gql, scopes=READ) == ["a", "c", "d"]
    clock(T - MS)
    assert await node_ids(gql, scopes=READ) == ["a", "b"]


async def test_a_tree_ends_exactly_when_its_segment_does(gql, seed, clock):
    # given
    await validity_catalog(seed)
    end = T + timedelta(seconds=1)
    # when / then
    clock(end - MS)
    assert await node_ids(gql, scopes=READ) == ["a", "c", "d"]
    clock(end)
    assert await node_ids(gql, scopes=READ) == []


async def test_the_real_clock_passing_a_validity_end_prunes_without_a_write(gql, seed):
    # given: b's validity ends a moment from now
    soon = datetime.now(UTC) + timedelta(milliseconds=600)
    await seed.tenant_row()
    await seed.add(seed.category("a"), seed.category("b", "a", valid_to=soon))
    await seed.add(seed.segment("s1"))
    await seed.add(seed.item("s1", "CATEGORY", "a"))
    assert await node_ids(gql, scopes=READ) == ["a", "b"]
    # when
    while datetime.now(UTC) < soon:
        await _sleep(0.05)
    # then
    assert await node_ids(gql, scopes=READ) == ["a"]


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


def count_rebuilds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    built: list[int] = []
    original = gateway.catalog.index.build_index

    def build_index(categories: Any) -> Any:
        index = original(categories)
        built.append(index.size)
        return index

    monkeypatch.setattr(gateway.catalog.index, "build_index", build_index)
    return built


async def test_the_catalog_is_read_once_per_catalog_version_not_per_request(gql, db, monkeypatch):
    # given
    await import_document(db.sessions, document())
    built = count_rebuilds(monkeypatch)
    # when: two trees and two matches, an assignment write, two more trees
    with db.count_statements() as seen:
        for _ in range(2):
            await gql.data(NODES, scopes=READ)
    trees = len(seen)
    for _ in range(2):
        await gql.data(MATCH, {"site": "main", "segments": ["pros"], "items": ["claw"]})
    await gql.data(UPSERT_ITEM, {"s": "pros", "t": "CATEGORY", "i": "tools"}, scopes=MANAGE)
    with db.count_statements() as seen:
        for _ in range(2):
            await gql.data(NODES, scopes=READ)
    # then: one rebuild in all (the first tree's); versions and languages, assignments, and
    # the categories only for the tree that built the index: the others know it is current
    assert built == [3]
    assert trees == 3 + 2
    assert len(seen) == 2 + 2
    # and when the catalog is imported again, the next request rebuilds once
    await import_document(db.sessions, document())
    await gql.data(NODES, scopes=READ)
    await gql.data(NODES, scopes=READ)
    assert built == [3, 3]
