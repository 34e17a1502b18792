"""Trusted documents: only the manifest's documents run, by APQ hash or documentId."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import Database
from tests.web.conftest import Gateway, Serve
from tests.web.persisted import HELLO, METHODS, by_hash, error_of, registering, send, sha256

TENANT = "query Tenant { tenant }"
INTROSPECTION = "{ __schema { queryType { name } } }"


def manifest(tmp_path: Path, *documents: str) -> Path:
    """A manifest whose second key is written as the client preset writes them (sha256:...)."""
    keys = [("sha256:" if i == 1 else "") + sha256(d) for i, d in enumerate(documents)]
    path = tmp_path / "persisted-documents.json"
    path.write_text(json.dumps(dict(zip(keys, documents, strict=True))))
    return path


@pytest.fixture
async def trusted(serve: Serve, tmp_path: Path) -> Gateway:
    return await serve(trusted_documents=manifest(tmp_path, HELLO, TENANT), introspection=False)


@pytest.mark.parametrize("method", METHODS)
async def test_a_manifest_document_runs_by_its_apq_hash(trusted: Gateway, method: str):
    # when
    response = await send(trusted, method, by_hash(TENANT))
    # then
    assert response.status_code == 200
    assert response.json()["data"] == {"tenant": "demo"}


@pytest.mark.parametrize("method", METHODS)
async def test_a_manifest_document_runs_by_document_id(trusted: Gateway, method: str):
    # when
    response = await send(trusted, method, {"documentId": f"sha256:{sha256(HELLO)}"})
    # then
    assert response.status_code == 200
    assert response.json()["data"] == {"hello": "world"}


async def test_a_manifest_document_sent_with_its_hash_runs(trusted: Gateway):
    # when
    response = await send(trusted, "POST", registering(HELLO))
    # then
    assert response.json()["data"] == {"hello": "world"}


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    "fields",
    [{"query": HELLO}, {"query": "{ locale }"}, registering("{ locale }")],
    ids=["manifest-document-as-text", "other-document", "other-document-with-hash"],
)
async def test_any_other_document_is_persisted_query_required(
    trusted: Gateway, db: Database, method: str, fields: dict[str, object]
):
    # when
    response = await send(trusted, method, fields)
    # then
    assert response.status_code == 400
    assert error_of(response)[0] == "PERSISTED_QUERY_REQUIRED"
    assert trusted.calls == []
    async with db.engine.connect() as connection:
        count = "SELECT count(*) FROM persisted_document"
        assert (await connection.execute(sa.text(count))).scalar() == 0


@pytest.mark.parametrize("fields", [by_hash("{ locale }"), {"documentId": f"sha256:{'0' * 64}"}])
async def test_a_hash_not_in_the_manifest_is_persisted_query_not_found(
    trusted: Gateway, fields: dict[str, object]
):
    # when
    response = await send(trusted, "POST", fields)
    # then
    assert response.status_code == 404
    assert error_of(response) == ("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
    assert trusted.calls == []


async def test_introspection_is_refused_too_while_it_is_off(trusted: Gateway):
    # when
    response = await send(trusted, "POST", {"query": INTROSPECTION})
    # then
    assert error_of(response)[0] == "PERSISTED_QUERY_REQUIRED"


async def test_introspection_turned_on_runs_as_text_but_nothing_else_does(
    serve: Serve, tmp_path: Path
):
    # given
    gateway = await serve(trusted_documents=manifest(tmp_path, HELLO), introspection=True)
    # when
    schema = await send(gateway, "POST", {"query": INTROSPECTION})
    mixed = await send(gateway, "POST", {"query": "{ __schema { queryType { name } } hello }"})
    # then
    assert schema.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    assert error_of(mixed)[0] == "PERSISTED_QUERY_REQUIRED"
    assert gateway.calls == []
