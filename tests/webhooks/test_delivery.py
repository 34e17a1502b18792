"""The delivery worker against a real receiver on loopback, which verifies every signature
with the `standardwebhooks` package."""

import asyncio

import sqlalchemy as sa

from gateway.api.types import format_datetime
from gateway.store.tables import webhook_delivery_table
from gateway.subscriptions.notices import EVENT_TYPES
from tests.conftest import MANAGE
from tests.events.helpers import recorded
from tests.mutations.operations import DELETE_CUSTOMER, DELETE_ITEM, upsert_item
from tests.mutations.test_customer_assignments import upsert as upsert_customer
from tests.mutations.test_segments import create as create_segment
from tests.mutations.test_segments import delete as delete_segment
from tests.mutations.test_segments import upsert as upsert_segment
from tests.webhooks.operations import create
from tests.webhooks.receiver import Receiver, free_port, serving

DELIVERIES = """
query($id: ID!, $size: Int, $after: String) {
  webhookDeliveries(subscriptionId: $id, pageSize: $size, after: $after) {
    items { eventId eventType attempts status lastStatusCode nextAttemptAt }
    pageNumber pageSize hasNextPage endCursor totalCount
  }
}"""
SEGMENT_CREATED = "customer-segment.segment-created"


async def subscribe(gql, receiver, event_types=EVENT_TYPES, url=None):
    payload = await create(gql, url=url or receiver.url, event_types=event_types)
    assert payload["userErrors"] == []
    receiver.secret = payload["secret"]
    return payload["subscription"]["id"]


async def subscribed_to_one_segment(gql, seed, receiver):
    """A subscription to every event type, and one segment created since: its id."""
    subscription = await subscribe(gql, receiver)
    await seed.tenant_row()
    await create_segment(gql, id="s1")
    return subscription


async def every_kind_of_change(gql, seed):
    """One write of each of the nine event types, in this order."""
    await seed.tenant_row()
    await seed.add(seed.product("p1"))
    await create_segment(gql, id="s1")
    await upsert_segment(gql, "s1", status="INACTIVE")
    await upsert_item(gql, "p1")
    await upsert_item(gql, "p1", mixins={"x": 1})
    await gql.data(DELETE_ITEM, {"s": "s1", "t": "PRODUCT", "i": "p1"}, scopes=MANAGE)
    await upsert_customer(gql, "u1", "le1")
    await upsert_customer(gql, "u1", "le1", assignmentType="AUTOMATIC")
    await gql.data(DELETE_CUSTOMER, {"s": "s1", "c": "u1", "le": "le1"}, scopes=MANAGE)
    await delete_segment(gql, "s1")


async def deliveries_of(gql, subscription_id, **variables):
    variables = {"id": subscription_id, **variables}
    return (await gql.data(DELIVERIES, variables, scopes=MANAGE))["webhookDeliveries"]


async def settled(gql, subscription_id):
    """The subscription's deliveries once none is pending (the receiver answers before the
    worker records the outcome)."""
    async with asyncio.timeout(10):
        while True:
            items = (await deliveries_of(gql, subscription_id))["items"]
            if all(item["status"] != "pending" for item in items):
                return items
            await asyncio.sleep(0.02)


async def test_each_of_the_nine_event_types_arrives_signed_with_its_payload(
    hooks_gql, db, seed, receiver, worker
):
    # given
    await subscribe(hooks_gql, receiver)
    await every_kind_of_change(hooks_gql, seed)
    events = await recorded(db)
    # when
    worker()
    received = await receiver.wait_for(9)
    # then
    assert [r.payload["type"] for r in received] == [e["type"] for e in events]
    assert sorted(r.payload["type"] for r in received) == sorted(EVENT_TYPES)
    assert all(r.verified for r in received)
    for request, event in zip(received, events, strict=True):
        assert request.webhook_id == event["id"]
        assert request.payload == {
            "type": event["type"],
            "timestamp": format_datetime(event["occurred_at"]),
            "data": event["data"],
        }
        assert request.headers["content-type"] == "application/json"
        assert request.headers["webhook-signature"].startswith("v1,")


async def test_only_the_subscribed_types_are_sent(hooks_gql, db, seed, receiver, worker):
    # given
    await subscribe(hooks_gql, receiver, event_types=[SEGMENT_CREATED])
    await every_kind_of_change(hooks_gql, seed)
    await create_segment(hooks_gql, id="s2")
    # when
    worker()
    received = await receiver.wait_for(2)
    await asyncio.sleep(0.3)
    # then
    assert [r.payload["data"]["id"] for r in receiver.received] == ["s1", "s2"]
    assert {r.payload["type"] for r in received} == {SEGMENT_CREATED}


async def test_a_500_is_retried_with_the_same_webhook_id(hooks_gql, seed, receiver, worker):
    # given
    subscription = await subscribed_to_one_segment(hooks_gql, seed, receiver)
    receiver.answers = [500]
    # when
    worker()
    await receiver.wait_for(1)
    # then
    first, second = receiver.received
    assert (first.answered, second.answered) == (500, 200)
    assert first.webhook_id == second.webhook_id
    assert first.body == second.body
    assert second.verified
    assert await settled(hooks_gql, subscription) == [
        {
            "eventId": first.webhook_id,
            "eventType": SEGMENT_CREATED,
            "attempts": 2,
            "status": "delivered",
            "lastStatusCode": 200,
            "nextAttemptAt": None,
        }
    ]


