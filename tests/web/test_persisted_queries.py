"""Apollo's automatic persisted queries over GET and POST: miss, register, hit, refusals."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from gateway.settings import Limits, load_settings
from tests.web.conftest import GRAPHQL_RESPONSE, JSON, Gateway, Serve
from tests.web.persisted import (
    HELLO,
    METHODS,
    apq,
    by_hash,
    error_of,
    registering,
    send,
    sha256,
)


@contextmanager
def statements(gateway: Gateway) -> Iterator[list[str]]:
    """The SQL the gateway's own engine runs inside the block."""
    seen: list[str] = []
    engine = gateway.app.state.runtime.engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("method", METHODS)
async def test_an_unknown_hash_is_persisted_query_not_found_and_runs_nothing(
    gateway: Gateway, method: str
):
    # when
    response = await send(gateway, method, by_hash(HELLO))
    # then
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert error_of(response) == ("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")
    assert "data" not in response.json()
    assert gateway.calls == []


async def test_an_unknown_hash_is_200_for_application_json_clients(gateway: Gateway):
    # when
    response = await send(gateway, "POST", by_hash(HELLO), accept=JSON)
    # then
    assert response.status_code == 200
    assert error_of(response) == ("PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound")


@pytest.mark.parametrize("register_with", METHODS)
@pytest.mark.parametrize("method", METHODS)
async def test_a_registered_document_runs_by_its_hash_alone(
    gateway: Gateway, register_with: str, method: str
):
    # given
    registered = await send(gateway, register_with, registering(HELLO))
    assert registered.json()["data"] == {"hello": "world"}
    # when
    response = await send(gateway, method, by_hash(HELLO))
    # then
    assert response.status_code == 200
    assert response.json()["data"] == {"hello": "world"}
    assert gateway.calls == ["hello", "hello"]


async def test_a_hit_costs_no_statement(gateway: Gateway):
    # given
    await send(gateway, "POST", registering(HELLO))
    # when
    with statements(gateway) as seen:
        response = await send(gateway, "GET", by_hash(HELLO))
    # then
    assert response.json()["data"] == {"hello": "world"}
    assert [s for s in seen if "persisted_document" in s] == []


async def test_a_stored_document_takes_variables_and_operation_name(gateway: Gateway):
    # given
    document = "query A($v: Int!) { echo(value: $v) } query B { tenant }"
    await send(gateway, "POST", {**registering(document), "operationName": "B"})
    # when
    response = await send(
        gateway, "GET", {**by_hash(document), "operationName": "A", "variables": {"v": 5}}
    )
    # then
    assert response.json()["data"] == {"echo": 5}


async def test_a_stored_mutation_is_405_over_get(gateway: Gateway):
    # given
    mutation = "mutation { touch }"
    await send(gateway, "POST", registering(mutation))
    # when
    response = await send(gateway, "GET", by_hash(mutation))
    # then
    assert response.status_code == 405
    assert gateway.calls == ["touch"]


@pytest.mark.parametrize("method", METHODS)
async def test_a_hash_that_is_not_the_documents_is_bad_user_input(gateway: Gateway, method: str):
    # when
    response = await send(gateway, method, {"query": HELLO, "extensions": apq(sha256("{ x }"))})
    # then
    assert response.status_code == 400
    code, message = error_of(response)
    assert code == "BAD_USER_INPUT"
    assert sha256(HELLO) in message
    assert gateway.calls == []
    assert (await send(gateway, method, by_hash("{ x }"))).status_code == 404


@pytest.mark.parametrize("version", [2, 0, "1", True, None])
async def test_an_unsupported_version_is_refused_clearly(gateway: Gateway, version: Any):
    # when
    response = await send(
        gateway, "POST", {"query": HELLO, "extensions": apq(sha256(HELLO), version)}
    )
    # then
    assert response.status_code == 400
    assert error_of(response) == (
        "BAD_USER_INPUT",
        f"Persisted query version {version!r} is not supported: send version 1.",
    )
    assert gateway.calls == []


@pytest.mark.parametrize(
    "persisted",
    ["abc", [], {"version": 1}, {"version": 1, "sha256Hash": sha256(HELLO).upper()}],
)
async def test_a_malformed_persisted_query_extension_is_bad_user_input(
    gateway: Gateway, persisted: Any
):
    # when
    response = await send(gateway, "POST", {"extensions": {"persistedQuery": persisted}})
    # then
    assert response.status_code == 400
    assert error_of(response)[0] == "BAD_USER_INPUT"


@pytest.mark.parametrize("document", ["{ hello ", "{ nope }"], ids=["unparsable", "invalid"])
async def test_a_document_that_does_not_validate_is_not_stored(gateway: Gateway, document: str):
    # when
    refused = await send(gateway, "POST", registering(document))
    # then
    assert refused.status_code == 400
    assert (await send(gateway, "POST", by_hash(document))).status_code == 404
    assert gateway.calls == []


