"""The gateway served by uvicorn in the test's own process, so a test publishes beside it."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from typing import Any

import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.app import create_app
from gateway.auth import scopes
from gateway.auth.tokens import mint_token
from gateway.settings import Settings
from gateway.store.columns import utcnow
from gateway.store.writes import write
from gateway.subscriptions.broker import Broker, publish_in
from gateway.subscriptions.notices import ChangeNotice
from gateway.web.runtime import Runtime
from tests.conftest import Database

# This helper's ports (8180-8189): the in-process servers take the first free ones.
PORTS = range(8180, 8188)
SEGMENT_UPDATED = "customer-segment.segment-updated"


def bound_socket(ports: range = PORTS, send_buffer: int | None = None) -> socket.socket:
    """A listening socket on the first free port (reused at once after a test's server)."""
    for port in ports:
        bound = socket.socket()
        bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if send_buffer:  # inherited by every accepted connection
            bound.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
        try:
            bound.bind(("127.0.0.1", port))
        except OSError:
            bound.close()
            continue
        return bound
    pytest.fail(f"no free port in {ports}")


def notice(segment: str = "s1", type_: str = SEGMENT_UPDATED, **fields: Any) -> ChangeNotice:
    return ChangeNotice(
        id=uuid.uuid4().hex,
        type=type_,
        occurred_at=fields.pop("occurred_at", utcnow()),
        tenant=fields.pop("tenant", "demo"),
        segment_id=segment,
        **fields,
    )


@dataclass
class Live:
    """One gateway app on a real port."""

    url: str
    runtime: Runtime
    settings: Settings

    @property
    def broker(self) -> Broker:
        return self.runtime.broker

    def token(self, *scope: str, customer: str | None = None, ttl: int = 3600, **kw: Any) -> str:
        return mint_token(
            self.settings,
            tenant=kw.pop("tenant", "demo"),
            scopes=scope or (scopes.READ,),
            customer=customer,
            ttl_seconds=ttl,
            **kw,
        )

    def init(self, *scope: str, **kw: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*scope, **kw)}"}

    async def subscribers(self, count: int, timeout: float = 5) -> None:
        """Waits until the broker holds `count` subscribers (the server has them)."""
        async with asyncio.timeout(timeout):
            while self.broker.subscriber_count != count:
                await asyncio.sleep(0.01)

    async def publish(self, *notices: ChangeNotice) -> None:
        """Publishes inside a real write transaction, which then commits."""

        async def work(session: AsyncSession) -> None:
            await publish_in(session, notices)

        assert self.runtime.sessions is not None
        await write(self.runtime.sessions, work, tenant="demo")


Start = Callable[..., Awaitable[Live]]


@pytest.fixture
async def start(db: Database) -> AsyncIterator[Start]:
    """Starts gateways on `db` with setting overrides; stops them after the test."""
    async with AsyncExitStack() as stack:

        async def started(**overrides: Any) -> Live:
            limits = overrides.pop("limits", None)
            send_buffer = overrides.pop("send_buffer", None)
            settings = Settings(
                database_url=db.url, jwt_leeway_seconds=0, graphiql=False, response_cache_mb=0
            )
            settings = replace(settings, **overrides)
            if limits:
                settings = replace(settings, limits=replace(settings.limits, **limits))
            app = create_app(settings)
            bound = bound_socket(send_buffer=send_buffer)
            port = bound.getsockname()[1]
            config = uvicorn.Config(app, log_level="warning", ws="websockets-sansio")
            server = uvicorn.Server(config)
            stack.callback(bound.close)
            task = asyncio.create_task(server.serve(sockets=[bound]))
            stack.push_async_callback(_stop, server, task)
            while not server.started:
                assert not task.done(), "uvicorn did not start"
                await asyncio.sleep(0.02)
            return Live(f"ws://127.0.0.1:{port}/demo/graphql", app.state.runtime, settings)

        yield started


async def _stop(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    await asyncio.wait_for(task, 30)
