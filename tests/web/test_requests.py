"""What a well-formed GraphQL-over-HTTP request is, and the status of one that is not."""

from __future__ import annotations

from dataclasses import replace

import orjson
import pytest

from gateway.settings import Limits
from tests.web.conftest import GRAPHQL_RESPONSE, JSON, Gateway, Serve


async def test_a_query_runs_over_get(gateway: Gateway):
    # when
    response = await gateway.get(
        {"query": "query($v: Int!) { echo(value: $v) }", "variables": '{"v": 7}'}
    )
    # then
    assert response.status_code == 200
    assert response.json()["data"] == {"echo": 7}


async def test_operation_name_picks_the_operation(gateway: Gateway):
    # given
    document = "query A { hello } query B { tenant }"
    # when
    response = await gateway.client.post(
        "/demo/graphql", json={"query": document, "operationName": "B"}, headers=gateway.auth()
    )
    # then
    assert response.json()["data"] == {"tenant": "demo"}


async def test_a_mutation_over_get_is_405_and_names_post(gateway: Gateway):
    # when
    response = await gateway.get({"query": "mutation { touch }"})
    # then
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert gateway.calls == []


async def test_a_mutation_over_post_runs(gateway: Gateway):
    # when
    response = await gateway.post("mutation { touch }")
    # then
    assert response.json()["data"] == {"touch": True}


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_other_methods_are_405(gateway: Gateway, method):
    # when
    response = await gateway.client.request(method, "/demo/graphql", headers=gateway.auth())
    # then
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"


@pytest.mark.parametrize(
    ("content_type", "message"),
    [
        ("text/plain", "POST bodies must be application/json."),
        ("application/x-www-form-urlencoded", "POST bodies must be application/json."),
        ("multipart/form-data; boundary=x", "POST bodies must be application/json."),
        ("application/graphql", "POST bodies must be application/json."),
        (None, "POST bodies must be application/json."),
        ("application/json; charset=latin-1", "POST bodies must be UTF-8 encoded."),
    ],
)
async def test_a_post_body_that_is_not_json_is_415(gateway: Gateway, content_type, message):
    # given
    headers = gateway.auth()
    if content_type:
        headers["Content-Type"] = content_type
    # when
    response = await gateway.client.post(
        "/demo/graphql", content=b'{"query":"{ hello }"}', headers=headers
    )
    # then
    assert response.status_code == 415
    assert response.json()["errors"][0]["message"] == message
    assert gateway.calls == []


async def test_application_json_with_utf8_charset_is_accepted(gateway: Gateway):
    # given
    headers = {**gateway.auth(), "Content-Type": "application/json; charset=UTF-8"}
    # when
    response = await gateway.client.post(
        "/demo/graphql", content=b'{"query":"{ hello }"}', headers=headers
    )
    # then
    assert response.json()["data"] == {"hello": "world"}


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
async def test_a_batch_is_400_whatever_the_media_type(gateway: Gateway, accept):
    # given
    batch = [{"query": "{ hello }"}, {"query": "{ tenant }"}]
    # when
    response = await gateway.client.post(
        "/demo/graphql", json=batch, headers={**gateway.auth(), "Accept": accept}
    )
    # then
    assert response.status_code == 400
    assert "Batching is not supported" in response.json()["errors"][0]["message"]
    assert gateway.calls == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"query": "{ hello }"', "not valid JSON"),
        (b"", "not valid JSON"),
        (b'"{ hello }"', "must be a JSON object"),
        (b"{}", "needs a `query` string"),
        (b'{"query": 42}', "needs a `query` string"),
        (b'{"query": "{ hello }", "variables": [1]}', "`variables` must be a JSON object"),
        (b'{"query": "{ hello }", "operationName": 3}', "`operationName` must be a string"),
        (b'{"query": "{ hello }", "extensions": "x"}', "`extensions` must be a JSON object"),
    ],
)
async def test_a_malformed_body_is_400_even_for_json_clients(gateway: Gateway, body, message):
    # given
    headers = {**gateway.auth(), "Content-Type": JSON, "Accept": JSON}
    # when
    response = await gateway.client.post("/demo/graphql", content=body, headers=headers)
    # then
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "needs a `query` string"),
        ({"query": "{ hello }", "variables": "{nope"}, "`variables` is not valid JSON"),
        ({"query": "{ hello }", "variables": "[1]"}, "`variables` must be a JSON object"),
    ],
)
async def test_malformed_get_parameters_are_400(gateway: Gateway, params, message):
    # when
    response = await gateway.get(params)
    # then
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]


