"""What the worker checks and keeps: targets at every delivery, retention, its metrics."""

import asyncio
from dataclasses import replace
from datetime import timedelta

import sqlalchemy as sa

from gateway.store.columns import utcnow
from gateway.store.tables import change_event_table, webhook_delivery_table
from gateway.web.metrics import Metrics
from gateway.webhooks.deliveries import PENDING
from gateway.webhooks.worker import DeliveryWorker
from tests.mutations.test_segments import create as create_segment
from tests.webhooks.operations import stored
from tests.webhooks.test_delivery import (
    SEGMENT_CREATED,
    settled,
    subscribe,
    subscribed_to_one_segment,
)

HOOKS_HOST = "hooks.example"


def resolving_to(address):
    """A resolver for which every name is `address` (DNS changed since the check)."""

    async def resolve(host, port):
        return [address]

    return resolve


async def seeded_subscription(seed, receiver, host=HOOKS_HOST):
    """A subscription to a name, written as if it had passed the check when created."""
    row = stored(1)
    row.url = f"http://{host}:{receiver.port}/hooks"
    await seed.tenant_row()
    await seed.add(row)
    receiver.secret = row.secret
    return row.id


async def test_a_name_that_now_resolves_to_loopback_is_not_sent_to(
    hooks_gql, loopback_settings, seed, receiver, worker
):
    # given: private targets refused again, and the name resolves to 127.0.0.1 now
    settings = replace(loopback_settings, webhook_allow_private=False)
    subscription = await seeded_subscription(seed, receiver)
    await create_segment(hooks_gql, id="s1")
    # when
    worker(settings, resolve=resolving_to("127.0.0.1"))
    async with asyncio.timeout(10):
        while not (items := await _deliveries(hooks_gql, subscription)) or not items[0]["attempts"]:
            await asyncio.sleep(0.05)
    # then
    assert receiver.received == []
    assert (items[0]["status"], items[0]["lastStatusCode"]) == ("pending", None)


async def test_the_checked_address_is_connected_to_with_the_name_as_host(
    hooks_gql, seed, receiver, worker
):
    # given: private targets allowed; the name resolves to the receiver's loopback address
    await seeded_subscription(seed, receiver)
    await create_segment(hooks_gql, id="s1")
    # when
    worker(resolve=resolving_to("127.0.0.1"))
    (request,) = await receiver.wait_for(1)
    # then
    assert request.headers["host"] == f"{HOOKS_HOST}:{receiver.port}"
    assert request.verified


async def _deliveries(gql, subscription):
    from tests.webhooks.test_delivery import deliveries_of

    return (await deliveries_of(gql, subscription))["items"]


async def _ids(db, table, column):
    async with db.sessions() as session:
        return sorted((await session.execute(sa.select(column).select_from(table))).scalars())


async def test_retention_prunes_old_events_no_delivery_waits_for(
    hooks_gql, db, seed, loopback_settings, receiver, worker
):
    # given: three delivered events, of which the first two are 8 days old and the second
    # is pending again (its receiver failed it, say)
    subscription = await subscribe(hooks_gql, receiver)
    await seed.tenant_row()
    for number in (1, 2, 3):
        await create_segment(hooks_gql, id=f"s{number}")
    worker()
    await receiver.wait_for(3)
    await settled(hooks_gql, subscription)
    old, waiting, recent = await _ids(db, change_event_table, change_event_table.c.id)
    past = utcnow() - timedelta(days=8)
    e, d = change_event_table.c, webhook_delivery_table.c
    async with db.sessions() as session, session.begin():
        await session.execute(
            sa.update(change_event_table).where(e.id != recent), {"occurred_at": past}
        )
        await session.execute(
            sa.update(webhook_delivery_table).where(d.event_id != recent), {"created_at": past}
        )
        again = {"status": PENDING, "next_attempt_at": utcnow() + timedelta(days=1)}
        await session.execute(sa.update(webhook_delivery_table).where(d.event_id == waiting), again)
    # when: a week's retention
    gone = await DeliveryWorker(db.sessions, loopback_settings).prune()
    # then
    assert gone == (1, 1)
    assert await _ids(db, change_event_table, e.id) == [waiting, recent]
    assert await _ids(db, webhook_delivery_table, d.event_id) == [waiting, recent]


async def test_deliveries_and_written_events_are_counted(hooks_gql, db, seed, receiver, worker):
    # given
    metrics = Metrics()
    written = ("gateway_events_written_total", {"type": "customer-segment.segment-created"})
    before = metrics.registry.get_sample_value(*written) or 0
    subscription = await subscribed_to_one_segment(hooks_gql, seed, receiver)
    receiver.answers = [500]
    # when
    worker(observer=metrics)
    await receiver.wait_for(1)
    await settled(hooks_gql, subscription)
    # then
    value = metrics.registry.get_sample_value
    assert value(*written) == before + 1
    assert value("gateway_webhook_deliveries_total", {"outcome": "retried"}) == 1
    assert value("gateway_webhook_deliveries_total", {"outcome": "delivered"}) == 1
    assert value("gateway_webhook_deliveries_total", {"outcome": "failed"}) == 0
    assert value("gateway_webhook_delivery_latency_seconds_count") == 1


