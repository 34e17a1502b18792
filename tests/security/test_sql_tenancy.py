"""The tenant-predicate check itself: it must catch what it is there to catch."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlmodel import select

from gateway.assignments.repository import AssignmentFilter, select_assignments
from gateway.catalog.models import Tenant
from gateway.segments.repository import customer_table, segment_table, visible_segment_ids
from gateway.segments.visibility import SegmentAccess
from tests.security.sql_tenancy import StatementLog, problems

s, c = segment_table, customer_table
product: sa.Table = sa.Table("product", sa.MetaData(), sa.Column("tenant"), sa.Column("id"))
CUSTOMER_ACCESS = SegmentAccess(
    tenant="t", now=datetime(2024, 1, 1, tzinfo=UTC), only_active=True, customer_id="c1"
)


def found(statement: sa.ClauseElement) -> list[str]:
    with warnings.catch_warnings():
        # An INSERT without its primary key warns when compiled; that is the point here.
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        return problems(statement, sqlite.dialect())


@pytest.mark.parametrize(
    "statement",
    [
        sa.select(s).where(s.c.tenant == "t"),
        sa.select(s).where(s.c.tenant == "t", s.c.id.in_(visible_segment_ids(CUSTOMER_ACCESS))),
        select(Tenant).where(Tenant.tenant == "t"),
        select_assignments(AssignmentFilter(CUSTOMER_ACCESS)),
        sa.select(c)
        .select_from(c.join(s, sa.and_(s.c.tenant == c.c.tenant, s.c.id == c.c.segment_id)))
        .where(c.c.tenant == "t"),
        sa.update(s).where(s.c.tenant == "t").values(status="ACTIVE"),
        sa.delete(c).where(c.c.tenant == "t", c.c.segment_id == "s1"),
        sa.insert(s).values(tenant="t", id="s1", site_code="main"),
        sa.text("BEGIN IMMEDIATE"),
    ],
    ids=[
        "where",
        "subquery",
        "orm",
        "joined read",
        "join on tenant",
        "update",
        "delete",
        "insert",
        "no table",
    ],
)
def test_statements_pinned_to_a_tenant_pass(statement):
    # when / then
    assert found(statement) == []


@pytest.mark.parametrize(
    "statement",
    [
        sa.select(s),
        select(Tenant),
        sa.select(s).where(sa.or_(s.c.tenant == "t", s.c.id == "s1")),
        sa.select(s).where(s.c.tenant == "t", s.c.id.in_(sa.select(c.c.segment_id))),
        sa.select(c).select_from(c.join(s, s.c.id == c.c.segment_id)).where(c.c.tenant == "t"),
        sa.select(sa.exists().where(c.c.segment_id == "s1")),
        sa.update(s).where(s.c.id == "s1").values(status="ACTIVE"),
        sa.delete(c).where(c.c.segment_id == "s1"),
        sa.insert(s).values(id="s1", site_code="main"),
        sa.text("DELETE FROM segment WHERE id = 's1'"),
    ],
    ids=[
        "no where",
        "orm",
        "under or",
        "subquery",
        "joined table",
        "exists",
        "update",
        "delete",
        "insert",
        "raw sql",
    ],
)
def test_statements_that_could_reach_another_tenant_are_caught(statement):
    # when / then
    assert found(statement) != []


async def test_the_log_sees_statements_sent_through_sessions(db):
    # given
    log = StatementLog()
    # when
    with log.attached(db.engine):
        async with db.sessions() as session:
            await session.execute(select(Tenant).where(Tenant.tenant == "t"))
            await session.execute(sa.select(s.c.id).where(s.c.id == "s1"))
    # then
    assert len(log.tenant_statements) == 2
    # the clause and the SQL text sent are both checked; only the second statement fails
    assert log.problems[0].startswith("SELECT of segment without a tenant predicate")
    assert log.problems[1].startswith("statement names a tenant table but no tenant")
    assert len(log.problems) == 2
