"""Alembic's entry point: runs on the connection handed in by gateway.migrations, or its own."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from gateway.store.database import create_engine
from gateway.store.segment_references import is_compared
from gateway.store.tables import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        include_object=lambda item, _name, type_, _reflected, _other: is_compared(
            item, type_, connection.dialect.name
        ),
        # SQLite cannot ALTER most things: later revisions rebuild tables in batches.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


def _run_offline(url: str) -> None:
    context.configure(url=url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


url = config.get_main_option("sqlalchemy.url") or ""
shared = config.attributes.get("connection")
if context.is_offline_mode():
    _run_offline(url)
elif shared is not None:
    _run(shared)
else:
    asyncio.run(_run_with_own_engine(url))
