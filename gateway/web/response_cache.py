"""Encoded answers of queries, kept per process while the tenant's data and clock allow.

An answer is a function of the tenant's data, the clock (segment and category validity),
the caller and the request. So an entry is keyed by the tenant's data version (raised in
the transaction of every write, read at the start of every request), the caller (the whole
principal: scopes, customer, legal entity), the resolved locales and the request itself
(document, variables, operation name), and it expires at the tenant's next validity
boundary. A write through any process is seen by the next request of every process, since
each request reads the version; nothing is ever served past a boundary.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from gateway.auth.principal import Principal
from gateway.catalog.repository import next_validity_boundary
from gateway.context import Context

Key = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    body: bytes
    expires: datetime | None  # None: no validity boundary ahead


@dataclass(frozen=True, slots=True)
class Horizon:
    """For one data version: no validity boundary lies in [since, until)."""

    version: int
    since: datetime
    until: datetime | None  # None: none at all after `since`

    def covers(self, version: int, now: datetime) -> bool:
        return (
            version == self.version
            and self.since <= now
            and (self.until is None or now < self.until)
        )


class ResponseCache:
    """A byte-bounded LRU of encoded responses; one per app (so per process and database)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._size = 0
        self._by_tenant: dict[str, set[Key]] = {}
        # Per tenant: the newest data version seen, and what is known of its boundaries.
        self._versions: dict[str, int] = {}
        self._horizons: dict[str, Horizon] = {}

    def key(
        self,
        *,
        tenant: str,
        version: int,
        principal: Principal,
        locales: tuple[str, ...],
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> Key | None:
        """The entry's key, or None when the request cannot be cached."""
        try:
            # Sorted keys: the same variables in another order are the same request.
            encoded = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # integers past 64 bits: rare enough to leave uncached
            return None
        return (tenant, version, principal, locales, query, encoded, operation_name)

    def get(self, key: Key, now: datetime) -> bytes | None:
        tenant, version = key[0], key[1]
        self._see(tenant, version)
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires is not None and now >= entry.expires:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry.body

    def horizon(self, tenant: str, version: int, now: datetime) -> Horizon | None:
        """What is known of the boundaries at `now`, or None if they must be read."""
        known = self._horizons.get(tenant)
        return known if known is not None and known.covers(version, now) else None

    def learn(self, tenant: str, horizon: Horizon) -> None:
        if horizon.version >= self._versions.get(tenant, horizon.version):
            self._horizons[tenant] = horizon

    def put(self, key: Key, body: bytes, horizon: Horizon) -> None:
        tenant, version = key[0], key[1]
        # Bounded per entry too: one huge answer must not push out everything else.
        if len(body) > self.max_bytes // 4 or version < self._versions.get(tenant, version):
            return
        self._see(tenant, version)
        self._drop(key)
        self._entries[key] = Entry(body, horizon.until)
        self._by_tenant.setdefault(tenant, set()).add(key)
        self._size += len(body)
        while self._size > self.max_bytes:
            self._drop(next(iter(self._entries)))

    @property
    def size(self) -> int:
        return self._size

    def _see(self, tenant: str, version: int) -> None:
        """A newer version makes every entry of the tenant useless: drop them at once."""
        if version <= self._versions.get(tenant, -1):
            return
        self._versions[tenant] = version
        for key in list(self._by_tenant.get(tenant, ())):
            self._drop(key)

    def _drop(self, key: Key) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._size -= len(entry.body)
            self._by_tenant[key[0]].discard(key)


async def answer(
    cache: ResponseCache,
    context: Context,
    *,
    query: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    produce: Callable[[], Awaitable[dict[str, Any]]],
    encode: Callable[[dict[str, Any]], bytes],
) -> tuple[bytes | dict[str, Any], bool | None]:
    """The query's encoded answer from the cache, else `produce()`d and kept if it has no
    errors (those may name the request); a body with errors comes back as a dict. Beside
    it, whether the cache had it: None when the request could not be looked up at all."""
    if context.versions is None:  # reads no data: nothing to key on, and nothing to save
        return await produce(), None
    version = context.versions[0]
    key = cache.key(
        tenant=context.tenant,
        version=version,
        principal=context.principal,
        locales=context.locales,
        query=query,
        variables=variables,
        operation_name=operation_name,
    )
    if key is None:
        return await produce(), None
    hit = cache.get(key, context.now)
    if hit is not None:
        await context.reads.close()
        return hit, True
    return await _produce(cache, key, context, version, produce, encode), False


async def _produce(
    cache: ResponseCache,
    key: Key,
    context: Context,
    version: int,
    produce: Callable[[], Awaitable[dict[str, Any]]],
    encode: Callable[[dict[str, Any]], bytes],
) -> bytes | dict[str, Any]:
    """A missed query's answer, kept until its horizon unless it has errors."""
    try:
        horizon = await _horizon(cache, context, version)
    except BaseException:
        await context.reads.close()
        raise
    body = await produce()
    if "errors" in body:
        return body
    encoded = encode(body)
    cache.put(key, encoded, horizon)
    return encoded


async def _horizon(cache: ResponseCache, context: Context, version: int) -> Horizon:
    known = cache.horizon(context.tenant, version, context.now)
    if known is not None:
        return known
    # Once per data version (and per boundary passed): on the request's read connection.
    async with context.read_session() as session:
        until = await next_validity_boundary(session, tenant=context.tenant, after=context.now)
    horizon = Horizon(version, context.now, until)
    cache.learn(context.tenant, horizon)
    return horizon
