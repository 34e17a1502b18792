"""Schema migrations: Alembic, configured in code so no alembic.ini is needed at runtime."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from gateway.store.database import create_engine

T = TypeVar("T")
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


async def look_async(url: str, look: Callable[[Connection], T]) -> T:
    """`look(connection)` on a connection of its own to the database at `url`."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(look)
    finally:
        await engine.dispose()


async def has_tables_async(url: str) -> bool:
    """Whether the database has any table at all (migrated or not)."""
    return bool(await look_async(url, lambda sync: sa.inspect(sync).get_table_names()))


async def ensure_schema_async(url: str) -> bool:
    """Create the schema on an empty SQLite database; True when it did."""
    if not url.startswith("sqlite") or await has_tables_async(url):
        return False
    await upgrade_async(url)
    return True


async def upgrade_reporting_async(url: str) -> tuple[str | None, str | None]:
    """Upgrades to the latest revision; the schema's revision before and after."""
    before = await current_revision_async(url)
    await upgrade_async(url)
    return before, await current_revision_async(url)


async def current_revision_async(url: str) -> str | None:
    """The revision the database is at; None for one never migrated."""

    # Read directly: Alembic's MigrationContext would log two lines for each look.
    def current(connection: Connection) -> str | None:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        revision: str | None = connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
        return revision

    return await look_async(url, current)
