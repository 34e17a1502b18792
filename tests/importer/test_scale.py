"""An import's cost does not grow with the file: statements, memory, and re-imports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import gateway.importer
from gateway.importer import import_file
from gateway.models import metadata
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

    monkeypatch.setattr(gateway.importer, "read_import_file", whole)
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
    with pytest.raises(gateway.importer.CatalogImportError):
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
