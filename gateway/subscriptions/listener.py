"""The process's one PostgreSQL LISTEN connection, reconnected whenever it is lost."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints
from sqlalchemy.engine import make_url

from gateway.subscriptions.notices import ChangeNotice, decode

log = logging.getLogger("gateway.subscriptions.listener")

# How the connection shows in pg_stat_activity, for operators (and the tests that count it).
APPLICATION_NAME = "gateway-listen"
CONNECT_TIMEOUT_S = 5.0
# A silent server (frozen, partitioned) closes no socket: ask it now and then.
CHECK_EVERY_S = 15.0
RETRY_AFTER_S = (0.1, 0.5, 1.0, 2.0, 5.0)
STARTUP_WAIT_S = 5.0


def connect_arguments(database_url: str) -> tuple[str, dict[str, Any]]:
    """asyncpg's DSN for a SQLAlchemy URL, and its `ssl` query argument as a keyword."""
    url = make_url(database_url)
    ssl = url.query.get("ssl")
    query = {k: v for k, v in url.query.items() if k != "ssl"}
    dsn = url.set(drivername="postgresql", query=query).render_as_string(hide_password=False)
    return dsn, ({"ssl": ssl} if ssl else {})


class Listener:
    """LISTENs on `channel` and hands each decoded notice to `deliver`."""

    def __init__(
        self, database_url: str, channel: str, deliver: Callable[[Iterable[ChangeNotice]], None]
    ) -> None:
        self._dsn, self._options = connect_arguments(database_url)
        self._channel = channel
        self._deliver = deliver
        self.connected = asyncio.Event()
        self.connections_made = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Starts listening; waits a little for the first connection, never fails startup."""
        self._task = asyncio.create_task(self._run(), name="gateway-listen")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.connected.wait(), STARTUP_WAIT_S)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                connection = await self._connect()
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                delay = RETRY_AFTER_S[min(failures, len(RETRY_AFTER_S) - 1)]
                log.warning("LISTEN connection failed (%r); retrying in %s s", error, delay)
                failures += 1
                await asyncio.sleep(delay)
                continue
            failures = 0
            try:
                await self._listen(connection)
            finally:
                self.connected.clear()
                connection.terminate()
            log.warning("LISTEN connection lost; reconnecting (notices meanwhile are missed)")

    async def _connect(self) -> asyncpg.Connection:
        return await asyncpg.connect(
            self._dsn,
            timeout=CONNECT_TIMEOUT_S,
            server_settings={"application_name": APPLICATION_NAME},
            **self._options,
        )

    async def _listen(self, connection: asyncpg.Connection) -> None:
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _connection: lost.set())
        await connection.add_listener(self._channel, self._notified)
        self.connections_made += 1
        self.connected.set()
        while not lost.is_set():
            try:
                await asyncio.wait_for(lost.wait(), CHECK_EVERY_S)
            except TimeoutError:
                try:
                    await connection.fetchval("SELECT 1", timeout=CONNECT_TIMEOUT_S)
                except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                    return

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            notice = decode(payload)
        except (ValueError, TypeError, KeyError):
            log.error("ignored a change notice that does not decode: %.200r", payload)
            return
        self._deliver((notice,))
