"""B0: a hand-written Starlette + asyncpg + orjson endpoint per workload, the ceiling of this stack.

One statement per request, prepared by asyncpg, a pool sized to the 16 clients, no GraphQL and
no token check. Q2-Q4 call the same bench_sql functions PG5 exposes, so B0 and PG5 run the same
SQL and differ only above it.

`python -m bench.catalog.baseline --port P --dsn postgresql://... [--tenant catalog]`
"""

from __future__ import annotations

import argparse
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

Q1 = """
SELECT a.item_id AS id, coalesce(p.code, c.code) AS code,
       coalesce(p.name, c.name) ->> 'en' AS name
  FROM item_assignment a
  LEFT JOIN product p ON a.item_type = 'PRODUCT' AND p.tenant = a.tenant AND p.id = a.item_id
  LEFT JOIN category c ON a.item_type = 'CATEGORY' AND c.tenant = a.tenant AND c.id = a.item_id
 WHERE a.tenant = $1 AND a.segment_id = $2 AND (p.id IS NOT NULL OR c.id IS NOT NULL)
 ORDER BY a.item_id, a.item_type
 LIMIT 50
"""
TREE_COLUMNS = 'id, parent_id AS "parentId", name, is_segment_assigned AS "isSegmentAssigned"'
Q2 = f"SELECT {TREE_COLUMNS} FROM bench_sql.customer_tree_nodes($1, $2)"
Q3 = f"SELECT {TREE_COLUMNS} FROM bench_sql.tree_nodes($1)"
Q4 = """
SELECT ARRAY(SELECT bench_sql.match_items($1, $2, ARRAY[$3], $5)) AS a,
       ARRAY(SELECT bench_sql.match_items($1, $2, ARRAY[$4], $5)) AS b
"""
W1 = """
INSERT INTO item_assignment AS a (tenant, segment_id, item_type, item_id, mixins,
       metadata_mixins, created_at, modified_at, version)
SELECT $1, $2, 'PRODUCT', i, '{}', '{}', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', 1
  FROM unnest($3::text[]) AS i
    ON CONFLICT (tenant, segment_id, item_type, item_id) DO UPDATE
   SET mixins = excluded.mixins, metadata_mixins = excluded.metadata_mixins,
       modified_at = excluded.modified_at, version = a.version + 1
"""


async def _no_reset(connection: asyncpg.Connection) -> None:
    return None


def _json(value: Any) -> Response:
    return Response(orjson.dumps(value), media_type="application/json")


def make_app(dsn: str, tenant: str) -> Starlette:
    pool: asyncpg.Pool | None = None

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        nonlocal pool
        # No reset on release: B0 keeps no session state, and asyncpg's default reset is four
        # more statements per request (advisory unlock, CLOSE ALL, UNLISTEN, RESET ALL).
        pool = await asyncpg.create_pool(dsn, min_size=16, max_size=16, reset=_no_reset)
        yield
        await pool.close()

    async def rows(sql: str, *args: Any) -> list[dict[str, Any]]:
        assert pool is not None
        return [dict(r) for r in await pool.fetch(sql, tenant, *args)]

    async def q1(request: Request) -> Response:
        return _json(await rows(Q1, request.query_params["segment"]))

    async def q2(request: Request) -> Response:
        return _json(await rows(Q2, request.query_params["customer"]))

    async def q3(request: Request) -> Response:
        return _json(await rows(Q3))

    async def q4(request: Request) -> Response:
        body = orjson.loads(await request.body())
        a, b = body["segments"]
        assert pool is not None
        row = await pool.fetchrow(Q4, tenant, body["site"], a, b, body["items"])
        return _json({"a": row["a"], "b": row["b"]})

    async def w1(request: Request) -> Response:
        body = orjson.loads(await request.body())
        assert pool is not None
        status = await pool.execute(W1, tenant, body["segment"], body["items"])
        return _json({"succeeded": int(status.split()[-1])})  # "INSERT 0 200"

    routes = [
        Route("/q1", q1),
        Route("/q2", q2),
        Route("/q3", q3),
        Route("/q4", q4, methods=["POST"]),
        Route("/w1", w1, methods=["POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--tenant", default="catalog")
    args = parser.parse_args()
    app = make_app(args.dsn, args.tenant)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
