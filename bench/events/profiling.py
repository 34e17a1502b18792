"""Part 3: where a delivering process spends its CPU, sampled by py-spy.

py-spy is not a dependency of the project: the bench uses the one GATEWAY_BENCH_PYSPY names,
else one on PATH, else skips the profile. Its raw output (one collapsed stack per line, with
its sample count) is summed here per function: self (the sampled frame itself) and
inclusive (anywhere on the stack).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

RATE = 100
# Frames of the process's start and event loop, on every stack: not a cost of their own.
_ALWAYS = re.compile(r"runpy|gateway/__main__|gateway/cli|web/server|uvicorn/|asyncio/runners")


def py_spy() -> str | None:
    return os.environ.get("GATEWAY_BENCH_PYSPY") or shutil.which("py-spy")


async def record(pid: int, out: Path) -> asyncio.subprocess.Process:
    """py-spy sampling `pid` until finish(); on-CPU samples only (py-spy's default)."""
    command = py_spy()
    assert command is not None
    args = ["record", "-p", str(pid), "-r", str(RATE), "-f", "raw", "-o", str(out)]
    return await asyncio.create_subprocess_exec(
        command, *args, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )


async def finish(spy: asyncio.subprocess.Process) -> None:
    """Ctrl-C, as py-spy expects: it writes its file and exits."""
    spy.send_signal(signal.SIGINT)
    await spy.wait()


@dataclass
class Profile:
    samples: int
    own: list[tuple[str, float]]  # share of samples, the frame itself
    within: list[tuple[str, float]]  # share of samples, anywhere on the stack


def _frame(text: str) -> str:
    """`function (path:line)` without the line: one entry per function."""
    return re.sub(r":\d+\)$", ")", text.strip())


def summarize(path: Path, top: int = 15) -> Profile:
    own: Counter[str] = Counter()
    within: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        samples = int(count)
        frames = [_frame(f) for f in stack.split(";")]
        total += samples
        own[frames[-1]] += samples
        for frame in set(frames):
            if not _ALWAYS.search(frame):
                within[frame] += samples

    def share(counter: Counter[str]) -> list[tuple[str, float]]:
        return [(name, n / max(total, 1)) for name, n in counter.most_common(top)]

    return Profile(total, share(own), share(within))
