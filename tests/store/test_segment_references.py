"""An assignment's segment exists, on both databases, also under concurrent writes."""

from __future__ import annotations

import asyncio
import importlib.util
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from gateway.store import segment_references
from gateway.store.tables import customer_table, item_table, segment_table
from tests.conftest import Database

NOW = datetime(2024, 1, 1, tzinfo=UTC)
REVISION = (
    Path(segment_references.__file__).parents[1] / "migrations/versions/0003_segment_references.py"
)


def _segment(id: str) -> dict[str, Any]:
    return {
        "tenant": "demo", "id": id, "name": {}, "description": {}, "status": "ACTIVE",
        "site_code": "main", "mixins": {}, "metadata_mixins": {}, "created_at": NOW,
        "modified_at": NOW, "version": 1,
    }  # fmt: skip


def _item(segment_id: str, item_id: str) -> dict[str, Any]:
    return {
        "tenant": "demo", "segment_id": segment_id, "item_type": "PRODUCT", "item_id": item_id,
        "mixins": {}, "metadata_mixins": {}, "created_at": NOW, "modified_at": NOW, "version": 1,
    }  # fmt: skip


def _customer(segment_id: str) -> dict[str, Any]:
    return {
        "tenant": "demo", "segment_id": segment_id, "customer_id": "c1", "legal_entity_id": "",
        "assignment_type": "MANUAL", "mixins": {}, "metadata_mixins": {}, "created_at": NOW,
        "modified_at": NOW, "version": 1,
    }  # fmt: skip


async def _run(db: Database, *statements: Any) -> None:
    async with db.engine.begin() as conn:
        for statement in statements:
            await conn.execute(statement)


async def test_an_assignment_of_a_missing_segment_is_refused(db: Database) -> None:
    # given
    await _run(db, sa.insert(segment_table).values(_segment("s1")))
    # when / then: one good row does not carry a bad one through
    with pytest.raises(IntegrityError):
        await _run(db, sa.insert(item_table).values([_item("s1", "p1"), _item("nope", "p2")]))
    with pytest.raises(IntegrityError):
        await _run(db, sa.insert(customer_table).values(_customer("nope")))
    async with db.engine.connect() as conn:
        assert (
            await conn.execute(sa.select(sa.func.count()).select_from(item_table))
        ).scalar() == 0


async def test_moving_an_assignment_to_a_missing_segment_is_refused(db: Database) -> None:
    # given
    await _run(
        db,
        sa.insert(segment_table).values(_segment("s1")),
        sa.insert(item_table).values(_item("s1", "p1")),
    )
    # when / then
    with pytest.raises(IntegrityError):
        await _run(db, sa.update(item_table).values(segment_id="nope"))


async def test_a_segment_with_assignments_cannot_be_deleted(db: Database) -> None:
    # given
    await _run(
        db,
        sa.insert(segment_table).values([_segment("s1"), _segment("s2")]),
        sa.insert(customer_table).values(_customer("s2")),
    )
    # when / then
    with pytest.raises(IntegrityError):
        await _run(db, sa.delete(segment_table))
    # and one without can
    await _run(db, sa.delete(segment_table).where(segment_table.c.id == "s1"))


@pytest.mark.postgres
async def test_a_delete_racing_an_uncommitted_assignment_waits_and_then_fails(
    db: Database,
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    # given: an assignment inserted and not yet committed
    await _run(db, sa.insert(segment_table).values(_segment("s1")))
    async with db.engine.connect() as writer:
        await writer.execute(sa.insert(item_table).values(_item("s1", "p1")))
        # when: another transaction deletes the segment meanwhile
        delete = asyncio.create_task(
            _run(db, sa.text("SET LOCAL lock_timeout = '10s'"), sa.delete(segment_table))
        )
        await asyncio.sleep(0.5)
        assert not delete.done()  # it waits for the assignment's transaction
        await writer.commit()
        # then: it sees the committed assignment and fails
        with pytest.raises(IntegrityError):
            await delete
    async with db.engine.connect() as conn:
        assert (
            await conn.execute(sa.select(sa.func.count()).select_from(item_table))
        ).scalar() == 1


def test_revision_0003_installs_the_triggers_the_models_create() -> None:
    spec = importlib.util.spec_from_file_location("revision_0003", REVISION)
    assert spec is not None and spec.loader is not None
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    assert revision.FUNCTIONS == segment_references.FUNCTIONS
    assert revision.TRIGGERS == segment_references.TRIGGERS


@pytest.mark.postgres
async def test_an_import_blocks_no_reader_and_no_segment_update_while_it_runs(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    # given: an import paused right after writing its item assignments
    from gateway.importer import batches as import_batches
    from tests.importer.documents import document, run_import

    await run_import(db, document())
    written, resume = asyncio.Event(), asyncio.Event()
    insert = import_batches.insert_new

    async def paused(session: Any, target: Any, *args: Any) -> int:
        created = await insert(session, target, *args)
        if target.kind == "itemAssignments":
            written.set()
            await resume.wait()
        return created

    monkeypatch.setattr(import_batches, "insert_new", paused)
    doc = document()
    doc["itemAssignments"].append({"segmentId": "pros", "type": "CATEGORY", "itemId": "tools"})
    running = asyncio.create_task(run_import(db, doc))
    await asyncio.wait_for(written.wait(), timeout=30)
    try:
        # when: others read, and change the segment the new rows name
        async with db.engine.begin() as conn:
            await conn.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
            count = sa.select(sa.func.count()).select_from(item_table)
            assert (await conn.execute(count)).scalar() == 2  # the import's rows: not yet
            renamed = sa.update(segment_table).values(status="INACTIVE")
            await conn.execute(renamed.where(segment_table.c.id == "pros"))
    finally:
        resume.set()
    # then: the import commits after them
    report = await asyncio.wait_for(running, timeout=30)
    assert report.counts["itemAssignments"].created == 1
