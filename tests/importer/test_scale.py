"""An import's cost does not grow with the file: statements, memory, and re-imports."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import gateway.importer.batches
import gateway.importer.run
import gateway.importer.stage
from gateway.importer.run import import_file
from gateway.store.tables import metadata
from tests.conftest import Database
from tests.importer.documents import run_import


def _catalog(items: int, tenant: str = "demo") -> dict[str, Any]:
    """A file with `items` item assignments, products and customers to match."""
    return {
        "tenant": tenant,
        "defaultLanguage": "en",
        "languages": ["en"],
        "categories": [{"id": "c0", "code": "C0"}, {"id": "c1", "parentId": "c0", "code": "C1"}],
        "products": [
            {"id": f"p{i}", "code": f"P{i}", "name": {"en": f"P {i}"}, "categoryIds": ["c1"]}
            for i in range(items)
        ],
        "segments": [{"id": "s", "name": {"en": "S"}, "siteCode": "main"}],
        "customerAssignments": [{"segmentId": "s", "customerId": f"u{i}"} for i in range(items)],
        "itemAssignments": [
            {"segmentId": "s", "type": "PRODUCT", "itemId": f"p{i}"} for i in range(items)
        ],
    }


async def _statements(db: Database, doc: dict[str, Any]) -> int:
    with db.count_statements() as seen:
        await run_import(db, doc)
    return len(seen)


async def test_the_number_of_statements_does_not_grow_with_the_file(db: Database) -> None:
    # when
    small = await _statements(db, _catalog(20, "small"))
    large = await _statements(db, _catalog(3000, "large"))
    small_again = await _statements(db, _catalog(20, "small"))
    large_again = await _statements(db, _catalog(3000, "large"))
    # then
    assert large == small
    assert large_again == small_again


async def _versions(db: Database, table: str) -> list[tuple[int, Any]]:
    found = metadata.tables[table]
    async with db.sessions() as session:
        rows = await session.execute(sa.select(found.c.version, found.c.modified_at))
        return [tuple(row) for row in rows]


async def test_an_unchanged_reimport_changes_no_version_and_no_stamp(db: Database) -> None:
    # given
    await run_import(db, _catalog(500))
    before = {name: await _versions(db, name) for name in ("item_assignment", "segment")}
    # when
    report = await run_import(db, _catalog(500))
    # then
    assert {name: await _versions(db, name) for name in before} == before
    assert report.counts["itemAssignments"].unchanged == 500
    assert all(counts.created == counts.updated == 0 for counts in report.counts.values())


async def test_one_changed_assignment_among_many_is_the_only_one_written(db: Database) -> None:
    # given
    await run_import(db, _catalog(500))
    doc = _catalog(500)
    doc["itemAssignments"][7]["mixins"] = {"badge": "new"}
    # when
    report = await run_import(db, doc)
    # then
    versions = sorted(version for version, _ in await _versions(db, "item_assignment"))
    assert versions == [1] * 499 + [2]
    counts = report.counts["itemAssignments"]
    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 499)


async def test_a_file_is_streamed_not_read_whole(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: reading the file whole (the fallback for files ijson refuses) fails
    def whole(path: Any) -> Any:
        raise AssertionError("the file was read whole")

    monkeypatch.setattr(gateway.importer.run, "read_import_file", whole)
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(_catalog(50)), encoding="utf-8")
    # when
    report = await import_file(db.url, path)
    # then
    assert report.counts["itemAssignments"].created == 50


async def test_a_file_with_its_tenant_last_is_read_too(db: Database, tmp_path: Path) -> None:
    # given
    doc = _catalog(5)
    reordered = {key: doc[key] for key in reversed(list(doc))}
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(reordered), encoding="utf-8")
    # when
    report = await import_file(db.url, path)
    # then
    assert report.tenant == "demo"
    assert report.counts["products"].created == 5


async def test_a_failing_write_leaves_nothing_behind(db: Database) -> None:
    # given: an item assignment of a segment that exists nowhere passes no check, so
    # the import is refused only after everything was staged
    doc = _catalog(50)
    doc["itemAssignments"][49]["segmentId"] = "nowhere"
    # when
    with pytest.raises(gateway.importer.run.CatalogImportError):
        await run_import(db, doc)
    # then
    async with db.sessions() as session:
        for table in ("product", "item_assignment", "tenant"):
            found = await session.execute(
                sa.select(sa.func.count()).select_from(metadata.tables[table])
            )
            assert found.scalar() == 0
    # and the next import of the same connection starts from empty staging tables
    report = await run_import(db, _catalog(50))
    assert report.counts["itemAssignments"].created == 50


async def test_duplicates_in_a_reimport_are_refused_and_nothing_changes(db: Database) -> None:
    # given: the tenant's rows are stored, so the duplicates are looked for before writing
    await run_import(db, _catalog(50))
    doc = _catalog(50)
    doc["itemAssignments"].append({**doc["itemAssignments"][3], "mixins": {"a": 1}})
    doc["customerAssignments"].append(doc["customerAssignments"][5])
    async with db.sessions() as session:
        before = await session.execute(sa.select(metadata.tables["item_assignment"]))
        stored = sorted(tuple(row) for row in before)
    # when
    with pytest.raises(gateway.importer.run.CatalogImportError) as caught:
        await run_import(db, doc)
    # then: both lists' duplicates are named, and no row changed
    assert str(caught.value).splitlines() == [
        'customerAssignments[50] (segment "s", customer "u5"): duplicate customer assignment, '
        'already at customerAssignments[5] (segment "s", customer "u5")',
        'itemAssignments[50] (segment "s", PRODUCT "p3"): duplicate item assignment, '
        'already at itemAssignments[3] (segment "s", PRODUCT "p3")',
    ]
    async with db.sessions() as session:
        after = await session.execute(sa.select(metadata.tables["item_assignment"]))
        assert sorted(tuple(row) for row in after) == stored


async def test_lists_longer_than_a_batch_are_staged_in_batches_and_written_once(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: batches of 7 rows
    monkeypatch.setattr(gateway.importer.batches, "BATCH", 7)
    # when
    first = await run_import(db, _catalog(50))
    again = await run_import(db, _catalog(50))
    # then
    assert first.counts["itemAssignments"].created == 50
    assert first.counts["products"].created == 50
    assert again.counts["itemAssignments"].unchanged == 50
    assert again.counts["products"].unchanged == 50


async def test_statements_grow_with_batches_not_with_entries(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: batches of 100 rows; 400 and 4,000 entries per list
    monkeypatch.setattr(gateway.importer.batches, "BATCH", 100)
    # when: first imports, then the same files again (unchanged)
    small = await _statements(db, _catalog(400, "small"))
    large = await _statements(db, _catalog(4000, "large"))
    small_again = await _statements(db, _catalog(400, "small"))
    large_again = await _statements(db, _catalog(4000, "large"))
    # then: on SQLite each batch is one executemany; PostgreSQL's COPY runs on the driver
    loads = (4000 - 400) // 100 * 4  # products, links, customers, items
    assert large - small == (loads if db.dialect == "sqlite" else 0)
    assert large_again - small_again == (loads if db.dialect == "sqlite" else 0)


async def test_a_step_failing_beside_the_reading_fails_the_import_with_its_error(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: loading the categories' stage breaks; the reading goes on meanwhile
    load = gateway.importer.stage.Stage.load

    async def broken(self: Any, table: Any, rows: Any) -> None:
        if table.name == "import_category":
            raise RuntimeError("the disk is full")
        await load(self, table, rows)

    monkeypatch.setattr(gateway.importer.stage.Stage, "load", broken)
    # when / then: the error comes out, nothing hangs, nothing is written
    with pytest.raises(RuntimeError, match="the disk is full"):
        await asyncio.wait_for(run_import(db, _catalog(50)), timeout=60)
    async with db.sessions() as session:
        found = await session.execute(
            sa.select(sa.func.count()).select_from(metadata.tables["product"])
        )
        assert found.scalar() == 0


async def test_the_progress_names_each_list_then_the_writing(db: Database, tmp_path: Path) -> None:
    # given
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(_catalog(25_000)), encoding="utf-8")
    seen: list[tuple[str, int]] = []
    # when
    await import_file(db.url, path, progress=lambda phase, records: seen.append((phase, records)))
    # then
    phases = [phase for phase, _ in seen]
    assert list(dict.fromkeys(phases)) == [
        "categories", "products", "segments", "customerAssignments", "itemAssignments", "writing",
    ]  # fmt: skip
    assert [records for _, records in seen] == sorted(records for _, records in seen)
    assert seen[-1] == ("writing", 2 + 25_000 + 1 + 25_000 + 25_000)
    assert ("itemAssignments", 50_003 + 20_001) in seen  # every 10,000 records of a list


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 7 rows, assignments into an empty table inserted 20 at a time."""
    monkeypatch.setattr(gateway.importer.batches, "BATCH", 7)
    monkeypatch.setattr(gateway.importer.batches, "CHUNK", 20)


