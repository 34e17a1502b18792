"""Counting SQL statements at the wire: a TCP proxy in front of PostgreSQL.

pg_stat_statements needs shared_preload_libraries, so a server restart we may not do. Instead,
for a short counting run, a server under test connects through this proxy, which reads the
client's side of the PostgreSQL protocol: each simple Query ('Q', split on ';') and each Execute
('E', whose portal names the statement parsed before) counts once. Transaction control (BEGIN,
COMMIT, ROLLBACK, SET ...) is counted apart from the statements that touch data. The same proxy
serves the gateway, B0 and PG5, so their counts are comparable. Timed runs bypass it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

CONTROL = {"BEGIN", "COMMIT", "ROLLBACK", "START", "SAVEPOINT", "RELEASE", "SET", "RESET",
           "DISCARD", "DEALLOCATE", "CLOSE", "END"}  # fmt: skip
SSL_OR_GSS_OR_CANCEL = {80877103, 80877104, 80877102}


@dataclass
class Counts:
    data: int = 0
    control: int = 0

    def add(self, text: str) -> None:
        words = text.split(None, 1)
        if not words:
            return
        if words[0].upper().rstrip(";") in CONTROL:
            self.control += 1
        else:
            self.data += 1


class _Parser:
    """The client-to-server messages of one connection; statements land in `counts`."""

    def __init__(self, counts: Counts) -> None:
        self.counts, self.buffer, self.startup = counts, b"", True
        self.statements: dict[bytes, bytes] = {}
        self.portals: dict[bytes, bytes] = {}

    def feed(self, data: bytes) -> None:
        self.buffer += data
        while self._one():
            pass

    def _one(self) -> bool:
        if self.startup:  # startup messages carry no type byte
            if len(self.buffer) < 8:
                return False
            size = int.from_bytes(self.buffer[:4], "big")
            if len(self.buffer) < size:
                return False
            code = int.from_bytes(self.buffer[4:8], "big")
            self.startup = code in SSL_OR_GSS_OR_CANCEL
            self.buffer = self.buffer[size:]
            return True
        if len(self.buffer) < 5:
            return False
        size = int.from_bytes(self.buffer[1:5], "big")
        if len(self.buffer) < 1 + size:
            return False
        kind, payload = self.buffer[:1], self.buffer[5 : 1 + size]
        self.buffer = self.buffer[1 + size :]
        self._message(kind, payload)
        return True

    def _message(self, kind: bytes, payload: bytes) -> None:
        if kind == b"Q":
            for part in payload.rstrip(b"\0").decode(errors="replace").split(";"):
                self.counts.add(part)
        elif kind == b"P":
            name, rest = payload.split(b"\0", 1)
            self.statements[name] = rest.split(b"\0", 1)[0]
        elif kind == b"B":
            portal, rest = payload.split(b"\0", 1)
            self.portals[portal] = rest.split(b"\0", 1)[0]
        elif kind == b"E":
            portal = payload.split(b"\0", 1)[0]
            text = self.statements.get(self.portals.get(portal, b""), b"")
            self.counts.add(text.decode(errors="replace") or "?")


class Proxy:
    """Listens on `port`, forwards to PostgreSQL at host:target, counts into `counts`."""

    def __init__(self, port: int, host: str, target: int) -> None:
        self.port, self.host, self.target = port, host, target
        self.counts = Counts()
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()

    def reset(self) -> None:
        self.counts.data = self.counts.control = 0

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(self.host, self.target)
        parser = _Parser(self.counts)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, watch: bool) -> None:
            try:
                while data := await src.read(65536):
                    if watch:
                        parser.feed(data)
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, asyncio.IncompleteReadError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pipe(reader, up_writer, True), pipe(up_reader, writer, False))
