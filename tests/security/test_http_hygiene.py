"""HTTP hygiene with the real schema: no writes over GET, no simple-request CSRF, CORS by
configuration only, and headers that say nothing about the server."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import sqlalchemy as sa

from gateway.auth import scopes
from gateway.settings import load_settings
from tests.security.conftest import Client, Serve, Token
from tests.security.tenants import OTHER, OWN, checksum, populate_both

WRITER = Token((scopes.READ, scopes.MANAGE))
DELETE = 'mutation { deleteSegment(id: "s1", forceDelete: true) { deleted } }'
# The bodies of "simple" requests, which browsers send cross-site without a preflight.
JSON_BODY = json.dumps({"query": DELETE})
MULTIPART = f'--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{DELETE}\r\n--x--\r\n'
SHOP, EVIL = "https://shop.example", "https://evil.example"
# What a response may say in its headers; anything else could describe the server.
HEADERS = {
    "content-type", "content-length", "cache-control", "x-request-id", "allow",
    "www-authenticate", "accept-post", "vary", "etag", "last-modified",
    "content-security-policy", "x-content-type-options", "referrer-policy",
}  # fmt: skip
CORS_HEADER = re.compile(r"access-control-[a-z-]+")
REVEALING = re.compile(r"python|uvicorn|starlette|strawberry|sqlite|postgres|/\w+/\w+\.py", re.I)


@pytest.fixture
async def client(sqlite_db, serve: Serve) -> Client:
    await populate_both(sqlite_db)
    return await serve(sqlite_db)


async def test_a_mutation_over_get_is_405_and_writes_nothing(client: Client, sqlite_db):
    # given
    before = await checksum(sqlite_db, OWN)
    # when
    response = await client.http.get(
        "/alpha/graphql", params={"query": DELETE}, headers=client.header(WRITER)
    )
    # then
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert await checksum(sqlite_db, OWN) == before


async def test_a_mutation_named_by_operation_name_over_get_is_405(client: Client, sqlite_db):
    # given
    before = await checksum(sqlite_db, OWN)
    document = (
        f"query Read {{ segments {{ totalCount }} }} {DELETE.replace('mutation', 'mutation Write')}"
    )
    # when
    response = await client.http.get(
        "/alpha/graphql",
        params={"query": document, "operationName": "Write"},
        headers=client.header(WRITER),
    )
    # then
    assert response.status_code == 405
    assert await checksum(sqlite_db, OWN) == before


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", f"query={DELETE}"),
        ("multipart/form-data; boundary=x", MULTIPART),
        ("text/plain", JSON_BODY),
        ("text/plain;charset=UTF-8", JSON_BODY),
        (None, JSON_BODY),
    ],
    ids=["form", "multipart", "text", "text with charset", "no content type"],
)
async def test_a_post_a_browser_may_send_cross_site_is_refused(
    client: Client, sqlite_db, content_type, body
):
    # given
    before = await checksum(sqlite_db, OWN)
    headers = {**client.header(WRITER), "Origin": EVIL}
    if content_type:
        headers["Content-Type"] = content_type
    # when
    response = await client.http.post("/alpha/graphql", content=body.encode(), headers=headers)
    # then
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await checksum(sqlite_db, OWN) == before


async def test_the_same_write_as_json_runs(client: Client, sqlite_db):
    # given
    before = await checksum(sqlite_db, OWN)
    # when
    response = await client.post(DELETE, token=WRITER)
    # then
    assert response.json()["data"] == {"deleteSegment": {"deleted": True}}
    assert await checksum(sqlite_db, OWN) != before


PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type",
}


async def test_cors_allows_exactly_the_configured_origins(sqlite_db, serve: Serve):
    # given
    env = {"GATEWAY_CORS_ORIGINS": f"{SHOP}, https://other-shop.example"}
    client = await serve(sqlite_db, load_settings(env), graphiql=False)
    # when
    allowed = await client.http.options("/alpha/graphql", headers={"Origin": SHOP, **PREFLIGHT})
    refused = await client.http.options("/alpha/graphql", headers={"Origin": EVIL, **PREFLIGHT})
    read = await client.post("{ __typename }", token=WRITER, headers={"Origin": EVIL})
    # then
    assert allowed.headers["access-control-allow-origin"] == SHOP
    assert "access-control-allow-credentials" not in allowed.headers
    assert "access-control-allow-origin" not in refused.headers
    assert "access-control-allow-origin" not in read.headers


async def test_without_configuration_no_origin_is_allowed(client: Client):
    # when
    preflight = await client.http.options("/alpha/graphql", headers={"Origin": SHOP, **PREFLIGHT})
    response = await client.post("{ __typename }", token=WRITER, headers={"Origin": SHOP})
    # then
    assert not any(CORS_HEADER.fullmatch(name) for name in preflight.headers)
    assert not any(CORS_HEADER.fullmatch(name) for name in response.headers)


async def _responses(client: Client, sqlite_db) -> dict[str, httpx.Response]:
    """One response of every kind the gateway gives, by what provoked it."""
    http, auth = client.http, client.header(WRITER)
    post = {**auth, "Content-Type": "application/json"}
    found = {
        "200": await client.post("{ segments { totalCount } }", token=WRITER),
        "400": await client.post("{ nope }", token=WRITER),
        # Introspection alone runs without a token in development; a data query does not.
        "401": await client.post("{ segments { totalCount } }", token=None),
        "403": await client.post("{ __typename }", token=WRITER, tenant=OTHER),
        "404": await http.get("/NO/graphql"),
        "405": await http.put("/alpha/graphql", headers=auth),
        "406": await http.get("/alpha/graphql", headers={**auth, "Accept": "text/csv"}),
        "413": await http.post("/alpha/graphql", content=b"x" * (2 << 20), headers=post),
        "415": await http.post("/alpha/graphql", content=b"{}", headers=auth),
        "healthz": await http.get("/healthz"),
        "readyz": await http.get("/readyz"),
        "metrics": await http.get("/metrics"),
        "unknown path": await http.get("/admin"),
    }
    async with sqlite_db.engine.begin() as conn:
        await conn.execute(sa.text("DROP TABLE tenant"))
    # A request that reads (introspection-only ones read nothing) meets the missing table.
    found["500"] = await client.post("{ segments { totalCount } }", token=WRITER)
    return found


async def test_no_response_describes_the_server_in_its_headers(client: Client, sqlite_db):
    # when
    responses = await _responses(client, sqlite_db)
    # then
    assert [r.status_code for r in responses.values()][:10] == [
        200, 400, 401, 403, 404, 405, 406, 413, 415, 200,
    ]  # fmt: skip
    assert responses["500"].status_code == 500
    revealing = [
        (kind, name, value)
        for kind, response in responses.items()
        for name, value in response.headers.items()
        if name.lower() not in HEADERS or REVEALING.search(value)
    ]
    assert revealing == []
