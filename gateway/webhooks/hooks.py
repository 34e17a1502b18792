"""What the delivery worker is told and tells: the process's requests, which go first, and
its metrics."""

from __future__ import annotations

from typing import Protocol


class Observer(Protocol):
    """What the worker reports, for metrics."""

    def delivered(self, seconds_since_commit: float) -> None: ...
    def retried(self) -> None: ...
    def failed(self) -> None: ...


class Requests(Protocol):
    """The requests the process is answering (gateway/web/activity.py), which go first."""

    @property
    def busy(self) -> bool: ...
    async def until_quiet(self, at_most: float) -> None: ...


class NoRequests:
    busy = False

    async def until_quiet(self, at_most: float) -> None:
        pass


class Unobserved:
    def delivered(self, seconds_since_commit: float) -> None:
        pass

    def retried(self) -> None:
        pass

    def failed(self) -> None:
        pass
