"""Schema migrations: Alembic, configured in code so no alembic.ini is needed at runtime."""

from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from gateway.store.database import create_engine

HERE = Path(__file__).parent
# Any fixed number: concurrent `gateway migrate` runs on PostgreSQL wait for each other.
_LOCK_KEY = 7_220_431_001


def alembic_config(url: str) -> Config:
    """An Alembic Config for `url`, usable with alembic.command (e.g. to autogenerate)."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _upgrade_on(connection: Connection, url: str, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    config = alembic_config(url)
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def upgrade_async(url: str, revision: str = "head") -> None:
    """Create or upgrade the schema of the database at `url`; a no-op when it is current."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade_on, url, revision)
    finally:
        await engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """The synchronous form of upgrade_async, for the command line."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(upgrade_async(url, revision))
        return
    # Called from async code: asyncio.run would refuse, so use a thread with its own loop.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, upgrade_async(url, revision)).result()


async def has_tables_async(url: str) -> bool:
    """Whether the database has any table at all (migrated or not)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    return bool(names)


async def ensure_schema_async(url: str) -> bool:
    """Create the schema on an empty SQLite database; True when it did."""
    if not url.startswith("sqlite") or await has_tables_async(url):
        return False
    await upgrade_async(url)
    return True
