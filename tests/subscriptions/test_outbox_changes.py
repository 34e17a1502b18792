"""Mutations reach subscribers: the outbox's events are published when their write commits."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa

from gateway.auth import scopes
from gateway.store.tables import change_event_table
from tests.subscriptions.client import Feed, gql_session
from tests.subscriptions.conftest import Live, Start

UPSERT = """mutation($version: Int) {
  upsertSegment(id: "s1", input: {name: [{locale: "en", value: "Gold"}], siteCode: "main",
                                  status: ACTIVE, metadata: {version: $version}}) {
    created userErrors { code }
  }
}"""


async def mutate(live: Live, version: int | None = None) -> dict[str, Any]:
    url = live.url.replace("ws://", "http://")
    token = live.token(scopes.MANAGE)
    async with httpx.AsyncClient() as client:
        response = await client.post(
            url,
            json={"query": UPSERT, "variables": {"version": version}},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.text
    return response.json()["data"]["upsertSegment"]  # type: ignore[no-any-return]


async def test_a_mutation_reaches_a_subscriber_with_the_outbox_event(start: Start, db):
    # given
    live = await start()
    async with gql_session(live.url, live.init()) as session:
        feed = Feed(session)
        await live.subscribers(1)
        # when
        assert await mutate(live) == {"created": True, "userErrors": []}
        received = await feed.next()
        await feed.close()
    # then: the event the subscriber got is the one recorded with the change
    async with db.sessions() as reading:
        recorded = (await reading.execute(sa.select(change_event_table))).one()
    assert received["id"] == recorded.id
    assert (received["type"], received["segmentId"]) == (recorded.type, "s1")
    assert received["type"] == "customer-segment.segment-created"


async def test_a_refused_write_reaches_no_subscriber(start: Start):
    # given
    live = await start()
    await mutate(live)
    async with gql_session(live.url, live.init()) as session:
        feed = Feed(session)
        await live.subscribers(1)
        # when: a stale version is a VERSION_CONFLICT, nothing changes
        refused = await mutate(live, version=7)
        # then
        assert [e["code"] for e in refused["userErrors"]] == ["VERSION_CONFLICT"]
        assert await feed.nothing()
        await feed.close()
