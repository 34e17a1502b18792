"""Migrations create exactly the tables of gateway.store.tables, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gateway.migrations import ensure_schema_async, look_async, upgrade, upgrade_async
from gateway.store.database import create_engine
from gateway.store.segment_references import is_compared
from gateway.store.tables import metadata
from tests.conftest import Database

# The newest revision in gateway/migrations/versions: what every upgrade must reach.
HEAD = "0008"


_inspect = look_async


def _differences(connection: sa.Connection) -> list[Any]:
    dialect = connection.dialect.name
    opts = {
        "compare_type": True,
        "include_object": lambda item, _n, kind, _r, _o: is_compared(item, kind, dialect),
    }
    context = MigrationContext.configure(connection, opts=opts)
    return list(compare_metadata(context, metadata))


def _tables(connection: sa.Connection) -> set[str]:
    return set(sa.inspect(connection).get_table_names())


def _revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def test_upgrade_creates_exactly_the_models_schema(empty_url: str) -> None:
    # when
    await upgrade_async(empty_url)
    # then
    assert await _inspect(empty_url, _differences) == []
    assert await _inspect(empty_url, _tables) == set(metadata.tables) | {"alembic_version"}


async def test_upgrade_on_a_current_database_changes_nothing(empty_url: str) -> None:
    # given
    await upgrade_async(empty_url)
    engine = create_engine(empty_url)
    async with engine.begin() as connection:
        await connection.execute(sa.text("INSERT INTO tenant VALUES ('demo', 'en', '[\"en\"]')"))
    await engine.dispose()
    # when
    await upgrade_async(empty_url)
    # then
    assert await _inspect(empty_url, _revision) == HEAD
    assert await _inspect(empty_url, _differences) == []
    count = "SELECT count(*) FROM tenant"
    assert await _inspect(empty_url, lambda c: c.execute(sa.text(count)).scalar()) == 1


async def test_postgresql_strings_compare_by_code_point_and_json_is_jsonb(
    db: Database, empty_url: str
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("collations and JSONB exist only on PostgreSQL")
    # when
    await upgrade_async(empty_url)
    # then
    columns = sa.text(
        "SELECT data_type, collation_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = 'category' AND column_name = :name"
    )

    def column(name: str) -> Any:
        return lambda c: tuple(c.execute(columns, {"name": name}).one())

    assert await _inspect(empty_url, column("code")) == ("character varying", "C")
    assert await _inspect(empty_url, column("name")) == ("jsonb", None)


def test_the_synchronous_upgrade_works_outside_an_event_loop(tmp_path: Path) -> None:
    # given
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    # when
    upgrade(url)
    # then
    import asyncio

    assert asyncio.run(_inspect(url, _revision)) == HEAD


async def test_the_synchronous_upgrade_also_works_inside_an_event_loop(tmp_path: Path) -> None:
    # given
    url = f"sqlite+aiosqlite:///{tmp_path / 'nested.db'}"
    # when
    upgrade(url)
    # then
    assert await _inspect(url, _revision) == HEAD


async def test_ensure_schema_creates_tables_only_in_an_empty_sqlite_database(
    tmp_path: Path,
) -> None:
    # given
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    # when
    created = await ensure_schema_async(url)
    again = await ensure_schema_async(url)
    # then
    assert (created, again) == (True, False)
    assert await _inspect(url, _revision) == HEAD


async def test_ensure_schema_leaves_postgresql_to_gateway_migrate(
    db: Database, empty_url: str
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("this is about PostgreSQL")
    # when
    created = await ensure_schema_async(empty_url)
    # then
    assert created is False
    assert await _inspect(empty_url, _tables) == set()
