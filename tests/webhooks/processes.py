"""Real `gateway serve` and `gateway deliver` processes sending to a receiver on loopback,
and what the outbox says they should have sent: for tests of kills, bursts and workers.

The receiver runs in the test's event loop; the processes are started and stopped in a
thread, so the receiver answers while a process comes up or goes down.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.auth import scopes
from gateway.store.tables import change_event_table, webhook_delivery_table
from gateway.webhooks.models import WebhookSubscription
from gateway.webhooks.sealing import new_secret
from tests.conftest import Database
from tests.factories import Seed
from tests.gateway_process import GatewayProcess, environment, serving, stop_process
from tests.mutations.operations import CREATE_SEGMENT, segment_input
from tests.webhooks.receiver import free_port, serving_app

SEGMENT_CREATED = "customer-segment.segment-created"
# What every process of these tests is given: loopback targets, fast retries, short leases.
DELIVERY_ENV = {
    "GATEWAY_WEBHOOK_ALLOW_HTTP": "1",
    "GATEWAY_WEBHOOK_ALLOW_PRIVATE": "1",
    "GATEWAY_WEBHOOK_RETRY_SCHEDULE": "0.2,0.2,0.2,0.2,0.2",
    "GATEWAY_WEBHOOK_LEASE_SECONDS": "2",
}


@dataclass
class Arrival:
    line: str
    webhook_id: str
    verified: bool
    at: float
    # None while held, and for good when its sender died before the answer.
    answered: int | None = None


@dataclass
class Lines:
    """A receiver with a path per subscription, `/hooks/{line}`, verified with its secret."""

    port: int
    secrets: dict[str, str] = field(default_factory=dict)
    # The first request is held until `released` is set: answered 200 then, or never (503
    # to nobody) when the receiver stops first.
    hold_first: bool = False
    arrivals: list[Arrival] = field(default_factory=list)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    stopping: bool = False

    def url(self, line: str) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/{line}"

    async def handle(self, request: Request) -> Response:
        line, body = request.path_params["line"], await request.body()
        try:
            Webhook(self.secrets[line]).verify(body, dict(request.headers))
            verified = True
        except WebhookVerificationError:
            verified = False
        arrival = Arrival(line, request.headers["webhook-id"], verified, time.monotonic())
        self.arrivals.append(arrival)
        if self.hold_first and len(self.arrivals) == 1:
            await self.released.wait()
            if self.stopping:
                return Response(status_code=503)
        arrival.answered = 200
        return Response(status_code=200)

    def delivered(self, line: str | None = None) -> list[Arrival]:
        """The requests answered 2xx, in arrival order, of one line or all."""
        return [a for a in self.arrivals if a.answered == 200 and (line is None or a.line == line)]

    def duplicates(self) -> int:
        """Requests beyond the first of each (line, webhook-id), held ones included."""
        return len(self.arrivals) - len({(a.line, a.webhook_id) for a in self.arrivals})

    async def wait_for(self, count: int, timeout: float = 30.0) -> None:
        """Until `count` distinct (line, webhook-id) were answered 2xx."""
        async with asyncio.timeout(timeout):
            while len({(a.line, a.webhook_id) for a in self.delivered()}) < count:
                await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def receiving(lines: Lines) -> AsyncIterator[Lines]:
    app = Starlette(routes=[Route("/hooks/{line}", lines.handle, methods=["POST"])])
    async with serving_app(app, lines.port):
        try:
            yield lines
        finally:
            lines.stopping = True
            lines.released.set()  # a held request would keep uvicorn from stopping


@dataclass
class Processes:
    """The test's gateway processes on its database; each stopped when the test ends."""

    db: Database
    cwd: Path
    stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    delivering: int = 0

    def env(self, **overrides: str) -> dict[str, str]:
        return environment(**{"GATEWAY_DATABASE_URL": self.db.url, **DELIVERY_ENV, **overrides})

    async def serve(self, *arguments: str, **env: str) -> GatewayProcess:
        started = serving(free_port(), self.env(**env), self.cwd, *arguments)
        return await asyncio.to_thread(self.stack.enter_context, started)

    async def deliver(self, **env: str) -> subprocess.Popen[bytes]:
        """`gateway deliver`, once it says it is delivering."""
        self.delivering += 1
        log = self.cwd / f"deliver-{self.delivering}.log"
        command = [sys.executable, "-m", "gateway", "deliver"]
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, env=self.env(**env), cwd=self.cwd, stdout=output, stderr=subprocess.STDOUT
            )
        self.stack.callback(stop_process, process)
        async with asyncio.timeout(60):
            while b"Delivering webhooks" not in log.read_bytes():
                assert process.poll() is None, log.read_text(errors="replace")
                await asyncio.sleep(0.05)
        return process

    async def close(self) -> None:
        await asyncio.to_thread(self.stack.close)


