"""The typed per-request context: principal, tenant, locales, fresh loaders, one read session."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.auth.principal import Principal
from gateway.localization import TenantLanguages
from gateway.settings import Settings
from gateway.store.columns import utcnow
from gateway.subscriptions.broker import Feed

L = TypeVar("L", bound="Loader[Any, Any]")
K = TypeVar("K")
V = TypeVar("V")


class SharedSession:
    """The one read session of a request: opened on first use, shared, closed at its end."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, shared: bool = True) -> None:
        self._sessions = sessions
        # A mutation must not hold a read connection while it waits for a write connection:
        # N such requests would hold the whole pool and wait on each other until its timeout.
        # Its reads take a connection each and give it back at once.
        self._shared = shared
        self._session: AsyncSession | None = None
        # Loaders of one request run concurrently; a connection runs one statement at a time.
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def use(self) -> AsyncIterator[AsyncSession]:
        if not self._shared:
            async with await _read_session(self._sessions) as session:
                yield session
            return
        async with self._lock:
            if self._session is None:
                self._session = await _read_session(self._sessions)
            yield self._session

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


async def _read_session(sessions: async_sessionmaker[AsyncSession]) -> AsyncSession:
    session = sessions()
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        # No BEGIN/ROLLBACK around reads: each statement sees what is committed when it
        # starts (as READ COMMITTED would), so a read after the request's own write sees it.
        # SQLite needs nothing: its driver begins no transaction for a SELECT.
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return session


@dataclass
class Context:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    tenant: str
    principal: Principal
    languages: TenantLanguages
    # The request-wide locale fallback order (Accept-Language, tenant default, languages).
    locales: tuple[str, ...]
    # Every read of the request shares it; writes keep their own transactions (writes.py).
    reads: SharedSession = field(repr=False)
    # The tenant's (data version, catalog version) as read at the start of the request;
    # None when the operation reads no data (see request_context.reads_data).
    versions: tuple[int, int] | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # One clock reading per request, so "active" means the same thing in every statement.
    now: datetime = field(default_factory=utcnow)
    _loaders: dict[type[Any], Any] = field(default_factory=dict, repr=False)
    # The process's change broker, for subscriptions (set by the WebSocket endpoint).
    changes: Feed | None = field(default=None, repr=False)

    def read_session(self) -> AbstractAsyncContextManager[AsyncSession]:
        """The request's read session, held by the caller alone inside the block."""
        return self.reads.use()

    def loader(self, cls: type[L]) -> L:
        """The request's instance of a loader class, created on first use."""
        found = self._loaders.get(cls)
        if found is None:
            found = self._loaders[cls] = cls(self)
        return found


class Loader(DataLoader[K, V]):
    """Base of every per-request loader: created by Context.loader(cls) with the context."""

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
