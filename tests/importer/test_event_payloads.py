"""An imported change's event is the one its mutation would record: the same type, keys and
payload (but for the tenant and the time), built from the row as the import left it."""

from __future__ import annotations

from typing import Any

from tests.conftest import MANAGE, Database, GraphQL
from tests.events.helpers import recorded
from tests.importer.documents import document, run_import
from tests.mutations.operations import UPSERT_CUSTOMER, UPSERT_ITEM, UPSERT_SEGMENT

KEYS = ("type", "segment_id", "item_type", "item_id", "customer_id", "legal_entity_id")


def _comparable(event: dict[str, Any]) -> tuple[Any, ...]:
    """The event without what two tenants' writes at two moments cannot share."""
    data = {**event["data"], "tenant": None}
    data["metadata"] = {**data["metadata"], "createdAt": None, "modifiedAt": None}
    return (*(event[key] for key in KEYS), data)


async def _events(db: Database, tenant: str) -> list[tuple[Any, ...]]:
    return [_comparable(event) for event in await recorded(db, tenant)]


async def _mutate(gql: GraphQL, segment: dict[str, Any], assignments: dict[str, Any]) -> None:
    """The mutations of the document's segment and assignments, in tenant `other`."""
    runs = [
        (UPSERT_SEGMENT, {"id": "pros", "input": segment}),
        (UPSERT_CUSTOMER, {"s": "pros", "c": "anna", "le": None, "input": assignments["anna"]}),
        (UPSERT_ITEM, {"s": "pros", "t": "CATEGORY", "i": "hammers", "input": assignments["c"]}),
        (UPSERT_ITEM, {"s": "pros", "t": "PRODUCT", "i": "claw", "input": assignments["p"]}),
    ]
    for mutation, variables in runs:
        await gql.data(mutation, variables, tenant="other", scopes=MANAGE)


SEGMENT = {
    "name": [{"locale": "en", "value": "Pros"}, {"locale": "de", "value": "Profis"}],
    "status": "ACTIVE",
    "siteCode": "main",
    "validity": {"from": "2024-01-01T00:00:00.000Z", "to": None},
}
CHANGED = {**SEGMENT, "status": "INACTIVE", "mixins": {"tier": 2}}


def _changed_document() -> dict[str, Any]:
    doc = document()
    doc["segments"][0].update(status="INACTIVE", mixins={"tier": 2})
    doc["customerAssignments"][0]["mixins"] = {"since": 2019}
    doc["itemAssignments"][0]["mixins"] = {"rank": 1}
    doc["itemAssignments"][1]["metadata"] = {"mixins": {"rank": "https://example.com/r.json"}}
    return doc


async def test_created_and_updated_events_are_those_of_the_mutations(
    db: Database, gql: GraphQL
) -> None:
    # given: the same catalog in tenant other
    catalog = document("other")
    for kind in ("segments", "customerAssignments", "itemAssignments"):
        del catalog[kind]
    await run_import(db, catalog)
    # when: created, by the import in demo and by mutations in other
    await run_import(db, document(), events=True)
    await _mutate(gql, SEGMENT, {"anna": None, "c": None, "p": None})
    # then
    imported, mutated = await _events(db, "demo"), await _events(db, "other")
    assert len(imported) == 4 and imported == mutated
    # when: updated, the same way
    await run_import(db, _changed_document(), events=True)
    changes = {
        "anna": {"mixins": {"since": 2019}},
        "c": {"mixins": {"rank": 1}},
        "p": {"metadata": {"mixins": {"rank": "https://example.com/r.json"}}},
    }
    await _mutate(gql, CHANGED, changes)
    # then
    imported, mutated = await _events(db, "demo"), await _events(db, "other")
    assert [event[0].rsplit("-", 1)[-1] for event in imported[4:]] == ["updated"] * 4
    assert imported[4:] == mutated[4:]
