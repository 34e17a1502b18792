"""Every response carries a request id: the client's when it is sane, else one of ours."""

from __future__ import annotations

import logging
import re

import pytest

from tests.web.conftest import JSON, Gateway


async def test_an_incoming_request_id_is_echoed_and_reaches_the_context(gateway: Gateway):
    # when
    response = await gateway.post("{ requestId }", headers={"X-Request-ID": "abc-123.4"})
    # then
    assert response.headers["x-request-id"] == "abc-123.4"
    assert response.json()["data"] == {"requestId": "abc-123.4"}


@pytest.mark.parametrize("incoming", ["", "has space", "x" * 200, "-leading", "new\tline"])
async def test_an_insane_request_id_is_replaced(gateway: Gateway, incoming):
    # when
    response = await gateway.post("{ requestId }", headers={"X-Request-ID": incoming})
    # then
    generated = response.headers["x-request-id"]
    assert generated != incoming and len(generated) == 32
    assert response.json()["data"] == {"requestId": generated}


@pytest.mark.parametrize("path", ["/demo/graphql", "/healthz", "/nowhere", "/a/graphql"])
async def test_every_response_has_a_request_id_and_no_server_header(gateway: Gateway, path):
    # when
    response = await gateway.client.get(path)
    # then
    assert len(response.headers["x-request-id"]) == 32
    assert "server" not in response.headers


async def test_a_request_id_of_64_characters_is_kept_and_of_65_replaced(gateway: Gateway):
    # given
    longest = "a" * 63 + "Z"
    # when
    kept = await gateway.post("{ requestId }", headers={"X-Request-ID": longest})
    replaced = await gateway.post("{ requestId }", headers={"X-Request-ID": longest + "9"})
    # then
    assert kept.headers["x-request-id"] == longest
    assert len(replaced.headers["x-request-id"]) == 32


@pytest.mark.parametrize(
    "incoming",
    [b"abc\r\nX-Forged: 1", b"a\x00b", b"a\x1b[31mred", b"caf\xc3\xa9", b"a\x7f", b"a b", b"\xff"],
)
async def test_a_request_id_with_control_or_foreign_bytes_is_neither_echoed_nor_logged(
    gateway: Gateway, caplog: pytest.LogCaptureFixture, incoming: bytes
):
    # when: an unexpected error, so the request id is logged
    with caplog.at_level(logging.ERROR):
        response = await gateway.client.post(
            "/demo/graphql",
            content=b'{"query": "{ boom }"}',
            headers=[
                *gateway.auth().items(),
                ("Content-Type", JSON),
                (b"X-Request-ID", incoming),
            ],
        )
    # then: ours is echoed and logged, theirs appears nowhere
    ours = response.headers["x-request-id"]
    assert re.fullmatch("[0-9a-f]{32}", ours)
    assert response.json()["errors"][0]["extensions"]["requestId"] == ours
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert ours in logged
    assert incoming.decode("latin-1") not in logged
    assert "X-Forged" not in response.headers
