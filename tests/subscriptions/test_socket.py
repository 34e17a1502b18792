"""The graphql-transport-ws socket: tokens, close codes and the protocol's rules."""

from __future__ import annotations

import asyncio
import time

import pytest
from websockets.exceptions import InvalidStatus

from gateway.auth import scopes
from gateway.web import socket_messages
from tests.subscriptions.client import (
    CHANGES,
    acked,
    closed_with,
    raw,
    receive,
    send,
    subscribe,
)
from tests.subscriptions.conftest import Start, notice


@pytest.mark.parametrize(
    "payload",
    [None, {}, {"Authorization": "Bearer not.a.token"}, {"Authorization": "Basic abc"}],
    ids=["no-payload", "no-token", "bad-token", "not-bearer"],
)
async def test_a_missing_or_bad_token_closes_the_socket_with_4403(start: Start, payload):
    # given
    live = await start()
    async with raw(live.url) as socket:
        # when
        await send(socket, "connection_init", **({} if payload is None else {"payload": payload}))
        # then
        assert (await closed_with(socket))[0] == 4403


async def test_a_token_of_another_tenant_closes_the_socket_with_4403(start: Start):
    # given
    live = await start()
    async with raw(live.url) as socket:
        # when
        await send(socket, "connection_init", payload=live.init(tenant="other"))
        # then
        assert (await closed_with(socket))[0] == 4403


async def test_the_socket_closes_with_4403_when_the_token_expires(start: Start):
    # given: a token valid for 2 more seconds, no leeway
    live = await start()
    async with raw(live.url) as socket:
        opened = time.monotonic()
        await acked(socket, live.init(ttl=2))
        await subscribe(socket)
        await live.subscribers(1)
        # when
        code, reason = await closed_with(socket, timeout=10)
        # then
        assert (code, reason) == (4403, "Forbidden: the token has expired.")
        assert time.monotonic() - opened > 1
    await live.subscribers(0)


async def test_an_expired_token_is_refused_at_connection_init(start: Start):
    # given
    live = await start()
    async with raw(live.url) as socket:
        # when
        await send(socket, "connection_init", payload=live.init(ttl=-1))
        # then
        assert (await closed_with(socket))[0] == 4403


async def test_another_subprotocol_is_refused_with_4406(start: Start):
    # given
    live = await start()
    # when
    async with raw(live.url, protocol="graphql-ws") as socket:
        # then
        assert (await closed_with(socket))[0] == 4406


async def test_a_bad_tenant_is_refused_before_the_upgrade(start: Start):
    # given
    live = await start()
    # when / then
    with pytest.raises(InvalidStatus):
        async with raw(live.url.replace("/demo/", "/NO/")):
            pass


async def test_subscribe_before_connection_init_closes_with_4401(start: Start):
    # given
    live = await start()
    async with raw(live.url) as socket:
        # when
        await subscribe(socket)
        # then
        assert (await closed_with(socket))[0] == 4401


async def test_a_second_connection_init_closes_with_4429(start: Start):
    # given
    live = await start()
    async with raw(live.url) as socket:
        await acked(socket, live.init())
        # when
        await send(socket, "connection_init", payload=live.init())
        # then
        assert (await closed_with(socket))[0] == 4429


async def test_a_subscription_id_in_use_closes_with_4409(start: Start):
    # given
    live = await start()
    async with raw(live.url) as socket:
        await acked(socket, live.init())
        await subscribe(socket, "a")
        # when
        await subscribe(socket, "a")
        # then
        assert (await closed_with(socket))[0] == 4409


async def test_ping_is_answered_with_pong(start: Start):
    # given
    live = await start()
    async with raw(live.url) as socket:
        await acked(socket, live.init())
        # when
        await send(socket, "ping")
        # then
        assert await receive(socket) == {"type": "pong"}


async def test_complete_ends_a_subscription(start: Start):
    # given
    live = await start()
    async with raw(live.url) as socket:
        await acked(socket, live.init())
        await subscribe(socket, "a")
        await live.subscribers(1)
        # when
        await send(socket, "complete", id="a")
        # then
        await live.subscribers(0)
        await live.publish(notice())
        await send(socket, "ping")
        assert await receive(socket) == {"type": "pong"}


async def test_a_token_without_a_read_scope_gets_a_forbidden_error(start: Start):
    # given
    live = await start()
    async with raw(live.url) as socket:
        await acked(socket, live.init(scopes.MANAGE))
        # when
        await subscribe(socket, "a")
        # then
        message = await receive(socket)
        assert message["type"] == "error" and message["id"] == "a"
        assert message["payload"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_unknown_event_type_is_bad_user_input(start: Start):
    # given
    live = await start()
    async with raw(live.url) as socket:
        await acked(socket, live.init())
        # when
        await subscribe(socket, "a", t=["customer-segment.nothing"])
        # then
        message = await receive(socket)
        assert message["type"] == "error"
        assert message["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_subscription_over_http_is_refused(start: Start):
    # given
    import httpx

    live = await start()
    url = live.url.replace("ws://", "http://")
    # when
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            url, json={"query": CHANGES}, headers={"Authorization": live.init()["Authorization"]}
        )
    # then
    assert answer.status_code == 400
    assert "WebSocket" in answer.json()["errors"][0]["message"]


async def test_no_connection_init_in_time_closes_with_4408(start: Start, monkeypatch):
    # given
    monkeypatch.setattr(socket_messages, "CONNECTION_INIT_TIMEOUT_S", 0.5)
    live = await start()
    async with raw(live.url) as socket:
        # when: nothing is sent
        code, _reason = await closed_with(socket)
        # then
        assert code == 4408


async def test_a_connection_init_within_the_timeout_is_acknowledged(start: Start, monkeypatch):
    # given
    monkeypatch.setattr(socket_messages, "CONNECTION_INIT_TIMEOUT_S", 1.0)
    live = await start()
    async with raw(live.url) as socket:
        await asyncio.sleep(0.5)
        # when / then
        await acked(socket, live.init())


async def test_a_customer_names_its_legal_entity_in_connection_init(start: Start, seed):
    # given: c1 belongs to s1 through l1 and to s2 through l2
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), seed.segment("s2"))
    await seed.add(seed.customer("s1", "c1", "l1"), seed.customer("s2", "c1", "l2"))
    live = await start()
    init = {**live.init(scopes.READ_OWN, customer="c1"), "legalEntityId": "l2"}
    async with raw(live.url) as socket:
        await acked(socket, init)
        await subscribe(socket)
        await live.subscribers(1)
        # when
        await live.publish(notice("s1"), notice("s2"))
        # then
        message = await receive(socket)
        assert message["payload"]["data"]["changes"]["segmentId"] == "s2"
