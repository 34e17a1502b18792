"""A database that stalls, stops or restarts under the real server: 503 within the deadline.

Each test runs `gateway serve` against a throwaway PostgreSQL cluster of its own, which it
freezes (SIGSTOP), stops or restarts; the shared server is never touched.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import httpx
import pytest
from graphql import GraphQLField, GraphQLObjectType, GraphQLSchema, GraphQLString
from sqlalchemy import exc

from gateway.auth import scopes
from tests.gateway_process import GatewayProcess, environment, migrate, serving
from tests.pg_cluster import Cluster, throwaway_cluster
from tests.web.conftest import Serve
from tests.web.live import free_port

CLUSTER_PORTS = range(18210, 18240)
DEADLINE = 2.0
# The answer may come a little after the deadline: the response is written, the client reads.
SLACK = 1.0
CREATE = """mutation($id: ID!) {
  createSegment(input: {id: $id, siteCode: "main", name: [{locale: "en", value: "Stalled"}]}) {
    created userErrors { code }
  }
}"""
SEGMENT = "query($id: ID!) { segment(id: $id) { id } }"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One throwaway cluster for the module, migrated; each test leaves it running."""
    with throwaway_cluster(free_port(CLUSTER_PORTS)) as cluster:
        env = environment(GATEWAY_DATABASE_URL=cluster.url())
        migrate(env, tmp_path_factory.mktemp("migrate"))
        yield cluster


@pytest.fixture
def gateway(cluster: Cluster, tmp_path: Path) -> Iterator[GatewayProcess]:
    env = environment(GATEWAY_DATABASE_URL=cluster.url(), GATEWAY_REQUEST_TIMEOUT=str(DEADLINE))
    try:
        with serving(free_port(), env, tmp_path) as gateway:
            yield gateway
    finally:
        # Whatever the test did to the cluster, the next one finds it running.
        cluster.thaw()
        if not cluster.processes():
            cluster.start()


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"].isdigit()
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["UNAVAILABLE"]
    assert "data" not in response.json()


def stalling_schema() -> GraphQLSchema:
    """`fine` answers; `interrupted` fails as SQLite does past a deadline; `slow` stalls."""

    def interrupted(*_: object) -> str:
        raise exc.OperationalError("SELECT 1", {}, sqlite3.OperationalError("interrupted"))

    async def slow(*_: object) -> str:
        await asyncio.sleep(30)
        return "late"

    fields = {
        "fine": GraphQLField(GraphQLString, resolve=lambda *_: "ok"),
        "interrupted": GraphQLField(GraphQLString, resolve=interrupted),
        "slow": GraphQLField(GraphQLString, resolve=slow),
    }
    return GraphQLSchema(query=GraphQLObjectType("Query", fields))


async def test_a_resolver_that_finds_the_database_unavailable_fails_the_whole_request(
    serve: Serve,
):
    # given
    gateway = await serve(schema=stalling_schema())
    # when one field of several hits an unavailable database
    response = await gateway.post("{ fine interrupted }")
    # then no partial data and no INTERNAL: the request is 503, to be retried
    assert_unavailable(response)


async def test_a_request_past_its_deadline_is_503_at_the_deadline(serve: Serve):
    # given
    gateway = await serve(schema=stalling_schema(), request_timeout_seconds=0.3)
    # when
    started = time.monotonic()
    response = await gateway.post("{ fine slow }")
    # then
    assert_unavailable(response)
    assert time.monotonic() - started < 1


def wait_until_served(gateway: GatewayProcess, seconds: float = 15) -> httpx.Response:
    """The first 200 after the database came back; no restart of the gateway."""
    deadline = time.monotonic() + seconds
    while True:
        response = gateway.query(timeout=DEADLINE + SLACK)
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        assert_unavailable(response)
        time.sleep(0.2)


@pytest.mark.postgres
def test_a_frozen_database_answers_503_within_the_deadline(cluster, gateway):
    # given a database that stops answering, connections open
    assert gateway.query().status_code == 200
    cluster.freeze()
    with ThreadPoolExecutor(max_workers=4) as pool:
        # when a query is sent, and the probes are asked meanwhile
        started = time.monotonic()
        queries = [pool.submit(gateway.query, timeout=30) for _ in range(3)]
        time.sleep(0.3)
        healthz_started = time.monotonic()
        healthz = gateway.healthz(timeout=1)
        healthz_took = time.monotonic() - healthz_started
        readyz = httpx.get(f"{gateway.base}/readyz", timeout=5)
        answers = [q.result() for q in queries]
        took = time.monotonic() - started
    # then every query fails as UNAVAILABLE within the deadline, and liveness never waits
    for answer in answers:
        assert_unavailable(answer)
    assert took < DEADLINE + SLACK
    assert healthz.status_code == 200 and healthz_took < 1
    assert readyz.status_code == 503


@pytest.mark.postgres
def test_a_thawed_database_is_served_again_without_a_restart(cluster, gateway):
    # given a database that was frozen long enough to fail requests
    cluster.freeze()
    assert_unavailable(gateway.query(timeout=30))
    # when it answers again
    cluster.thaw()
    # then the same gateway process serves again
    assert wait_until_served(gateway, seconds=5).status_code == 200
    assert httpx.get(f"{gateway.base}/readyz", timeout=5).status_code == 200