@pytest.mark.usefixtures("small_chunks")
async def test_a_first_import_inserts_assignments_chunk_by_chunk(db: Database) -> None:
    # when
    first = await run_import(db, _catalog(100))
    again = await run_import(db, _catalog(100))
    # then
    assert first.counts["itemAssignments"].created == 100
    assert first.counts["customerAssignments"].created == 100
    assert again.counts["itemAssignments"].unchanged == 100
    async with db.sessions() as session:
        count = sa.select(sa.func.count()).select_from(metadata.tables["item_assignment"])
        assert (await session.execute(count)).scalar() == 100


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("first", [3, 95])  # an earlier chunk; the same chunk
async def test_a_duplicate_in_a_first_import_is_refused_whichever_chunk_it_is_in(
    db: Database, first: int
) -> None:
    # given
    doc = _catalog(100)
    doc["itemAssignments"].append(dict(doc["itemAssignments"][first]))
    # when
    with pytest.raises(gateway.importer.run.CatalogImportError) as caught:
        await run_import(db, doc)
    # then
    assert str(caught.value) == (
        f'itemAssignments[100] (segment "s", PRODUCT "p{first}"): duplicate item assignment, '
        f'already at itemAssignments[{first}] (segment "s", PRODUCT "p{first}")'
    )
    async with db.sessions() as session:
        count = sa.select(sa.func.count()).select_from(metadata.tables["item_assignment"])
        assert (await session.execute(count)).scalar() == 0
