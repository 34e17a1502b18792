"""Liveness, readiness and metrics, as an orchestrator and a scraper see them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from gateway.app import create_app
from gateway.auth import scopes
from tests.web.conftest import Gateway, Serve, recording_schema

CLOSED_PORT_URL = "postgresql+asyncpg://postgres@127.0.0.1:1/nowhere"


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """A port that accepts connections and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in held:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_healthz_answers(gateway: Gateway):
    # when
    response = await gateway.client.get("/healthz")
    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_answers_when_the_database_does(gateway: Gateway):
    # when
    response = await gateway.client.get("/readyz")
    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_with_the_database_unreachable_readyz_is_503_and_healthz_is_200(serve: Serve):
    # given
    gateway = await serve(database_url=CLOSED_PORT_URL)
    # when
    ready = await gateway.client.get("/readyz")
    alive = await gateway.client.get("/healthz")
    # then
    assert ready.status_code == 503
    assert ready.json() == {"status": "database unreachable"}
    assert alive.status_code == 200


async def test_readyz_gives_up_on_a_database_that_never_answers(serve: Serve, silent_server):
    # given
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{silent_server}/nowhere"
    gateway = await serve(database_url=url, readiness_timeout_seconds=0.2)
    # when
    response = await gateway.client.get("/readyz")
    # then
    assert response.status_code == 503


async def test_readyz_is_503_once_shutdown_starts(settings, tmp_path):
    # given
    app = create_app(
        replace(settings, asset_cache_dir=tmp_path), graphql_schema=recording_schema([])
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        async with app.router.lifespan_context(app):
            before = await client.get("/readyz")
        # when: the lifespan has run its shutdown
        after = await client.get("/readyz")
    # then
    assert before.status_code == 200
    assert after.status_code == 503
    assert after.json() == {"status": "shutting down"}


async def test_readyz_is_503_before_startup(settings, tmp_path):
    # given
    app = create_app(
        replace(settings, asset_cache_dir=tmp_path), graphql_schema=recording_schema([])
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        # when
        response = await client.get("/readyz")
    # then
    assert response.status_code == 503


async def test_metrics_count_requests_by_operation_type_and_status(serve: Serve):
    # given
    gateway = await serve()
    await gateway.post("{ hello }")
    await gateway.post("{ hello }")
    await gateway.post("mutation { touch }", scope=(scopes.MANAGE,))
    await gateway.client.post("/demo/graphql", json={"query": "{ hello }"})
    # when
    response = await gateway.client.get("/metrics")
    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'gateway_graphql_requests_total{operation_type="query",status="200"} 2.0' in text
    assert 'gateway_graphql_requests_total{operation_type="mutation",status="200"} 1.0' in text
    assert 'gateway_graphql_requests_total{operation_type="none",status="401"} 1.0' in text
    assert 'gateway_graphql_errors_total{code="UNAUTHENTICATED"} 1.0' in text
    assert 'gateway_graphql_request_duration_seconds_count{operation_type="query"} 2.0' in text


async def test_metrics_hold_no_tenant_or_customer_ids(serve: Serve):
    # given
    gateway = await serve()
    path = "/acme42/graphql"
    await gateway.post("{ customer }", path=path, tenant="acme42", customer="cust-secret-9")
    await gateway.post("{ boom }", path=path, tenant="acme42", customer="cust-secret-9")
    await gateway.post("{ hello }", path=path, tenant="other1")
    # when
    text = (await gateway.client.get("/metrics")).text
    # then
    assert 'gateway_graphql_requests_total{operation_type="query",status="200"} 2.0' in text
    assert 'gateway_graphql_errors_total{code="INTERNAL"} 1.0' in text
    for secret in ("acme42", "other1", "cust-secret-9", "boom"):
        assert secret not in text


async def test_each_app_counts_only_its_own_requests(serve: Serve):
    # given
    first = await serve()
    second = await serve()
    await first.post("{ hello }")
    # when
    text = (await second.client.get("/metrics")).text
    # then
    assert "gateway_graphql_requests_total{" not in text
