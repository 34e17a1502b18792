"""Fan-out over PostgreSQL LISTEN/NOTIFY: every process's subscribers, one listener each."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from gateway.subscriptions.listener import APPLICATION_NAME
from tests import gateway_process
from tests.conftest import Database
from tests.gateway_process import SECRET, environment
from tests.subscriptions.client import Feed, acked, gql_session, raw, subscribe
from tests.subscriptions.conftest import Live, Start, notice

pytestmark = pytest.mark.postgres
OTHER_PROCESS_PORT = 8189


async def _listeners(db: Database) -> int:
    """The LISTEN connections open on the test's database."""
    stmt = sa.text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE application_name = :name AND datname = current_database()"
    )
    async with db.engine.connect() as connection:
        return int((await connection.execute(stmt, {"name": APPLICATION_NAME})).scalar_one())


@pytest.fixture
def postgres(db: Database) -> Database:
    if db.dialect != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    return db


async def test_a_change_in_one_process_reaches_a_subscriber_of_another(
    start: Start, postgres: Database, tmp_path: Path
):
    # given: process B is a real `gateway serve`; this test's own app is process A
    env = environment(GATEWAY_DATABASE_URL=postgres.url)
    live = await start(jwt_secret=SECRET)
    with gateway_process.serving(OTHER_PROCESS_PORT, env, tmp_path) as other:
        url = f"ws://127.0.0.1:{OTHER_PROCESS_PORT}/demo/graphql"
        async with gql_session(url, {"Authorization": f"Bearer {other.token()}"}) as session:
            feed = Feed(session)
            await _until_subscribed(live, feed)
            change = notice("s1")
            # when
            published = time.monotonic()
            await live.publish(change)
            # then
            assert (await feed.next(timeout=5))["id"] == change.id
            print(f"process A to a subscriber of B: {time.monotonic() - published:.3f} s")
            await feed.close()


async def _until_subscribed(live: Live, feed: Feed) -> None:
    """Publishes until B's subscriber has one (B has no broker this test can ask)."""
    async with asyncio.timeout(10):
        while True:
            await live.publish(notice("warm-up"))
            with contextlib.suppress(TimeoutError):
                await feed.next(timeout=0.3)
                return


async def test_one_listening_connection_per_process_however_many_subscribers(
    start: Start, postgres: Database
):
    # given
    live = await start()
    sockets = [raw(live.url) for _ in range(5)]
    opened = [await socket.__aenter__() for socket in sockets]
    for socket in opened:
        await acked(socket, live.init())
        await subscribe(socket, "a")
        await subscribe(socket, "b")
    await live.subscribers(10)
    # when
    count = await _listeners(postgres)
    # then
    assert count == 1
    for socket in sockets:
        await socket.__aexit__(None, None, None)


async def test_a_lost_listening_connection_is_made_again(start: Start, postgres: Database):
    # given
    live = await start()
    subscriber = live.broker.subscribe("demo")
    listener = live.broker.listener
    assert listener is not None and listener.connections_made == 1
    terminate = sa.text(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name "
        "AND datname = current_database()"
    )
    # when
    async with postgres.engine.connect() as connection:
        await connection.execute(terminate, {"name": APPLICATION_NAME})
    async with asyncio.timeout(10):
        while listener.connections_made < 2:
            await asyncio.sleep(0.05)
    await live.publish(change := notice("s1"))
    # then
    assert await asyncio.wait_for(subscriber.next(), 5) == change
    assert await _listeners(postgres) == 1
