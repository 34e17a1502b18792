"""The two phases every server goes through: a checked, counted run, then the timed one.

Checking: each workload is asked (through the counting proxy on PostgreSQL) and its answer kept,
so the runner can compare servers before any timing. Timing: wrk warm-up, the measured wrk run
with CPU sampling, then the cold loop (a write just before each read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson

from bench.catalog import measure
from bench.catalog.servers import Running
from bench.catalog.wire import Proxy
from bench.catalog.workloads import GATEWAY, Request, Tokens, Workload

COUNTED = 3  # requests per workload whose statements are counted, after one warm-up request


@dataclass
class Timing:
    wrk: measure.WrkResult
    server_cpu_ms: float
    postgres_cpu_ms: float
    cold: measure.ColdResult | None


@dataclass
class ServerResult:
    label: str
    kind: str
    answers: dict[str, Any] = field(default_factory=dict)
    statements: dict[str, tuple[float, float]] = field(default_factory=dict)  # data, control
    timings: dict[str, Timing] = field(default_factory=dict)
    peak_rss_mb: float = 0.0
    worker_rss_mb: list[float] = field(default_factory=list)  # under a supervisor: each worker


async def send(client: httpx.AsyncClient, request: Request) -> Any:
    response = await client.request(
        request.method, request.path, content=request.body, headers=request.headers, timeout=120
    )
    if response.status_code != 200:
        raise AssertionError(f"HTTP {response.status_code}: {response.text[:500]}")
    return orjson.loads(response.content)


async def check(
    running: Running, workloads: list[Workload], proxy: Proxy | None, result: ServerResult
) -> None:
    """Keeps each workload's answer, and its statements per request when behind the proxy."""
    kind = running.spec.kind
    async with httpx.AsyncClient(base_url=running.base) as client:
        for workload in workloads:
            requests = workload.requests[kind]
            try:
                result.answers[workload.key] = workload.answer[kind](
                    await send(client, requests[0])
                )
            except (AssertionError, KeyError, TypeError) as error:
                result.answers[workload.key] = f"failed: {error}"
                continue
            if proxy is None:
                continue
            proxy.reset()
            for n in range(COUNTED):
                await send(client, requests[n % len(requests)])
            counts = proxy.counts
            result.statements[workload.key] = (counts.data / COUNTED, counts.control / COUNTED)


def _touch(workload: Workload, meta: dict[str, Any], tokens: Tokens, gql: str) -> Request:
    """The gateway's cold write: re-upserting an assignment the segment already has."""
    segment = workload.cold_segment
    query = (
        f'mutation {{ upsertItemAssignment(segmentId: "{segment}", type: CATEGORY, '
        f'itemId: "{meta["touch"][segment]}") {{ created userErrors {{ message }} }} }}'
    )
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {tokens.manager}"}
    return Request("POST", gql, orjson.dumps({"query": query}), headers)


TOUCH_SQL = (
    "UPDATE item_assignment SET version = version + 1, modified_at = now() AT TIME ZONE 'UTC' "
    "WHERE tenant = $1 AND segment_id = $2 AND item_type = 'CATEGORY' AND item_id = $3"
)


@dataclass
class ColdPlan:
    meta: dict[str, Any]
    tokens: Tokens
    gql: str
    dsn: str
    samples: int
    seconds: float


async def cold(running: Running, workload: Workload, plan: ColdPlan) -> measure.ColdResult:
    """Latency of a read that follows a write, one at a time. The gateway's write goes through
    the gateway (its caches must see it); B0 and PG5 keep no caches, so theirs goes to SQL."""
    kind, segment = running.spec.kind, workload.cold_segment
    read = workload.requests[kind][0]
    touch = _touch(workload, plan.meta, plan.tokens, plan.gql)
    timings: list[float] = []
    conn = await asyncpg.connect(plan.dsn)
    deadline = measure.now() + plan.seconds
    try:
        async with httpx.AsyncClient(base_url=running.base) as client:
            while len(timings) < plan.samples and (len(timings) < 5 or measure.now() < deadline):
                if kind == GATEWAY:
                    await send(client, touch)
                else:
                    await conn.execute(
                        TOUCH_SQL, plan.meta["tenant"], segment, plan.meta["touch"][segment]
                    )
                start = measure.now()
                await send(client, read)
                timings.append((measure.now() - start) * 1000)
    finally:
        await conn.close()
    return measure.cold_summary(timings)


def script_path(running: Running, workload: Workload, scratch: Path) -> Path:
    """wrk's Lua script of this workload on this server (kept, so the command can be rerun)."""
    return scratch / f"{workload.key}-{running.port}.lua"


def _cpu(running: Running) -> float:
    # A supervisor's workers are its children; their CPU is the server's.
    return sum(measure.cpu_seconds(pid) for pid in running.processes())


async def timed(
    running: Running,
    workload: Workload,
    seconds: tuple[int, int],
    database: str | None,
    scratch: Path,
) -> tuple[measure.WrkResult, float, float]:
    """wrk warm-up, then the measured run; CPU ms per request of the server and of PostgreSQL."""
    requests = workload.requests[running.spec.kind]
    script = script_path(running, workload, scratch)
    await measure.wrk(running.base, requests, seconds[0], script)
    backends = measure.BackendCpu(database)
    server_before = _cpu(running)
    await backends.start()
    result = await measure.wrk(running.base, requests, seconds[1], script)
    postgres = await backends.stop()
    server = _cpu(running) - server_before
    per = 1000 / max(result.requests, 1)
    return result, server * per, postgres * per