def stop(gateway: GatewayProcess) -> None:
    """SIGTERM, as a deployment stops a process, and its exit."""
    stop_process(gateway.process)


def kill(gateway: GatewayProcess) -> None:
    """kill -9: no shutdown, no release of its claims."""
    os.kill(gateway.process.pid, signal.SIGKILL)
    gateway.process.wait(timeout=10)


async def subscribe(db: Database, lines: Lines, names: Iterable[str]) -> None:
    """Per name, a tenant of that name with a subscription of that id to segment-created,
    sending to that name's line: lines in different tenants share no write."""
    for name in names:
        lines.secrets[name] = new_secret()
        seed = Seed(db, tenant=name)
        await seed.tenant_row()
        await seed.add(
            WebhookSubscription(
                tenant=name,
                id=name,
                url=lines.url(name),
                event_types=[SEGMENT_CREATED],
                secret=lines.secrets[name],
                created_at=datetime.now(UTC),
            )  # fmt: skip
        )


async def create_segments(
    gateways: list[GatewayProcess], writes: Iterable[tuple[str, str]], concurrency: int = 1
) -> None:
    """createSegment over HTTP for each (tenant, segment id), to the gateways in turn,
    `concurrency` at once."""
    limit = asyncio.Semaphore(concurrency)

    async def one(client: httpx.AsyncClient, number: int, tenant: str, segment_id: str) -> None:
        gateway = gateways[number % len(gateways)]
        body = {"query": CREATE_SEGMENT, "variables": {"input": segment_input(id=segment_id)}}
        headers = {"Authorization": f"Bearer {gateway.token(tenant, (scopes.MANAGE,))}"}
        async with limit:
            answer = await client.post(
                f"{gateway.base}/{tenant}/graphql", json=body, headers=headers
            )
        assert answer.status_code == 200, answer.text
        assert answer.json()["data"]["createSegment"]["userErrors"] == [], answer.text

    async with httpx.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(one(client, n, *write) for n, write in enumerate(writes)))


async def event_ids(db: Database) -> set[str]:
    async with db.sessions() as session:
        return set((await session.scalars(sa.select(change_event_table.c.id))).all())


async def outbox_lines(db: Database) -> dict[str, list[str]]:
    """Each subscription's event ids in the order it must receive them: commit order."""
    d = webhook_delivery_table.c
    stmt = sa.select(d.subscription_id, d.event_id).order_by(
        d.subscription_id, d.data_version, d.position
    )
    lines: dict[str, list[str]] = {}
    async with db.sessions() as session:
        for subscription_id, event_id in await session.execute(stmt):
            lines.setdefault(subscription_id, []).append(event_id)
    return lines


def first_arrivals(lines: Lines, line: str) -> list[str]:
    """The line's webhook-ids answered 2xx, each once, in the order they first arrived."""
    return list(dict.fromkeys(a.webhook_id for a in lines.delivered(line)))


def samples(gateway: GatewayProcess, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    """One scrape's samples called `name`, by their labels."""
    text = httpx.get(f"{gateway.base}/metrics", timeout=10).text
    found: dict[tuple[tuple[str, str], ...], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def delivered_count(gateway: GatewayProcess) -> float:
    found = samples(gateway, "gateway_webhook_deliveries_total")
    return found.get((("outcome", "delivered"),), 0.0)


def report(record_property: Any, **numbers: Any) -> None:
    """The test's numbers, in the JUnit XML's properties and on its output (pytest -s)."""
    for key, value in numbers.items():
        record_property(key, value)
    print(" ".join(f"{key}={value}" for key, value in numbers.items()))
