"""Change events: a write's added latency with the outbox on, and events delivered per second.

    python -m bench.events [--quick] [--no-sqlite] [--no-write]

On demand, not in the test suite; on a quiet machine. PostgreSQL at GATEWAY_BENCH_PG (an
admin URL, default postgresql://postgres@127.0.0.1:5432/postgres) gets its own database
`bench_events`, dropped at the end; SQLite a scratch file. Ports 19400 (the receiver) and
19401 (the gateway). py-spy, when found (GATEWAY_BENCH_PYSPY or PATH), profiles a drain.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from bench.catalog import servers
from bench.events import burst, data, profiling, report, writes
from bench.events.processes import RECEIVER_PORT, Setup, receiver_spec

PG_ADMIN = os.environ.get("GATEWAY_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
NAME = "bench_events"
SETUPS = (
    Setup("outbox off (baseline)", outbox=False),
    Setup("outbox on, no subscription"),
    Setup("outbox on, 1 subscription", subscriptions=1),
    Setup("outbox on, 5 subscriptions", subscriptions=5),
    Setup("1 subscription, worker on", subscriptions=1, delivering=True),
    Setup("5 subscriptions, worker on", subscriptions=5, delivering=True),
    Setup("outbox off (baseline), again", outbox=False),
)
SQLITE_SETUPS = (SETUPS[0], SETUPS[1], SETUPS[3], SETUPS[5])


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.events", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short windows, small bursts")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--no-write", action="store_true", help="print, leave RESULTS.md")
    parser.add_argument(
        "--deliveries", type=int, default=3000,
        help="deliveries per burst and drain: that many events to 1 subscription, a fifth to 5",
    )  # fmt: skip
    return parser.parse_args()


async def _postgres_version() -> str:
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        return "PostgreSQL " + str(await conn.fetchval("SHOW server_version")).split()[0]
    finally:
        await conn.close()


async def _drop(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def _database(
    facts: report.Facts, label: str, url: str, database: str | None,
    options: argparse.Namespace, logs: Path,
) -> None:  # fmt: skip
    timing = writes.Timing(1.0, 2.0) if options.quick else writes.Timing(1.0, 5.0)
    postgres = database is not None
    rows: list[writes.WriteRow] = []
    for setup in SETUPS if postgres else SQLITE_SETUPS:
        print(f"{label}: {setup.label}", flush=True)
        rows += await writes.measure(setup, url, database, timing, logs)
    facts.writes[label] = rows
    big = 1000 if options.quick else options.deliveries
    # Multiples of a bulk's 200 entries.
    big, small = max(200, big // 200 * 200), max(200, big // 1000 * 200)
    runs = []
    for subscriptions, events in ((1, big), (5, small)) if postgres else ((1, small),):
        print(f"{label}: delivery, {subscriptions} subscription(s)", flush=True)
        runs.append(await burst.trickle(subscriptions, url, logs))
        runs.append(await burst.burst(subscriptions, events, url, logs))
        runs.append(await burst.drain(subscriptions, events, url, database, logs))
    if postgres and profiling.py_spy():
        out = logs / "drain.pyspy.txt"
        runs.append(await burst.drain(5, small, url, database, logs, profile=out))
        facts.profile = profiling.summarize(out)
    facts.bursts[label] = runs


async def main(options: argparse.Namespace) -> None:
    logs, started = writes.scratch_logs(), time.monotonic()
    facts = report.Facts(
        command=shlex.join(["python", "-m", "bench.events", *sys.argv[1:]]),
        started=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        postgres=await _postgres_version(),
        load_before=report.load_average(),
    )
    receiver = await servers.start(receiver_spec(), RECEIVER_PORT, logs)
    try:
        url = f"postgresql+asyncpg://{PG_ADMIN.split('://', 1)[1].rsplit('/', 1)[0]}/{NAME}"
        await data.create(url, PG_ADMIN, NAME)
        try:
            await _database(facts, "PostgreSQL", url, NAME, options, logs)
        finally:
            await _drop(NAME)
        if not options.no_sqlite:
            url = f"sqlite+aiosqlite:///{logs / 'bench.db'}"
            await data.create(url, None, NAME)
            await _database(facts, "SQLite", url, None, options, logs)
    finally:
        servers.stop(receiver)
    facts.load_after = report.load_average()
    facts.minutes = (time.monotonic() - started) / 60
    print("\n".join(report.section(facts)))
    if not options.no_write:
        report.write(facts)
    print(f"logs: {logs}")


if __name__ == "__main__":
    asyncio.run(main(_options()))
