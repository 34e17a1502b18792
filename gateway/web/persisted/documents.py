"""Where a hash becomes a document: the trusted manifest, else the tenant's stored ones."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from gateway.api.execution import Prepared
from gateway.settings import Settings
from gateway.store.availability import within_deadline
from gateway.store.writes import write
from gateway.web.persisted import repository
from gateway.web.persisted.cache import DocumentCache
from gateway.web.persisted.protocol import Reference, not_found, reference_of, required
from gateway.web.persisted.trusted import load_manifest
from gateway.web.request_context import is_introspection_only
from gateway.web.request_params import Params

log = logging.getLogger("gateway.web.persisted")
Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class Lookup:
    """The request's parameters with its document in place, and what is left to check."""

    params: Params
    # Set when the request registers its document (APQ: the hash sent with the document).
    register: str | None = None
    # A document sent as text in trusted mode: it may run only if it is introspection.
    untrusted: bool = False


class PersistedDocuments:
    def __init__(self, settings: Settings, trusted: Mapping[str, str] | None = None) -> None:
        self._settings = settings
        self._trusted = trusted
        self._cache = DocumentCache()

    async def resolve(self, params: Params, tenant: str, sessions: Sessions) -> Lookup:
        """The document the request names, found; RequestError when there is none to run."""
        reference = reference_of(params)
        if self._trusted is not None:
            return self._trusted_lookup(params, reference)
        if reference is None:
            return Lookup(params)
        if reference.sent is not None:
            known = self._cache.get(tenant, reference.sha256) is not None
            return Lookup(params, None if known else reference.sha256)
        document = await self._find(tenant, reference.sha256, sessions)
        if document is None:
            raise not_found()
        return Lookup(replace(params, query=document))

    def _trusted_lookup(self, params: Params, reference: Reference | None) -> Lookup:
        assert self._trusted is not None
        if reference is None:
            # Introspection may be turned on for tools; everything else needs the manifest.
            if not self._settings.introspection:
                raise required()
            return Lookup(params, untrusted=True)
        document = self._trusted.get(reference.sha256)
        if document is None:
            raise not_found() if reference.sent is None else required()
        return Lookup(replace(params, query=document))

    async def settle(
        self, lookup: Lookup, prepared: Prepared, tenant: str, sessions: Sessions, *, register: bool
    ) -> None:
        """After validation: refuses untrusted documents, stores a valid one registered."""
        if lookup.untrusted and not is_introspection_only(prepared.operation):
            raise required()
        if register and lookup.register is not None and self._settings.persisted_queries_max > 0:
            document = lookup.params.query
            await self._store(tenant, lookup.register, document, sessions)

    async def _find(self, tenant: str, sha256: str, sessions: Sessions) -> str | None:
        document = self._cache.get(tenant, sha256)
        if document is None:
            document = await within_deadline(
                self._read(tenant, sha256, sessions), self._settings.request_timeout_seconds
            )
            if document is not None:
                self._cache.put(tenant, sha256, document)
        return document

    async def _read(self, tenant: str, sha256: str, sessions: Sessions) -> str | None:
        async with sessions() as session:
            return await repository.find_document(session, tenant=tenant, sha256=sha256)

    async def _store(self, tenant: str, sha256: str, document: str, sessions: Sessions) -> None:
        limit = self._settings.persisted_queries_max

        async def insert(session: AsyncSession) -> bool:
            return await repository.store_document(
                session, tenant=tenant, sha256=sha256, document=document, limit=limit
            )

        work = write(sessions, insert, tenant=tenant, raise_version=False)
        stored = await within_deadline(work, self._settings.request_timeout_seconds)
        if stored or await self._find(tenant, sha256, sessions) is not None:
            self._cache.put(tenant, sha256, document)
            return
        log.warning("tenant %s holds %d persisted documents, the limit: not stored", tenant, limit)


def persisted_documents(settings: Settings) -> PersistedDocuments:
    """The app's documents; with GATEWAY_TRUSTED_DOCUMENTS, ValueError for a bad manifest."""
    file = settings.trusted_documents
    return PersistedDocuments(settings, None if file is None else load_manifest(file))
