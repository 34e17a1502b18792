"""The per-process broker: publishes change notices with a write, fans them out to subscribers.

On PostgreSQL a notice travels as `NOTIFY` inside the writer's transaction, so it is
delivered on commit and never for a rollback; one LISTEN connection per process
(`listener.py`) hands every notice to the process's subscribers. On SQLite, whose writers
are in this process, notices wait in the session until it commits (dropped on rollback).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from gateway.subscriptions.listener import Listener
from gateway.subscriptions.notices import ChangeNotice, encode

log = logging.getLogger("gateway.subscriptions.broker")

CHANNEL = "gateway_changes"
DEFAULT_QUEUE_SIZE = 1000
# One statement for all of a transaction's notices, each its own NOTIFY payload.
_NOTIFY = sa.text(
    "SELECT pg_notify(:channel, payload) FROM unnest(CAST(:payloads AS text[])) AS payload"
)
_PENDING = "gateway.subscriptions.pending"
_LISTENING = "gateway.subscriptions.listening"


# The broker of each engine this process serves; weak, so a disposed engine takes its entry.
_brokers: weakref.WeakKeyDictionary[Any, Broker] = weakref.WeakKeyDictionary()


OnOverflow = Callable[[int], None]  # called with the queue size a subscriber went past


class Overflow(Exception):
    """A subscriber fell further behind than its queue holds; it is dropped, not buffered."""


class Subscriber:
    """One subscription's bounded queue of the notices of its tenant."""

    def __init__(
        self, broker: Broker, tenant: str, size: int, on_overflow: OnOverflow | None = None
    ) -> None:
        self.tenant = tenant
        self.size = size
        self.overflowed = False
        self._broker = broker
        self._on_overflow = on_overflow
        self._queue: asyncio.Queue[ChangeNotice] = asyncio.Queue(size)

    def offer(self, notice: ChangeNotice) -> None:
        if self.overflowed:
            return
        try:
            self._queue.put_nowait(notice)
        except asyncio.QueueFull:
            # Dropped rather than buffered: a slow client must not grow this process's memory.
            self.overflowed = True
            self._queue = asyncio.Queue(1)
            self._broker.unsubscribe(self)
            if self._on_overflow is not None:
                # At once: its reader may be stuck sending to a client that does not read.
                self._on_overflow(self.size)

    async def next(self) -> ChangeNotice:
        """The next notice; Overflow once the subscriber has fallen too far behind."""
        if self.overflowed:
            raise Overflow(f"more than {self.size} change events were waiting")
        notice = await self._queue.get()
        if self.overflowed:
            raise Overflow(f"more than {self.size} change events were waiting")
        return notice

    @property
    def waiting(self) -> int:
        """Notices delivered to this subscriber and not yet read."""
        return self._queue.qsize()

    def close(self) -> None:
        self._broker.unsubscribe(self)


class Feed:
    """The broker as one connection sees it: its subscribers tell it when they fall behind."""

    def __init__(self, broker: Broker, on_overflow: OnOverflow) -> None:
        self._broker = broker
        self._on_overflow = on_overflow

    def subscribe(self, tenant: str) -> Subscriber:
        return self._broker.subscribe(tenant, self._on_overflow)


class Broker:
    """Subscribers of this process by tenant; on PostgreSQL, its one listening connection."""

    def __init__(self, queue_size: int = DEFAULT_QUEUE_SIZE) -> None:
        self.queue_size = queue_size
        self._subscribers: defaultdict[str, set[Subscriber]] = defaultdict(set)
        self._listener: Listener | None = None
        # Told of every commit of every tenant (the webhook delivery worker's wake-up).
        self._watchers: list[Callable[[], None]] = []

    def watch(self, on_commit: Callable[[], None]) -> None:
        """Calls `on_commit()` whenever committed notices arrive, whatever their tenant."""
        self._watchers.append(on_commit)

    def subscribe(self, tenant: str, on_overflow: OnOverflow | None = None) -> Subscriber:
        subscriber = Subscriber(self, tenant, self.queue_size, on_overflow)
        self._subscribers[tenant].add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        found = self._subscribers.get(subscriber.tenant)
        if found is not None:
            found.discard(subscriber)
            if not found:
                del self._subscribers[subscriber.tenant]

    @property
    def subscriber_count(self) -> int:
        return sum(len(found) for found in self._subscribers.values())

    def deliver(self, notices: Iterable[ChangeNotice]) -> None:
        """Hands committed notices to every subscriber of their tenant in this process."""
        notices = list(notices)
        if notices:
            for on_commit in self._watchers:
                on_commit()
        for notice in notices:
            for subscriber in list(self._subscribers.get(notice.tenant, ())):
                subscriber.offer(notice)

    def attach(self, engine: AsyncEngine) -> None:
        """Makes this the broker `publish_in` finds for sessions of `engine` (SQLite's)."""
        _brokers[engine.sync_engine] = self

    async def publish_in(self, session: AsyncSession, notices: Sequence[ChangeNotice]) -> None:
        """Publishes `notices` when the session's current transaction commits, never before."""
        if not notices:
            return
        if session.get_bind().dialect.name == "postgresql":
            payloads = [encode(notice) for notice in notices]
            await session.execute(_NOTIFY, {"channel": CHANNEL, "payloads": payloads})
            return
        self._hold_until_commit(session, notices)

    def _hold_until_commit(self, session: AsyncSession, notices: Sequence[ChangeNotice]) -> None:
        sync = session.sync_session
        if not sync.info.get(_LISTENING):
            sync.info[_LISTENING] = True
            event.listen(sync, "after_commit", self._committed)
            event.listen(sync, "after_rollback", _rolled_back)
        sync.info.setdefault(_PENDING, []).extend(notices)

    def _committed(self, sync: Any) -> None:
        self.deliver(sync.info.pop(_PENDING, ()))

    async def start(self, database_url: str) -> None:
        """Opens the process's LISTEN connection on PostgreSQL; nothing to do on SQLite."""
        if database_url.startswith("postgresql"):
            self._listener = Listener(database_url, CHANNEL, self.deliver)
            await self._listener.start()

    async def stop(self) -> None:
        if self._listener is not None:
            await self._listener.stop()
            self._listener = None

    @property
    def listener(self) -> Listener | None:
        return self._listener


async def publish_in(session: AsyncSession, notices: Sequence[ChangeNotice]) -> None:
    """What the outbox calls inside each write transaction, with that transaction's session.

    On PostgreSQL the notices go out on commit to every process's subscribers; on SQLite to
    the broker of this process's engine (none, as in `gateway import`: nobody to tell)."""
    if session.get_bind().dialect.name == "postgresql":
        await _NOTIFIER.publish_in(session, notices)
        return
    broker = _brokers.get(session.get_bind())
    if broker is not None:
        await broker.publish_in(session, notices)


def _rolled_back(sync: Any) -> None:
    sync.info.pop(_PENDING, None)


# NOTIFY needs no subscribers of this process: any broker's statement does.
_NOTIFIER = Broker()