async def test_a_body_declared_over_the_limit_is_413(serve: Serve):
    # given
    gateway = await serve(limits=_limits(max_body_bytes=100))
    body = orjson.dumps({"query": "{ hello }", "variables": {"pad": "x" * 200}})
    # when
    response = await gateway.client.post(
        "/demo/graphql", content=body, headers={**gateway.auth(), "Content-Type": JSON}
    )
    # then
    assert response.status_code == 413
    assert "limit of 100 bytes" in response.json()["errors"][0]["message"]
    assert gateway.calls == []


async def test_a_streamed_body_over_the_limit_is_413(serve: Serve):
    # given a chunked body, which declares no length
    gateway = await serve(limits=_limits(max_body_bytes=100))

    async def chunks():
        yield b'{"query": "{ hello }", "variables": {"pad": "'
        for _ in range(10):
            yield b"x" * 20
        yield b'"}}'

    # when
    response = await gateway.client.post(
        "/demo/graphql", content=chunks(), headers={**gateway.auth(), "Content-Type": JSON}
    )
    # then
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert gateway.calls == []


async def test_a_body_at_the_limit_is_accepted(serve: Serve):
    # given
    gateway = await serve(limits=_limits(max_body_bytes=100))
    body = b'{"query": "{ hello }"}'.ljust(100)
    # when
    response = await gateway.client.post(
        "/demo/graphql", content=body, headers={**gateway.auth(), "Content-Type": JSON}
    )
    # then
    assert response.json()["data"] == {"hello": "world"}


@pytest.mark.parametrize("tenant", ["de", "Demo", "1demo", "demo-shop", "a" * 17, "dem_o"])
async def test_a_malformed_tenant_is_404_before_anything_else(gateway: Gateway, tenant):
    # when: no token, a method, a media type and a body that would all be refused
    response = await gateway.client.request(
        "PUT", f"/{tenant}/graphql", content=b"[", headers={"Accept": "text/plain"}
    )
    # then
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_a_well_formed_tenant_with_no_data_answers(gateway: Gateway):
    # when
    response = await gateway.post("{ tenant }", path="/zz9shop/graphql", tenant="zz9shop")
    # then
    assert response.json()["data"] == {"tenant": "zz9shop"}


def _limits(**overrides: int) -> Limits:
    return replace(Limits(), **overrides)


@pytest.mark.parametrize("name", [0, [], False, {}, 0.0, True, ["A"]])
async def test_an_operation_name_that_is_not_a_string_is_400(gateway: Gateway, name):
    # given: a falsy or truthy non-string, which must not read as "absent"
    body = orjson.dumps({"query": "{ hello }", "operationName": name})
    headers = {**gateway.auth(), "Content-Type": JSON}
    # when
    response = await gateway.client.post("/demo/graphql", content=body, headers=headers)
    # then
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "message": "`operationName` must be a string.",
        "extensions": {"code": "BAD_USER_INPUT"},
    }
    assert gateway.calls == []


async def test_a_null_operation_name_is_absent(gateway: Gateway):
    body = orjson.dumps({"query": "{ hello }", "operationName": None})
    headers = {**gateway.auth(), "Content-Type": JSON}
    response = await gateway.client.post("/demo/graphql", content=body, headers=headers)
    assert response.json()["data"] == {"hello": "world"}


async def test_an_empty_operation_name_is_absent_over_get_only(gateway: Gateway):
    # given: GET cannot send null, so an empty parameter means no name
    by_get = await gateway.get({"query": "{ hello }", "operationName": ""})
    # when: over POST, "" is a name, and no operation has it
    body = orjson.dumps({"query": "{ hello }", "operationName": ""})
    headers = {**gateway.auth(), "Content-Type": JSON}
    by_post = await gateway.client.post("/demo/graphql", content=body, headers=headers)
    # then
    assert by_get.json()["data"] == {"hello": "world"}
    assert by_post.status_code == 400
    assert gateway.calls == ["hello"]
