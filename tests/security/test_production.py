"""GATEWAY_PROFILE=production: nothing about the schema or the server is given away."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from gateway.auth import scopes
from gateway.settings import load_settings
from tests.security.conftest import Client, Serve, Token
from tests.security.tenants import populate_both

READER = Token((scopes.READ,))
PRODUCTION = {"GATEWAY_PROFILE": "production", "GATEWAY_JWT_SECRET": "s" * 48}


@pytest.fixture
async def production(sqlite_db, serve: Serve) -> Client:
    await populate_both(sqlite_db)
    return await serve(sqlite_db, load_settings(PRODUCTION))


@pytest.mark.parametrize(
    "query",
    [
        "{ __schema { types { name fields { name } } } }",
        '{ __type(name: "Segment") { fields { name } } }',
        "{ segments { items { id } } meta: __schema { queryType { name } } }",
        "query { ...on Query { __schema { queryType { name } } } }",
    ],
)
async def test_introspection_is_refused(production: Client, query):
    # when
    response = await production.post(query, token=READER)
    # then
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {e["extensions"]["code"] for e in errors} == {"BAD_USER_INPUT"}
    assert "Introspection is disabled" in errors[0]["message"]
    assert "data" not in response.json()


async def test_typename_still_answers(production: Client):
    # when
    response = await production.post("{ __typename }", token=READER)
    # then
    assert response.json()["data"] == {"__typename": "Query"}


async def test_a_browser_gets_no_graphiql_page(production: Client):
    # when
    response = await production.http.get("/alpha/graphql", headers={"Accept": "text/html"})
    # then
    assert response.status_code == 406
    assert not response.headers["content-type"].startswith("text/html")
    assert "graphiql" not in response.text.lower()


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ segmnts { items { id } } }", None),
        ("{ segments(pageSise: 1) { totalCount } }", None),
        ("{ segments { items { nam } } }", None),
        ("{ itemAssignments(type: PRODUCTT) { totalCount } }", None),
        ("query($t: ItemType!) { itemAssignments(type: $t) { totalCount } }", {"t": "PRODUCTT"}),
        (
            "mutation($s: SegmentInput!) { createSegment(input: $s) { created } }",
            {"s": {"name": [], "siteCode": "main", "status": "ACTIV"}},
        ),
        (
            "mutation($s: SegmentInput!) { createSegment(input: $s) { created } }",
            {"s": {"name": [], "siteCod": "main"}},
        ),
    ],
    ids=[
        "root field",
        "argument",
        "field",
        "enum literal",
        "enum variable",
        "input enum",
        "input field",
    ],
)
async def test_no_suggestion_names_what_the_schema_holds(production: Client, query, variables):
    # when
    response = await production.post(query, variables, token=Token((scopes.READ, scopes.MANAGE)))
    # then
    assert response.status_code == 400
    text = response.text
    assert "Did you mean" not in text
    assert "'PRODUCT'" not in text and "'ACTIVE'" not in text and "'segments'" not in text


async def test_an_internal_error_is_a_code_and_a_request_id_and_the_log_has_the_rest(
    production: Client, sqlite_db, caplog
):
    # given
    async with sqlite_db.engine.begin() as conn:
        await conn.execute(sa.text("DROP TABLE item_assignment"))
    caplog.set_level(logging.ERROR)
    # when
    response = await production.post(
        "{ segments { items { id } totalCount } itemAssignments { totalCount } }", token=READER
    )
    # then
    assert response.status_code == 200
    body = response.json()
    request_id = response.headers["x-request-id"]
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "INTERNAL", "requestId": request_id}
    assert error["message"] == f"Internal error. Quote request id {request_id} when reporting it."
    assert body["data"] is None
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged and "no such table: item_assignment" in caplog.text
    assert logged[0].exc_info is not None


async def test_a_failure_before_execution_is_a_500_with_only_a_code_and_a_request_id(
    production: Client, sqlite_db, caplog
):
    # given: the tenant's languages are read before any resolver runs
    async with sqlite_db.engine.begin() as conn:
        await conn.execute(sa.text("DROP TABLE tenant"))
    caplog.set_level(logging.ERROR)
    # when
    response = await production.post("{ segments { totalCount } }", token=READER)
    # then
    assert response.status_code == 500
    request_id = response.headers["x-request-id"]
    assert response.json() == {
        "errors": [
            {
                "message": f"Internal error. Quote request id {request_id} when reporting it.",
                "extensions": {"code": "INTERNAL", "requestId": request_id},
            }
        ]
    }
    assert request_id in caplog.text and "no such table: tenant" in caplog.text
