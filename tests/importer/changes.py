"""Changes that break a valid catalog file in one place, for the validation tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Doc = Any  # a broken file need not even be an object
ID_RULE = "must be 1 to 256 characters, without control characters or surrounding whitespace"


def _set(path: str, value: Any) -> Callable[[Doc], Doc]:
    """A change at a path like `categories.2.parentId`; the value None deletes the key."""

    def change(doc: Doc) -> Doc:
        *parents, last = path.split(".")
        target: Any = doc
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if value is None and not isinstance(target, list):
            target.pop(last, None)
        else:
            target[int(last) if isinstance(target, list) else last] = value
        return doc

    return change


def _append(key: str, entry: Any) -> Callable[[Doc], Doc]:
    def change(doc: Doc) -> Doc:
        doc[key].append(entry)
        return doc

    return change
