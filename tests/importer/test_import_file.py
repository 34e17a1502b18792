"""`gateway import FILE`: reading the file, and the schema of an empty SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from gateway.importer.run import CatalogImportError, import_file
from gateway.store.database import create_engine
from tests.conftest import Database
from tests.databases import create_database, drop_database
from tests.importer.documents import document, snapshot
from tests.migrations.test_upgrade import HEAD


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.json"
    path.write_text(text, encoding="utf-8")
    return path


async def _revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            found = await connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            return found.scalar()
    finally:
        await engine.dispose()


async def test_importing_into_a_new_sqlite_file_creates_its_schema_first(tmp_path: Path) -> None:
    # given
    url = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
    path = _write(tmp_path, json.dumps(document()))
    # when
    report = await import_file(url, path)
    # then
    assert report.counts["categories"].created == 3
    assert await _revision(url) == HEAD


async def test_importing_into_an_existing_database(db: Database, tmp_path: Path) -> None:
    # given
    path = _write(tmp_path, json.dumps(document()))
    # when
    report = await import_file(db.url, path)
    # then
    assert report.counts["itemAssignments"].created == 2
    assert len((await snapshot(db))["item_assignment"]) == 2


async def test_malformed_json_is_refused_with_its_position(db: Database, tmp_path: Path) -> None:
    # given
    path = _write(tmp_path, '{"tenant": "demo",\n "categories": [,]}')
    # when
    with pytest.raises(CatalogImportError) as refused:
        await import_file(db.url, path)
    # then
    assert str(refused.value) == f"{path}: not valid JSON: Expecting value at line 2 column 17"


async def test_a_missing_file_is_refused_and_creates_no_database(tmp_path: Path) -> None:
    # given
    database = tmp_path / "never.db"
    # when
    with pytest.raises(CatalogImportError) as refused:
        await import_file(f"sqlite+aiosqlite:///{database}", tmp_path / "missing.json")
    # then
    assert str(refused.value).startswith(f"{tmp_path / 'missing.json'}: cannot be read")
    assert not database.exists()


def test_the_report_reads_as_a_table() -> None:
    # given
    from gateway.importer.run import Counts, ImportReport

    report = ImportReport("demo")
    report.counts["segments"] = Counts(created=2, updated=1, unchanged=3)
    # when
    text = str(report)
    # then
    assert text.splitlines()[0] == 'Imported tenant "demo":'
    assert "segments                  2 created,      1 updated,      3 unchanged" in text


async def test_a_server_database_without_tables_asks_for_gateway_migrate(
    db: Database, tmp_path: Path
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("an empty SQLite database gets its schema on import")
    # given
    empty = await create_database(db.url)
    path = _write(tmp_path, json.dumps(document()))
    # when
    try:
        with pytest.raises(CatalogImportError) as refused:
            await import_file(empty, path)
    finally:
        await drop_database(db.url, empty)
    # then
    assert str(refused.value) == "the database has no tables yet: run `gateway migrate` first"
