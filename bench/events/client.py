"""The load: POSTs over raw asyncio HTTP/1.1 keep-alive connections, each latency kept.

The requests are encoded once; a connection sends one, reads its answer (Content-Length
framed, as uvicorn sends a Starlette response), and sends the next. So the client costs
tens of microseconds a request, not the milliseconds of a client library, on a machine
whose two cores the gateway and PostgreSQL share with it.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field

import orjson


@dataclass
class Load:
    """What a timed window saw: each request's seconds, and answers that were not right."""

    latencies: list[float] = field(default_factory=list)
    wrong: list[bytes] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def encode(port: int, path: str, token: str, query: str, variables: object) -> bytes:
    body = orjson.dumps({"query": query, "variables": variables})
    head = (
        f"POST {path} HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nauthorization: Bearer {token}\r\n"
        "content-type: application/json\r\naccept: application/graphql-response+json\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _answer(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return head, await reader.readexactly(length)


class _Window:
    def __init__(self, start: float, end: float, load: Load) -> None:
        self.start, self.end, self.load = start, end, load


async def _connection(
    port: int, requests: itertools.cycle[bytes], window: _Window, good: bytes
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while (now := time.perf_counter()) < window.end:
            writer.write(next(requests))
            head, body = await _answer(reader)
            took = time.perf_counter() - now
            if now >= window.start:
                ok = head.startswith(b"HTTP/1.1 200") and good in body and b'"errors"' not in body
                window.load.latencies.append(took)
                if not ok:
                    window.load.wrong.append(body[:500])
    finally:
        writer.close()


async def run(
    port: int, requests: list[bytes], *, concurrency: int, warm: float, seconds: float,
    good: bytes = b"",
) -> Load:  # fmt: skip
    """`concurrency` connections send `requests` in turn for warm + seconds; the last
    `seconds` are measured (a request counts in the window it started in)."""
    load = Load(seconds=seconds)
    start = time.perf_counter() + warm
    window = _Window(start, start + seconds, load)
    cycle = itertools.cycle(requests)
    await asyncio.gather(*(_connection(port, cycle, window, good) for _ in range(concurrency)))
    return load


async def send_all(port: int, requests: list[bytes], *, concurrency: int, good: bytes) -> Load:
    """Sends each request once, `concurrency` at a time; the load's seconds are the total."""
    load = Load()
    queue = iter(requests)
    started = time.perf_counter()

    async def one() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for request in queue:
                sent = time.perf_counter()
                writer.write(request)
                head, body = await _answer(reader)
                load.latencies.append(time.perf_counter() - sent)
                if not (head.startswith(b"HTTP/1.1 200") and good in body):
                    load.wrong.append(body[:500])
        finally:
            writer.close()

    await asyncio.gather(*(one() for _ in range(concurrency)))
    load.seconds = time.perf_counter() - started
    return load
