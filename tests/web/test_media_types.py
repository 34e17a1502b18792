"""Which media type answers, and which status a request error gets under each."""

from __future__ import annotations

import pytest

from tests.web.conftest import GRAPHQL_RESPONSE, JSON, Gateway


def media_type(response) -> str:
    return response.headers["content-type"].split(";")[0]


async def test_a_request_without_accept_gets_graphql_response_json(gateway: Gateway):
    # given
    request = gateway.client.build_request(
        "POST", "/demo/graphql", json={"query": "{ hello }"}, headers=gateway.auth()
    )
    del request.headers["accept"]
    # when
    response = await gateway.client.send(request)
    # then
    assert response.status_code == 200
    assert media_type(response) == GRAPHQL_RESPONSE
    assert response.json()["data"] == {"hello": "world"}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (JSON, JSON),
        ("*/*", GRAPHQL_RESPONSE),
        ("application/*", GRAPHQL_RESPONSE),
        (f"{JSON}, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0.5, {JSON}", JSON),
        (f"{GRAPHQL_RESPONSE};q=0, */*", JSON),
        ("text/html, application/json;q=0.9", JSON),
    ],
)
async def test_the_response_media_type_follows_accept(gateway: Gateway, accept, expected):
    # when
    response = await gateway.post("{ hello }", headers={"Accept": accept})
    # then
    assert response.status_code == 200
    assert media_type(response) == expected
    assert response.headers["content-type"].endswith("charset=utf-8")


@pytest.mark.parametrize("accept", ["text/plain", "image/png, text/*", f"{JSON};q=0"])
async def test_an_accept_allowing_neither_json_type_is_406(gateway: Gateway, accept):
    # when
    response = await gateway.post("{ hello }", headers={"Accept": accept})
    # then
    assert response.status_code == 406
    assert gateway.calls == []


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ hello", None),  # does not parse
        ("{ nope }", None),  # does not validate
        ("query($v: Int!) { echo(value: $v) }", {"v": "seven"}),  # variable does not coerce
        ("query($v: Int!) { echo(value: $v) }", {}),  # required variable missing
    ],
)
async def test_a_request_error_is_400_with_graphql_response_json(
    gateway: Gateway, query, variables
):
    # when
    response = await gateway.post(query, variables, headers={"Accept": GRAPHQL_RESPONSE})
    # then
    assert response.status_code == 400
    assert media_type(response) == GRAPHQL_RESPONSE
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert gateway.calls == []


@pytest.mark.parametrize(
    ("query", "variables"),
    [("{ hello", None), ("{ nope }", None), ("query($v: Int!) { echo(value: $v) }", {"v": "x"})],
)
async def test_a_request_error_is_200_with_errors_when_only_json_is_accepted(
    gateway: Gateway, query, variables
):
    # when
    response = await gateway.post(query, variables, headers={"Accept": JSON})
    # then
    assert response.status_code == 200
    assert media_type(response) == JSON
    assert response.json()["errors"][0]["message"]
    assert gateway.calls == []


async def test_a_field_error_is_200_with_data_and_errors(gateway: Gateway):
    # when
    response = await gateway.post("{ hello boom }")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"hello": "world", "boom": None}
    assert body["errors"][0]["path"] == ["boom"]


async def test_an_unexpected_error_is_masked_and_carries_the_request_id(gateway: Gateway):
    # when
    response = await gateway.post("{ boom }", headers={"X-Request-ID": "trace-123"})
    # then
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "INTERNAL", "requestId": "trace-123"}
    assert "SELECT" not in response.text and "/srv" not in response.text


async def test_graphql_responses_are_not_cached(gateway: Gateway):
    # when
    response = await gateway.post("{ hello }")
    # then
    assert response.headers["cache-control"] == "no-store"
