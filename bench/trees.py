"""CPU per request of Q2, Q3 and Q4 in process, warm and cold (the first request after a write).

Runs the gateway's GraphQL pipeline without HTTP against a database already loaded with the
catalog (bench/catalog's), so the figures isolate the resolvers and the catalog index:

    python -m bench.trees postgresql+asyncpg://postgres@127.0.0.1:5432/catalog_trees_bench \
        ~/.cache/segment-gateway-bench/data/catalog-scale1.json.meta.json

A cold request follows an item assignment upsert through the gateway (its CPU not counted);
a rebuild request follows dropping the held catalog indexes, as after an import.
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from gateway.api.execution import prepare, run
from gateway.auth import scopes
from gateway.auth.principal import Principal
from gateway.schema import schema
from gateway.settings import Settings
from gateway.store.database import create_engine, session_factory
from gateway.web.request_context import build_context

TREE_FIELDS = "id parentId name isSegmentAssigned"
UPSERT = (
    'mutation {{ upsertItemAssignment(segmentId: "{s}", type: PRODUCT, itemId: "{i}") '
    "{{ userErrors {{ code }} }} }}"
)


class Bench:
    def __init__(self, url: str, tenant: str) -> None:
        self.engine = create_engine(url, pool_size=4)
        self.sessions = session_factory(self.engine)
        self.settings = Settings(database_url=url)
        self.tenant = tenant

    async def request(
        self, query: str, *, scope: str, customer: str | None = None
    ) -> dict[str, Any]:
        principal = Principal(
            tenant=self.tenant,
            scopes=frozenset({scope}),
            subject=customer or "bench",
            customer_id=customer,
        )
        context = await build_context(
            settings=self.settings, sessions=self.sessions, tenant=self.tenant, principal=principal
        )
        prepared = prepare(schema._schema, self.settings, query)
        body = await run(schema._schema, prepared, context)
        assert not body.get("errors"), body["errors"]
        return body

    async def customer_near(self, nodes: int) -> str:
        """The B2C customer whose tree is nearest `nodes` (as bench/catalog/runner.py picks)."""
        async with self.engine.connect() as conn:
            await conn.execute(sa.text("SET statement_timeout = 0"))
            rows = await conn.execute(
                sa.text(
                    "SELECT c.customer_id, (SELECT count(*) FROM bench_sql.customer_tree_nodes("
                    ":t, c.customer_id)) AS n FROM (SELECT DISTINCT customer_id FROM "
                    "customer_assignment WHERE tenant = :t AND legal_entity_id = '' "
                    "ORDER BY customer_id LIMIT 300) c"
                ),
                {"t": self.tenant},
            )
            return str(min(rows, key=lambda r: (abs(r.n - nodes), r.customer_id)).customer_id)


async def _forget() -> None:
    try:
        from gateway.catalog.index import forget
    except ImportError:  # before the catalog index: nothing is held
        return
    forget()


async def cpu_ms(call: Callable[[], Awaitable[Any]], times: int, before: Any = None) -> list[float]:
    found = []
    for _ in range(times):
        if before is not None:
            await before()
        start = time.process_time()
        await call()
        found.append((time.process_time() - start) * 1000)
    return found


async def main(url: str, meta_file: str, times: int = 15) -> None:
    meta = orjson.loads(Path(meta_file).expanduser().read_bytes())
    bench = Bench(url, meta["tenant"])
    customer = await bench.customer_near(765)
    segment, product = next(iter(meta["touch"].items()))
    site, items, (a, b) = meta["site"], meta["q4_items"], meta["q4_segments"]
    match = " ".join(
        f'{alias}: matchItems(siteCode: "{site}", segmentIds: ["{s}"], '
        f"itemIds: {orjson.dumps(items).decode()})"
        for alias, s in (("a", a), ("b", b))
    )
    workloads = {
        "Q2": (f"{{ categoryTreeNodes {{ {TREE_FIELDS} }} }}", scopes.READ_OWN, customer),
        "Q3": (f"{{ categoryTreeNodes {{ {TREE_FIELDS} }} }}", scopes.READ, None),
        "Q4": (f"{{ {match} }}", scopes.READ, None),
    }

    async def write() -> None:
        await bench.request(UPSERT.format(s=segment, i=product), scope=scopes.MANAGE)

    for key, (query, scope, who) in workloads.items():

        async def call(query: str = query, scope: str = scope, who: str | None = who) -> Any:
            return await bench.request(query, scope=scope, customer=who)

        body = await call()
        size = sum(len(v) for v in body["data"].values())
        warm = await cpu_ms(call, times)
        cold = await cpu_ms(call, max(3, times // 3), before=write)
        rebuilt = await cpu_ms(call, max(3, times // 3), before=_forget)
        print(
            f"{key}: {size} answer items; CPU ms/request warm median {statistics.median(warm):.1f} "
            f"(min {min(warm):.1f}), cold median {statistics.median(cold):.1f}, "
            f"rebuild median {statistics.median(rebuilt):.1f}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MB")
    await bench.engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], *(int(a) for a in sys.argv[3:4])))