@pytest.mark.postgres
@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_database_stopped_under_load_gives_503_never_500(cluster, gateway, mode):
    # given clients sending queries continuously
    statuses: Counter[int] = Counter()
    unexpected: list[str] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            try:
                response = gateway.query(timeout=DEADLINE + SLACK)
                statuses[response.status_code] += 1
                if response.status_code != 200:
                    assert_unavailable(response)
            except (AssertionError, httpx.HTTPError) as error:
                unexpected.append(repr(error))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.3)
        # when the database stops, stays down a while, then starts again
        cluster.stop(mode)
        time.sleep(1)
        assert gateway.healthz(timeout=1).status_code == 200
        assert httpx.get(f"{gateway.base}/readyz", timeout=5).status_code == 503
        cluster.start()
        time.sleep(0.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    # then clients saw answers and 503s, never a 500, and service came back by itself
    assert not unexpected
    assert statuses[503] > 0 and set(statuses) <= {200, 503}
    assert wait_until_served(gateway).status_code == 200


@pytest.mark.postgres
async def test_a_request_in_flight_when_the_database_restarts_gets_503(cluster, gateway):
    # given a query blocked in the database behind a lock another session holds
    holder = await asyncpg.connect(cluster.url().replace("+asyncpg", ""))
    try:
        await holder.execute("BEGIN; LOCK TABLE segment IN ACCESS EXCLUSIVE MODE")
        async with httpx.AsyncClient(timeout=30) as client:
            in_flight = asyncio.create_task(
                client.post(
                    f"{gateway.base}/demo/graphql",
                    json={"query": SEGMENT, "variables": {"id": "s1"}},
                    headers={"Authorization": f"Bearer {gateway.token()}"},
                )
            )
            await _until_waiting_for_a_lock(holder, in_flight)
            # when the database restarts under it
            await asyncio.to_thread(cluster.stop, "fast")
            answer = await in_flight
    finally:
        holder.terminate()
    await asyncio.to_thread(cluster.start)
    # then the request fails as UNAVAILABLE, not INTERNAL, and service resumes
    assert_unavailable(answer)
    assert (await asyncio.to_thread(wait_until_served, gateway)).status_code == 200


@pytest.mark.postgres
async def test_a_write_cut_by_the_deadline_is_rolled_back(cluster, gateway):
    # given a write that will block on its INSERT, after its first statement ran
    holder = await asyncpg.connect(cluster.url().replace("+asyncpg", ""))
    try:
        await holder.execute("BEGIN; LOCK TABLE segment IN SHARE MODE")
        # when the deadline passes, and the lock goes away after the answer
        cut = await asyncio.to_thread(_create, gateway, "cut1")
        await holder.execute("ROLLBACK")
        await asyncio.sleep(0.5)
    finally:
        await holder.close()
    # then the write failed as UNAVAILABLE and left nothing; the same write now succeeds
    assert_unavailable(cut)
    assert _segment(gateway, "cut1") is None
    again = _create(gateway, "cut1")
    assert again.status_code == 200
    assert again.json()["data"]["createSegment"] == {"created": True, "userErrors": []}


def test_a_locked_sqlite_database_gives_503_within_the_deadline(tmp_path):
    # given a SQLite database whose write lock another process holds
    database = tmp_path / "locked.db"
    env = environment(
        GATEWAY_DATABASE_URL=f"sqlite+aiosqlite:///{database}",
        GATEWAY_REQUEST_TIMEOUT=str(DEADLINE),
    )
    with serving(free_port(), env, tmp_path) as gateway:
        holder = sqlite3.connect(database, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            # when a write waits for the lock past the deadline
            started = time.monotonic()
            locked = _create(gateway, "lock1")
            took = time.monotonic() - started
            # then it fails as UNAVAILABLE in time, and reads (WAL) are still served
            assert_unavailable(locked)
            assert took < DEADLINE + SLACK
            assert gateway.query().status_code == 200
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert _create(gateway, "lock2").status_code == 200


async def _until_waiting_for_a_lock(
    holder: asyncpg.Connection, request: asyncio.Task[httpx.Response]
) -> None:
    query = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
    while await holder.fetchval(query) == 0:
        assert not request.done(), f"answered before it waited: {request.result().text}"
        await asyncio.sleep(0.05)
        # Inside a transaction, the activity view is a snapshot taken once unless cleared.
        await holder.execute("SELECT pg_stat_clear_snapshot()")


def _create(gateway: GatewayProcess, segment_id: str) -> httpx.Response:
    token = gateway.token(scope=(scopes.MANAGE,))
    return httpx.post(
        f"{gateway.base}/demo/graphql",
        json={"query": CREATE, "variables": {"id": segment_id}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def _segment(gateway: GatewayProcess, segment_id: str) -> object:
    token = gateway.token(scope=(scopes.READ, scopes.MANAGE))
    response = httpx.post(
        f"{gateway.base}/demo/graphql",
        json={"query": SEGMENT, "variables": {"id": segment_id}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response.json()["data"]["segment"]
