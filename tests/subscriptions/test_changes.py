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
