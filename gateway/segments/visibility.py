"""Which segments a caller may see: the scope rules of the contract, as a hashable value."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from gateway.auth.principal import Principal
from gateway.errors import forbidden

if TYPE_CHECKING:  # the context imports the catalog, which imports this module
    from gateway.context import Context


@dataclass(frozen=True)
class SegmentAccess:
    """The visibility rule for one read; part of loader keys, so it must stay hashable."""

    tenant: str
    now: datetime
    only_active: bool
    # None: every segment of the tenant (segment_read). Else only this customer's segments.
    customer_id: str | None = None
    # The legal entity in use for B2B membership; None means all of the customer's.
    legal_entity_id: str | None = None
    denied: bool = False

    @property
    def restricted(self) -> bool:
        return self.customer_id is not None


def segment_access(
    principal: Principal,
    *,
    tenant: str,
    now: datetime,
    only_active: bool = False,
    legal_entity_id: str | None = None,
) -> SegmentAccess:
    """Applies the scopes: read sees all (legalEntityId ignored), read_own its active own."""
    if principal.can_read_all:
        return SegmentAccess(tenant=tenant, now=now, only_active=only_active)
    if not principal.can_read_own or principal.customer_id is None:
        return SegmentAccess(tenant=tenant, now=now, only_active=True, denied=True)
    return SegmentAccess(
        tenant=tenant,
        now=now,
        only_active=True,
        customer_id=principal.customer_id,
        legal_entity_id=principal.legal_entity_id if legal_entity_id is None else legal_entity_id,
    )


def read_access(
    context: Context, *, only_active: bool = False, legal_entity_id: str | None = None
) -> SegmentAccess:
    """The caller's read visibility; FORBIDDEN without a read scope (manage alone)."""
    if not context.principal.can_read:
        raise forbidden("Reading segments needs segment_read or segment_read_own.")
    return segment_access(
        context.principal,
        tenant=context.tenant,
        now=context.now,
        only_active=only_active,
        legal_entity_id=legal_entity_id,
    )


def segment_items_access(context: Context) -> SegmentAccess:
    """What Segment.items lists of its parent segment, whichever field produced the parent."""
    access = read_access(context)
    if access.restricted:
        # The parent may come from a mutation payload, not a read: a customer's items need an
        # active segment of theirs (any legal entity, so a segment read under a
        # legalEntityId argument keeps its items).
        return replace(access, legal_entity_id=None)
    # The parent segment was read under the caller's visibility; its items need no more.
    return SegmentAccess(tenant=context.tenant, now=context.now, only_active=False)


def tree_access(context: Context, legal_entity_id: str | None) -> SegmentAccess:
    """The segments a category tree draws on: the caller's active ones (read or read_own)."""
    if not context.principal.can_read:
        raise forbidden("Category trees need the segment_read or segment_read_own scope.")
    return segment_access(
        context.principal,
        tenant=context.tenant,
        now=context.now,
        only_active=True,
        legal_entity_id=legal_entity_id,
    )


def match_access(context: Context) -> SegmentAccess:
    """read or manage see every active segment; read_own alone only the caller's own."""
    principal = context.principal
    if principal.can_read_all or principal.can_manage:
        return SegmentAccess(tenant=context.tenant, now=context.now, only_active=True)
    if principal.can_read_own:
        return segment_access(principal, tenant=context.tenant, now=context.now, only_active=True)
    raise forbidden("matchItems needs the segment_read, segment_manage or segment_read_own scope.")
