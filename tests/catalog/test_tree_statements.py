"""Category trees and matchItems run a fixed number of SQL statements, whatever the size."""

from typing import Any

import sqlalchemy as sa

from gateway.catalog.models import Category, Product, ProductCategory
from gateway.store.columns import utcnow
from tests.catalog.queries import MATCH, NODES, TREES
from tests.conftest import READ_OWN
from tests.factories import Seed


async def bulk(seed: Seed, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Inserts many rows in one executemany; building SQLModel objects would dominate."""
    stamps = {"tenant": seed.tenant, "created_at": utcnow(), "modified_at": utcnow()}
    columns = {c.name for c in table.columns}
    async with seed.db.sessions() as session, session.begin():
        await session.execute(sa.insert(table), [{**_only(stamps, columns), **r} for r in rows])


def _only(values: dict[str, Any], columns: set[str]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k in columns}


async def ten_ary_catalog(seed: Seed, size: int) -> None:
    """c0 > c1..c10 > ..., every 7th unpublished; c3 assigned to c1's segment; a product each."""
    await seed.tenant_row()
    categories = [
        {"id": f"c{i}", "parent_id": f"c{(i - 1) // 10}" if i else None, "code": f"c{i}",
         "name": {"en": f"C{i}"}, "published": i % 7 != 6}
        for i in range(size)
    ]  # fmt: skip
    await bulk(seed, Category.__table__, categories)
    await bulk(seed, Product.__table__, [{"id": f"p{i}", "code": f"p{i}"} for i in range(size)])
    links = [{"product_id": f"p{i}", "category_id": f"c{i}"} for i in range(size)]
    await bulk(seed, ProductCategory.__table__, links)
    await seed.add(seed.segment("s1"))
    await seed.add(
        seed.customer("s1", "c1"),
        seed.item("s1", "CATEGORY", "c3"),
        seed.item("s1", "PRODUCT", "p1"),
    )


async def statements_of(gql, db, tenant: str, query: str, variables=None) -> tuple[int, dict]:
    """How many statements one request of customer c1 runs, and its data."""
    with db.count_statements() as seen, db.count_checkouts() as checkouts:
        data = await gql.data(query, variables, tenant=tenant, scopes=READ_OWN, customer="c1")
    # every read of the request on one connection (on SQLite one per read)
    assert len(checkouts) == 1 or db.dialect == "sqlite"
    return len(seen), data


async def test_tree_statements_do_not_grow_with_the_catalog(gql, db):
    # given: the same shape with 50 and with 5,000 categories, in two tenants
    await ten_ary_catalog(Seed(db, tenant="small"), 50)
    await ten_ary_catalog(Seed(db, tenant="large"), 5000)
    # when
    small, small_data = await statements_of(gql, db, "small", NODES)
    large, large_data = await statements_of(gql, db, "large", NODES)
    nested_small, _ = await statements_of(gql, db, "small", TREES)
    nested_large, _ = await statements_of(gql, db, "large", TREES)
    # then: versions and languages, assigned categories, categories; the categories are not
    # read again while the tenant's catalog version is the one the index was built at
    assert len(large_data["categoryTreeNodes"]) > 10 * len(small_data["categoryTreeNodes"])
    assert small == large == 3
    assert nested_small == nested_large == 2


async def test_match_statements_do_not_grow_with_the_catalog(gql, db):
    # given
    await ten_ary_catalog(Seed(db, tenant="small"), 50)
    await ten_ary_catalog(Seed(db, tenant="large"), 5000)
    variables = {"site": "main", "segments": ["s1"], "items": [f"p{i}" for i in range(500)]}
    # when
    small, small_data = await statements_of(gql, db, "small", MATCH, variables)
    large, large_data = await statements_of(gql, db, "large", MATCH, variables)
    # then: versions and languages, direct products, product links, assigned categories, categories
    assert len(large_data["matchItems"]) > len(small_data["matchItems"])
    assert small == large == 5


TWO_MATCHES = """
query($items: [ID!]!) {
  a: matchItems(siteCode: "main", segmentIds: ["s1"], itemIds: $items)
  b: matchItems(siteCode: "main", segmentIds: ["s2"], itemIds: $items)
}
"""


async def test_two_aliased_matches_run_as_many_statements_as_one(gql, db):
    # given: s2 holds p2 and c5 (so p5 through its category)
    seed = Seed(db, tenant="large")
    await ten_ary_catalog(seed, 500)
    await seed.add(seed.segment("s2"))
    await seed.add(
        seed.customer("s2", "c1"),
        seed.item("s2", "PRODUCT", "p2"),
        seed.item("s2", "CATEGORY", "c5"),
    )
    items = {"items": [f"p{i}" for i in range(100)]}
    alone = {}
    for segment in ("s1", "s2"):
        single = {"site": "main", "segments": [segment], **items}
        alone[segment] = (await statements_of(gql, db, "large", MATCH, single))[1]["matchItems"]
    # when
    two, data = await statements_of(gql, db, "large", TWO_MATCHES, items)
    # then: each answer as if asked alone, and each loader batch one statement for both
    # fields: versions and languages, direct products, product links, assigned categories
    # (the index is held by now)
    assert "p2" in alone["s2"] and "p5" in alone["s2"] and "p1" in alone["s1"]
    assert (data["a"], data["b"]) == (alone["s1"], alone["s2"])
    assert two == 4
