"""Fixtures of the query-language tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.query_language.pages import segment_row


@pytest.fixture
async def many(seed: Any) -> None:
    await seed.add(*(segment_row(seed, index) for index in range(23)))
