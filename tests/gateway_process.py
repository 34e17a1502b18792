"""`gateway serve` as a subprocess, for tests about the server itself: stalls, connections."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.auth import scopes
from gateway.auth.tokens import mint_token
from gateway.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SECRET = "process-test-secret-0123456789abcdefgh"
SMALL_QUERY = "{ segments { items { id } } }"


@dataclass
class GatewayProcess:
    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def token(self, tenant: str = "demo", scope: tuple[str, ...] = (scopes.READ,)) -> str:
        settings = Settings(jwt_secret=SECRET)
        return mint_token(settings, tenant=tenant, scopes=scope, ttl_seconds=3600)

    def query(
        self, query: str = SMALL_QUERY, *, timeout: float = 30, **kwargs: Any
    ) -> httpx.Response:
        return httpx.post(
            f"{self.base}/demo/graphql",
            json={"query": query},
            headers={"Authorization": f"Bearer {self.token()}"},
            timeout=timeout,
            **kwargs,
        )

    def healthz(self, timeout: float = 1) -> httpx.Response:
        return httpx.get(f"{self.base}/healthz", timeout=timeout)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def environment(**overrides: str) -> dict[str, str]:
    """The test's environment without GATEWAY_ variables, this checkout on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
    env.update(PYTHONPATH=str(ROOT), GATEWAY_JWT_SECRET=SECRET, GATEWAY_GRAPHIQL="0")
    env.update(overrides)
    return env


def migrate(env: Mapping[str, str], cwd: Path) -> None:
    command = [sys.executable, "-m", "gateway", "migrate"]
    subprocess.run(command, env=dict(env), cwd=cwd, check=True, capture_output=True, timeout=120)


@contextlib.contextmanager
def serving(
    port: int, env: Mapping[str, str], cwd: Path, *arguments: str, **popen: Any
) -> Iterator[GatewayProcess]:
    """`python -m gateway serve` on `port`, healthy; terminated afterwards.

    Its stdout and stderr both go to `log` unless `popen` says where stderr goes."""
    log = cwd / f"gateway-{port}.log"
    command = [sys.executable, "-m", "gateway", "serve", "--port", str(port), *arguments]
    with log.open("wb") as output:
        streams = {"stdout": output, "stderr": subprocess.STDOUT, **popen}
        process = subprocess.Popen(command, env=dict(env), cwd=cwd, **streams)
    gateway = GatewayProcess(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_until_healthy(gateway, seconds=60)
        yield gateway
    finally:
        stop_process(process)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, and SIGKILL if it has not exited within 30 s."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _wait_until_healthy(gateway: GatewayProcess, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if gateway.process.poll() is not None:
            pytest.fail(f"gateway serve exited early:\n{gateway.output()}")
        with contextlib.suppress(httpx.TransportError):
            if gateway.healthz().status_code == 200:
                return
        time.sleep(0.1)
    pytest.fail(f"gateway serve did not become healthy:\n{gateway.output()}")
