"""Shared by tests/api: the recording schema of limits_schema starts each test with no calls."""

import pytest

from tests.api.limits_schema import RESOLVED


@pytest.fixture(autouse=True)
def _no_resolver_calls_yet() -> None:
    RESOLVED.clear()
