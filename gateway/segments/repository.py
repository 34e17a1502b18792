"""Segment reads: visibility conditions shared by every domain, segments, customers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from gateway.query_language import ListQuery, PageResult
from gateway.segments.filters import (
    CUSTOMER_DEFAULT_SORT,
    CUSTOMER_FIELDS,
    SEGMENT_DEFAULT_SORT,
    SEGMENT_FIELDS,
)
from gateway.segments.models import (
    NO_LEGAL_ENTITY,
    CustomerAssignmentRow,
    Segment,
    SegmentRow,
)
from gateway.segments.visibility import CustomerAccess, SegmentAccess
from gateway.store.database import dialect_of
from gateway.store.tables import customer_table, segment_table

# Core tables: typed columns, and rows that read like the models (row.id, row.site_code).
_s = segment_table.c
_c = customer_table.c


def active_condition(now: datetime) -> ColumnElement[bool]:
    """`status == ACTIVE` and `validity.from <= now < validity.to`, open ends unbounded."""
    return sa.and_(
        _s.status == "ACTIVE",
        sa.or_(_s.valid_from.is_(None), _s.valid_from <= now),
        sa.or_(_s.valid_to.is_(None), _s.valid_to > now),
    )


def member_segment_ids(
    tenant: str, customer_id: str, legal_entity_id: str | None
) -> sa.Select[str]:
    """Segments a customer belongs to: B2C always, B2B for the legal entity in use.

    As in the REST API, the legal entity asked for counts only for a customer with several:
    one with a single legal entity always uses it, whatever was asked."""
    own = (_c.tenant == tenant, _c.customer_id == customer_id)
    stmt = sa.select(_c.segment_id).where(*own)
    if legal_entity_id is not None:
        entities = (
            sa.select(sa.func.count(sa.distinct(_c.legal_entity_id)))
            .where(*own, _c.legal_entity_id != NO_LEGAL_ENTITY)
            .scalar_subquery()
        )
        chosen = _c.legal_entity_id.in_([NO_LEGAL_ENTITY, legal_entity_id])
        stmt = stmt.where(sa.or_(chosen, entities <= 1))
    return stmt


def visible_segment_conditions(access: SegmentAccess) -> list[ColumnElement[bool]]:
    """WHERE conditions on Segment for what `access` may see (the tenant included)."""
    conditions: list[ColumnElement[bool]] = [_s.tenant == access.tenant]
    if access.denied:
        return [*conditions, sa.false()]
    if access.only_active:
        conditions.append(active_condition(access.now))
    if access.customer_id is not None:
        members = member_segment_ids(access.tenant, access.customer_id, access.legal_entity_id)
        conditions.append(_s.id.in_(members))
    return conditions


def visible_segment_ids(access: SegmentAccess) -> sa.Select[str]:
    """A subquery of the ids of the segments `access` may see."""
    return sa.select(_s.id).where(*visible_segment_conditions(access))


@dataclass(frozen=True)
class SegmentFilter:
    """What the `segments` arguments narrow to, besides `q`."""

    access: SegmentAccess
    site_code: str | None = None


def _segment_conditions(where: SegmentFilter) -> list[ColumnElement[bool]]:
    conditions = visible_segment_conditions(where.access)
    if where.site_code is not None:
        conditions.append(_s.site_code == where.site_code)
    return conditions


def _bound(where: SegmentFilter) -> tuple[Any, ...]:
    return (*where.access.bound_parts(), where.site_code)


async def segment_page(
    session: AsyncSession, *, where: SegmentFilter, query: ListQuery, locales: Sequence[str]
) -> PageResult:
    """One page of the segments `where` and `q` select, in `sort` order (then by id)."""
    compiled = query.compile(
        SEGMENT_FIELDS, default=SEGMENT_DEFAULT_SORT, locales=locales, dialect=dialect_of(session)
    )
    stmt = sa.select(segment_table).where(*_segment_conditions(where), *compiled.conditions)
    tenant = where.access.tenant
    bound_to = query.binding("segments", tenant, compiled, *_bound(where), locales[:1])
    return await query.page(session, stmt, compiled, bound_to)


async def count_segments(session: AsyncSession, *, where: SegmentFilter, query: ListQuery) -> int:
    """How many segments `where` and `q` select."""
    q_conditions = query.conditions(SEGMENT_FIELDS, dialect=dialect_of(session))
    conditions = [*_segment_conditions(where), *q_conditions]
    stmt = sa.select(sa.func.count()).select_from(Segment).where(*conditions)
    return int((await session.execute(stmt)).scalar_one())


async def segments_by_id(
    session: AsyncSession, *, access: SegmentAccess, ids: Sequence[str]
) -> Sequence[SegmentRow]:
    """The segments among `ids` that `access` may see."""
    stmt = sa.select(segment_table).where(*visible_segment_conditions(access), _s.id.in_(ids))
    return list((await session.execute(stmt)).all())


def _customer_conditions(
    where: CustomerAccess, segment_ids: Sequence[str]
) -> list[ColumnElement[bool]]:
    conditions = [_c.tenant == where.tenant, _c.segment_id.in_(segment_ids)]
    if where.customer_id is not None:
        conditions.append(_c.customer_id == where.customer_id)
    return conditions


async def customer_pages(
    session: AsyncSession, where: CustomerAccess, segment_ids: Sequence[str], query: ListQuery
) -> dict[str, PageResult]:
    """The same page of each segment's customer assignments, in one statement."""
    compiled = query.compile(
        CUSTOMER_FIELDS, default=CUSTOMER_DEFAULT_SORT, locales=(), dialect=dialect_of(session)
    )
    conditions = [*_customer_conditions(where, segment_ids), *compiled.conditions]
    bound_to = query.binding("Segment.customers", where.tenant, compiled, where.customer_id)
    return await query.pages(
        session,
        sa.select(customer_table).where(*conditions),
        compiled,
        bound_to,
        partition=_c.segment_id,
        parents=segment_ids,
    )


async def count_customers(
    session: AsyncSession, *, where: CustomerAccess, segment_ids: Sequence[str], query: ListQuery
) -> dict[str, int]:
    """How many customer assignments `q` selects in each segment; one GROUP BY statement."""
    q_conditions = query.conditions(CUSTOMER_FIELDS, dialect=dialect_of(session))
    stmt = (
        sa.select(_c.segment_id, sa.func.count())
        .where(*_customer_conditions(where, segment_ids), *q_conditions)
        .group_by(_c.segment_id)
    )
    return {segment_id: int(n) for segment_id, n in await session.execute(stmt)}


# segment id, customer id, stored legal entity id ('' for B2C)
CustomerKey = tuple[str, str, str]


async def customer_assignments_by_key(
    session: AsyncSession, *, access: SegmentAccess, keys: Sequence[CustomerKey]
) -> Sequence[CustomerAssignmentRow]:
    """The assignments among `keys` in segments `access` may see; a customer's own only."""
    stmt = sa.select(customer_table).where(
        _c.tenant == access.tenant,
        _c.segment_id.in_(visible_segment_ids(access)),
        sa.tuple_(_c.segment_id, _c.customer_id, _c.legal_entity_id).in_(list(keys)),
    )
    if access.customer_id is not None:
        stmt = stmt.where(_c.customer_id == access.customer_id)
    return list((await session.execute(stmt)).all())
