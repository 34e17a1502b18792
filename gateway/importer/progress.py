"""What `gateway import` shows on a terminal while it runs: the phase, the records read so
far and how many per second, on one line rewritten in place."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

EVERY_SECONDS = 0.5  # a line more often than this is flicker, not news
WIDTH = 72  # each line is padded to this, so a shorter one hides the longer one before


class TerminalProgress:
    """An import's progress callback writing to a terminal; a new line once all is read."""

    def __init__(self, out: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self.out, self.clock = out, clock
        self.start = clock()
        self.shown: float | None = None  # when the last line was written

    def __call__(self, phase: str, records: int) -> None:
        now = self.clock()
        last = phase == "writing"
        if self.shown is not None and now - self.shown < EVERY_SECONDS and not last:
            return
        self.shown = now
        rate = records / max(now - self.start, 1e-3)
        line = f"{phase}: {records:,} records read, {rate:,.0f} records/s"
        self.out.write(f"\r{line:<{WIDTH}}" + ("\n" if last else ""))
        self.out.flush()
