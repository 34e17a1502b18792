"""Each bound of a subscription socket, at and just past its edge."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest
from websockets.asyncio.client import connect

from tests.subscriptions.client import PROTOCOL, acked, closed_with, raw, receive, subscribe
from tests.subscriptions.conftest import Start, notice


async def test_a_socket_holds_at_most_max_subscriptions(start: Start):
    # given
    live = await start(limits={"max_subscriptions": 2})
    async with raw(live.url) as socket:
        await acked(socket, live.init())
        await subscribe(socket, "a")
        await subscribe(socket, "b")
        # when
        await subscribe(socket, "c")
        # then: c is refused, a and b still receive
        refused = await receive(socket)
        assert refused["type"] == "error" and refused["id"] == "c"
        assert "At most 2 subscriptions" in refused["payload"][0]["message"]
        await live.subscribers(2)
        await live.publish(notice())
        ids = {(await receive(socket))["id"], (await receive(socket))["id"]}
        assert ids == {"a", "b"}


def _ping_of(size: int) -> str:
    bare = json.dumps({"type": "ping", "payload": {"pad": ""}})
    return json.dumps({"type": "ping", "payload": {"pad": "x" * (size - len(bare))}})


async def test_a_message_of_max_body_bytes_is_read(start: Start):
    # given
    live = await start(limits={"max_body_bytes": 1000})
    async with raw(live.url) as socket:
        await acked(socket, live.init())
        # when
        await socket.send(_ping_of(1000))
        # then
        assert (await receive(socket))["type"] == "pong"


async def test_a_message_over_max_body_bytes_closes_with_1009(start: Start):
    # given
    live = await start(limits={"max_body_bytes": 1000})
    async with raw(live.url) as socket:
        await acked(socket, live.init())
        # when
        await socket.send(_ping_of(1001))
        # then
        assert (await closed_with(socket))[0] == 1009


async def test_max_queued_events_waiting_are_all_delivered(start: Start, db):
    # given: one transaction's events reach the queue before the subscriber reads any
    if db.dialect != "sqlite":
        pytest.skip("on SQLite one commit queues all its events at once")
    live = await start(limits={"max_queued_events": 3})
    async with raw(live.url) as socket:
        await acked(socket, live.init())
        await subscribe(socket)
        await live.subscribers(1)
        # when
        await live.publish(notice("a"), notice("b"), notice("c"))
        # then
        received = [(await receive(socket))["payload"]["data"]["changes"] for _ in range(3)]
        assert [change["segmentId"] for change in received] == ["a", "b", "c"]


async def test_a_subscriber_further_behind_is_dropped_with_1008(start: Start, db):
    # given
    if db.dialect != "sqlite":
        pytest.skip("on SQLite one commit queues all its events at once")
    live = await start(limits={"max_queued_events": 3})
    async with raw(live.url) as socket:
        await acked(socket, live.init())
        await subscribe(socket)
        await live.subscribers(1)
        # when
        await live.publish(notice("a"), notice("b"), notice("c"), notice("d"))
        # then
        code, reason = await closed_with(socket)
        assert code == 1008 and "more than 3 change events" in reason
    await live.subscribers(0)


async def test_a_process_serves_at_most_max_websockets(start: Start):
    # given
    live = await start(limits={"max_websockets": 2})
    async with raw(live.url) as first, raw(live.url) as second:
        await acked(first, live.init())
        await acked(second, live.init())
        # when
        async with raw(live.url) as third:
            # then
            assert (await closed_with(third))[0] == 1013
    # and a socket is served again once the others have gone
    async with asyncio.timeout(5):
        while live.runtime.open_sockets:
            await asyncio.sleep(0.01)
    async with raw(live.url) as fourth:
        await acked(fourth, live.init())


async def test_a_client_that_leaves_leaves_no_subscriber_behind(start: Start):
    # given
    live = await start()
    async with raw(live.url) as socket:
        await acked(socket, live.init())
        await subscribe(socket, "a")
        await subscribe(socket, "b")
        await live.subscribers(2)
    # when: the socket is gone
    # then
    await live.subscribers(0)
    assert live.runtime.open_sockets == 0


async def test_a_client_that_stops_reading_is_dropped_not_buffered(start: Start, db):
    # given: small socket buffers, and a client that reads nothing once connected
    if db.dialect != "sqlite":
        pytest.skip("the in-process broker shows the bound without a listener's timing")
    live = await start(limits={"max_queued_events": 3}, send_buffer=4096)
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.connect(("127.0.0.1", int(live.url.split(":")[2].split("/")[0])))
    async with connect(live.url, sock=client, max_queue=1, subprotocols=[PROTOCOL]) as reader:  # type: ignore[list-item]
        await acked(reader, live.init())
        await subscribe(reader)
        await live.subscribers(1)
        # when: far more events than the buffers hold
        long = "x" * 256
        for _ in range(2000):
            if live.broker.subscriber_count == 0:
                break
            await live.publish(*(notice(long, item_id=long, customer_id=long) for _ in range(3)))
        # then: dropped, and the socket gone, while the client still reads nothing
        await live.subscribers(0)
        async with asyncio.timeout(10):
            while live.runtime.open_sockets:
                await asyncio.sleep(0.05)
