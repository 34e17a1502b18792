"""The servers under test, started one at a time: the gateway (PostgreSQL and SQLite), B0, PG5."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.catalog import postgraphile
from bench.catalog.load import child_env
from bench.catalog.workloads import B0, GATEWAY, PG5


@dataclass
class ServerSpec:
    label: str
    kind: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path | None = None
    database: str = "postgresql"


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


def gateway_spec(label: str, database_url: str, port: int) -> ServerSpec:
    env = child_env(database_url) | {"GATEWAY_GRAPHIQL": "false"}
    argv = [sys.executable, "-m", "gateway", "serve", "--port", str(port)]
    database = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    return ServerSpec(label, GATEWAY, argv, env, database=database)


def b0_spec(dsn: str, port: int) -> ServerSpec:
    argv = [sys.executable, "-m", "bench.catalog.baseline", "--port", str(port), "--dsn", dsn]
    return ServerSpec("B0", B0, argv, child_env(""))


def pg5_spec(dsn: str, port: int) -> ServerSpec:
    argv, env, cwd = postgraphile.command(dsn, port)
    return ServerSpec("PG5", PG5, argv, env, cwd)


async def start(spec: ServerSpec, port: int, logs: Path) -> Running:
    """Starts the server and waits until it answers HTTP (up to two minutes)."""
    log = logs / f"{spec.label.replace(' ', '_').replace('(', '').replace(')', '')}-{port}.log"
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
                return running
            except httpx.TransportError:
                await asyncio.sleep(0.3)
    stop(running)
    raise SystemExit(f"{spec.label} did not answer on port {port} within 120 s")


def stop(running: Running) -> None:
    """Ends the one process this harness started, by its pid."""
    if running.process.poll() is None:
        os.kill(running.pid, signal.SIGTERM)
        try:
            running.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.kill(running.pid, signal.SIGKILL)
            running.process.wait()
