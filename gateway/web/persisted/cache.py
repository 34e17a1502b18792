"""An LRU of persisted documents per process, bounded by the characters it holds."""

from __future__ import annotations

from collections import OrderedDict

# A hash names one document forever, so a cached entry is never stale.
MAX_CACHED_CHARS = 8 * 1024 * 1024


class DocumentCache:
    def __init__(self, max_chars: int = MAX_CACHED_CHARS) -> None:
        self._entries: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._chars = 0
        self._max_chars = max_chars

    def get(self, tenant: str, sha256: str) -> str | None:
        document = self._entries.get((tenant, sha256))
        if document is not None:
            self._entries.move_to_end((tenant, sha256))
        return document

    def put(self, tenant: str, sha256: str, document: str) -> None:
        if len(document) > self._max_chars or (tenant, sha256) in self._entries:
            return
        self._entries[(tenant, sha256)] = document
        self._chars += len(document)
        while self._chars > self._max_chars:
            _, evicted = self._entries.popitem(last=False)
            self._chars -= len(evicted)
