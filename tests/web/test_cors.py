"""Cross-origin access: only the origins in GATEWAY_CORS_ORIGINS, none by default."""

from __future__ import annotations

from tests.web.conftest import Gateway, Serve

SHOP = "https://shop.example"
PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type, legalentityid",
}


async def test_by_default_no_origin_is_allowed(gateway: Gateway):
    # when
    response = await gateway.post("{ hello }", headers={"Origin": SHOP})
    # then
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_a_listed_origin_may_send_a_preflight(serve: Serve):
    # given
    gateway = await serve(cors_origins=(SHOP,))
    # when
    response = await gateway.client.options("/demo/graphql", headers={"Origin": SHOP, **PREFLIGHT})
    # then
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SHOP
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "legalentityid" in allowed  # Emporix's B2B storefronts send it
    assert "access-control-allow-credentials" not in response.headers


async def test_a_listed_origin_reads_the_response_and_its_request_id(serve: Serve):
    # given
    gateway = await serve(cors_origins=(SHOP,))
    # when
    response = await gateway.post("{ hello }", headers={"Origin": SHOP})
    # then
    assert response.headers["access-control-allow-origin"] == SHOP
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


async def test_an_unlisted_origin_is_not_allowed(serve: Serve):
    # given
    gateway = await serve(cors_origins=(SHOP,))
    evil = "https://evil.example"
    # when
    preflight = await gateway.client.options("/demo/graphql", headers={"Origin": evil, **PREFLIGHT})
    response = await gateway.post("{ hello }", headers={"Origin": evil})
    # then
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in response.headers
