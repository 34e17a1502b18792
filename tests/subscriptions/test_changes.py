"""Subscription.changes over graphql-transport-ws with Python gql: what a subscriber receives."""

from __future__ import annotations

from gateway.auth import scopes
from tests.subscriptions.client import Feed, gql_session
from tests.subscriptions.conftest import SEGMENT_UPDATED, Start, notice

ITEM_CREATED = "customer-segment.item-assignment-created"


async def test_a_subscriber_receives_a_committed_change(start: Start):
    # given
    live = await start()
    async with gql_session(live.url, live.init()) as session:
        feed = Feed(session)
        await live.subscribers(1)
        change = notice("s1", ITEM_CREATED, item_type="PRODUCT", item_id="p1")
        # when
        await live.publish(change)
        # then
        assert await feed.next() == {
            "id": change.id,
            "type": ITEM_CREATED,
            "occurredAt": change.occurred_at.isoformat(timespec="milliseconds")[:23] + "Z",
            "segmentId": "s1",
            "itemType": "PRODUCT",
            "itemId": "p1",
            "customerId": None,
            "legalEntityId": None,
        }
        await feed.close()


async def test_event_types_and_segment_id_select_what_a_subscriber_receives(start: Start):
    # given
    live = await start()
    async with gql_session(live.url, live.init()) as session:
        by_type = Feed(session, {"t": [ITEM_CREATED]})
        by_segment = Feed(session, {"s": "s2"})
        await live.subscribers(2)
        # when
        await live.publish(notice("s1", SEGMENT_UPDATED), notice("s2", SEGMENT_UPDATED))
        await live.publish(notice("s1", ITEM_CREATED, item_type="CATEGORY", item_id="c1"))
        # then
        assert (await by_type.next())["segmentId"] == "s1"
        assert (await by_segment.next())["type"] == SEGMENT_UPDATED
        assert await by_type.nothing() and await by_segment.nothing()


async def test_a_subscriber_receives_only_its_own_tenant(start: Start):
    # given
    live = await start()
    async with gql_session(live.url, live.init()) as session:
        feed = Feed(session)
        await live.subscribers(1)
        # when
        await live.publish(notice("s1", tenant="other"), notice("s2"))
        # then
        assert (await feed.next())["segmentId"] == "s2"
        assert await feed.nothing()


async def test_a_customer_sees_only_events_of_its_own_active_segments(start: Start, seed):
    # given: c1 belongs to s1 (active) and s3 (inactive), not to s2
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), seed.segment("s2"), seed.segment("s3", "INACTIVE"))
    await seed.add(seed.customer("s1", "c1"), seed.customer("s3", "c1"), seed.customer("s2", "c2"))
    live = await start()
    async with gql_session(live.url, live.init(scopes.READ_OWN, customer="c1")) as session:
        feed = Feed(session)
        await live.subscribers(1)
        # when
        await live.publish(notice("s2"), notice("s3"), notice("s1"))
        # then
        assert (await feed.next())["segmentId"] == "s1"
        assert await feed.nothing()


async def test_a_customer_never_sees_another_customers_assignment_events(start: Start, seed):
    # given: c1 and c2 both belong to s1
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    await seed.add(seed.customer("s1", "c1"), seed.customer("s1", "c2"))
    live = await start()
    assigned = "customer-segment.customer-assignment-updated"
    async with gql_session(live.url, live.init(scopes.READ_OWN, customer="c1")) as session:
        feed = Feed(session)
        await live.subscribers(1)
        # when
        await live.publish(notice("s1", assigned, customer_id="c2"))
        await live.publish(notice("s1", assigned, customer_id="c1"))
        # then
        assert (await feed.next())["customerId"] == "c1"
        assert await feed.nothing()


async def test_segment_read_sees_every_event_of_the_tenant(start: Start, seed):
    # given: no such segment at all (a delete leaves none)
    live = await start()
    async with gql_session(live.url, live.init(scopes.READ)) as session:
        feed = Feed(session)
        await live.subscribers(1)
        # when
        await live.publish(notice("gone", "customer-segment.segment-deleted"))
        # then
        assert (await feed.next())["segmentId"] == "gone"