async def test_an_idle_worker_only_reads(db, seed, worker):
    # given: a subscription with nothing to send, and the worker's first round (which
    # prunes) behind it
    await seed.tenant_row()
    await seed.add(stored(1))
    worker()
    await asyncio.sleep(0.2)
    # when
    with db.count_statements() as seen:
        await asyncio.sleep(0.3)
    # then: each poll is one SELECT, and no write lock is taken
    assert len(seen) >= 3
    assert all(statement.startswith("SELECT webhook_subscription.id") for statement in seen)


async def test_a_failing_database_is_logged_once_and_retried_slowly(
    tmp_path, loopback_settings, monkeypatch, caplog
):
    # given: a database that cannot be opened, and retries every 50 ms for the test
    from gateway.store.database import create_engine, session_factory
    from gateway.webhooks import worker as worker_module

    monkeypatch.setattr(worker_module, "FAILING_POLL_SECONDS", 0.05)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db")
    failing = DeliveryWorker(session_factory(engine), loopback_settings, poll_seconds=0.01)
    # when
    running = asyncio.create_task(failing.run())
    await asyncio.sleep(0.4)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    await engine.dispose()
    # then
    mine = [r for r in caplog.records if r.name == "gateway.webhooks.worker"]
    assert [r.levelname for r in mine if r.levelname != "DEBUG"] == ["ERROR"]
    assert "retrying every 0.05 s" in mine[0].getMessage()


class Busy:
    """Requests always in flight: each attempt waits its most for a gap."""

    busy = True
    waits = 0

    async def until_quiet(self, at_most):
        self.waits += 1
        await asyncio.sleep(at_most)


async def _three_lines(hooks_gql, seed, receiver):
    for _ in range(3):
        await subscribe(hooks_gql, receiver, event_types=["customer-segment.segment-created"])
    receiver.secret = None  # three secrets: this test counts
    await seed.tenant_row()
    for number in range(2):
        await create_segment(hooks_gql, id=f"s{number}")
    receiver.delays = [0.05] * 6


async def test_with_requests_in_flight_deliveries_go_one_at_a_time(
    hooks_gql, seed, receiver, worker
):
    # given: three subscriptions, two events each, a receiver taking 50 ms over each
    await _three_lines(hooks_gql, seed, receiver)
    requests = Busy()
    # when
    worker(requests=requests)
    await receiver.wait_for(6)
    # then: never two at once, and each waited for a gap first
    assert receiver.most_at_once == 1
    assert requests.waits == 6


async def test_without_requests_the_lines_go_side_by_side(hooks_gql, seed, receiver, worker):
    # given
    await _three_lines(hooks_gql, seed, receiver)
    # when
    worker()
    await receiver.wait_for(6)
    # then
    assert receiver.most_at_once == 3


async def test_a_worker_whose_claim_lapsed_stops_and_the_taker_sends_the_rest_once(
    hooks_gql, loopback_settings, seed, receiver, worker
):
    # given: claims of 0.3 s, and a receiver that takes 1 s over its first answer
    settings = replace(
        loopback_settings, delivery=replace(loopback_settings.delivery, lease_seconds=0.3)
    )
    await subscribe(hooks_gql, receiver, event_types=[SEGMENT_CREATED])
    await seed.tenant_row()
    for number in range(6):
        await create_segment(hooks_gql, id=f"s{number}")
    receiver.delays = [1.0]
    # when: the first worker's claim lapses while it waits (and it does not poll again);
    # the second takes the line over
    worker(settings, poll_seconds=60)
    async with asyncio.timeout(5):
        while not receiver.arrivals:
            await asyncio.sleep(0.01)
    worker(settings)
    await receiver.wait_for(7)
    await asyncio.sleep(0.5)
    # then: the cut-short attempt came twice (at least once), every later event once
    # (a request is listed when it is answered: the slow one last)
    ids = [r.payload["data"]["id"] for r in receiver.delivered()]
    assert ids == ["s0", "s1", "s2", "s3", "s4", "s5", "s0"]


async def test_a_line_is_sent_over_one_kept_alive_connection(hooks_gql, seed, receiver, worker):
    # given
    await subscribe(hooks_gql, receiver, event_types=[SEGMENT_CREATED])
    await seed.tenant_row()
    for number in range(5):
        await create_segment(hooks_gql, id=f"s{number}")
    # when
    worker()
    received = await receiver.wait_for(5)
    # then: each answer was read to its end, so its connection went back to the pool
    assert len({r.client_port for r in received}) == 1
