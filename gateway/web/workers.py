"""Several workers: uvicorn's supervisor, and the fresh metrics directory they share.

Each worker is a new interpreter (uvicorn spawns them) that inherits this process's
environment, so setting PROMETHEUS_MULTIPROC_DIR before the first one starts puts every
worker's prometheus-client in multiprocess mode, writing to one directory per server start.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator

from prometheus_client.multiprocess import mark_process_dead
from uvicorn.supervisors import Multiprocess

from gateway.web.metrics import SHARED_DIR_VARIABLE, shared_dir


@contextlib.contextmanager
def fresh_metrics_dir() -> Iterator[str]:
    """A new, empty directory for this server's samples, named in the environment; removed after.

    Samples left from an earlier start would be summed into this one's, so no directory is
    ever reused, not even one the environment already names; TMPDIR says where it goes.
    """
    before = shared_dir()
    path = tempfile.mkdtemp(prefix="gateway-metrics-")
    os.environ[SHARED_DIR_VARIABLE] = path
    try:
        yield path
    finally:
        _restore(before)
        shutil.rmtree(path, ignore_errors=True)


def _restore(before: str | None) -> None:
    if before is None:
        os.environ.pop(SHARED_DIR_VARIABLE, None)
    else:
        os.environ[SHARED_DIR_VARIABLE] = before


class Workers(Multiprocess):
    """uvicorn's supervisor; the live gauges of a worker that is gone are removed with it.

    Its counters and histograms stay: the totals a scrape reports never go down.
    """

    def keep_subprocess_alive(self) -> None:
        self._reaping(super().keep_subprocess_alive)

    def handle_signals(self) -> None:
        # SIGHUP replaces every worker, SIGTTOU retires one.
        self._reaping(super().handle_signals)

    def _reaping(self, step: Callable[[], None]) -> None:
        before = self._pids()
        step()
        for pid in before - self._pids():
            mark_process_dead(pid)  # type: ignore[no-untyped-call]

    def _pids(self) -> set[int]:
        return {process.pid for process in self.processes if process.pid is not None}
