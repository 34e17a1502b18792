"""The `legalEntityId` request header, which Emporix's B2B flow injects."""

from __future__ import annotations

from typing import Any

from gateway.auth import scopes
from tests.segments.legal_entities import b2b_customer
from tests.web.conftest import Gateway, Serve

SEGMENTS = '{ segments(sort: "id") { items { id } } }'
OWN = {"scope": (scopes.READ_OWN,), "customer": "c1"}


async def segment_ids(gateway: Gateway, headers: dict[str, str] | None = None, **token: Any):
    response = await gateway.post(SEGMENTS, headers=headers, **{**OWN, **token})
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()["data"]["segments"]["items"]]


async def test_the_header_chooses_among_several_legal_entities(serve: Serve, seed):
    # given
    gateway = await serve(schema=None)
    await b2b_customer(seed, "le1", "le2")
    # when
    chosen = await segment_ids(gateway, {"legalEntityId": "le2"})
    # then
    assert chosen == ["b2c", "seg-le2"]


async def test_the_header_beats_the_token_and_the_argument_beats_the_header(serve: Serve, seed):
    # given
    gateway = await serve(schema=None)
    await b2b_customer(seed, "le1", "le2")
    query = '{ segments(legalEntityId: "le1", sort: "id") { items { id } } }'
    # when
    by_header = await segment_ids(gateway, {"legalEntityId": "le2"}, legal_entity="le1")
    response = await gateway.post(query, headers={"legalEntityId": "le2"}, **OWN)
    # then
    assert by_header == ["b2c", "seg-le2"]
    assert [s["id"] for s in response.json()["data"]["segments"]["items"]] == ["b2c", "seg-le1"]


async def test_answers_under_different_headers_are_not_mixed_up(serve: Serve, seed):
    # given: the response cache keeps answers per caller
    gateway = await serve(schema=None)
    await b2b_customer(seed, "le1", "le2")
    # when
    first = await segment_ids(gateway, {"legalEntityId": "le1"})
    second = await segment_ids(gateway, {"legalEntityId": "le2"})
    neither = await segment_ids(gateway)
    # then
    assert (first, second) == (["b2c", "seg-le1"], ["b2c", "seg-le2"])
    assert neither == ["b2c", "seg-le1", "seg-le2"]


async def test_segment_read_ignores_the_header(serve: Serve, seed):
    # given
    gateway = await serve(schema=None)
    await b2b_customer(seed, "le1", "le2")
    # when
    ids = await segment_ids(gateway, {"legalEntityId": "le1"}, scope=(scopes.READ,))
    # then
    assert ids == ["b2c", "seg-le1", "seg-le2"]


async def test_a_header_at_the_id_length_limit_is_used_and_past_it_refused(serve: Serve, seed):
    # given
    gateway = await serve(schema=None)
    await b2b_customer(seed, "e" * 256, "le2")
    # when
    at_limit = await segment_ids(gateway, {"legalEntityId": "e" * 256})
    past = await gateway.post(SEGMENTS, headers={"legalEntityId": "e" * 257}, **OWN)
    # then
    assert at_limit == ["b2c", "seg-eeeeeeee"]
    assert past.status_code == 400
    [error] = past.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("The legalEntityId header must be 1 to 256 characters")
    assert "data" not in past.json()
