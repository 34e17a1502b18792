"""Webhook delivery by real `gateway serve` and `gateway deliver` processes: a process
killed mid-send, two processes under a burst, delivery apart from serve, and the metrics
of two workers. Every request is verified with `standardwebhooks`; each test prints its
numbers (events, duplicates, seconds) and records them as JUnit properties."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from gateway.store.tables import webhook_subscription_table
from tests.conftest import Database
from tests.gateway_process import GatewayProcess
from tests.subscriptions.client import acked, raw
from tests.web.test_metrics_workers import wait_for_startups
from tests.webhooks.processes import (
    SEGMENT_CREATED,
    Lines,
    Processes,
    create_segments,
    delivered_count,
    event_ids,
    first_arrivals,
    kill,
    outbox_lines,
    receiving,
    report,
    samples,
    stop,
    subscribe,
)
from tests.webhooks.receiver import free_port

BURST = 1000
BURST_LINES = 20  # more than one process claims at once (worker.CONCURRENCY)


@pytest.fixture
async def processes(db: Database, tmp_path: Path) -> AsyncIterator[Processes]:
    started = Processes(db, tmp_path)
    yield started
    await started.close()


@pytest.fixture
def postgres(db: Database) -> Database:
    if db.dialect != "postgresql":
        pytest.skip("several processes on one database, woken by LISTEN: PostgreSQL's")
    return db


async def claimed_by(db: Database, subscription_id: str) -> str | None:
    w = webhook_subscription_table.c
    async with db.sessions() as session:
        return await session.scalar(sa.select(w.claimed_by).where(w.id == subscription_id))


async def until(condition: Any, timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def test_a_gateway_killed_mid_send_loses_nothing_the_next_takes_its_lapsed_claim(
    db: Database, processes: Processes, record_property: Any
):
    # given: a receiver that never answers its first request, and a gateway sending to it
    async with receiving(Lines(free_port(), hold_first=True)) as lines:
        await subscribe(db, lines, ["line"])
        first = await processes.serve()
        await create_segments([first], [("line", f"s{n}") for n in range(5)])
        await until(lambda: lines.arrivals)
        held = lines.arrivals[0]
        assert await claimed_by(db, "line") is not None  # held mid-send, under its claim
        # when
        kill(first)
        killed = time.monotonic()
        await processes.serve()
        await lines.wait_for(5)
        seconds = time.monotonic() - killed
        await asyncio.sleep(0.5)  # room for a late duplicate to show
    # then: every event arrived, in commit order, the interrupted one sent again
    events, outbox = await event_ids(db), await outbox_lines(db)
    report(record_property, events=len(events), duplicates=lines.duplicates(), seconds=seconds)
    assert len(events) == 5
    assert set(first_arrivals(lines, "line")) == events
    assert first_arrivals(lines, "line") == outbox["line"]
    assert held.answered is None and held.webhook_id == outbox["line"][0]
    assert lines.duplicates() == 1  # the interrupted attempt, and nothing else
    assert all(arrival.verified for arrival in lines.arrivals)
    assert await claimed_by(db, "line") is None  # the next process released it, caught up


async def test_a_gateway_stopped_mid_send_gives_its_claim_to_the_next_at_once(
    postgres: Database, processes: Processes, record_property: Any
):
    # given: the default lease, which the next process must not have to wait out
    lease = {"GATEWAY_WEBHOOK_LEASE_SECONDS": "30"}
    async with receiving(Lines(free_port(), hold_first=True)) as lines:
        await subscribe(postgres, lines, ["line"])
        first = await processes.serve(**lease)
        await create_segments([first], [("line", f"s{n}") for n in range(5)])
        await until(lambda: lines.arrivals)
        # when: SIGTERM, as a deployment stops a process
        await asyncio.to_thread(stop, first)
        stopped = time.monotonic()
        await processes.serve(**lease)
        await lines.wait_for(5, timeout=20)
        seconds = time.monotonic() - stopped
    # then
    report(record_property, events=5, duplicates=lines.duplicates(), seconds=seconds)
    assert first_arrivals(lines, "line") == (await outbox_lines(postgres))["line"]
    assert lines.duplicates() == 1  # the attempt it was making when it stopped


@pytest.mark.slow  # about 20 s on two CPUs
async def test_two_gateways_deliver_a_burst_of_writes_once_each_in_commit_order(
    postgres: Database, processes: Processes, record_property: Any
):
    # given: leases as long as the default, so a slow statement does not lapse one
    names = [f"line{n:02}" for n in range(BURST_LINES)]
    async with receiving(Lines(free_port())) as lines:
        await subscribe(postgres, lines, names)
        gateways = [await processes.serve(GATEWAY_WEBHOOK_LEASE_SECONDS="30") for _ in "ab"]
        writes = [(names[n % BURST_LINES], f"s{n:04}") for n in range(BURST)]
        # when: the writes, sixteen at a time, half to each process
        started = time.monotonic()
        await create_segments(gateways, writes, concurrency=16)
        written = time.monotonic() - started
        await lines.wait_for(BURST, timeout=60)
        delivered = time.monotonic() - started
        await asyncio.sleep(0.5)
    # then
    events, outbox = await event_ids(postgres), await outbox_lines(postgres)
    received = {a.webhook_id for a in lines.delivered()}
    by_process = [delivered_count(gateway) for gateway in gateways]
    report(
        record_property, events=len(events), lost=len(events - received),
        duplicates=lines.duplicates(), by_process=by_process,
        write_seconds=round(written, 2), deliver_seconds=round(delivered, 2),
    )  # fmt: skip
    assert len(events) == BURST
    assert received == events
    for name in names:
        assert first_arrivals(lines, name) == outbox[name]
    assert lines.duplicates() == 0
    assert all(arrival.verified for arrival in lines.arrivals)
    assert sum(by_process) == BURST


async def test_gateway_deliver_sends_what_a_serve_without_delivery_commits(
    postgres: Database, processes: Processes, record_property: Any
):
    # given
    async with receiving(Lines(free_port())) as lines:
        await subscribe(postgres, lines, ["line"])
        gateway = await processes.serve(GATEWAY_WEBHOOK_DELIVERY="0")
        await processes.deliver()
        # when: one write at a time, each waited for (5 s: a generous bound for "about 1 s")
        latencies = []
        for number in range(5):
            sent = time.monotonic()
            await create_segments([gateway], [("line", f"s{number}")])
            await lines.wait_for(number + 1, timeout=5)
            latencies.append(lines.arrivals[-1].at - sent)
    # then
    report(
        record_property, events=len(latencies), duplicates=lines.duplicates(),
        median_seconds=round(statistics.median(latencies), 3),
        max_seconds=round(max(latencies), 3),
    )  # fmt: skip
    assert first_arrivals(lines, "line") == (await outbox_lines(postgres))["line"]
    assert lines.duplicates() == 0
    assert delivered_count(gateway) == 0  # serve sent nothing


def two_worker_metrics(gateway: GatewayProcess) -> tuple[float, float, float]:
    """Delivered, segment-created events written, and sockets, from one scrape."""
    written = samples(gateway, "gateway_events_written_total")
    sockets = samples(gateway, "gateway_subscription_sockets")
    return (
        delivered_count(gateway),
        written.get((("type", SEGMENT_CREATED),), 0.0),
        sum(sockets.values()),
    )


async def test_metrics_of_two_workers_count_every_delivery_event_and_socket(
    db: Database, processes: Processes, tmp_path: Path
):
    if db.dialect != "sqlite":
        pytest.skip("the metrics are the database's business on neither: once is enough")
    # given: two workers, each with its delivery worker, sharing their samples under TMPDIR
    shared = tmp_path / "tmp"
    shared.mkdir()
    async with receiving(Lines(free_port())) as lines:
        await subscribe(db, lines, ["line"])
        gateway = await processes.serve("--workers", "2", TMPDIR=str(shared))
        await asyncio.to_thread(wait_for_startups, gateway, 2)
        url = gateway.base.replace("http", "ws") + "/line/graphql"
        async with raw(url) as socket:
            await acked(socket, {"Authorization": f"Bearer {gateway.token('line')}"})
            # when
            await create_segments([gateway], [("line", f"s{n:02}") for n in range(12)], 4)
            await lines.wait_for(12)
            await until(lambda: two_worker_metrics(gateway)[0] == 12)
            # then: whichever worker answers the scrape
            scrapes = [two_worker_metrics(gateway) for _ in range(8)]
    assert scrapes == [(12, 12, 1)] * 8
    assert lines.duplicates() == 0
