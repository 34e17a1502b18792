"""Per-request overhead, in process: CPU and statements per request for Q0, Q1 and a tree.

    python -m bench.request_overhead [sqlite|postgresql] [requests]

Calls the ASGI app directly (no client library, sockets or uvicorn), one request at a
time, on a small seeded tenant (one segment with 3,000 product assignments, 300 categories).
PostgreSQL needs GATEWAY_BENCH_PG (an admin URL, default postgresql+asyncpg://postgres@
127.0.0.1:5432/postgres); a scratch database is created and dropped.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy import event

from gateway.app import create_app
from gateway.auth import scopes
from gateway.auth.tokens import mint_token
from gateway.settings import Settings
from gateway.store.columns import utcnow
from gateway.store.database import create_engine
from gateway.store.tables import metadata
from tests.databases import create_database, drop_database

PG_ADMIN = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
ASSIGNMENTS = 3000
CATEGORIES = 300

Q0 = "{ __typename }"
Q1 = """{ itemAssignments(segmentId: "s1", sort: "item.id", pageSize: 50) {
  items { type item { id code name } } } }"""
TREE = '{ categoryTrees(siteCode: "main") { id name subcategories { id name } } }'


async def seed(url: str) -> None:
    engine = create_engine(url)
    stamps = {"created_at": utcnow(), "modified_at": utcnow()}
    t = {"tenant": "bench", **stamps}
    tables = metadata.tables
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(
            sa.insert(tables["tenant"]),
            [{"tenant": "bench", "default_language": "en", "languages": ["en", "de"]}],
        )
        categories = [
            {**t, "id": f"c{i:04d}", "parent_id": f"c{(i - 1) // 10:04d}" if i else None,
             "code": f"c{i}", "name": {"en": f"C{i}", "de": f"K{i}"}, "published": True}
            for i in range(CATEGORIES)
        ]  # fmt: skip
        await conn.execute(sa.insert(tables["category"]), categories)
        products = [
            {**t, "id": f"p{i:05d}", "code": f"p{i}", "name": {"en": f"P{i}"}}
            for i in range(ASSIGNMENTS)
        ]
        await conn.execute(sa.insert(tables["product"]), products)
        await conn.execute(
            sa.insert(tables["segment"]),
            [{**t, "id": "s1", "status": "ACTIVE", "site_code": "main", "name": {"en": "S1"}}],
        )
        items = [
            {**t, "segment_id": "s1", "item_type": "PRODUCT", "item_id": f"p{i:05d}"}
            for i in range(ASSIGNMENTS)
        ]
        items.append({**t, "segment_id": "s1", "item_type": "CATEGORY", "item_id": "c0003"})
        await conn.execute(sa.insert(tables["item_assignment"]), items)
    await engine.dispose()


class Counter:
    def __init__(self) -> None:
        self.statements = 0
        self.control = 0
        self.checkouts = 0

    def listen(self, engine: Any) -> None:
        def statement(*_a: Any) -> None:
            self.statements += 1

        def control(*_a: Any) -> None:
            self.control += 1

        def checkout(*_a: Any) -> None:
            self.checkouts += 1

        event.listen(engine, "before_cursor_execute", statement)
        for name in ("begin", "commit", "rollback"):
            event.listen(engine, name, control)
        event.listen(engine.pool, "checkout", checkout)


async def post(app: Any, token: str, query: str) -> tuple[int, bytes]:
    """One POST straight through the ASGI app: no client library, no sockets."""
    body = orjson.dumps({"query": query})
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/bench/graphql",
        "raw_path": b"/bench/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
            (b"accept", b"application/graphql-response+json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def measure(app: Any, token: str, query: str, n: int) -> float:
    for _ in range(20):  # warm-up: document cache, prepared statements, pool
        status, body = await post(app, token, query)
        assert status == 200 and b'"errors"' not in body, body
    started = time.process_time()
    for _ in range(n):
        await post(app, token, query)
    return (time.process_time() - started) / max(n, 1) * 1000


async def bench(url: str, n: int) -> None:
    await seed(url)
    settings = Settings(database_url=url, graphiql=False)
    app = create_app(settings)
    token = mint_token(settings, tenant="bench", scopes=[scopes.READ], customer="cust")
    async with app.router.lifespan_context(app):
        counter = Counter()
        counter.listen(app.state.runtime.engine.sync_engine)
        for name, query in (("Q0", Q0), ("Q1", Q1), ("tree", TREE)):
            cpu = await measure(app, token, query, n)
            before = (counter.statements, counter.control, counter.checkouts)
            await measure(app, token, query, 0)  # 20 warm-up requests, counted
            stmts = (counter.statements - before[0]) / 20
            ctl = (counter.control - before[1]) / 20
            outs = (counter.checkouts - before[2]) / 20
            print(
                f"{name:5s} {cpu:7.3f} ms CPU/req  {stmts:.1f} statements "
                f"+ {ctl:.1f} begin/commit/rollback, {outs:.1f} checkouts per request"
            )


async def main(kind: str, n: int) -> None:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            await bench(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}", n)
        return
    url = await create_database(PG_ADMIN)
    try:
        await bench(url, n)
    finally:
        await drop_database(PG_ADMIN, url)


if __name__ == "__main__":
    args = sys.argv[1:]
    asyncio.run(main(args[0] if args else "sqlite", int(args[1]) if len(args) > 1 else 300))
