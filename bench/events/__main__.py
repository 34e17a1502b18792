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
BASELINE = Setup("outbox off (baseline)", outbox=False)
NONE = Setup("outbox on, no subscription")
ONE, FIVE = (
    Setup(f"outbox on, {n}", subscriptions=k)
    for n, k in (("1 subscription", 1), ("5 subscriptions", 5))
)
ONE_ON = Setup("1 subscription, worker on", subscriptions=1, delivering=True)
FIVE_ON = Setup("5 subscriptions, worker on", subscriptions=5, delivering=True)
# Two rounds of the write path, each compared with its own baseline; the worker between them.
PLAN = [(1, BASELINE), (1, NONE), (1, ONE), (1, FIVE), (1, ONE_ON), (1, FIVE_ON)]
PLAN += [(2, BASELINE), (2, NONE), (2, ONE), (2, FIVE)]
SQLITE_PLAN = [(1, BASELINE), (1, NONE), (1, FIVE), (1, FIVE_ON)]
SQLITE_PLAN += [(2, BASELINE), (2, NONE), (2, FIVE)]


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
    timing = writes.Timing(1.0, 2.0) if options.quick else writes.Timing(1.0, 4.0)
    postgres = database is not None
    rows: list[writes.WriteRow] = []
    for round_number, setup in PLAN if postgres else SQLITE_PLAN:
        print(f"{label}: round {round_number}, {setup.label}", flush=True)
        rows += await writes.measure(setup, url, database, timing, logs, round_number)
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
