"""The typed per-request context: principal, tenant, locales, fresh loaders."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from aiodataloader import DataLoader
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.auth.principal import Principal
from gateway.database import utcnow
from gateway.localization import TenantLanguages
from gateway.settings import Settings

L = TypeVar("L", bound="Loader[Any, Any]")
K = TypeVar("K")
V = TypeVar("V")


@dataclass
class Context:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    tenant: str
    principal: Principal
    languages: TenantLanguages
    # The request-wide locale fallback order (Accept-Language, tenant default, languages).
    locales: tuple[str, ...]
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # One clock reading per request, so "active" means the same thing in every statement.
    now: datetime = field(default_factory=utcnow)
    _loaders: dict[type[Any], Any] = field(default_factory=dict, repr=False)

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
