"""`gateway import --events` records an event for each segment and assignment it creates or
changes, in the import's one transaction; without it, or for the catalog, none."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import gateway.importer.batches as batches
import gateway.importer.changes as changes
from gateway.importer.run import CatalogImportError
from gateway.store.tables import data_version_table, webhook_delivery_table
from tests.conftest import Database
from tests.events.helpers import recorded, short
from tests.importer.command import gateway_import
from tests.importer.documents import document, run_import, snapshot
from tests.webhooks.operations import stored

CREATED = [
    "segment-created",
    "customer-assignment-created",
    "item-assignment-created",
    "item-assignment-created",
]


async def _shorts(db: Database) -> list[str]:
    return [short(event) for event in await recorded(db)]


async def test_a_first_import_records_a_created_event_per_segment_and_assignment(
    db: Database,
) -> None:
    # when
    report = await run_import(db, document(), events=True)
    # then: segments first, then the assignments that name them, each list in key order
    events = await recorded(db)
    assert [short(event) for event in events] == CREATED
    assert [event["item_id"] for event in events[2:]] == ["hammers", "claw"]
    assert report.events == 4
    assert "change events             4 recorded" in str(report)


async def test_a_reimport_records_updated_for_changes_created_for_new_records_only(
    db: Database,
) -> None:
    # given
    await run_import(db, document(), events=True)
    doc = document()
    doc["segments"][0]["status"] = "INACTIVE"
    doc["itemAssignments"][1]["mixins"] = {"featured": True}
    doc["customerAssignments"].append({"segmentId": "pros", "customerId": "ben"})
    # when
    report = await run_import(db, doc, events=True)
    # then: the unchanged customer assignment of anna and item hammers get none
    events = (await recorded(db))[len(CREATED) :]
    assert [(short(e), e["customer_id"] or e["item_id"]) for e in events] == [
        ("segment-updated", None),
        ("customer-assignment-created", "ben"),
        ("item-assignment-updated", "claw"),
    ]
    assert events[0]["data"]["previousStatus"] == "ACTIVE"
    assert events[0]["data"]["status"] == "INACTIVE"
    assert events[2]["data"]["mixins"] == {"featured": True}
    assert events[2]["data"]["metadata"]["version"] == 2
    assert report.events == 3


async def test_importing_the_same_file_again_records_nothing(db: Database) -> None:
    # given
    await run_import(db, document(), events=True)
    # when
    report = await run_import(db, document(), events=True)
    # then
    assert await _shorts(db) == CREATED
    assert report.events == 0


async def test_without_events_an_import_records_none_and_keeps_no_changes(db: Database) -> None:
    # when
    with db.count_statements() as seen:
        report = await run_import(db, document())
    # then
    assert await recorded(db) == []
    assert report.events is None and "change events" not in str(report)
    assert not [s for s in seen if "change_event" in s or "import_changed" in s]


async def test_the_catalog_gets_no_events(db: Database) -> None:
    # given
    await run_import(db, document(), events=True)
    doc = document()
    doc["categories"][0]["name"] = {"en": "All tools"}
    doc["products"][0]["code"] = "CLAW-2"
    doc["products"].append({"id": "mallet", "code": "M"})
    # when
    report = await run_import(db, doc, events=True)
    # then
    assert await _shorts(db) == CREATED
    assert report.counts["products"].created == 1 and report.events == 0


async def test_a_record_keeping_its_own_version_is_still_created(db: Database) -> None:
    # given: an Emporix export, at version 7
    doc = document()
    doc["segments"][0]["metadata"] = {"version": 7}
    # when
    await run_import(db, doc, events=True)
    # then
    [segment, *_] = await recorded(db)
    assert short(segment) == "segment-created"
    assert segment["data"]["metadata"]["version"] == 7


async def test_a_refused_file_records_no_events(db: Database) -> None:
    # given
    await run_import(db, document(), events=True)
    before = await snapshot(db)
    doc = document()
    doc["segments"][0]["status"] = "INACTIVE"
    doc["itemAssignments"].append({"segmentId": "nope", "type": "PRODUCT", "itemId": "claw"})
    # when
    with pytest.raises(CatalogImportError):
        await run_import(db, doc, events=True)
    # then
    assert await snapshot(db) == before


REFUSE_ITEM_EVENTS = {
    "sqlite": [
        "CREATE TRIGGER refuse BEFORE INSERT ON change_event "
        "WHEN NEW.type = 'customer-segment.item-assignment-created' "
        "BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
        "IF NEW.type = 'customer-segment.item-assignment-created' THEN "
        "RAISE EXCEPTION 'refused by a trigger'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse BEFORE INSERT ON change_event "
        "FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}


DROP_REFUSAL = {
    "sqlite": ["DROP TRIGGER refuse"],
    "postgresql": ["DROP TRIGGER refuse ON change_event", "DROP FUNCTION refuse()"],
}


async def _run_sql(db: Database, statements: list[str]) -> None:
    async with db.engine.begin() as connection:
        for statement in statements:
            await connection.execute(sa.text(statement))


async def test_a_database_error_after_some_pages_leaves_no_events_and_no_records(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a page per event, and a database that refuses the third one's insert
    monkeypatch.setattr(changes, "PAGE", 1)
    await _run_sql(db, REFUSE_ITEM_EVENTS[db.dialect])
    empty = await snapshot(db)
    # when
    try:
        with pytest.raises(sa.exc.DBAPIError, match="refused by a trigger"):
            await run_import(db, document(), events=True)
    finally:
        await _run_sql(db, DROP_REFUSAL[db.dialect])
    # then: the two pages inserted before went with the rollback
    assert await snapshot(db) == empty


async def _data_version(db: Database) -> Any:
    async with db.sessions() as session:
        return (await session.execute(sa.select(data_version_table.c.version))).scalar_one()


async def test_pages_of_events_follow_each_other_in_commit_order(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setattr(changes, "PAGE", 3)
    # when
    await run_import(db, document(), events=True)
    # then: pages of 3 and 1, each under a data version the import raised
    events = await recorded(db)
    assert [short(event) for event in events] == CREATED
    assert [(e["data_version"], e["position"]) for e in events] == [(1, 0), (1, 1), (1, 2), (2, 0)]
    assert len({event["id"] for event in events}) == 4
    assert await _data_version(db) == 3


async def test_assignments_inserted_in_chunks_into_an_empty_table_are_all_created(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: batches and chunks of 2, so 5 assignments are inserted while they are read
    monkeypatch.setattr(batches, "BATCH", 2)
    monkeypatch.setattr(batches, "CHUNK", 2)
    doc = document()
    doc["customerAssignments"] = [{"segmentId": "pros", "customerId": f"c{n}"} for n in range(5)]
    # when
    report = await run_import(db, doc, events=True)
    # then
    events = await recorded(db)
    customers = [e["customer_id"] for e in events if short(e) == "customer-assignment-created"]
    assert customers == ["c0", "c1", "c2", "c3", "c4"]
    assert report.events == 1 + 5 + 2


async def test_the_command_with_events_records_them_and_says_how_many(
    db: Database, tmp_path: Path
) -> None:
    # given: a file imported without events, then changed
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(document()))
    with (tmp_path / "err").open("wb") as stderr:
        plain = await asyncio.to_thread(gateway_import, path, db.url, stderr)
        doc = document()
        doc["customerAssignments"][0]["assignmentType"] = "AUTOMATIC"
        path.write_text(json.dumps(doc))
        # when
        run = await asyncio.to_thread(gateway_import, path, db.url, stderr, options=["--events"])
    # then
    assert (plain.code, run.code) == (0, 0), (tmp_path / "err").read_text()
    assert "change events" not in plain.out
    assert "change events             1 recorded" in run.out
    [event] = await recorded(db)
    assert short(event) == "customer-assignment-updated"
    assert event["data"]["assignmentType"] == "AUTOMATIC"


async def test_each_page_gives_a_webhook_subscription_one_delivery_per_event(
    db: Database, seed: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: a subscription to every event type, and pages of 3 events
    monkeypatch.setattr(changes, "PAGE", 3)
    await seed.add(stored(1))
    # when
    await run_import(db, document(), events=True)
    # then
    async with db.sessions() as session:
        found = await session.execute(sa.select(webhook_delivery_table.c.event_id))
        deliveries = sorted(found.scalars())
    assert deliveries == sorted(event["id"] for event in await recorded(db))
    assert len(deliveries) == len(CREATED)
