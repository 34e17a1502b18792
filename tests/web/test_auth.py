"""Bearer tokens at the door: 401 without a valid one, 403 for another tenant's."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gateway.auth import scopes
from gateway.auth.tokens import mint_token
from tests.web.conftest import GRAPHQL_RESPONSE, JSON, Gateway, Serve

QUERY = b'{"query": "{ hello }"}'


async def _post(gateway: Gateway, headers: dict[str, str]):
    return await gateway.client.post(
        "/demo/graphql", content=QUERY, headers={"Content-Type": JSON, **headers}
    )


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
async def test_a_request_without_a_token_is_401_and_runs_nothing(gateway: Gateway, accept):
    # when
    response = await _post(gateway, {"Accept": accept})
    # then
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    errors = response.json()["errors"]
    assert [e["extensions"]["code"] for e in errors] == ["UNAUTHENTICATED"]
    assert "data" not in response.json()
    assert gateway.calls == []


@pytest.mark.parametrize(
    "authorization",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token abc", "bearer not-a-jwt", "Bearer a.b.c"],
)
async def test_a_missing_or_malformed_token_is_401(gateway: Gateway, authorization):
    # when
    response = await _post(gateway, {"Authorization": authorization})
    # then
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["UNAUTHENTICATED"]
    assert gateway.calls == []


async def test_an_expired_token_is_401(gateway: Gateway):
    # given
    token = gateway.token(ttl=-120)
    # when
    response = await _post(gateway, {"Authorization": f"Bearer {token}"})
    # then
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert "expired" in response.json()["errors"][0]["message"]
    assert gateway.calls == []


async def test_a_token_signed_with_another_secret_is_401(gateway: Gateway):
    # given
    other = replace(gateway.settings, jwt_secret="another-secret-0123456789abcdefghij")
    token = mint_token(other, tenant="demo", scopes=[scopes.READ])
    # when
    response = await _post(gateway, {"Authorization": f"Bearer {token}"})
    # then
    assert response.status_code == 401
    assert gateway.calls == []


async def test_a_token_of_another_tenant_is_403_and_runs_nothing(gateway: Gateway):
    # when
    response = await _post(gateway, gateway.auth(tenant="other"))
    # then
    assert response.status_code == 403
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["FORBIDDEN"]
    assert gateway.calls == []


async def test_the_token_is_checked_before_the_body_is_read(gateway: Gateway):
    # when: a body that would be refused, without a token
    response = await gateway.client.post(
        "/demo/graphql", content=b"[", headers={"Content-Type": "text/plain"}
    )
    # then
    assert response.status_code == 401


async def test_the_token_names_the_caller_in_the_context(gateway: Gateway):
    # when
    response = await gateway.post("{ customer tenant }", scope=(scopes.READ_OWN,), customer="c-1")
    # then
    assert response.json()["data"] == {"customer": "c-1", "tenant": "demo"}


@pytest.mark.parametrize(("accept_language", "locale"), [("de, en;q=0.5", "de"), (None, "en")])
async def test_accept_language_sets_the_request_locale(
    gateway: Gateway, seed, accept_language, locale
):
    # given
    await seed.tenant_row(default="en", languages=("en", "de"))
    headers = {"Accept-Language": accept_language} if accept_language else {}
    # when
    response = await gateway.post("{ locale }", headers=headers)
    # then
    assert response.json()["data"] == {"locale": locale}


@pytest.mark.parametrize("separator", ["\u00a0", "\t"])
async def test_scopes_joined_by_other_whitespace_grant_nothing(serve: Serve, separator: str):
    # given: a token whose scope claim is "<read><NBSP or TAB><manage>"
    gateway = await serve(schema=None)
    joined = (f"{scopes.READ}{separator}{scopes.MANAGE}",)
    # when
    read = await gateway.post("{ segments { items { id } } }", scope=joined)
    write = await gateway.post('mutation { deleteSegment(id: "s1") { __typename } }', scope=joined)
    # then
    for response in (read, write):
        assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
