"""A delivery worker's claim on a subscription: given back when the worker stops, and
never acted on once another process holds it."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from gateway.settings import Settings
from gateway.store.columns import utcnow
from gateway.store.tables import webhook_subscription_table
from gateway.webhooks.worker import DeliveryWorker
from tests.conftest import MANAGE, Database, GraphQL
from tests.mutations.operations import CREATE_SEGMENT, segment_input
from tests.webhooks.processes import Lines, outbox_lines, receiving, subscribe
from tests.webhooks.receiver import free_port

_w = webhook_subscription_table.c


async def write_segments(gql: GraphQL, count: int) -> None:
    for number in range(count):
        variables = {"input": segment_input(id=f"s{number}")}
        await gql.data(CREATE_SEGMENT, variables, scopes=MANAGE, tenant="line")


async def claim_of(db: Database) -> tuple[Any, Any]:
    async with db.sessions() as session:
        row = (await session.execute(sa.select(_w.claimed_by, _w.claimed_until))).one()
    return row.claimed_by, row.claimed_until


async def held(lines: Lines) -> None:
    async with asyncio.timeout(10):
        while not lines.arrivals:
            await asyncio.sleep(0.02)


async def test_a_stopped_worker_gives_its_claim_back_for_the_next_to_send_at_once(
    db: Database, hooks_gql: GraphQL, loopback_settings: Settings
):
    # given: a worker mid-send, its receiver holding the first request
    async with receiving(Lines(free_port(), hold_first=True)) as lines:
        await subscribe(db, lines, ["line"])
        await write_segments(hooks_gql, 3)
        first = asyncio.create_task(DeliveryWorker(db.sessions, loopback_settings).run())
        await held(lines)
        # when
        first.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await first
        released = await claim_of(db)
        # then: nobody waits for the lease; the next worker sends the line from its head
        nxt = asyncio.create_task(DeliveryWorker(db.sessions, loopback_settings).run())
        await lines.wait_for(3)
        nxt.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await nxt
    assert released == (None, None)
    assert [a.webhook_id for a in lines.arrivals] == [
        lines.arrivals[0].webhook_id,
        *(await outbox_lines(db))["line"],
    ]


async def test_a_worker_whose_claim_was_taken_sends_nothing_more_of_that_line(
    db: Database, hooks_gql: GraphQL, loopback_settings: Settings
):
    # given: a worker mid-send, its receiver holding the first request
    async with receiving(Lines(free_port(), hold_first=True)) as lines:
        await subscribe(db, lines, ["line"])
        await write_segments(hooks_gql, 3)
        worker = asyncio.create_task(DeliveryWorker(db.sessions, loopback_settings).run())
        await held(lines)
        # when: its lease lapsed meanwhile and another process claimed the line
        async with db.sessions() as session, session.begin():
            taken = {"claimed_by": "another", "claimed_until": utcnow() + timedelta(minutes=5)}
            await session.execute(sa.update(webhook_subscription_table).values(taken))
        lines.released.set()
        await asyncio.sleep(0.5)
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
    # then: the held one was answered; the rest of the line is the other's to send
    assert [a.answered for a in lines.arrivals] == [200]
    assert (await claim_of(db))[0] == "another"
