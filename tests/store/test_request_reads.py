"""A request reads on one connection, opened on first use and given back at its end."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from gateway.context import SharedSession
from gateway.store.tables import segment_table
from tests.conftest import MANAGE, READ

EVERY_LOADER = """{ segments(pageSize: 20) { totalCount items {
  id name
  customers(pageSize: 2) { totalCount items { customerId } }
  items(pageSize: 5) { totalCount items { type item { id name ... on Product { categoryIds } }
    segment { id } } }
} } }"""

TWO_WRITES = """mutation {
  first: upsertItemAssignment(segmentId: "s1", type: PRODUCT, itemId: "p1") {
    assignment { segment { id items { totalCount } } } }
  second: upsertItemAssignment(segmentId: "s2", type: PRODUCT, itemId: "p1") {
    assignment { segment { id items { totalCount } } } }
}"""


async def given_segments(seed: Any, count: int = 20) -> None:
    await seed.tenant_row()
    await seed.add(seed.product("p1"), seed.category("c1"), seed.link("p1", "c1"))
    await seed.add(*(seed.segment(f"s{n:02d}") for n in range(count)))
    await seed.add(
        *(seed.customer(f"s{n:02d}", f"u{n}") for n in range(count)),
        *(seed.item(f"s{n:02d}", "PRODUCT", "p1") for n in range(count)),
    )


async def test_every_loader_of_a_query_shares_one_connection(gql, seed, db):
    # (on PostgreSQL; SQLite's connections are local: each read takes one and gives it back)
    # given: a query whose loaders run concurrently (segments, customers, items, counts)
    await given_segments(seed)
    # when
    with db.count_checkouts() as checkouts, db.count_statements() as statements:
        data = await gql.data(EVERY_LOADER)
    # then: languages, segments, count, customers, their count, items, their count,
    # the items' segments, category links: nine statements, one connection
    assert len(data["segments"]["items"]) == 20
    assert len(statements) == 9
    assert len(checkouts) == (1 if db.dialect == "postgresql" else 9)
    assert db.engine.sync_engine.pool.checkedout() == 0


async def test_reads_send_no_begin_or_rollback_on_postgresql(gql, seed, db):
    # given
    await given_segments(seed, count=3)
    begun: list[Any] = []

    def record(conn: Any) -> None:
        begun.append(conn.get_execution_options().get("isolation_level"))

    # when
    event.listen(db.engine.sync_engine, "begin", record)
    try:
        await gql.data(EVERY_LOADER)
    finally:
        event.remove(db.engine.sync_engine, "begin", record)
    # then: on PostgreSQL one, in autocommit, so none on the wire (SQLite's driver begins
    # none for a SELECT)
    if db.dialect == "postgresql":
        assert begun == ["AUTOCOMMIT"]


async def test_an_introspection_only_request_opens_no_connection(gql, db):
    # when
    with db.count_checkouts() as checkouts, db.count_statements() as statements:
        data = await gql.data("{ __typename }")
    # then
    assert data == {"__typename": "Query"}
    assert checkouts == [] and statements == []


async def test_a_failed_request_gives_its_connection_back(gql, seed, db):
    # given
    await given_segments(seed, count=3)
    # when: a cursor of another query fails the field after the read connection opened
    body = await gql('{ segments(after: "bm90LWEtY3Vyc29y") { items { id } } }')
    # then
    assert body.get("errors")
    assert db.engine.sync_engine.pool.checkedout() == 0


async def test_a_mutation_reads_back_each_of_its_writes(gql, seed, db):
    # given: two segments without items
    await seed.tenant_row()
    await seed.add(seed.product("p1"), seed.segment("s1"), seed.segment("s2"))
    # when: the first payload reads before the second write commits
    data = await gql.data(TWO_WRITES, scopes=(*MANAGE, *READ))
    # then: the second payload sees the second write
    assert data["first"]["assignment"]["segment"] == {"id": "s1", "items": {"totalCount": 1}}
    assert data["second"]["assignment"]["segment"] == {"id": "s2", "items": {"totalCount": 1}}
    assert db.engine.sync_engine.pool.checkedout() == 0


async def test_a_query_after_a_write_sees_it(gql, seed, db):
    # given: a query read the segment before the write
    await seed.tenant_row()
    await seed.add(seed.product("p1"), seed.segment("s1"))
    query = '{ segment(id: "s1") { items { totalCount } } }'
    assert (await gql.data(query))["segment"]["items"]["totalCount"] == 0
    # when
    await gql.data(TWO_WRITES.replace("s2", "s1"), scopes=(*MANAGE, *READ))
    # then
    assert (await gql.data(query))["segment"]["items"]["totalCount"] == 1


async def test_a_shared_read_connection_sees_writes_committed_after_it_opened(seed, db):
    # given: a query's read connection, open and used
    await seed.add(seed.segment("s1"))
    reads = SharedSession(db.sessions)
    count = sa.select(sa.func.count()).select_from(segment_table)
    try:
        async with reads.use() as session:
            assert (await session.execute(count)).scalar_one() == 1
        # when: another connection commits a write
        await seed.add(seed.segment("s2"))
        # then: the next read on the same connection sees it (no snapshot held)
        async with reads.use() as session:
            assert (await session.execute(count)).scalar_one() == 2
    finally:
        await reads.close()
    assert db.engine.sync_engine.pool.checkedout() == 0
