"""Item assignment reads: each assignment joined with its catalog item in one statement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from gateway.assignments.filters import (
    DEFAULT_ORDER,
    ITEM_ASSIGNMENT_FIELDS,
    ITEM_CODE,
    ITEM_NAME,
    SEGMENT_ORDER,
)
from gateway.assignments.models import ItemAssignmentRow
from gateway.query_language import Compiled, ListQuery, PageResult
from gateway.segments.repository import visible_segment_conditions
from gateway.segments.visibility import SegmentAccess
from gateway.store.database import dialect_of
from gateway.store.tables import category_table as category
from gateway.store.tables import item_table as assignment
from gateway.store.tables import product_table as product
from gateway.store.tables import segment_table as segment

# Labelled so a row serves as the assignment and, through id/code/name/..., as its item.
COLUMNS: tuple[ColumnElement[Any], ...] = (
    assignment.c.segment_id,
    assignment.c.item_type,
    assignment.c.item_id,
    assignment.c.mixins,
    assignment.c.metadata_mixins,
    assignment.c.created_at,
    assignment.c.modified_at,
    assignment.c.version,
    assignment.c.item_id.label("id"),
    ITEM_CODE.label("code"),
    ITEM_NAME.label("name"),
    category.c.parent_id,
    category.c.position,
    category.c.published,
    category.c.valid_from,
    category.c.valid_to,
    category.c.ecn,
    category.c.description,
    category.c.slug,
)


@dataclass(frozen=True)
class AssignmentFilter:
    """The argument filters of a read; hashable, so it can be part of a loader key."""

    access: SegmentAccess
    segment_id: str | None = None
    item_type: str | None = None
    site_code: str | None = None


def _join() -> Any:
    a = assignment.c
    return assignment.outerjoin(
        product,
        sa.and_(a.item_type == "PRODUCT", product.c.tenant == a.tenant, product.c.id == a.item_id),
    ).outerjoin(
        category,
        sa.and_(
            a.item_type == "CATEGORY", category.c.tenant == a.tenant, category.c.id == a.item_id
        ),
    )


# Built once: the same for every read, and a tenth of a page's time when built per request.
_JOINED = _join()
# The item is live: its product or category row exists.
_LIVE_ITEM = sa.or_(product.c.id.is_not(None), category.c.id.is_not(None))


def _segment_condition(where: AssignmentFilter) -> ColumnElement[bool] | None:
    """Visibility, siteCode and onlyActive, as `segment_id IN (visible segments)`."""
    access = where.access
    if not (access.narrows or where.site_code):
        return None  # every assignment's segment exists (foreign key): nothing to check
    visible = sa.select(segment.c.id).where(*visible_segment_conditions(access))
    if where.site_code is not None:
        visible = visible.where(segment.c.site_code == where.site_code)
    return assignment.c.segment_id.in_(visible)


def conditions(where: AssignmentFilter) -> list[ColumnElement[bool]]:
    """Every WHERE condition of a filter: tenant, live item, segment rules, arguments."""
    a = assignment.c
    found: list[ColumnElement[bool]] = [
        a.tenant == where.access.tenant,
        _LIVE_ITEM,
    ]
    segment_rule = _segment_condition(where)
    if segment_rule is not None:
        found.append(segment_rule)
    if where.segment_id is not None:
        found.append(a.segment_id == where.segment_id)
    if where.item_type is not None:
        found.append(a.item_type == where.item_type)
    return found


def select_assignments(
    where: AssignmentFilter, extra: Sequence[ColumnElement[bool]] = ()
) -> sa.Select[Any]:
    """Assignments with their items matching a filter and extra (`q`) conditions, unordered."""
    return sa.select(*COLUMNS).select_from(_JOINED).where(*conditions(where), *extra)


def _compiled(
    session: AsyncSession, query: ListQuery, default: Sequence[str], locales: Sequence[str]
) -> Compiled:
    return query.compile(
        ITEM_ASSIGNMENT_FIELDS, default=default, locales=locales, dialect=dialect_of(session)
    )


def _bound(where: AssignmentFilter) -> tuple[object, ...]:
    return (where.segment_id, where.item_type, where.site_code, *where.access.bound_parts())


async def assignment_page(
    session: AsyncSession, where: AssignmentFilter, query: ListQuery, locales: Sequence[str]
) -> PageResult:
    """One page of matching assignments with their items, one statement."""
    compiled = _compiled(session, query, DEFAULT_ORDER, locales)
    tenant = where.access.tenant
    bound_to = query.binding("itemAssignments", tenant, compiled, *_bound(where))
    stmt = select_assignments(where, compiled.conditions)
    return await query.page(session, stmt, compiled, bound_to)


async def assignment_pages(
    session: AsyncSession,
    where: AssignmentFilter,
    segment_ids: Sequence[str],
    query: ListQuery,
    locales: Sequence[str],
) -> dict[str, PageResult]:
    """The same page of assignments for each of many segments, one statement."""
    compiled = _compiled(session, query, SEGMENT_ORDER, locales)
    bound_to = query.binding("Segment.items", where.access.tenant, compiled, where.item_type)
    return await query.pages(
        session,
        select_assignments(where, compiled.conditions),
        compiled,
        bound_to,
        partition=assignment.c.segment_id,
        parents=segment_ids,
    )


async def count_assignments(
    session: AsyncSession, where: AssignmentFilter, query: ListQuery
) -> int:
    """How many assignments `where` and `q` select."""
    extra = query.conditions(ITEM_ASSIGNMENT_FIELDS, dialect=dialect_of(session))
    stmt = sa.select(sa.func.count()).select_from(_JOINED).where(*conditions(where), *extra)
    return int((await session.execute(stmt)).scalar_one())


async def count_by_segment(
    session: AsyncSession, where: AssignmentFilter, segment_ids: Sequence[str], query: ListQuery
) -> dict[str, int]:
    """Matching assignments per segment, one GROUP BY for all segments."""
    a = assignment.c
    extra = query.conditions(ITEM_ASSIGNMENT_FIELDS, dialect=dialect_of(session))
    stmt = (
        sa.select(a.segment_id, sa.func.count())
        .select_from(_JOINED)
        .where(*conditions(where), a.segment_id.in_(segment_ids), *extra)
        .group_by(a.segment_id)
    )
    return {segment_id: int(n) for segment_id, n in await session.execute(stmt)}


async def assignment_by_key(
    session: AsyncSession,
    *,
    tenant: str,
    segment_id: str,
    item_type: str,
    item_id: str,
    access: SegmentAccess | None = None,
) -> ItemAssignmentRow | None:
    """One assignment with its item by natural key; None when absent, its item deleted, or
    (with `access`) its segment not visible. Without `access` no visibility applies."""
    a = assignment.c
    stmt = (
        sa.select(*COLUMNS)
        .select_from(_JOINED)
        .where(
            a.tenant == tenant,
            a.segment_id == segment_id,
            a.item_type == item_type,
            a.item_id == item_id,
            _LIVE_ITEM,
        )
    )
    if access is not None:
        rule = _segment_condition(AssignmentFilter(access=access))
        if rule is not None:
            stmt = stmt.where(rule)
    return (await session.execute(stmt)).one_or_none()
