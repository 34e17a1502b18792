"""The per-process cache of each tenant's catalog index, checked against its catalog version."""

from __future__ import annotations

import gc
import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.catalog import repository
from gateway.catalog.trees import CatalogIndex, build_index


@dataclass(frozen=True, slots=True)
class _Held:
    version: int
    index: CatalogIndex


# Per database (engine), per tenant: the latest index built. One per tenant, so memory stays
# at one catalog's structure per tenant whatever the number of versions seen.
_held: weakref.WeakKeyDictionary[Any, dict[str, _Held]] = weakref.WeakKeyDictionary()


def _database(session: AsyncSession) -> Any:
    bind = session.get_bind()
    return getattr(bind, "engine", bind)


async def catalog_index(
    session: AsyncSession, *, tenant: str, current: int | None = None
) -> CatalogIndex:
    """The tenant's index as of its current catalog version; rebuilt only when that moved.

    `current`: the catalog version the request has already read; an index of that version
    is returned without a statement. Segment and assignment writes leave the catalog version
    alone: trees read assignments per request, so only the import, which writes categories,
    costs a rebuild.
    """
    held = _held.setdefault(_database(session), {})
    known = held.get(tenant)
    if known is not None and current is not None and known.version == current:
        return known.index
    version, categories = await repository.categories_unless_current(
        session, tenant=tenant, known_version=None if known is None else known.version
    )
    if categories is None and known is not None:
        return known.index
    # Requests that found the same stale copy at once: the first to get here builds it.
    latest = held.get(tenant)
    if latest is not None and latest.version == version:
        return latest.index
    index = build_index(categories or ())
    held[tenant] = _Held(version, index)
    if freeze_after_build:
        freeze_long_lived()
    return index


# Set by the app when settings.gc_freeze holds: one app serves per process there.
freeze_after_build = False


def freeze_long_lived() -> None:
    """Moves what is alive now out of the cyclic collector's reach.

    A full collection walked all of an index's 100,000 objects, a pause of 30-50 ms that
    became the p99 of every request. Garbage goes first (collect), so none is kept; what is
    frozen is still freed by reference counting when it goes, as the index has no cycles.
    """
    gc.collect()
    gc.freeze()


def forget() -> None:
    """Drops every held index (for tests and benchmarks that measure a cold start)."""
    _held.clear()
