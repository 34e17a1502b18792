"""`/metrics` of `gateway serve --workers 2`: one coherent count, whichever worker answers.

Each test runs a real server on SQLite, with a TMPDIR of its own, where the server makes the
directory its workers share, so a test can see which workers wrote samples.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.gateway_process import GatewayProcess, environment, serving
from tests.web.live import free_port

REQUESTS = "gateway_graphql_requests"
SCRAPES = 8

Start = Callable[..., GatewayProcess]


@pytest.fixture
def metrics_home(tmp_path: Path) -> Path:
    home = tmp_path / "tmp"
    home.mkdir()
    return home


@pytest.fixture
def start(tmp_path: Path, metrics_home: Path) -> Iterator[Start]:
    """Starts `gateway serve` on SQLite with the given arguments; stops it afterwards."""
    database = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    env = environment(GATEWAY_DATABASE_URL=database, TMPDIR=str(metrics_home))
    with ExitStack() as stack:

        def run(*arguments: str, started: int = 1, until: ExitStack = stack) -> GatewayProcess:
            gateway = until.enter_context(serving(free_port(), env, tmp_path, *arguments))
            wait_for_startups(gateway, started)
            return gateway

        yield run


def wait_for_startups(gateway: GatewayProcess, count: int) -> None:
    """Until `count` workers have logged their startup, so every one of them can answer."""
    deadline = time.monotonic() + 60
    while gateway.output().count("Application startup complete") < count:
        assert time.monotonic() < deadline, gateway.output()
        time.sleep(0.1)


def send_queries(gateway: GatewayProcess, count: int) -> None:
    """`count` queries, several at a time, so that both workers answer some."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: gateway.query(), range(count)))
    assert {answer.status_code for answer in answers} == {200}


def requests_total(gateway: GatewayProcess) -> float:
    """The requests counted in one scrape, over every label (on a new connection each time)."""
    response = httpx.get(f"{gateway.base}/metrics", timeout=10)
    assert response.status_code == 200
    families = text_string_to_metric_families(response.text)
    family = next((family for family in families if family.name == REQUESTS), None)
    if family is None:
        return 0
    return sum(sample.value for sample in family.samples if sample.name == f"{REQUESTS}_total")


def scrapes(gateway: GatewayProcess) -> list[float]:
    return [requests_total(gateway) for _ in range(SCRAPES)]


def worker_pids(metrics_home: Path) -> set[int]:
    """The processes that counted requests: prometheus-client names its files by pid."""
    files = metrics_home.glob("gateway-metrics-*/counter_*.db")
    return {int(file.stem.removeprefix("counter_")) for file in files}


def test_every_scrape_of_two_workers_reports_every_request(start: Start, metrics_home: Path):
    # given
    gateway = start("--workers", "2", started=2)
    send_queries(gateway, 40)
    assert len(worker_pids(metrics_home)) == 2  # both workers answered queries
    # when, then: whichever worker answers the scrape
    assert scrapes(gateway) == [40] * SCRAPES


def test_scrapes_of_two_workers_grow_by_exactly_the_requests_between_them(start: Start):
    # given
    gateway = start("--workers", "2", started=2)
    send_queries(gateway, 25)
    assert scrapes(gateway) == [25] * SCRAPES
    # when
    send_queries(gateway, 1)
    # then
    assert scrapes(gateway) == [26] * SCRAPES
    # when
    send_queries(gateway, 13)
    # then
    assert scrapes(gateway) == [39] * SCRAPES


def test_a_killed_worker_loses_none_of_the_counts(start: Start, metrics_home: Path):
    # given
    gateway = start("--workers", "2", started=2)
    send_queries(gateway, 30)
    victim = min(worker_pids(metrics_home))
    # when the worker dies at once, and uvicorn starts another in its place
    os.kill(victim, signal.SIGKILL)
    wait_for_startups(gateway, 3)
    # then
    assert scrapes(gateway) == [30] * SCRAPES
    send_queries(gateway, 10)
    assert scrapes(gateway) == [40] * SCRAPES


def test_each_start_of_a_server_counts_from_zero_and_leaves_no_files(
    start: Start, metrics_home: Path
):
    # given a server that counted requests, then stopped
    with ExitStack() as first_run:
        send_queries(start("--workers", "2", started=2, until=first_run), 7)
    assert list(metrics_home.glob("gateway-metrics-*")) == []
    # when
    gateway = start("--workers", "2", started=2)
    # then
    assert scrapes(gateway) == [0] * SCRAPES
    send_queries(gateway, 3)
    assert scrapes(gateway) == [3] * SCRAPES


def test_one_process_counts_its_requests_and_describes_itself(start: Start, metrics_home: Path):
    # given
    gateway = start()
    send_queries(gateway, 5)
    # when
    text = httpx.get(f"{gateway.base}/metrics", timeout=10).text
    # then
    assert requests_total(gateway) == 5
    assert "process_cpu_seconds_total" in text
    assert list(metrics_home.glob("gateway-metrics-*")) == []  # in memory, as before
