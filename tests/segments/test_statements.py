"""Statement counts do not grow with the size of the result (loaders batch every relation)."""

from tests.conftest import READ_OWN

CUSTOMERS = """
query($size: Int) {
  segments(pageSize: $size) { items { id name customers { items { customerId } } } }
}
"""
EVERYTHING = """
query($size: Int) {
  segments(pageSize: $size) {
    totalCount
    items {
      id name nameAllLocales { value } active metadata { version }
      customers(pageSize: 2) { totalCount items { customerId legalEntityId } }
      items(pageSize: 10) { totalCount items { type item { id } } }
    }
  }
}
"""


async def seed_big_tenant(seed, count=500):
    await seed.tenant_row()
    await seed.add(*(seed.segment(f"s{i:03d}") for i in range(count)))
    await seed.add(
        *(
            seed.customer(f"s{i:03d}", f"c{i % 7}", f"le{i % 2}" if i % 3 else None)
            for i in range(count)
        ),
        *(seed.customer(f"s{i:03d}", "shared") for i in range(count)),
    )
    await seed.add(seed.product("p1"), seed.category("c1"))
    await seed.add(
        *(
            seed.item(f"s{i:03d}", "PRODUCT" if i % 2 else "CATEGORY", "p1" if i % 2 else "c1")
            for i in range(count)
        )
    )


async def count(db, gql, query, size, **kw):
    with db.count_statements() as seen, db.count_checkouts() as checkouts:
        data = await gql.data(query, {"size": size}, **kw)
    # every read of the request on one connection (on SQLite one per read)
    assert len(checkouts) == 1 or db.dialect == "sqlite"
    return len(seen), data


async def test_customers_of_500_segments_take_as_many_statements_as_of_10(gql, seed, db):
    # given
    await seed_big_tenant(seed)
    # when
    small, _ = await count(db, gql, CUSTOMERS, 10)
    large, data = await count(db, gql, CUSTOMERS, 500)
    # then
    assert large == small
    items = data["segments"]["items"]
    assert len(items) == 500
    assert all(len(s["customers"]["items"]) == 2 for s in items)


async def test_every_relation_and_count_is_one_statement_for_the_whole_page(gql, seed, db):
    # given
    await seed_big_tenant(seed)
    # when
    small, _ = await count(db, gql, EVERYTHING, 10)
    large, data = await count(db, gql, EVERYTHING, 500)
    # then
    assert large == small
    first = data["segments"]["items"][0]
    assert data["segments"]["totalCount"] == 500
    assert first["customers"]["totalCount"] == 2
    assert first["items"]["totalCount"] == 1


async def test_customer_reads_are_batched_too(gql, seed, db):
    # given
    await seed_big_tenant(seed, count=60)
    own = {"scopes": READ_OWN, "customer": "shared"}
    # when
    small, _ = await count(db, gql, CUSTOMERS, 5, **own)
    large, data = await count(db, gql, CUSTOMERS, 60, **own)
    # then
    assert large == small
    assert len(data["segments"]["items"]) == 60
    assert all(
        s["customers"]["items"] == [{"customerId": "shared"}] for s in data["segments"]["items"]
    )
