"""Fixtures of the catalog tests: a request clock that can be frozen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

import gateway.web.request_context
from gateway.context import Context


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """`clock(when)` makes every following request see `when` as its `now`."""
    original = gateway.web.request_context.build_context
    frozen: dict[str, datetime] = {}

    async def build_context(**kwargs: Any) -> Context:
        context = await original(**kwargs)
        if "now" in frozen:
            context.now = frozen["now"]
        return context

    # The gql fixture imports build_context at call time, so patching the module suffices.
    monkeypatch.setattr(gateway.web.request_context, "build_context", build_context)
    return lambda when: frozen.__setitem__("now", when)
