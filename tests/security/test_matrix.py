"""The authorization matrix: every operation x every token kind x own and other tenant."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from gateway.auth import scopes
from gateway.auth.policy import POLICY, Decision
from gateway.schema import schema
from tests.security.conftest import TOKENS, Serve, Token
from tests.security.operations import OPERATIONS, Operation
from tests.security.tenants import OTHER, OWN, checksum, populate_both

ALLOWED = "allowed"
REFUSED = "refused at the root"
REFUSED_BELOW = "refused below the root"
UNAUTHENTICATED = "401 UNAUTHENTICATED"
OTHER_TENANT = "403 FORBIDDEN"
WRITES_NOTHING = {REFUSED, UNAUTHENTICATED, OTHER_TENANT}


def contract_allows(field: str, token: Token) -> bool:
    """API.md, "Identity and scopes": manage runs every mutation and nothing else, reads need
    a read scope, matchItems takes read, read_own or manage, and webhook fields manage."""
    held = set(token.scopes)
    reads = bool(held & {scopes.READ, scopes.READ_OWN})
    if field.startswith("Mutation.") or field.startswith("Query.webhook"):
        return scopes.MANAGE in held
    if field == "Query.matchItems":
        return reads or scopes.MANAGE in held
    return reads


def expected(operation: Operation, token: Token | None, tenant: str) -> str:
    if token is None:
        return UNAUTHENTICATED
    if tenant != token.tenant:
        return OTHER_TENANT
    refused = [field for field in operation.path if not contract_allows(field, token)]
    if not refused:
        return ALLOWED
    return REFUSED if refused[0] == operation.path[0] else REFUSED_BELOW


def _codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


def observed(response: httpx.Response) -> str:
    body = response.json()
    codes = _codes(body)
    if response.status_code == 401 and codes == ["UNAUTHENTICATED"] and "data" not in body:
        return UNAUTHENTICATED
    if response.status_code == 403 and codes == ["FORBIDDEN"] and "data" not in body:
        return OTHER_TENANT
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    if "FORBIDDEN" not in codes and "UNAUTHENTICATED" not in codes:
        return ALLOWED
    if set(codes) != {"FORBIDDEN"}:
        return f"mixed errors {codes}"
    data = body.get("data")
    at_root = all(len(e["path"]) == 1 for e in body["errors"])
    if at_root and (data is None or all(value is None for value in data.values())):
        return REFUSED
    return REFUSED_BELOW if not at_root else "refused at the root, yet data came back"


def test_the_matrix_covers_every_root_field_and_every_field_asking_for_a_scope():
    # given
    # Subscription fields run over WebSocket: tests/subscriptions/test_socket.py and
    # test_changes.py check their tokens and scopes.
    decided = {
        key
        for key, decision in POLICY.items()
        if decision is not Decision.PARENT and not key.startswith("Subscription.")
    }
    roots = {
        f"{root.name}.{name}"
        for root in (schema._schema.query_type, schema._schema.mutation_type)
        if root is not None
        for name in root.fields
    }
    # when
    covered = {field for operation in OPERATIONS for field in operation.path}
    # then
    assert covered == decided | roots


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.name)
async def test_every_cell_of_the_matrix_gets_what_the_contract_says(
    sqlite_db, serve: Serve, operation
):
    # given
    await populate_both(sqlite_db)
    client = await serve(sqlite_db)
    wrong = []
    for kind, token in TOKENS.items():
        for tenant in (OWN, OTHER):
            before = [await checksum(sqlite_db, t) for t in (OWN, OTHER)]
            # when
            response = await client.post(operation.document, token=token, tenant=tenant)
            # then
            want, got = expected(operation, token, tenant), observed(response)
            if want != got:
                wrong.append(f"{kind} @ {tenant}: expected {want}, got {got}: {response.text}")
            after = [await checksum(sqlite_db, t) for t in (OWN, OTHER)]
            if want in WRITES_NOTHING and after != before:
                wrong.append(f"{kind} @ {tenant}: {want}, yet data changed")
    assert wrong == []
