"""Tenant isolation: as one tenant, nothing of another with the same ids is seen or changed."""

from __future__ import annotations

import json
from typing import Any

from gateway.auth import scopes
from tests.conftest import Database
from tests.security.conftest import Client, Serve, Token
from tests.security.operations import MUTATIONS, QUERIES, WEBHOOKS, Operation
from tests.security.sql_tenancy import StatementLog
from tests.security.tenants import OTHER, OTHER_CUSTOMER, OTHER_ONLY, OWN, checksum, populate_both

READER = Token((scopes.READ,))
CUSTOMER = Token((scopes.READ_OWN,), customer="c1")
WRITER = Token((scopes.READ, scopes.MANAGE))
OTHER_IDS = (*OTHER_ONLY.values(), OTHER_CUSTOMER)


async def _run(client: Client, operations: list[Operation], token: Token) -> dict[str, Any]:
    """Each operation's response body by name; every one must be a 200."""
    bodies = {}
    for operation in operations:
        response = await client.post(operation.document, operation.variables, token=token)
        assert response.status_code == 200, (operation.name, response.text)
        bodies[operation.name] = response.json()
    return bodies


def _leaks(bodies: dict[str, Any], words: tuple[str, ...]) -> list[tuple[str, str]]:
    return [
        (name, word) for name, body in bodies.items() for word in words if word in json.dumps(body)
    ]


async def _started(db: Database, serve: Serve) -> Client:
    await populate_both(db)
    return await serve(db)


async def test_reads_return_nothing_of_the_other_tenant(db: Database, serve: Serve):
    # given
    client = await _started(db, serve)
    # when
    bodies = {
        f"{who}: {name}": body
        for who, token in (("reader", READER), ("customer", CUSTOMER))
        for name, body in (await _run(client, QUERIES, token)).items()
    }
    # then
    assert [name for name, body in bodies.items() if "errors" in body] == []
    assert _leaks(bodies, (OTHER, *OTHER_IDS)) == []
    segments = bodies["reader: segments"]["data"]["segments"]["items"]
    assert [s["id"] for s in segments] == ["s1", "s2", "s3"]
    assert {s["mixins"]["owner"] for s in segments} == {OWN}


async def test_writes_with_the_other_tenants_ids_change_nothing_of_it(db: Database, serve: Serve):
    # given
    client = await _started(db, serve)
    other_before, own_before = await checksum(db, OTHER), await checksum(db, OWN)
    # when
    bodies = await _run(client, MUTATIONS, WRITER)
    # then
    assert await checksum(db, OTHER) == other_before
    assert await checksum(db, OWN) != own_before
    assert _leaks(bodies, (OTHER,)) == []


BULKS = (
    "bulkUpsertItemAssignments",
    "bulkDeleteItemAssignments",
    "bulkDeleteCustomerAssignments",
    "bulkUpsertItemAssignments on the other's segment",
    "bulkDeleteCustomerAssignments on the other's segment",
)


async def test_bulk_entries_naming_the_other_tenants_records_are_not_found(
    db: Database, serve: Serve
):
    # given
    client = await _started(db, serve)
    # when
    bodies = await _run(client, [m for m in MUTATIONS if m.name in BULKS], WRITER)

    # then
    def codes(name: str, field: str) -> list[tuple[str, int]]:
        return [(r["id"], r["code"]) for r in bodies[name]["data"][field]["results"]]

    upserted = codes("bulkUpsertItemAssignments", "own")
    assert upserted == [("p1", 204), ("p-other", 404), ("p3", 201)]
    deleted = codes("bulkDeleteItemAssignments", "bulkDeleteItemAssignments")
    assert deleted == [("p-other", 404), ("p2", 204)]
    customers = codes("bulkDeleteCustomerAssignments", "bulkDeleteCustomerAssignments")
    assert customers == [(OTHER_CUSTOMER, 404), ("c9", 404)]
    for name in BULKS[3:]:
        assert [e["extensions"]["code"] for e in bodies[name]["errors"]] == ["NOT_FOUND"]


async def test_every_statement_of_every_operation_has_a_tenant_predicate(
    db: Database, serve: Serve
):
    # given
    client = await _started(db, serve)
    log = StatementLog()
    # when
    with log.attached(client.engine):
        for token in (READER, CUSTOMER, Token((scopes.READ_OWN,), customer="c2")):
            await _run(client, QUERIES, token)
        await _run(client, [*MUTATIONS, *WEBHOOKS], WRITER)
    # then
    assert log.problems == []
    assert len(log.tenant_statements) > 100
