"""Part 2: events one process writes and delivers, to a receiver that answers 200 at once.

Three runs per subscription count, each on emptied event tables:
- burst: `gateway serve` with its delivery worker sends `events` as 200-entry bulks (two
  at a time) and delivers them; timed from the first commit to the last delivery;
- drain: the same events written with the worker off, then a fresh server with it on and
  no requests: the delivery path alone, with the server's and PostgreSQL's CPU;
- trickle: single upserts, each 50 ms after the last answer, as a quiet tenant writes: from
  commit to delivery when nothing is queued.
Latencies come from the database: each delivered event's occurred_at (its commit) to its
delivery's finished_at (the outcome recorded after the receiver's 200).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from bench.catalog import servers
from bench.catalog.measure import BackendCpu, cpu_seconds, percentile
from bench.events import client, data, profiling
from bench.events.processes import (
    GATEWAY_PORT,
    RECEIVER_PORT,
    Received,
    Setup,
    gateway_spec,
    received,
    reset_receiver,
)

WAIT_SECONDS = 240.0
TRICKLE_SECONDS, TRICKLE_GAP = 5.0, 0.05


@dataclass
class BurstRow:
    run: str
    subscriptions: int
    events: int
    write_seconds: float | None
    deliveries: int
    deliver_seconds: float
    p50_s: float
    p95_s: float
    server_cpu_ms: float | None  # per delivery (drain only)
    postgres_cpu_ms: float | None
    connections: int
    duplicates: int

    @property
    def written_per_second(self) -> float | None:
        return self.events / self.write_seconds if self.write_seconds else None

    @property
    def delivered_per_second(self) -> float:
        return self.deliveries / self.deliver_seconds


async def _subscribed_server(
    setup: Setup, database_url: str, logs: Path, subscribe: bool = True
) -> servers.Running:
    running = await servers.start(gateway_spec(setup, database_url), GATEWAY_PORT, logs)
    if subscribe:
        await data.subscribe(GATEWAY_PORT, data.manager_token(), RECEIVER_PORT, setup.subscriptions)
    await reset_receiver()
    return running


async def _write(events: int) -> float:
    """`events` as 200-entry bulks, two at a time; the seconds they took."""
    bulks = data.bulks(GATEWAY_PORT, data.manager_token())
    wanted = [bulks[n % len(bulks)] for n in range(events // len(data.PRODUCTS))]
    load = await client.send_all(GATEWAY_PORT, wanted, concurrency=2, good=data.BULK_OK)
    if load.wrong:
        raise SystemExit(f"burst: wrong answer {load.wrong[0]!r}")
    return load.seconds


async def _delivered(expected: int) -> Received:
    """Waits until the receiver has `expected` distinct deliveries (or WAIT_SECONDS pass)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while (got := await received()).unique < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    if got.unique < expected:
        raise SystemExit(f"only {got.unique} of {expected} deliveries within {WAIT_SECONDS} s")
    return got


async def _row(
    run: str, setup: Setup, events: int, database_url: str, got: Received,
    write_seconds: float | None, cpu: tuple[float, float] | None = None,
) -> BurstRow:  # fmt: skip
    """The run's figures; a drain (`cpu` given) is timed from its first delivery, the
    others from the first commit, and a drain's waits include the time the worker was off."""
    times = await data.deliveries(database_url)
    waits = [finished - occurred for occurred, finished in times]
    first = min(f for _, f in times) if cpu else min(o for o, _ in times)
    server_ms = pg_ms = None
    if cpu is not None:
        server_ms, pg_ms = (c * 1000 / len(times) for c in cpu)
    return BurstRow(
        run, setup.subscriptions, events, write_seconds, len(times),
        max(f for _, f in times) - first, percentile(waits, 0.5), percentile(waits, 0.95),
        server_ms, pg_ms, got.connections, got.requests - got.unique,
    )  # fmt: skip


async def burst(subscriptions: int, events: int, database_url: str, logs: Path) -> BurstRow:
    setup = Setup(f"burst, {subscriptions}", subscriptions=subscriptions, delivering=True)
    await data.reset(database_url)
    running = await _subscribed_server(setup, database_url, logs)
    try:
        write_seconds = await _write(events)
        got = await _delivered(events * subscriptions)
    finally:
        servers.stop(running)
    return await _row("burst", setup, events, database_url, got, write_seconds)


async def drain(
    subscriptions: int, events: int, database_url: str, database: str | None, logs: Path,
    profile: Path | None = None,
) -> BurstRow:  # fmt: skip
    """The delivery path alone; with `profile`, py-spy records the server meanwhile."""
    setup = Setup(f"drain, {subscriptions}", subscriptions=subscriptions)
    await data.reset(database_url)
    running = await _subscribed_server(setup, database_url, logs)
    try:
        await _write(events)
    finally:
        servers.stop(running)
    delivering = Setup(setup.label, subscriptions=subscriptions, delivering=True)
    await reset_receiver()
    backend = BackendCpu(database)
    running = await servers.start(gateway_spec(delivering, database_url), GATEWAY_PORT, logs)
    try:
        # From here on: the few deliveries sent while the server started are not counted
        # in the CPU per delivery, nor is the start's own CPU.
        await backend.start()
        cpu, early = cpu_seconds(running.pid), (await received()).unique
        spy = await profiling.record(running.pid, profile) if profile else None
        got = await _delivered(events * subscriptions)
        used = (cpu_seconds(running.pid) - cpu, await backend.stop())
        if spy is not None:
            await profiling.finish(spy)
    finally:
        servers.stop(running)
    share = got.unique / max(got.unique - early, 1)
    run = "drain (py-spy attached)" if profile else "drain"
    cpus = (used[0] * share, used[1] * share)
    return await _row(run, setup, events, database_url, got, None, cpus)


async def trickle(subscriptions: int, database_url: str, logs: Path) -> BurstRow:
    setup = Setup(f"trickle, {subscriptions}", subscriptions=subscriptions, delivering=True)
    await data.reset(database_url)
    running = await _subscribed_server(setup, database_url, logs)
    requests = data.singles(GATEWAY_PORT, data.manager_token())
    sent = 0
    try:
        end = time.monotonic() + TRICKLE_SECONDS
        while time.monotonic() < end:
            await client.send_all(
                GATEWAY_PORT, [requests[sent % len(requests)]], concurrency=1, good=data.SINGLE_OK
            )
            sent += 1
            await asyncio.sleep(TRICKLE_GAP)
        got = await _delivered(sent * subscriptions)
    finally:
        servers.stop(running)
    return await _row("trickle", setup, sent, database_url, got, None)
