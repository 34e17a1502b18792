"""Connections that never finish their headers, and more connections than the cap.

Each test runs `gateway serve` as a subprocess on SQLite and talks to it over raw sockets.
"""

from __future__ import annotations

import http.client
import resource
import select
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.gateway_process import GatewayProcess, environment, serving

HEADER_TIMEOUT = 1.0
PARTIAL = b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n"  # no blank line: never complete
COMPLETE = b"GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n"

Start = Callable[..., GatewayProcess]


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Start]:
    """Starts `gateway serve` on SQLite with environment overrides; stops it afterwards."""
    with ExitStack() as stack:

        def run(port: int, *arguments: str, popen: dict[str, object] | None = None,
                **env: str) -> GatewayProcess:  # fmt: skip
            database = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
            environ = environment(GATEWAY_DATABASE_URL=database, **env)
            return stack.enter_context(
                serving(port, environ, tmp_path, *arguments, **(popen or {}))
            )

        yield run


def connect(gateway: GatewayProcess, first_bytes: bytes = b"") -> socket.socket:
    host, port = gateway.base.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=5)
    if first_bytes:
        sock.sendall(first_bytes)
    return sock


def all_closed_by_server(socks: list[socket.socket], within: float) -> list[bytes | None]:
    """For each socket, what the server sent before closing it, or None if still open."""
    deadline = time.monotonic() + within
    return [closed_before(sock, deadline) for sock in socks]


def closed_before(sock: socket.socket, deadline: float) -> bytes | None:
    received = b""
    while (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([sock], [], [], left)
        if not readable:
            continue
        try:
            chunk = sock.recv(4096)
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk
    return None


def answers_quickly(gateway: GatewayProcess) -> None:
    started = time.monotonic()
    assert gateway.healthz(timeout=1).status_code == 200
    assert gateway.query(timeout=1).status_code == 200
    assert time.monotonic() - started < 2


def test_connections_that_never_finish_their_headers_are_dropped(start):
    # given 200 connections: half send part of a request, half nothing at all
    gateway = start(18220, GATEWAY_HEADER_TIMEOUT=str(HEADER_TIMEOUT))
    opened = time.monotonic()
    stalled = [connect(gateway, PARTIAL if i % 2 else b"") for i in range(200)]
    try:
        # when they stall, other clients are still served at once
        answers_quickly(gateway)
        # then the server drops each one after the header timeout, and not before
        endings = all_closed_by_server(stalled, within=HEADER_TIMEOUT + 4)
        took = time.monotonic() - opened
    finally:
        for sock in stalled:
            sock.close()
    assert None not in endings
    assert all(e == b"" or e.startswith(b"HTTP/1.1 408") for e in endings if e is not None)
    assert HEADER_TIMEOUT <= took < HEADER_TIMEOUT + 4
    answers_quickly(gateway)


def test_headers_trickled_past_the_timeout_are_dropped_although_bytes_keep_coming(start):
    # given a client sending its headers a few bytes at a time, forever
    gateway = start(18221, GATEWAY_HEADER_TIMEOUT=str(HEADER_TIMEOUT))
    sock = connect(gateway)
    started = time.monotonic()
    try:
        # when it trickles past the timeout
        with pytest.raises(OSError):
            for byte in PARTIAL + b"X-Slow: " + b"a" * 400:
                sock.sendall(bytes([byte]))
                time.sleep(0.05)
                assert time.monotonic() - started < HEADER_TIMEOUT + 3, "never dropped"
    finally:
        sock.close()
    # then the deadline counted from the first byte, not from the last one
    assert time.monotonic() - started >= HEADER_TIMEOUT


def test_a_slow_client_that_completes_its_headers_in_time_is_served(start):
    # given a generous timeout and a client that sends its request in pieces
    gateway = start(18222, GATEWAY_HEADER_TIMEOUT="3")
    sock = connect(gateway)
    try:
        # when the headers complete well before the timeout
        for piece in (COMPLETE[:10], COMPLETE[10:25], COMPLETE[25:]):
            sock.sendall(piece)
            time.sleep(0.4)
        answer = sock.recv(4096)
    finally:
        sock.close()
    # then it is answered as any other
    assert answer.startswith(b"HTTP/1.1 200")


def test_a_kept_alive_connection_idle_between_requests_is_kept(start):
    # given a connection kept alive after a first request
    gateway = start(18223, GATEWAY_HEADER_TIMEOUT=str(HEADER_TIMEOUT))
    host, port = gateway.base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.request("GET", "/healthz")
        first = connection.getresponse()
        first.read()
        peer = connection.sock.getsockname()
        # when it idles past the header timeout, yet within uvicorn's keep-alive timeout (5 s)
        time.sleep(HEADER_TIMEOUT + 1)
        connection.request("GET", "/healthz")
        second = connection.getresponse()
        second.read()
        # then the second request went over the same connection
        assert connection.sock.getsockname() == peer
    finally:
        connection.close()
    assert (first.status, second.status) == (200, 200)


def test_connections_past_the_cap_get_503_and_the_server_carries_on(start):
    # given a small cap, filled by idle connections
    gateway = start(18224, GATEWAY_MAX_CONNECTIONS="20", GATEWAY_HEADER_TIMEOUT="2")
    idle = [connect(gateway) for _ in range(20)]
    time.sleep(0.3)
    try:
        # when more connect
        extra = [connect(gateway) for _ in range(10)]
        answers = all_closed_by_server(extra, within=1)
        for sock in extra:
            sock.close()
        # then each extra one is answered 503 at once and closed
        assert all(a is not None and a.startswith(b"HTTP/1.1 503") for a in answers), answers
        # and once the idle ones are dropped, the server answers again, never having crashed
        assert None not in all_closed_by_server(idle, within=4)
    finally:
        for sock in idle:
            sock.close()
    assert gateway.process.poll() is None
    answers_quickly(gateway)


def test_the_descriptor_limit_is_raised_and_the_cap_stays_below_it(start):
    # given a process started with a low soft limit on open files, and a lower hard one
    def low_limits() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 400))

    # when
    gateway = start(18225, popen={"preexec_fn": low_limits})
    # then the soft limit is the hard one, and the cap leaves descriptors to spare
    limits = Path(f"/proc/{gateway.process.pid}/limits").read_text()
    line = next(line for line in limits.splitlines() if line.startswith("Max open files"))
    assert line.split()[3:5] == ["400", "400"]
    assert (
        "GATEWAY_MAX_CONNECTIONS=1000 is over what 400 file descriptors allow: capped at 300"
        in (gateway.output())
    )


def test_with_several_workers_each_drops_stalled_headers(start):
    # given two worker processes, which rebuild the server's configuration
    gateway = start(18226, "--workers", "2", GATEWAY_HEADER_TIMEOUT=str(HEADER_TIMEOUT))
    stalled = [connect(gateway, PARTIAL) for _ in range(20)]
    try:
        # when the connections stall, then each is dropped after the timeout
        assert None not in all_closed_by_server(stalled, within=HEADER_TIMEOUT + 4)
    finally:
        for sock in stalled:
            sock.close()
    answers_quickly(gateway)
