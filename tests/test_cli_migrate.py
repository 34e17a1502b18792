"""`gateway migrate` says what it did, with the database URL forms other tools write."""

from __future__ import annotations

import asyncio
import os

import pytest
from alembic.script import ScriptDirectory

from gateway.cli import run
from gateway.migrations import alembic_config, upgrade_async

HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("GATEWAY_"):
            monkeypatch.delenv(name)


def _as_other_tools_write_it(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgres://").replace("+aiosqlite", "")


async def _migrate(url: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("GATEWAY_DATABASE_URL", url)
    return await asyncio.to_thread(run, ["migrate"])


async def test_migrate_of_an_empty_database_names_the_revision_it_reached(
    empty_url, monkeypatch, capsys
):
    # when: the URL as psql and Heroku write it
    code = await _migrate(_as_other_tools_write_it(empty_url), monkeypatch)
    # then
    assert code == 0
    expected = f"Migrated {empty_url} from an empty schema to revision {HEAD}.\n"
    assert capsys.readouterr().out == expected


async def test_migrate_of_a_current_database_says_there_was_nothing_to_do(
    empty_url, monkeypatch, capsys
):
    # given
    await upgrade_async(empty_url)
    # when
    code = await _migrate(empty_url, monkeypatch)
    # then
    assert code == 0
    expected = f"{empty_url} is already at revision {HEAD}, the latest: nothing to do.\n"
    assert capsys.readouterr().out == expected


async def test_migrate_of_an_older_schema_names_both_revisions(empty_url, monkeypatch, capsys):
    # given: one revision before the latest
    await upgrade_async(empty_url, "0002")
    # when
    code = await _migrate(empty_url, monkeypatch)
    # then
    assert code == 0
    assert capsys.readouterr().out == f"Migrated {empty_url} from 0002 to revision {HEAD}.\n"


def test_another_driver_is_exit_2_without_the_password(monkeypatch, capsys):
    # given
    monkeypatch.setenv("GATEWAY_DATABASE_URL", "postgresql+psycopg://u:s3cr3t@db/shop")
    # when
    code = run(["migrate"])
    # then
    error = capsys.readouterr().err
    assert code == 2
    assert "configuration error: GATEWAY_DATABASE_URL: the gateway connects with asyncpg" in error
    assert "s3cr3t" not in error
