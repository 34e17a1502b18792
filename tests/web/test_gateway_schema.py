"""The mounted route with the gateway's own schema, end to end."""

from __future__ import annotations

from gateway.auth import scopes
from tests.web.conftest import Serve


async def test_a_customer_reads_their_segments_over_http(serve: Serve, seed):
    # given
    gateway = await serve(schema=None)
    await seed.tenant_row()
    await seed.add(seed.segment("gold"), seed.segment("silver"))
    await seed.add(seed.customer("gold", "c-1"))
    # when
    response = await gateway.post(
        "{ segments { items { id } } }", scope=(scopes.READ_OWN,), customer="c-1"
    )
    # then
    assert response.status_code == 200
    assert response.json()["data"] == {"segments": {"items": [{"id": "gold"}]}}


async def test_a_mutation_of_the_gateway_over_get_is_405(serve: Serve):
    # given
    gateway = await serve(schema=None)
    # when
    response = await gateway.get(
        {"query": 'mutation { deleteSegment(id: "gold") { __typename } }'},
        scope=(scopes.MANAGE,),
    )
    # then
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_an_empty_sqlite_database_gets_its_schema_at_startup(serve: Serve, tmp_path):
    # given
    fresh = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    gateway = await serve(schema=None, database_url=fresh)
    # when
    response = await gateway.post("{ segments { items { id } } }")
    # then
    assert response.json()["data"] == {"segments": {"items": []}}
