"""Persisted documents are shared by every gateway on one database: apps and processes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests import gateway_process
from tests.web import live
from tests.web.conftest import Serve
from tests.web.persisted import HELLO, by_hash, registering, send

SEGMENTS = "{ segments(pageSize: 1) { items { id } } }"


async def test_a_document_registered_through_one_app_runs_by_hash_through_another(serve: Serve):
    # given: two apps on one database, each with its own in-process cache
    first, second = await serve(), await serve()
    await send(first, "POST", registering(HELLO))
    # when
    response = await send(second, "GET", by_hash(HELLO))
    # then
    assert response.json()["data"] == {"hello": "world"}


def _post(server: live.Server, body: dict[str, object]) -> httpx.Response:
    headers = {"Authorization": f"Bearer {server.manager}"}
    return httpx.post(f"{server.base}/demo/graphql", json=body, headers=headers, timeout=30)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_document_registered_through_one_process_runs_by_hash_through_another(
    kind: str, tmp_path: Path
):
    with live.serving_on(kind, tmp_path) as first:
        env = gateway_process.environment(GATEWAY_DATABASE_URL=first.database_url)
        with gateway_process.serving(live.free_port(), env, tmp_path) as process:
            second = live.Server(process.base, process.process, first.customer, first.manager)
            # given
            assert _post(second, by_hash(SEGMENTS)).status_code == 404
            registered = _post(first, registering(SEGMENTS))
            assert registered.status_code == 200, registered.text
            # when
            response = _post(second, by_hash(SEGMENTS))
            # then
            assert response.status_code == 200, response.text
            assert response.json()["data"] == registered.json()["data"]
