"""The servers under test, started one at a time: the gateway (PostgreSQL and SQLite), B0, PG5."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.catalog import postgraphile
from bench.catalog.load import child_env, shown
from bench.catalog.workloads import B0, GATEWAY, PG5


@dataclass
class ServerSpec:
    label: str
    kind: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path | None = None
    database: str = "postgresql"
    workers: int = 1
    # The workloads it runs (None: all of its kind), and whether the cold loop follows.
    only: frozenset[str] | None = None
    cold: bool = True

    def command(self) -> str:
        """How to start it by hand: what it sets beyond this environment, and its argv."""
        env = {k: v for k, v in self.env.items() if os.environ.get(k) != v}
        return (f"cd {self.cwd} && " if self.cwd else "") + shown(self.argv, env)


@dataclass
class Running:
    spec: ServerSpec
    port: int
    process: subprocess.Popen[bytes]
    log: Path = field(default_factory=Path)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        """The processes that serve requests: uvicorn's worker children, else the server."""
        if self.spec.workers == 1:
            return [self.pid]
        return [pid for pid in _children(self.pid) if b"spawn_main" in _cmdline(pid)]

    def processes(self) -> list[int]:
        """The server and every process under it (a supervisor's workers)."""
        return [self.pid, *_children(self.pid)]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _children(pid: int) -> list[int]:
    """Every process below `pid`, from /proc/<pid>/task/*/children."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            kids = [int(k) for k in task.read_text().split()]
        except OSError:
            continue
        for kid in kids:
            found += [kid, *_children(kid)]
    return found


def gateway_spec(label: str, database_url: str, port: int, workers: int = 1) -> ServerSpec:
    env = child_env(database_url) | {"GATEWAY_GRAPHIQL": "false"}
    argv = [sys.executable, "-m", "gateway", "serve", "--port", str(port)]
    if workers > 1:
        argv += ["--workers", str(workers)]
    database = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    return ServerSpec(label, GATEWAY, argv, env, database=database, workers=workers)


def b0_spec(dsn: str, port: int) -> ServerSpec:
    argv = [sys.executable, "-m", "bench.catalog.baseline", "--port", str(port), "--dsn", dsn]
    return ServerSpec("B0", B0, argv, child_env(""))


def pg5_spec(dsn: str, port: int) -> ServerSpec:
    argv, env, cwd = postgraphile.command(dsn, port)
    return ServerSpec("PG5", PG5, argv, env, cwd)


async def start(spec: ServerSpec, port: int, logs: Path) -> Running:
    """Starts the server and waits until it answers HTTP and every worker is up (two minutes)."""
    log = logs / f"{re.sub(r'[^A-Za-z0-9]+', '_', spec.label).strip('_')}-{port}.log"
    process = subprocess.Popen(
        spec.argv, env=spec.env, cwd=spec.cwd, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    running = Running(spec, port, process, log)
    deadline = time.monotonic() + 120
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"{spec.label} exited at start:\n{log.read_text()[-3000:]}")
            try:
                await client.get(running.base + "/", timeout=2)
                if _started(log) >= spec.workers:
                    return running
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.3)
    stop(running)
    raise SystemExit(f"{spec.label} did not answer on port {port} within 120 s")


def _started(log: Path) -> int:
    """Processes that finished starting, by uvicorn's line (one per worker); 1 for non-uvicorn."""
    text = log.read_bytes()
    return text.count(b"Application startup complete.") if b"Uvicorn" in text else 1


def stop(running: Running) -> None:
    """Ends the process this harness started, by its pid, and any worker it left behind."""
    below = _children(running.pid)
    if running.process.poll() is None:
        os.kill(running.pid, signal.SIGTERM)
        try:
            running.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.kill(running.pid, signal.SIGKILL)
            running.process.wait()
    for pid in below:  # workers a killed supervisor left behind
        if b"spawn_main" in _cmdline(pid):
            os.kill(pid, signal.SIGKILL)
