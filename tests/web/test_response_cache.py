"""Query answers kept per process: served again only while data, clock and caller match."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

import gateway.web.view as gateway_http
from gateway.auth import scopes
from gateway.store.columns import utcnow
from gateway.store.tables import data_version_table
from tests.web.conftest import Gateway, Serve

SEGMENTS = '{ segments(sort: "id") { items { id name } } }'
RENAME = """mutation($name: String!) {
  upsertSegment(id: "gold", input: {name: [{locale: "en", value: $name}], siteCode: "main",
                                   status: ACTIVE}) { created }
}"""
OWN = {"scope": (scopes.READ_OWN,), "customer": "c-1"}


@contextmanager
def statements(gateway: Gateway) -> Iterator[list[str]]:
    """The SQL statements the app itself runs inside the block."""
    engine = runtime_of_app(gateway).engine
    assert engine is not None
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def runtime_of_app(gateway: Gateway) -> Any:
    return gateway.app.state.runtime


async def names(gateway: Gateway, query: str = SEGMENTS, **token: Any) -> list[Any]:
    response = await gateway.post(query, **token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return [item["name"] for item in body["data"]["segments"]["items"]]


async def test_a_repeated_query_is_answered_with_one_statement(serve: Serve, seed):
    # given
    gateway = await serve(schema=None)
    await seed.tenant_row()
    await seed.add(seed.segment("gold"), seed.segment("silver"))
    first = await gateway.post(SEGMENTS)
    # when
    with statements(gateway) as seen:
        second = await gateway.post(SEGMENTS)
    # then: the same bytes, after only the tenant's data version was read
    assert second.content == first.content
    assert len(seen) == 1 and "data_version" in seen[0]
    metrics = (await gateway.client.get("/metrics")).text
    assert 'gateway_response_cache_lookups_total{result="hit"} 1.0' in metrics


async def test_a_write_through_the_gateway_is_seen_by_the_next_read(serve: Serve, seed):
    # given
    gateway = await serve(schema=None)
    await seed.tenant_row()
    await seed.add(seed.segment("gold"))
    assert await names(gateway) == ["Gold"]
    # when
    renamed = await gateway.post(RENAME, {"name": "Platinum"}, scope=(scopes.MANAGE,))
    # then
    assert renamed.json()["data"]["upsertSegment"]["created"] is False
    assert await names(gateway) == ["Platinum"]


async def test_a_write_through_another_gateway_is_seen_by_the_next_read(serve: Serve, seed):
    # given: two apps on one database, each with its own cache (as two processes are)
    reader = await serve(schema=None)
    writer = await serve(schema=None)
    await seed.tenant_row()
    await seed.add(seed.segment("gold"))
    assert await names(reader) == ["Gold"]
    assert await names(reader) == ["Gold"]
    # when
    await writer.post(RENAME, {"name": "Platinum"}, scope=(scopes.MANAGE,))
    # then
    assert await names(reader) == ["Platinum"]


async def test_callers_never_share_an_answer(serve: Serve, seed):
    # given: two customers in different segments, asking the very same query
    gateway = await serve(schema=None)
    await seed.tenant_row()
    await seed.add(seed.segment("gold"), seed.segment("silver"))
    await seed.add(seed.customer("gold", "c-1"), seed.customer("silver", "c-2"))
    # when
    first = await names(gateway, **OWN)
    second = await names(gateway, scope=(scopes.READ_OWN,), customer="c-2")
    everything = await names(gateway)
    # then
    assert (first, second, everything) == (["Gold"], ["Silver"], ["Gold", "Silver"])


async def test_the_locale_is_part_of_the_answer(serve: Serve, seed):
    # given
    gateway = await serve(schema=None)
    await seed.tenant_row()
    await seed.add(seed.segment("gold", name={"en": "Gold", "de": "Gülden"}))
    # when
    english = await names(gateway)
    german = await names(gateway, headers={"Accept-Language": "de"})
    # then
    assert (english, german) == (["Gold"], ["Gülden"])


async def test_variables_in_another_order_are_the_same_request(serve: Serve, seed):
    # given
    gateway = await serve(schema=None)
    await seed.tenant_row()
    await seed.add(seed.segment("gold"), seed.segment("silver"))
    query = "query($n: Int, $q: String) { segments(pageSize: $n, q: $q) { items { id } } }"
    await gateway.post(query, {"n": 5, "q": "id:gold"})
    # when
    with statements(gateway) as seen:
        again = await gateway.post(query, {"q": "id:gold", "n": 5})
    # then
    assert again.json()["data"]["segments"]["items"] == [{"id": "gold"}]
    assert len(seen) == 1


async def test_an_answer_with_errors_is_not_kept(serve: Serve, seed):
    # given: a manager's token may not read category trees, but may read segments
    gateway = await serve(schema=None)
    await seed.tenant_row()
    await seed.add(seed.segment("gold"))
    query = "{ segments { items { id } } categoryTreeNodes { id } }"
    first = await gateway.post(query, scope=(scopes.MANAGE,))
    assert first.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN", first.json()
    # when
    second = await gateway.post(query, scope=(scopes.MANAGE,))
    # then: it was looked up twice and found neither time
    assert second.json()["errors"] == first.json()["errors"]
    metrics = (await gateway.client.get("/metrics")).text
    assert 'gateway_response_cache_lookups_total{result="miss"} 2.0' in metrics
    assert 'result="hit"' not in metrics


async def test_the_answer_changes_at_a_validity_boundary_without_any_write(serve: Serve, seed):
    # given: silver stops being valid a moment from now
    gateway = await serve(schema=None)
    await seed.tenant_row()
    end = utcnow() + timedelta(seconds=1.5)
    await seed.add(seed.segment("gold"), seed.segment("silver", valid_to=end))
    await seed.add(seed.customer("gold", "c-1"), seed.customer("silver", "c-1"))
    assert await names(gateway, **OWN) == ["Gold", "Silver"]
    assert await names(gateway, **OWN) == ["Gold", "Silver"]
    # when
    await asyncio.sleep(max(0.0, (end - utcnow()).total_seconds()) + 0.05)
    # then
    assert await names(gateway, **OWN) == ["Gold"]


async def test_the_answer_changes_exactly_at_the_boundary(serve: Serve, seed, monkeypatch):
    # given: silver ends at T; every request sees the clock set below
    gateway = await serve(schema=None)
    await seed.tenant_row()
    end = utcnow() + timedelta(days=1)
    await seed.add(seed.segment("gold"), seed.segment("silver", valid_to=end))
    await seed.add(seed.customer("gold", "c-1"), seed.customer("silver", "c-1"))
    now: dict[str, Any] = {}
    original = gateway_http.build_context

    async def build_context(**kwargs: Any) -> Any:
        context = await original(**kwargs)
        context.now = now["value"]
        return context

    monkeypatch.setattr(gateway_http, "build_context", build_context)
    # when / then: a millisecond before, twice (the second from the cache), then at T
    now["value"] = end - timedelta(milliseconds=1)
    assert await names(gateway, **OWN) == ["Gold", "Silver"]
    assert await names(gateway, **OWN) == ["Gold", "Silver"]
    now["value"] = end
    assert await names(gateway, **OWN) == ["Gold"]
    metrics = (await gateway.client.get("/metrics")).text
    assert 'gateway_response_cache_lookups_total{result="hit"} 1.0' in metrics


async def test_the_cache_can_be_turned_off(serve: Serve, seed):
    # given
    gateway = await serve(schema=None, response_cache_mb=0)
    await seed.tenant_row()
    await seed.add(seed.segment("gold"))
    await gateway.post(SEGMENTS)
    # when
    with statements(gateway) as seen:
        await gateway.post(SEGMENTS)
    # then
    assert runtime_of_app(gateway).responses is None
    assert len(seen) > 1


async def data_version(seed: Any) -> int:
    async with seed.db.sessions() as session:
        found = await session.execute(sa.select(data_version_table.c.version))
        return int(found.scalar_one())


async def test_mutations_are_never_answered_from_the_cache(serve: Serve, seed):
    # given
    gateway = await serve(schema=None)
    await seed.tenant_row()
    await seed.add(seed.segment("gold"))
    before = await data_version(seed)
    # when: the same mutation twice
    first = await gateway.post(RENAME, {"name": "Gold"}, scope=(scopes.MANAGE,))
    second = await gateway.post(RENAME, {"name": "Gold"}, scope=(scopes.MANAGE,))
    # then: each ran and wrote
    assert first.json()["data"] == second.json()["data"] == {"upsertSegment": {"created": False}}
    assert await data_version(seed) == before + 2
