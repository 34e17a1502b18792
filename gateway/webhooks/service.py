"""`gateway deliver`: the delivery worker alone, for operators who run it apart from serve."""

from __future__ import annotations

import asyncio
import signal

from gateway.settings import Settings
from gateway.store.database import create_engine, session_factory
from gateway.subscriptions.broker import Broker
from gateway.webhooks.worker import DeliveryWorker

# The worker's statements are few and short: claims, a line's reads, outcomes.
POOL_SIZE = 4


async def deliver_forever(settings: Settings) -> None:
    """Sends webhooks until SIGINT or SIGTERM; woken by commits on PostgreSQL (LISTEN)."""
    engine = create_engine(settings.database_url, pool_size=POOL_SIZE)
    broker = Broker()
    worker = DeliveryWorker(session_factory(engine), settings)
    broker.watch(worker.wake)
    running = asyncio.create_task(worker.run(), name="webhook delivery")
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, running.cancel)
    try:
        await broker.start(settings.database_url)
        await running
    except asyncio.CancelledError:
        pass
    finally:
        running.cancel()
        await broker.stop()
        await engine.dispose()
