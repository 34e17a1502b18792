"""A webhook receiver on loopback: a Starlette app under uvicorn, started by the test.

It verifies every request with the `standardwebhooks` package, as a subscriber would, and
answers with the statuses it is told to (then 200).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool
    answered: int
    # The sender's port: requests with the same one came over one connection.
    client_port: int | None = None

    @property
    def payload(self) -> Any:
        return json.loads(self.body)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    port: int
    secret: str | None = None
    # The statuses of the next answers, in order; 200 once they run out.
    answers: list[int] = field(default_factory=list)
    # Seconds to wait before each of the next answers (a slow receiver), in order.
    delays: list[float] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    # Requests that arrived, answered or not yet; the most being answered at once.
    arrivals: int = 0
    answering: int = 0
    most_at_once: int = 0
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def delivered(self) -> list[Received]:
        """The requests answered 2xx, in arrival order."""
        return [r for r in self.received if 200 <= r.answered < 300]

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Waits until `count` requests were answered 2xx; those requests."""
        async with asyncio.timeout(timeout):
            while len(self.delivered()) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.delivered()

    async def handle(self, request: Request) -> Response:
        self.arrivals += 1
        body = await request.body()
        headers = dict(request.headers)
        try:
            Webhook(self.secret or "whsec_AAAA").verify(body, headers)
            verified = True
        except WebhookVerificationError:
            verified = False
        status = self.answers.pop(0) if self.answers else 200
        self.answering += 1
        self.most_at_once = max(self.most_at_once, self.answering)
        try:
            if self.delays:
                await asyncio.sleep(self.delays.pop(0))
        finally:
            self.answering -= 1
        port = request.client.port if request.client else None
        self.received.append(Received(headers, body, verified, status, port))
        self.arrived.set()
        return Response(status_code=status)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def serving(receiver: Receiver) -> AsyncIterator[Receiver]:
    """Serves `receiver` on its port until the block ends."""
    app = Starlette(routes=[Route("/hooks", receiver.handle, methods=["POST"])])
    async with serving_app(app, receiver.port):
        yield receiver


@contextlib.asynccontextmanager
async def serving_app(app: Starlette, port: int) -> AsyncIterator[None]:
    """Serves `app` under uvicorn on loopback's `port`, in this loop, until the block ends."""
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="none"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(10):
        while not server.started:
            await asyncio.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        await task
