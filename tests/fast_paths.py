"""Recording which lists took a fast path (gateway/api/plain_lists.py), or forcing them off."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.api.plain_lists import PLAIN_LISTS, Unplanned
from gateway.schema import schema


def counting(
    monkeypatch: pytest.MonkeyPatch, fields: list[tuple[str, str]], *, disabled: bool
) -> list[bool]:
    """Whether each completion of `fields` ((type, field name)) took the fast path;
    `disabled` sends every one down graphql-core's own."""
    handlers = schema._schema.extensions[PLAIN_LISTS]
    taken: list[bool] = []

    def recording(original: Any) -> Any:
        def handler(*args: Any) -> Any:
            try:
                done = None if disabled else original(*args)
            except Unplanned:
                done = None
            taken.append(done is not None)
            return done

        return handler

    for field in fields:
        monkeypatch.setitem(handlers, field, recording(handlers[field]))
    return taken
