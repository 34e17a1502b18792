"""Part 1: the latency a write pays for the outbox, against the same gateway without it.

Each setup gets a fresh server (one uvicorn worker) on emptied event tables; every workload
runs warm for a while, then for the measured window, its requests' latencies kept and the
server's and PostgreSQL's CPU read from /proc over the window.
"""

from __future__ import annotations

import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.catalog import servers
from bench.catalog.measure import BackendCpu, cpu_seconds, percentile
from bench.events import client, data
from bench.events.processes import GATEWAY_PORT, RECEIVER_PORT, Setup, gateway_spec, received

WORKLOADS = (("single", 1), ("single", 8), ("bulk of 200", 1), ("bulk of 200", 8))


@dataclass
class WriteRow:
    setup: str
    workload: str
    concurrency: int
    p50_ms: float
    p95_ms: float
    per_second: float
    events_per_second: float
    server_cpu_ms: float
    postgres_cpu_ms: float | None
    delivered: int  # deliveries the receiver got during the window
    round: int = 1


@dataclass
class Timing:
    warm: float
    seconds: float


async def measure(
    setup: Setup, database_url: str, database: str | None, timing: Timing, logs: Path,
    round_number: int = 1,
) -> list[WriteRow]:  # fmt: skip
    """The four workloads against one fresh server of `setup`."""
    await data.reset(database_url)
    running = await servers.start(gateway_spec(setup, database_url), GATEWAY_PORT, logs)
    try:
        token = data.manager_token()
        await data.subscribe(GATEWAY_PORT, token, RECEIVER_PORT, setup.subscriptions)
        rows = [
            await _workload(setup, running.pid, database, token, workload, concurrency, timing)
            for workload, concurrency in WORKLOADS
        ]
        for row in rows:
            row.round = round_number
    finally:
        servers.stop(running)
    events = await data.count(database_url, "change_event")
    if (events == 0) == setup.outbox:
        raise SystemExit(f"{setup.label}: {events} events recorded, outbox {setup.outbox}")
    return rows


async def _workload(
    setup: Setup, pid: int, database: str | None, token: str, workload: str, concurrency: int,
    timing: Timing,
) -> WriteRow:  # fmt: skip
    single = workload == "single"
    requests = (data.singles if single else data.bulks)(GATEWAY_PORT, token)
    good = data.SINGLE_OK if single else data.BULK_OK

    async def window(seconds: float) -> client.Load:
        return await client.run(
            GATEWAY_PORT, requests, concurrency=concurrency, warm=0.0, seconds=seconds, good=good
        )

    await window(timing.warm)
    backend = BackendCpu(database)
    await backend.start()
    cpu, before = cpu_seconds(pid), (await received()).requests
    load = await window(timing.seconds)
    server_cpu, postgres_cpu = cpu_seconds(pid) - cpu, await backend.stop()
    delivered = (await received()).requests - before
    if load.wrong:
        raise SystemExit(f"{setup.label} {workload}: wrong answer {load.wrong[0]!r}")
    n = max(len(load.latencies), 1)
    ms = [t * 1000 for t in load.latencies]
    return WriteRow(
        setup.label, workload, concurrency, statistics.median(ms), percentile(ms, 0.95),
        load.per_second, load.per_second * (1 if single else len(data.PRODUCTS)),
        server_cpu * 1000 / n, postgres_cpu * 1000 / n if database else None, delivered,
    )  # fmt: skip


def scratch_logs() -> Path:
    return Path(tempfile.mkdtemp(prefix="bench-events-"))
