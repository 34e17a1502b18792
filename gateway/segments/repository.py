"""Segment reads: visibility conditions shared by every domain, segments, customers."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from gateway.segments.access import SegmentAccess
from gateway.segments.models import NO_LEGAL_ENTITY, CustomerAssignment, Segment


def active_condition(now: datetime) -> ColumnElement[bool]:
    """`status == ACTIVE` and `validity.from <= now < validity.to`, open ends unbounded."""
    return sa.and_(
        Segment.status == "ACTIVE",
        sa.or_(Segment.valid_from.is_(None), Segment.valid_from <= now),  # type: ignore[union-attr]
        sa.or_(Segment.valid_to.is_(None), Segment.valid_to > now),  # type: ignore[union-attr,operator]
    )


def member_segment_ids(
    tenant: str, customer_id: str, legal_entity_id: str | None
) -> sa.Select[tuple[str]]:
    """Segments a customer belongs to: B2C always, B2B for the legal entity in use."""
    stmt = sa.select(CustomerAssignment.segment_id).where(
        CustomerAssignment.tenant == tenant,
        CustomerAssignment.customer_id == customer_id,
    )
    if legal_entity_id is not None:
        stmt = stmt.where(
            CustomerAssignment.legal_entity_id.in_([NO_LEGAL_ENTITY, legal_entity_id])  # type: ignore[attr-defined]
        )
    return stmt


def visible_segment_conditions(access: SegmentAccess) -> list[ColumnElement[bool]]:
    """WHERE conditions on Segment for what `access` may see (the tenant included)."""
    conditions: list[ColumnElement[bool]] = [Segment.tenant == access.tenant]  # type: ignore[list-item]
    if access.denied:
        return [*conditions, sa.false()]
    if access.only_active:
        conditions.append(active_condition(access.now))
    if access.customer_id is not None:
        members = member_segment_ids(access.tenant, access.customer_id, access.legal_entity_id)
        conditions.append(Segment.id.in_(members))  # type: ignore[attr-defined]
    return conditions


def visible_segment_ids(access: SegmentAccess) -> sa.Select[tuple[str]]:
    """A subquery of the ids of the segments `access` may see."""
    return sa.select(Segment.id).where(*visible_segment_conditions(access))
