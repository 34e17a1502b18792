"""Catastrophic regexes sent to the real server on SQLite: answered, and nobody else waits."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.http.conftest import fake_asset_cache

ROOT = Path(__file__).resolve().parents[2]
SECRET = "regex-attack-secret-0123456789abcdefgh"
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

    def post(
        self, query: str, token: str, timeout: float, variables: dict[str, Any] | None = None
    ) -> httpx.Response:
        return httpx.post(
            f"{self.base}/demo/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout,
        )


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail("no free port in 18140-18199")


def _printed_token(output: str, label: str) -> str:
    lines = output.splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(label))
    return lines[index + 1].strip()


def _wait_until_healthy(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "gateway serve exited early"
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail("gateway serve did not become healthy")


@contextmanager
def serving(tmp_path: Path) -> Iterator[Server]:
    """`gateway serve --demo` on a fresh SQLite file, this worktree's code."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("GATEWAY_")}
    env.update(
        PYTHONPATH=str(ROOT),
        GATEWAY_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        GATEWAY_JWT_SECRET=SECRET,
        GATEWAY_ASSET_CACHE_DIR=str(fake_asset_cache(tmp_path / "assets")),
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    out = tmp_path / "stdout.txt"
    command = [sys.executable, "-m", "gateway", "serve", "--demo", "--port", str(port)]
    with out.open("wb") as stdout:
        process = subprocess.Popen(
            command, stdout=stdout, stderr=subprocess.DEVNULL, cwd=tmp_path, env=env
        )
    try:
        _wait_until_healthy(base, process)
        printed = out.read_text()
        customer = _printed_token(printed, "Customer token")
        manager = _printed_token(printed, "Manager token")
        server = Server(base, process, customer, manager)
        _long_segment(server)
        yield server
    finally:
        if process.poll() is None:
            process.kill()  # only when the test failed before its own SIGTERM
            process.wait()


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
    assert answer.json() == {"data": {"createSegment": {"userErrors": []}}}


def _probe(server: Server) -> list[str]:
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


def _attack(server: Server, query: str, token: str) -> tuple[Any, list[str]]:
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
    problems = _probe(server)
    attacker.join(timeout=25)
    return answer.get("body", "no answer"), problems


SEGMENT_IDS = "{ items { id } }"
CUSTOMER_ATTACKS = [
    (f'{{ segments(q: "name.en:~(.|.|.|.)*#") {SEGMENT_IDS} }}', []),
    (f'{{ segments(q: "name.en:~(a|aa|aaa)*H") {SEGMENT_IDS} }}', ["hobby"]),
    (f'{{ segments(q: "description.en:~((.+)+)+#") {SEGMENT_IDS} }}', []),
    (f'{{ segments(q: "mixins.campaign.owner:~(m|ma|mar)*x") {SEGMENT_IDS} }}', []),
    ('{ itemAssignments(q: "item.name.en:~(.|.|.|.)*#") { items { type } } }', []),
    ('{ itemAssignments(q: "mixins.promotion.badge:~(x+x+)+y") { items { type } } }', []),
]
MANAGER_ATTACKS = [
    (f'{{ segments(q: "name.en:~(a|aa)*#") {SEGMENT_IDS} }}', []),
    (f'{{ segments(q: "mixins.x:~(.*a){{12}}b") {SEGMENT_IDS} }}', []),
    (f'{{ segments(q: "mixins.x:~.*x.*y") {SEGMENT_IDS} }}', []),
    (f'{{ segments(q: "mixins.x:~^(a|a?)+$") {SEGMENT_IDS} }}', ["long"]),
]
REFUSED = [
    '{ segments(q: "name.en:~(a{255}){255}") { items { id } } }',
    '{ segments(q: "name.en:~' + "(.|.)*" * 40 + '#") { items { id } } }',
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(tmp_path_factory.mktemp("regex-attack")) as running:
        yield running


def _ids(body: Any) -> list[str]:
    assert isinstance(body, dict) and "errors" not in body, body
    page = next(iter(body["data"].values()))
    return [item.get("id", item.get("type")) for item in page["items"]]


@pytest.mark.parametrize(("query", "expected"), CUSTOMER_ATTACKS)
def test_a_customers_regex_attack_is_answered_while_others_are_served(
    server: Server, query: str, expected: list[str]
) -> None:
    # when
    body, problems = _attack(server, query, server.customer)
    # then: a normal answer for the attacker, and nobody else waited
    assert problems == []
    assert _ids(body) == expected


@pytest.mark.parametrize(("query", "expected"), MANAGER_ATTACKS)
def test_a_regex_attack_on_long_values_is_answered_while_others_are_served(
    server: Server, query: str, expected: list[str]
) -> None:
    # when
    body, problems = _attack(server, query, server.manager)
    # then
    assert problems == []
    assert _ids(body) == expected


@pytest.mark.parametrize("query", REFUSED)
def test_a_regex_beyond_the_limits_is_bad_user_input(server: Server, query: str) -> None:
    # when
    body, problems = _attack(server, query, server.customer)
    # then
    assert problems == []
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body


def test_sigterm_after_an_attack_stops_the_server_within_its_graceful_timeout(
    tmp_path: Path,
) -> None:
    with serving(tmp_path) as server:
        # given
        body, _ = _attack(server, CUSTOMER_ATTACKS[0][0], server.customer)
        assert _ids(body) == []
        # when
        server.process.send_signal(signal.SIGTERM)
        # then
        assert server.process.wait(timeout=GRACEFUL_SECONDS) in (0, -signal.SIGTERM)
