"""A delivery worker and a loopback receiver for each test, on the test's database."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import pytest

from gateway.settings import Delivery, Settings
from gateway.webhooks.worker import DeliveryWorker
from tests.conftest import GraphQL
from tests.webhooks.receiver import Receiver, free_port, serving

# Short enough for a test to see every attempt; the real schedule is minutes and hours.
SCHEDULE = (0.1, 0.1, 0.1)


@pytest.fixture
def loopback_settings(db: Any) -> Settings:
    """Loopback http targets allowed, as a test's receiver needs, and a fast schedule."""
    return Settings(
        database_url=db.url,
        webhook_allow_http=True,
        webhook_allow_private=True,
        delivery=Delivery(retry_schedule=SCHEDULE, lease_seconds=5.0),
    )


@pytest.fixture
def hooks_gql(db: Any, loopback_settings: Settings) -> GraphQL:
    return GraphQL(db, loopback_settings)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with serving(Receiver(free_port())) as started:
        yield started


@pytest.fixture
async def worker(db: Any, loopback_settings: Settings) -> AsyncIterator[Callable[..., Any]]:
    """Starts a DeliveryWorker (at most a few per test); each stops when the test ends."""
    tasks: list[asyncio.Task[None]] = []

    def start(settings: Settings | None = None, **options: Any) -> DeliveryWorker:
        chosen = settings or loopback_settings
        options.setdefault("poll_seconds", 0.05)
        started = DeliveryWorker(db.sessions, chosen, **options)
        tasks.append(asyncio.create_task(started.run()))
        return started

    yield start
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def with_schedule(settings: Settings, *steps: float) -> Settings:
    return replace(settings, delivery=replace(settings.delivery, retry_schedule=steps))
