"""Revision 0006 adds the change-event outbox to a database with data, and removes it again."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from gateway.migrations import alembic_config, upgrade_async
from gateway.store.database import create_engine


async def _run(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(sa.text(sql))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: sa.inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def _downgrade(url: str, revision: str) -> None:
    def down(connection: sa.Connection) -> None:
        config = alembic_config(url)
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(down)
    finally:
        await engine.dispose()


async def test_the_upgrade_keeps_the_data_and_starts_with_no_events(empty_url: str) -> None:
    # given
    await upgrade_async(empty_url, "0005")
    await _run(empty_url, "INSERT INTO tenant VALUES ('demo', 'en', '[\"en\"]')")
    # when
    await upgrade_async(empty_url)
    # then
    assert "change_event" in await _tables(empty_url)
    assert await _run(empty_url, "SELECT count(*) FROM change_event") == [(0,)]
    assert await _run(empty_url, "SELECT tenant FROM tenant") == [("demo",)]


async def test_the_downgrade_removes_only_the_outbox(empty_url: str) -> None:
    # given
    await upgrade_async(empty_url)
    # when
    await _downgrade(empty_url, "0005")
    # then
    tables = await _tables(empty_url)
    assert "change_event" not in tables
    assert "webhook_subscription" not in tables  # 0007 builds on it
    assert {"segment", "item_assignment", "customer_assignment", "persisted_document"} <= tables
