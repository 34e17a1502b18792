"""The processes under test: `gateway serve` with the outbox on or off, and the receiver."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import httpx

from bench.catalog.load import child_env
from bench.catalog.servers import ServerSpec

RECEIVER_PORT = 19400
GATEWAY_PORT = 19401


@dataclass(frozen=True)
class Setup:
    """One server configuration: outbox on or off, subscriptions, the delivery worker."""

    label: str
    outbox: bool = True
    subscriptions: int = 0
    delivering: bool = False


def gateway_spec(setup: Setup, database_url: str, port: int = GATEWAY_PORT) -> ServerSpec:
    """One uvicorn worker, as shipped but for GraphiQL and loopback webhook targets."""
    module = "gateway" if setup.outbox else "bench.events.no_outbox"
    argv = [sys.executable, "-m", module, "serve", "--port", str(port)]
    env = child_env(database_url) | {
        "GATEWAY_GRAPHIQL": "false",
        "GATEWAY_WEBHOOK_ALLOW_HTTP": "1",
        "GATEWAY_WEBHOOK_ALLOW_PRIVATE": "1",
        "GATEWAY_WEBHOOK_DELIVERY": "1" if setup.delivering else "0",
    }
    database = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    return ServerSpec(setup.label, "gateway", argv, env, database=database)


def receiver_spec(port: int = RECEIVER_PORT) -> ServerSpec:
    argv = [sys.executable, "-m", "bench.events.receiver", str(port)]
    return ServerSpec("receiver", "receiver", argv, child_env(""))


@dataclass(frozen=True)
class Received:
    """What the receiver has had since its reset (`unique`: distinct path and webhook-id)."""

    requests: int
    unique: int
    connections: int


async def received(port: int = RECEIVER_PORT) -> Received:
    async with httpx.AsyncClient() as http:
        counts = (await http.get(f"http://127.0.0.1:{port}/count")).json()
    return Received(int(counts["received"]), int(counts["unique"]), int(counts["connections"]))


async def reset_receiver(port: int = RECEIVER_PORT) -> None:
    async with httpx.AsyncClient() as http:
        await http.post(f"http://127.0.0.1:{port}/reset")