async def test_a_document_at_the_token_limit_is_stored_and_one_past_it_is_not(serve: Serve):
    # given: 5 tokens at most
    gateway = await serve(limits=Limits(max_tokens=5))
    at_limit, past_limit = "{ hello tenant locale }", "{ hello tenant locale customer }"
    # when
    stored = await send(gateway, "POST", registering(at_limit))
    refused = await send(gateway, "POST", registering(past_limit))
    # then
    assert stored.status_code == 200
    assert refused.status_code == 400
    assert (await send(gateway, "GET", by_hash(at_limit))).status_code == 200
    assert (await send(gateway, "GET", by_hash(past_limit))).status_code == 404


async def test_a_tenant_stores_documents_up_to_its_limit_and_runs_the_rest_unstored(serve: Serve):
    # given
    gateway = await serve(persisted_queries_max=2)
    documents = ["{ hello }", "{ tenant }", "{ locale }"]
    # when
    answers = [await send(gateway, "POST", registering(d)) for d in documents]
    # then: all three ran; the first two (at the limit) are stored, the third is not
    assert [a.status_code for a in answers] == [200, 200, 200]
    hits = [(await send(gateway, "GET", by_hash(d))).status_code for d in documents]
    assert hits == [200, 200, 404]


async def test_the_limit_is_per_tenant(serve: Serve):
    # given
    gateway = await serve(persisted_queries_max=1)
    await send(gateway, "POST", registering(HELLO))
    other = {"Authorization": f"Bearer {gateway.token(tenant='other')}"}
    # when
    stored = await gateway.client.post(
        "/other/graphql", json=registering("{ tenant }"), headers=other
    )
    hit = await gateway.client.post("/other/graphql", json=by_hash("{ tenant }"), headers=other)
    # then
    assert stored.json()["data"] == {"tenant": "other"}
    assert hit.json()["data"] == {"tenant": "other"}


async def test_a_document_stored_for_one_tenant_is_unknown_to_another(gateway: Gateway):
    # given
    await send(gateway, "POST", registering(HELLO))
    other = {"Authorization": f"Bearer {gateway.token(tenant='other')}"}
    # when
    response = await gateway.client.post("/other/graphql", json=by_hash(HELLO), headers=other)
    # then
    assert error_of(response)[0] == "PERSISTED_QUERY_NOT_FOUND"


async def test_a_limit_of_zero_stores_nothing(serve: Serve):
    # given
    gateway = await serve(persisted_queries_max=0)
    # when
    ran = await send(gateway, "POST", registering(HELLO))
    # then
    assert ran.json()["data"] == {"hello": "world"}
    assert (await send(gateway, "POST", by_hash(HELLO))).status_code == 404


async def test_a_tokenless_request_neither_looks_up_nor_stores(gateway: Gateway):
    # given: development lets tokenless introspection through; this is not introspection
    await send(gateway, "POST", registering(HELLO))
    # when
    response = await gateway.client.post("/demo/graphql", json=by_hash(HELLO))
    # then
    assert response.status_code == 401
    tokenless = await gateway.client.post("/demo/graphql", json=registering("{ tenant }"))
    assert tokenless.status_code == 401
    assert (await send(gateway, "POST", by_hash("{ tenant }"))).status_code == 404


@pytest.mark.parametrize("method", METHODS)
async def test_a_stored_document_runs_by_document_id(gateway: Gateway, method: str):
    # given
    await send(gateway, "POST", registering(HELLO))
    # when
    response = await send(gateway, method, {"documentId": f"sha256:{sha256(HELLO)}"})
    # then
    assert response.json()["data"] == {"hello": "world"}


@pytest.mark.parametrize(
    "fields",
    [
        {"documentId": "md5:0123"},
        {"documentId": sha256(HELLO)},
        {"documentId": f"sha256:{sha256(HELLO)}", "query": HELLO},
        {"documentId": 7},
    ],
    ids=["other-prefix", "no-prefix", "with-query", "not-a-string"],
)
async def test_a_malformed_document_id_is_bad_user_input(gateway: Gateway, fields: dict[str, Any]):
    # when
    response = await send(gateway, "POST", fields)
    # then
    assert response.status_code == 400
    assert error_of(response)[0] == "BAD_USER_INPUT"
    assert gateway.calls == []


def test_the_per_tenant_limit_is_read_from_the_environment():
    # when
    read = [
        load_settings({"GATEWAY_PERSISTED_QUERIES_MAX": value}).persisted_queries_max
        for value in ("", "5", "0", "-3")
    ]
    # then
    assert read == [10_000, 5, 0, 0]