async def test_a_receiver_that_is_down_gets_the_event_once_it_is_back(hooks_gql, seed, worker):
    # given: nobody listens on the port yet
    receiver = Receiver(free_port())
    subscription = await subscribed_to_one_segment(hooks_gql, seed, receiver)
    worker()
    async with asyncio.timeout(10):
        while (await deliveries_of(hooks_gql, subscription))["items"][0]["attempts"] < 1:
            await asyncio.sleep(0.05)
    waiting = (await deliveries_of(hooks_gql, subscription))["items"][0]
    # when
    async with serving(receiver):
        received = await receiver.wait_for(1)
    # then
    assert waiting["status"] == "pending"
    assert waiting["lastStatusCode"] is None
    assert waiting["nextAttemptAt"] is not None
    assert received[0].verified
    assert received[0].payload["data"]["id"] == "s1"


async def test_a_line_waits_for_its_head_so_events_arrive_in_commit_order(
    hooks_gql, seed, receiver, worker
):
    # given
    await subscribe(hooks_gql, receiver, event_types=[SEGMENT_CREATED])
    await seed.tenant_row()
    for number in range(12):
        await create_segment(hooks_gql, id=f"s{number:02}")
    receiver.answers = [503, 500]
    # when
    worker()
    received = await receiver.wait_for(12)
    # then
    ids = [r.payload["data"]["id"] for r in receiver.received]
    assert ids == ["s00", "s00", "s00", *(f"s{n:02}" for n in range(1, 12))]
    assert [r.payload["data"]["id"] for r in received] == [f"s{n:02}" for n in range(12)]


async def test_after_the_schedule_a_delivery_fails_and_the_line_moves_on(
    hooks_gql, seed, receiver, worker
):
    # given: the schedule has three retries, so four attempts
    subscription = await subscribe(hooks_gql, receiver, event_types=[SEGMENT_CREATED])
    await seed.tenant_row()
    await create_segment(hooks_gql, id="s1")
    await create_segment(hooks_gql, id="s2")
    receiver.answers = [500, 500, 500, 410]
    # when
    worker()
    await receiver.wait_for(1)
    # then
    assert [r.payload["data"]["id"] for r in receiver.received] == ["s1"] * 4 + ["s2"]
    newest, oldest = await settled(hooks_gql, subscription)
    assert (oldest["status"], oldest["attempts"], oldest["lastStatusCode"]) == ("failed", 4, 410)
    assert oldest["nextAttemptAt"] is None
    assert (newest["status"], newest["attempts"]) == ("delivered", 1)


async def test_a_redirect_is_not_followed(hooks_gql, seed, receiver, worker):
    # given
    subscription = await subscribed_to_one_segment(hooks_gql, seed, receiver)
    receiver.answers = [307]
    # when
    worker()
    await receiver.wait_for(1)
    # then: the 307 was an attempt that failed; the retry went to the subscription's URL
    assert [r.answered for r in receiver.received] == [307, 200]
    (item,) = await settled(hooks_gql, subscription)
    assert (item["attempts"], item["lastStatusCode"]) == (2, 200)


async def test_a_rolled_back_write_has_no_delivery(hooks_gql, db, seed, receiver, worker):
    # given
    await subscribed_to_one_segment(hooks_gql, seed, receiver)
    # when: a stale version and a missing segment change nothing
    stale = await upsert_segment(hooks_gql, "s1", metadata={"version": 7})
    missing = await upsert_item(hooks_gql, "p-none", segment="nope")
    worker()
    await receiver.wait_for(1)
    await asyncio.sleep(0.3)
    # then
    assert stale["userErrors"] and missing["userErrors"]
    assert [r.payload["type"] for r in receiver.received] == [SEGMENT_CREATED]
    async with db.sessions() as session:
        count = await session.scalar(sa.select(sa.func.count()).select_from(webhook_delivery_table))
    assert count == 1


async def test_two_workers_send_each_delivery_once(hooks_gql, seed, receiver, worker):
    # given: several subscriptions, so both workers have lines to claim
    for _ in range(4):
        await subscribe(hooks_gql, receiver, event_types=[SEGMENT_CREATED])
    receiver.secret = None  # four secrets: this test counts, the others verify
    await seed.tenant_row()
    for number in range(25):
        await create_segment(hooks_gql, id=f"s{number:02}")
    # when
    worker(), worker()
    await receiver.wait_for(100)
    await asyncio.sleep(0.3)
    # then
    sent = [(r.headers["webhook-id"], r.headers["webhook-signature"]) for r in receiver.received]
    assert len(sent) == 100
    assert len(set(sent)) == 100


async def test_deleting_a_subscription_drops_what_it_still_had_to_send(
    hooks_gql, db, seed, receiver, worker
):
    # given
    subscription = await subscribed_to_one_segment(hooks_gql, seed, receiver)
    # when
    await hooks_gql.data(
        "mutation($id: ID!) { deleteWebhookSubscription(id: $id) { deleted } }",
        {"id": subscription},
        scopes=MANAGE,
    )
    worker()
    await asyncio.sleep(0.3)
    # then
    assert receiver.received == []
    async with db.sessions() as session:
        count = await session.scalar(sa.select(sa.func.count()).select_from(webhook_delivery_table))
    assert count == 0
