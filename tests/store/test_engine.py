import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from gateway.store.database import create_engine


@pytest.mark.postgres
async def test_a_statement_running_past_the_timeout_is_cancelled(db):
    if db.dialect != "postgresql":
        pytest.skip("PostgreSQL only (pg_sleep); SQLite's deadline: test_regex_engine.py")
    # given an engine with a short statement timeout
    engine = create_engine(db.url, statement_timeout_ms=200)
    try:
        async with engine.connect() as conn:
            # when a statement runs longer
            with pytest.raises(DBAPIError) as cancelled:
                await conn.execute(sa.text("SELECT pg_sleep(2)"))
        # then the server cancelled it
        assert "statement timeout" in str(cancelled.value)
    finally:
        await engine.dispose()


async def test_the_default_timeout_leaves_ordinary_statements_alone(db):
    # given the gateway's default engine
    engine = create_engine(db.url)
    try:
        # when
        async with engine.connect() as conn:
            value = (await conn.execute(sa.text("SELECT 1"))).scalar_one()
        # then
        assert value == 1
    finally:
        await engine.dispose()
