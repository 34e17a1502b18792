"""A real `gateway serve --demo` in a subprocess, and an attacker beside a second client."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import gateway_process
from tests.databases import create_database, drop_database, find_postgres
from tests.gateway_process import environment, migrate

PORTS = range(18140, 18200)
GRACEFUL_SECONDS = 30  # `gateway serve`'s timeout_graceful_shutdown
LONG = 20_000
SMALL_QUERY = "{ segments(pageSize: 1) { items { id } } }"


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    customer: str
    manager: str
    database_url: str = ""

    def post(
        self, query: str, token: str, timeout: float, variables: dict[str, Any] | None = None
    ) -> httpx.Response:
        return httpx.post(
            f"{self.base}/demo/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )


def free_port(ports: range = PORTS) -> int:
    """The first port of `ports` nobody listens on (a fixed one may be held by a stray run)."""
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free port in {ports.start}-{ports.stop - 1}")


def _printed_token(output: str, label: str) -> str:
    lines = output.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(label))
    return lines[index + 1].strip()


@contextmanager
def serving(tmp_path: Path, database_url: str | None = None) -> Iterator[Server]:
    """`gateway serve --demo` on a fresh SQLite file (or the given database), this code."""
    database_url = database_url or f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    env = environment(GATEWAY_DATABASE_URL=database_url)
    if not database_url.startswith("sqlite"):  # serve creates the schema only on SQLite
        migrate(env, tmp_path)
    with gateway_process.serving(free_port(), env, tmp_path, "--demo") as gateway:
        printed = gateway.output()
        customer = _printed_token(printed, "Customer token")
        manager = _printed_token(printed, "Manager token")
        server = Server(gateway.base, gateway.process, customer, manager, database_url)
        _long_segment(server)
        yield server


def _long_segment(server: Server) -> None:
    """A segment with a LONG-character name and mixins value, for the manager's attacks."""
    segment = {
        "id": "long",
        "name": [{"locale": "en", "value": "a" * LONG}],
        "siteCode": "main",
        "mixins": {"x": "a" * LONG},
    }
    create = "mutation($s: SegmentInput!) { createSegment(input: $s) { userErrors { code } } }"
    answer = server.post(create, server.manager, timeout=10, variables={"s": segment})
    assert answer.json()["data"] == {"createSegment": {"userErrors": []}}


def probe(server: Server) -> list[str]:
    """What /healthz and a small query gave, each within 1 s, while an attack runs."""
    problems: list[str] = []
    for _ in range(3):
        try:
            health = httpx.get(f"{server.base}/healthz", timeout=1)
            small = server.post(SMALL_QUERY, server.customer, timeout=1)
        except httpx.TimeoutException as timeout:
            problems.append(f"no answer within 1 s: {timeout!r}")
            continue
        if health.status_code != 200 or "errors" in small.json():
            problems.append(f"{health.status_code} {small.text[:200]}")
        time.sleep(0.1)
    return problems


def attack(server: Server, query: str, token: str) -> tuple[Any, list[str]]:
    """The attack's JSON answer, and what a second client saw meanwhile."""
    answer: dict[str, Any] = {}

    def send() -> None:
        try:
            answer["body"] = server.post(query, token, timeout=20).json()
        except httpx.HTTPError as error:
            answer["body"] = repr(error)

    attacker = threading.Thread(target=send)
    attacker.start()
    time.sleep(0.05)
    problems = probe(server)
    attacker.join(timeout=25)
    return answer.get("body", "no answer"), problems


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database on the suite's PostgreSQL server, dropped afterwards."""
    server = find_postgres()
    if not server.url:
        if os.environ.get("GATEWAY_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required here but unavailable: {server.reason}")
        pytest.skip(f"PostgreSQL unavailable: {server.reason}")
    url = asyncio.run(create_database(server.url))
    try:
        yield url
    finally:
        asyncio.run(drop_database(server.url, url))


@contextmanager
def serving_on(kind: str, tmp_path: Path) -> Iterator[Server]:
    """`serving` on SQLite, or on a fresh PostgreSQL database."""
    if kind == "sqlite":
        with serving(tmp_path) as server:
            yield server
        return
    with postgres_database() as url, serving(tmp_path, url) as server:
        yield server
