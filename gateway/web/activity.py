"""The GraphQL requests this process is answering now, for work that should give way to them.

The webhook delivery worker shares the process's event loop and core: while requests are in
flight it sends one delivery at a time, each after a gap between requests or a short wait
(gateway/webhooks/worker.py), so a backlog of deliveries does not queue in front of them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator


class RequestsInFlight:
    def __init__(self) -> None:
        self.count = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    @contextlib.contextmanager
    def one(self) -> Iterator[None]:
        """Counts a request while the block runs."""
        self.count += 1
        self._quiet.clear()
        try:
            yield
        finally:
            self.count -= 1
            if not self.count:
                self._quiet.set()

    @property
    def busy(self) -> bool:
        return self.count > 0

    async def until_quiet(self, at_most: float) -> None:
        """Returns when no request is in flight, or after `at_most` seconds."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(at_most):
                await self._quiet.wait()
