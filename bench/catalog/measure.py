"""One timed run: wrk for throughput and latency, /proc for CPU and memory, a loop for cold reads.

CPU per request is read from /proc/<pid>/stat (utime + stime) before and after the measured wrk
run: the server's process, and PostgreSQL's backends of the benchmark database (found by their
process title, sampled every 0.2 s so backends that end during the run still count; one that
starts and ends between two samples is missed, which only the gateway's pool churn can cause).
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from bench.catalog.workloads import Request

TICKS = os.sysconf("SC_CLK_TCK")
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def backends(database: str) -> list[int]:
    """PostgreSQL backends serving `database` (their title: "postgres: ... USER DATABASE ...")."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            title = Path(entry.path, "cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and f" {database} ".encode() in title:
            found.append(int(entry.name))
    return found


class BackendCpu:
    """CPU seconds spent by the database's backends between start() and stop()."""

    def __init__(self, database: str | None) -> None:
        self.database = database
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.database:
            self.first = {pid: cpu_seconds(pid) for pid in backends(self.database)}
            self.last = dict(self.first)
            self.task = asyncio.create_task(self._sample())

    async def _sample(self) -> None:
        assert self.database
        while True:
            for pid in backends(self.database):
                self.last[pid] = cpu_seconds(pid) or self.last.get(pid, 0.0)
            await asyncio.sleep(0.2)

    async def stop(self) -> float:
        if self.task is None:
            return 0.0
        self.task.cancel()
        for pid in list(self.last):
            self.last[pid] = cpu_seconds(pid) or self.last[pid]
        return sum(cpu - self.first.get(pid, 0.0) for pid, cpu in self.last.items())


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: str


def lua_script(requests: list[Request]) -> str:
    """A wrk script sending `requests` in turn; a single one uses static fields, no Lua per call."""

    def quote(text: str) -> str:
        return "[==[" + text + "]==]"

    first = requests[0]
    lines = [f"wrk.method = {quote(first.method)}"]
    lines += [f"wrk.headers[ {quote(k)} ] = {quote(v)}" for k, v in first.headers.items()]
    if len(requests) == 1:
        if first.body is not None:
            lines.append(f"wrk.body = {quote(first.body.decode())}")
        return "\n".join(lines) + "\n"
    bodies = ",\n".join(quote((r.body or b"").decode()) for r in requests)
    lines += [
        f"local bodies = {{\n{bodies}\n}}",
        "local n = 0",
        "request = function()",
        "  n = n % #bodies + 1",
        f"  return wrk.format(nil, {quote(first.path)}, nil, bodies[n])",
        "end",
    ]
    return "\n".join(lines) + "\n"


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def parse_wrk(output: str) -> WrkResult:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = " ".join(
        m.group(0).strip()
        for m in re.finditer(r"(Non-2xx or 3xx responses: \d+|Socket errors: .*)", output)
    )
    return WrkResult(rps, p50, p99, total, errors)


def wrk_args(base: str, requests: list[Request], seconds: int, script: Path) -> list[str]:
    args = ["wrk", "-t1", "-c16", f"-d{seconds}s", "--timeout", "60s", "--latency"]
    return [*args, "-s", str(script), base + requests[0].path]


async def wrk(base: str, requests: list[Request], seconds: int, script: Path) -> WrkResult:
    script.write_text(lua_script(requests))
    args = wrk_args(base, requests, seconds, script)
    child = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output = (await child.communicate())[0].decode()
    if child.returncode != 0 or "Requests/sec" not in output:
        raise SystemExit(f"wrk failed:\n{output}")
    return parse_wrk(output)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


@dataclass
class ColdResult:
    p50_ms: float
    p99_ms: float
    samples: int


def cold_summary(timings: list[float]) -> ColdResult:
    return ColdResult(statistics.median(timings), percentile(timings, 0.99), len(timings))


def now() -> float:
    return time.perf_counter()
