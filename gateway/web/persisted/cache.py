"""An LRU of persisted documents per process, bounded by the characters it holds."""

from __future__ import annotations

from cachetools import LRUCache

# A hash names one document forever, so a cached entry is never stale.
MAX_CACHED_CHARS = 8 * 1024 * 1024


class DocumentCache:
    """cachetools' LRU, sized by the documents' lengths; one too large is not kept."""

    def __init__(self, max_chars: int = MAX_CACHED_CHARS) -> None:
        self._entries: LRUCache[tuple[str, str], str] = LRUCache(max_chars, getsizeof=len)

    def get(self, tenant: str, sha256: str) -> str | None:
        return self._entries.get((tenant, sha256))

    def put(self, tenant: str, sha256: str, document: str) -> None:
        if len(document) <= self._entries.maxsize:
            self._entries[(tenant, sha256)] = document
