"""Benchmarks, run on demand: `.venv/bin/python -m bench.run [--iterations N] [--postgres URL]`.

Each scenario is timed through the real app (in-process ASGI, no network) and, in the same
run, against a baseline that does the least work that could answer it: the fixed cost of a
trivial request, the same rows fetched with one hand-written SQL statement, or a naive
one-query-per-parent resolver. Figures go to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.dataset import CUSTOMER, TENANT, build_document
from gateway.app import create_app
from gateway.auth import scopes
from gateway.auth.tokens import mint_token
from gateway.importer.run import import_document
from gateway.migrations import upgrade_async
from gateway.settings import Settings
from gateway.store.database import create_engine, session_factory

RESULTS = Path(__file__).with_name("RESULTS.md")

TREE = "{ categoryTrees { id code name isSegmentAssigned subcategories { id code name "
TREE += "isSegmentAssigned subcategories { id code name isSegmentAssigned subcategories "
TREE += "{ id code name isSegmentAssigned } } } } }"
ASSIGNMENTS = (
    "{ itemAssignments(pageSize: 500) { items { segmentId type "
    "item { id code name } metadata { version modifiedAt } } } }"
)
NESTED = (
    "{ segments(pageSize: 100) { items { id name items(pageSize: 20) "
    "{ items { type item { id code name } } } } } }"
)


@dataclass
class Figure:
    name: str
    median_ms: float
    p95_ms: float
    statements: int


@dataclass
class Row:
    scenario: str
    measured: Figure
    baseline: Figure

    @property
    def ratio(self) -> float:
        return self.measured.median_ms / self.baseline.median_ms


class Counter:
    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        sa.event.listen(engine.sync_engine, "before_cursor_execute", self._hit)

    def _hit(self, *_: Any) -> None:
        self.count += 1


async def measure(
    name: str, run: Callable[[], Awaitable[None]], counter: Counter, iterations: int
) -> Figure:
    await run()  # warm caches and connections
    counter.count = 0
    await run()
    statements = counter.count
    timings = []
    for _ in range(iterations):
        start = time.perf_counter()
        await run()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    return Figure(name, statistics.median(timings), p95, statements)


def graphql_call(
    client: httpx.AsyncClient, token: str, query: str
) -> Callable[[], Awaitable[None]]:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    async def run() -> None:
        response = await client.post(f"/{TENANT}/graphql", json={"query": query}, headers=headers)
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body

    return run


def raw_sql(engine: AsyncEngine, statement: str) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.text(statement), {"t": TENANT})).mappings().all()
        orjson.dumps([dict(r) for r in rows], default=str)

    return run


def naive_nested(engine: AsyncEngine) -> Callable[[], Awaitable[None]]:
    """What resolvers without loaders do: one statement per segment for its items."""

    async def run() -> None:
        async with engine.connect() as conn:
            segments = (
                await conn.execute(
                    sa.text("SELECT id, name FROM segment WHERE tenant=:t ORDER BY id LIMIT 100"),
                    {"t": TENANT},
                )
            ).all()
            out = []
            for segment in segments:
                items = await conn.execute(
                    sa.text(
                        "SELECT a.item_type, a.item_id, coalesce(p.code, c.code) AS code "
                        "FROM item_assignment a "
                        "LEFT JOIN product p ON p.tenant=a.tenant AND a.item_type='PRODUCT' "
                        "AND p.id=a.item_id LEFT JOIN category c ON c.tenant=a.tenant "
                        "AND a.item_type='CATEGORY' AND c.id=a.item_id "
                        "WHERE a.tenant=:t AND a.segment_id=:s "
                        "ORDER BY a.item_type, a.item_id LIMIT 20"
                    ),
                    {"t": TENANT, "s": segment.id},
                )
                out.append({"id": segment.id, "items": [dict(r._mapping) for r in items]})
        orjson.dumps(out, default=str)

    return run


RAW_ASSIGNMENTS = (
    "SELECT a.segment_id, a.item_type, a.item_id, coalesce(p.code, c.code) AS code, "
    "coalesce(p.name, c.name) AS name, a.version, a.modified_at FROM item_assignment a "
    "LEFT JOIN product p ON p.tenant=a.tenant AND a.item_type='PRODUCT' AND p.id=a.item_id "
    "LEFT JOIN category c ON c.tenant=a.tenant AND a.item_type='CATEGORY' AND c.id=a.item_id "
    "WHERE a.tenant=:t ORDER BY a.segment_id, a.item_type, a.item_id LIMIT 500"
)
RAW_TREE = "SELECT id, parent_id, code, name, position, published FROM category WHERE tenant=:t"


async def bench_database(url: str, label: str, iterations: int) -> list[Row]:
    await upgrade_async(url)
    engine = create_engine(url)
    await import_document(session_factory(engine), build_document())
    settings = Settings(database_url=url, graphiql=False)
    app = create_app(settings)
    customer = mint_token(settings, tenant=TENANT, scopes=[scopes.READ_OWN], customer=CUSTOMER)
    reader = mint_token(settings, tenant=TENANT, scopes=[scopes.READ])
    rows: list[Row] = []
    async with app.router.lifespan_context(app):
        counter = Counter(app.state.runtime.engine)
        raw_counter = Counter(engine)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            floor = await measure(
                "{ __typename }",
                graphql_call(client, reader, "{ __typename }"),
                counter,
                iterations,
            )
            cases = [
                ("categoryTrees, customer, 5,000 categories", customer, TREE, RAW_TREE),
                ("itemAssignments, pageSize 500", reader, ASSIGNMENTS, RAW_ASSIGNMENTS),
            ]
            for scenario, token, query, raw in cases:
                measured = await measure(
                    "gateway", graphql_call(client, token, query), counter, iterations
                )
                baseline = await measure(
                    "one raw SQL", raw_sql(engine, raw), raw_counter, iterations
                )
                rows.append(Row(f"{label}: {scenario}", measured, baseline))
                rows.append(Row(f"{label}: {scenario} (vs trivial request)", measured, floor))
            nested = await measure(
                "gateway", graphql_call(client, reader, NESTED), counter, iterations
            )
            naive = await measure("N+1", naive_nested(engine), raw_counter, iterations)
            rows.append(Row(f"{label}: 100 segments x 20 items", nested, naive))
    await engine.dispose()
    return rows


READING = [
    "How to read the baselines:",
    "- `{ __typename }`: the fixed cost of one request through the whole stack (HTTP view, "
    "token, context with its one statement, execution); what every request pays.",
    "- `one raw SQL`: the same rows fetched with one hand-written statement and encoded with "
    "orjson, with no GraphQL work; a floor, not a competitor. Its plan is the hand-written "
    "one, so on PostgreSQL it can be slower than the gateway's own statement.",
    "- `N+1`: what resolvers without loaders do: one statement per parent (here 101), again "
    "without GraphQL work. The statement count is the figure the gateway keeps constant; the "
    "time gap is graphql-core's per-field execution (about 10,000 fields in that query).",
]


def write_results(rows: list[Row], iterations: int) -> None:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        "## Small scale: `python -m bench.run`",
        "",
        f"Written by `python -m bench.run` on {when}; "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"{iterations} timed runs per figure after two warm-up runs. In-process ASGI (no "
        "network). Ratio = gateway median / baseline median, both measured in the same run.",
        "",
        "| scenario | gateway median ms | p95 ms | SQL stmts | baseline | baseline median ms "
        "| stmts | ratio |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for row in rows:
        m, b = row.measured, row.baseline
        lines.append(
            f"| {row.scenario} | {m.median_ms:.1f} | {m.p95_ms:.1f} | {m.statements} | {b.name} "
            f"| {b.median_ms:.1f} | {b.statements} | {row.ratio:.2f} |"
        )
    lines += ["", *READING]
    RESULTS.write_text(f"# Benchmark results\n\n{_catalog_section()}" + "\n".join(lines) + "\n")


def _catalog_section() -> str:
    """bench.catalog's section of RESULTS.md, kept as it is: this run rewrites only its own."""
    text = RESULTS.read_text() if RESULTS.exists() else ""
    start, end = text.find("## Catalog scale"), text.find("## Small scale")
    if start < 0:
        return ""
    return text[start : end if end > start else len(text)].rstrip() + "\n\n"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--postgres", help="a postgresql+asyncpg:// URL of an EMPTY database")
    args = parser.parse_args()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        rows += await bench_database(sqlite_url, "SQLite", args.iterations)
    if args.postgres:
        rows += await bench_database(args.postgres, "PostgreSQL", args.iterations)
    write_results(rows, args.iterations)
    print(RESULTS.read_text())


if __name__ == "__main__":
    asyncio.run(main())
