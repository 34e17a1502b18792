"""The PostgreSQL pool is sized by GATEWAY_DB_POOL_SIZE, with 10 more on demand."""

import pytest

from gateway.settings import load_settings
from gateway.store.database import create_engine

PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/none"


async def test_the_pool_keeps_20_connections_by_default():
    # given
    settings = load_settings({})
    # when
    engine = create_engine(PG, pool_size=settings.db_pool_size)
    # then: nothing connects until a checkout
    assert (engine.pool.size(), engine.pool._max_overflow) == (20, 10)  # type: ignore[attr-defined]
    await engine.dispose()


async def test_the_pool_size_is_configurable():
    # given
    settings = load_settings({"GATEWAY_DB_POOL_SIZE": "48"})
    # when
    engine = create_engine(PG, pool_size=settings.db_pool_size)
    # then
    assert engine.pool.size() == 48
    await engine.dispose()


def test_a_pool_of_no_connections_is_refused():
    with pytest.raises(ValueError, match="GATEWAY_DB_POOL_SIZE"):
        load_settings({"GATEWAY_DB_POOL_SIZE": "0"})
