"""A webhook receiver for the bench, in its own process: raw asyncio HTTP/1.1, 200 at once.

    python -m bench.events.receiver PORT

Every POST is answered 200 with an empty body as soon as it has been read; its path (one
per subscription) and `webhook-id` are counted, and so is each connection that carried
one, since a sender that reuses its connections opens few. Any GET answers the counts as
JSON, `POST /reset` forgets them. No framework, so the receiver costs the machine as little
as possible and a delivery's figures are the gateway's, not the receiver's.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field

import orjson

OK = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"


@dataclass
class Counts:
    received: int = 0
    connections: int = 0
    unique: set[tuple[bytes, bytes]] = field(default_factory=set)

    def json(self) -> bytes:
        shown = {"received": self.received, "unique": len(self.unique)}
        return orjson.dumps(shown | {"connections": self.connections})


counts = Counts()


def _answer(body: bytes) -> bytes:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n"
    return head % len(body) + body


def _headers(head: bytes) -> tuple[bytes, dict[bytes, bytes]]:
    first, *lines = head.split(b"\r\n")
    fields = {}
    for line in lines:
        name, _, value = line.partition(b":")
        fields[name.strip().lower()] = value.strip()
    return first, fields


async def _connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    global counts
    hooks = 0
    try:
        while True:
            first, fields = _headers((await reader.readuntil(b"\r\n\r\n"))[:-4])
            await reader.readexactly(int(fields.get(b"content-length", b"0")))
            if first.startswith(b"GET "):
                writer.write(_answer(counts.json()))
            elif first.startswith(b"POST /reset"):
                counts = Counts()
                writer.write(_answer(b"{}"))
            else:
                hooks += 1
                counts.received += 1
                counts.connections += hooks == 1
                counts.unique.add((first.split(b" ")[1], fields.get(b"webhook-id", b"")))
                writer.write(OK)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(port: int) -> None:
    server = await asyncio.start_server(_connection, "127.0.0.1", port, backlog=512)
    print(f"receiving on 127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
