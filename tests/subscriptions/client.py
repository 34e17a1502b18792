"""Subscription clients: Python gql over WebSocket, and a raw graphql-transport-ws socket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport
from websockets.asyncio.client import ClientConnection, connect

PROTOCOL = "graphql-transport-ws"
CHANGES = "subscription($t: [String!], $s: ID) { changes(eventTypes: $t, segmentId: $s) "
CHANGES += "{ id type occurredAt segmentId itemType itemId customerId legalEntityId } }"


@asynccontextmanager
async def gql_session(url: str, init: dict[str, str]) -> AsyncIterator[Any]:
    transport = WebsocketsTransport(url=url, init_payload=init, subprotocols=[PROTOCOL])
    async with Client(transport=transport) as session:
        yield session


class Feed:
    """One gql subscription whose results collect in a queue as they arrive."""

    def __init__(self, session: Any, variables: dict[str, Any] | None = None) -> None:
        self.results: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        request = gql(CHANGES)
        request.variable_values = variables or {}
        self._task = asyncio.create_task(self._collect(session, request))

    async def _collect(self, session: Any, request: Any) -> None:
        async for result in session.subscribe(request):
            await self.results.put(result["changes"])

    async def next(self, timeout: float = 5) -> dict[str, Any]:
        getting = asyncio.ensure_future(self.results.get())
        done, _ = await asyncio.wait(
            {getting, self._task}, timeout=timeout, return_when="FIRST_COMPLETED"
        )
        if getting not in done:
            getting.cancel()
            if self._task in done:
                self._task.result()  # the subscription's own error
            raise TimeoutError("no change event arrived")
        return getting.result()

    async def nothing(self, wait: float = 0.5) -> bool:
        """Whether nothing arrives within `wait` seconds."""
        await asyncio.sleep(wait)
        return self.results.empty()

    async def close(self) -> None:
        self._task.cancel()


@asynccontextmanager
async def raw(url: str, protocol: str | None = PROTOCOL) -> AsyncIterator[ClientConnection]:
    async with connect(url, subprotocols=[protocol] if protocol else None) as socket:  # type: ignore[list-item]
        yield socket


async def send(socket: ClientConnection, type_: str, **fields: Any) -> None:
    await socket.send(json.dumps({"type": type_, **fields}))


async def receive(socket: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(socket.recv(), timeout))
    return message


async def closed_with(socket: ClientConnection, timeout: float = 5) -> tuple[int, str]:
    """The close code and reason the server ended the socket with."""
    await asyncio.wait_for(socket.wait_closed(), timeout)
    assert socket.close_code is not None
    return socket.close_code, socket.close_reason or ""


async def acked(socket: ClientConnection, init: dict[str, str]) -> None:
    await send(socket, "connection_init", payload=init)
    assert (await receive(socket))["type"] == "connection_ack"


async def subscribe(socket: ClientConnection, id_: str = "1", **variables: Any) -> None:
    await send(socket, "subscribe", id=id_, payload={"query": CHANGES, "variables": variables})
