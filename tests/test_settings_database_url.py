"""GATEWAY_DATABASE_URL as other tools write it (libpq, Heroku, psql, Django)."""

from __future__ import annotations

import pytest

from gateway.settings import DEFAULT_DATABASE_URL, database_url, load_settings


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db:5432/shop", "postgresql+asyncpg://u:p@db:5432/shop"),
        ("postgresql://u@db/shop", "postgresql+asyncpg://u@db/shop"),
        ("PostgreSQL://u@db/shop", "postgresql+asyncpg://u@db/shop"),
        ("postgresql+asyncpg://u@db/shop", "postgresql+asyncpg://u@db/shop"),
        ("sqlite:///./gateway.db", "sqlite+aiosqlite:///./gateway.db"),
        ("sqlite+aiosqlite:////tmp/g.db", "sqlite+aiosqlite:////tmp/g.db"),
        ("postgres://u@db/shop?sslmode=require", "postgresql+asyncpg://u@db/shop?ssl=require"),
        ("postgres://u@db/s?a=1&sslmode=disable", "postgresql+asyncpg://u@db/s?a=1&ssl=disable"),
    ],
)
def test_common_url_forms_are_normalized_to_the_async_drivers(given, used):
    # when
    settings = load_settings({"GATEWAY_DATABASE_URL": given})
    # then
    assert settings.database_url == used


def test_the_default_is_the_sqlite_file_in_the_working_directory():
    assert load_settings({}).database_url == DEFAULT_DATABASE_URL
    assert load_settings({"GATEWAY_DATABASE_URL": ""}).database_url == DEFAULT_DATABASE_URL


@pytest.mark.parametrize("driver", ["psycopg", "psycopg2", "pg8000"])
def test_another_postgresql_driver_is_refused_with_the_form_to_use(driver):
    # when
    with pytest.raises(ValueError) as refused:
        database_url(f"postgresql+{driver}://u:secret@db/shop")
    # then
    message = str(refused.value)
    assert message.startswith("GATEWAY_DATABASE_URL: ")
    assert f"connects with asyncpg, not {driver}" in message
    assert "postgresql://" in message and "secret" not in message


@pytest.mark.parametrize("given", ["mysql://u@db/shop", "sqlite+pysqlite:///g.db", "http://db"])
def test_an_unsupported_database_is_refused_naming_what_is_supported(given):
    # when
    with pytest.raises(ValueError) as refused:
        database_url(given)
    # then
    scheme = given.partition("://")[0]
    assert f"{scheme}:// is not supported; use postgres://" in str(refused.value)


def test_a_value_that_is_not_a_url_is_refused_without_its_password():
    # when
    with pytest.raises(ValueError) as refused:
        database_url("u:secret@db/shop")
    # then
    assert "'u:***@db/shop' is not a URL" in str(refused.value)
