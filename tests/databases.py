"""Where the test databases live: a SQLite file per test, a PostgreSQL database per run."""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import dataclass

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True)
class PostgresServer:
    url: str | None  # the admin URL, or None when unavailable
    reason: str = ""


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _probe(url: str) -> str | None:
    import asyncpg

    try:
        conn = await asyncio.wait_for(asyncpg.connect(_asyncpg_dsn(url)), timeout=3)
    except Exception as error:  # noqa: BLE001 - any failure means "not available"
        return f"{type(error).__name__}: {error}"
    await conn.close()
    return None


def find_postgres() -> PostgresServer:
    """The server named by GATEWAY_TEST_POSTGRES_URL, else a local default, if reachable."""
    if os.environ.get("GATEWAY_TEST_POSTGRES", "").lower() in {"0", "off", "no"}:
        return PostgresServer(None, "GATEWAY_TEST_POSTGRES=off")
    url = os.environ.get("GATEWAY_TEST_POSTGRES_URL") or DEFAULT_POSTGRES
    problem = asyncio.run(_probe(url))
    if problem:
        return PostgresServer(None, f"no PostgreSQL at {url.split('@')[-1]} ({problem})")
    return PostgresServer(url)


def database_url(admin_url: str, name: str) -> str:
    return admin_url.rsplit("/", 1)[0] + "/" + name


async def create_database(admin_url: str) -> str:
    import asyncpg

    name = f"gw_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(_asyncpg_dsn(admin_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return database_url(admin_url, name)


async def drop_database(admin_url: str, url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(_asyncpg_dsn(admin_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
