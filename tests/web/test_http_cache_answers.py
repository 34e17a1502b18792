"""A GET answer's tag changes with whatever changes the answer: data, caller, locale, type."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.auth import scopes
from tests.segments.legal_entities import b2b_customer
from tests.web.conftest import GRAPHQL_RESPONSE, JSON, Gateway, Serve

SEGMENTS = {"query": '{ segments(sort: "id") { items { id name } } }'}
RENAME = """mutation($name: String!) {
  upsertSegment(id: "gold", input: {name: [{locale: "en", value: $name}], siteCode: "main",
                                   status: ACTIVE}) { created }
}"""
SHOP = "https://shop.example"


async def clean_get(gateway: Gateway, params: dict[str, str], **kwargs: Any) -> Any:
    response = await gateway.get(params, **kwargs)
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    return response


@pytest.fixture
async def catalog(serve: Serve, seed) -> Gateway:
    """The gateway's own schema, with its response cache, over a tenant with one segment."""
    gateway = await serve(schema=None)
    await seed.tenant_row()
    await seed.add(seed.segment("gold", name={"en": "Gold", "de": "Gülden"}))
    return gateway


async def test_a_write_through_post_changes_the_tag_of_the_same_get(catalog: Gateway):
    # given
    before = (await clean_get(catalog, SEGMENTS)).headers["etag"]
    # when
    written = await catalog.post(RENAME, {"name": "Platinum"}, scope=(scopes.MANAGE,))
    assert written.json()["data"]["upsertSegment"]["created"] is False
    response = await catalog.get(SEGMENTS, headers={"If-None-Match": before})
    # then
    assert response.status_code == 200
    assert response.json()["data"]["segments"]["items"][0]["name"] == "Platinum"
    assert response.headers["etag"] != before


async def test_an_answer_from_the_response_cache_keeps_its_tag(catalog: Gateway):
    # given
    first = await clean_get(catalog, SEGMENTS)
    # when: the second is served from the response cache, the third is revalidated
    second = await clean_get(catalog, SEGMENTS)
    third = await catalog.get(SEGMENTS, headers={"If-None-Match": first.headers["etag"]})
    # then
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    assert third.status_code == 304
    metrics = (await catalog.client.get("/metrics")).text
    assert 'gateway_response_cache_lookups_total{result="hit"} 2.0' in metrics


async def test_without_the_response_cache_the_tag_is_the_same(catalog: Gateway, serve: Serve):
    # given
    uncached = await serve(schema=None, response_cache_mb=0)
    # when
    cached, direct = await clean_get(catalog, SEGMENTS), await clean_get(uncached, SEGMENTS)
    # then
    assert direct.content == cached.content
    assert direct.headers["etag"] == cached.headers["etag"]


async def test_callers_who_see_different_answers_get_different_tags(gateway: Gateway):
    # given
    customer = {"query": "{ customer }"}
    # when
    one = await clean_get(gateway, customer, scope=(scopes.READ_OWN,), customer="c-1")
    two = await clean_get(gateway, customer, scope=(scopes.READ_OWN,), customer="c-2")
    # then
    assert one.content != two.content
    assert one.headers["etag"] != two.headers["etag"]
    crossed = await gateway.get(
        customer,
        headers={"If-None-Match": one.headers["etag"]},
        scope=(scopes.READ_OWN,),
        customer="c-2",
    )
    assert crossed.status_code == 200 and crossed.json()["data"] == {"customer": "c-2"}


async def test_locales_give_different_answers_and_tags(catalog: Gateway):
    # when
    english = await clean_get(catalog, SEGMENTS)
    german = await clean_get(catalog, SEGMENTS, headers={"Accept-Language": "de"})
    # then
    assert "Gülden" in german.text and "Gülden" not in english.text
    assert english.headers["etag"] != german.headers["etag"]
    assert german.headers["vary"] == "Authorization, Accept, Accept-Language, legalEntityId"


async def test_each_media_type_has_a_tag_of_its_own(gateway: Gateway):
    # given: the same bytes under two media types are two representations
    params = {"query": "{ hello }"}
    # when
    modern = await clean_get(gateway, params, headers={"Accept": GRAPHQL_RESPONSE})
    legacy = await clean_get(gateway, params, headers={"Accept": JSON})
    crossed = await gateway.get(
        params, headers={"Accept": JSON, "If-None-Match": modern.headers["etag"]}
    )
    # then
    assert modern.content == legacy.content
    assert modern.headers["etag"] != legacy.headers["etag"]
    assert crossed.status_code == 200


async def test_a_get_with_errors_under_application_json_is_not_stored(gateway: Gateway):
    # when: a request error is 200 for legacy clients, and still not kept
    response = await gateway.get({"query": "{ nope }"}, headers={"Accept": JSON})
    # then
    assert response.status_code == 200 and response.json()["errors"]
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


async def test_anonymous_introspection_over_get_is_tagged(gateway: Gateway):
    # when: development answers it without a token
    response = await gateway.client.get("/demo/graphql", params={"query": "{ __typename }"})
    # then
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-cache"
    assert "etag" in response.headers


async def test_a_listed_origin_may_send_if_none_match_and_read_the_etag(serve: Serve):
    # given
    gateway = await serve(cors_origins=(SHOP,))
    preflight_headers = {
        "Origin": SHOP,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization, if-none-match",
    }
    # when
    preflight = await gateway.client.options("/demo/graphql", headers=preflight_headers)
    first = await gateway.get({"query": "{ hello }"}, headers={"Origin": SHOP})
    headers = {"Origin": SHOP, "If-None-Match": first.headers["etag"]}
    revalidated = await gateway.get({"query": "{ hello }"}, headers=headers)
    # then
    assert preflight.status_code == 200
    assert "if-none-match" in preflight.headers["access-control-allow-headers"].lower()
    assert "etag" in first.headers["access-control-expose-headers"].lower()
    assert revalidated.status_code == 304
    assert revalidated.headers["access-control-allow-origin"] == SHOP
    assert (
        revalidated.headers["vary"]
        == "Authorization, Accept, Accept-Language, legalEntityId, Origin"
    )


async def test_a_tag_kept_under_one_legal_entity_header_is_not_good_for_another(serve: Serve, seed):
    # given: Vary does not name the header, so a client cache may offer le1's tag for le2
    gateway = await serve(schema=None)
    await b2b_customer(seed, "le1", "le2")
    own = {"scope": (scopes.READ_OWN,), "customer": "c1"}
    first = await clean_get(gateway, SEGMENTS, headers={"legalEntityId": "le1"}, **own)
    # when
    headers = {"legalEntityId": "le2", "If-None-Match": first.headers["etag"]}
    response = await gateway.get(SEGMENTS, headers=headers, **own)
    # then: the tag comes from the answer, so le2's answer comes back whole
    assert response.status_code == 200
    assert [s["id"] for s in response.json()["data"]["segments"]["items"]] == ["b2c", "seg-le2"]
