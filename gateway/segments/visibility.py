"""Who may see which rows: every row-visibility rule of the contract, each a named function.

The field policy (gateway/auth/policy.py) has already refused a token without the scope a
field needs, so these rules narrow rows and never refuse: a caller none of them fits gets a
`denied` access, which sees nothing. The repositories turn the values into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from gateway.auth.principal import Principal

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

    @property
    def narrows(self) -> bool:
        """Whether some segment of the tenant is hidden from this read."""
        return self.restricted or self.denied or self.only_active

    def bound_parts(self) -> tuple[Any, ...]:
        """What of the rule a cursor is bound to (with the tenant, which the list binds)."""
        # Not `now`: a cursor must outlive the request that made it.
        return (self.only_active, self.customer_id, self.legal_entity_id)


@dataclass(frozen=True)
class CustomerAccess:
    """Whose customer assignments a read may list: the caller's own only, under read_own."""

    tenant: str
    customer_id: str | None = None


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
    """The caller's read visibility, for fields the policy opens to read and read_own."""
    return segment_access(
        context.principal,
        tenant=context.tenant,
        now=context.now,
        only_active=only_active,
        legal_entity_id=legal_entity_id,
    )


def customer_access(context: Context) -> CustomerAccess:
    """Everyone's assignments under segment_read; only the caller's own under read_own."""
    principal = context.principal
    own = None if principal.can_read_all else principal.customer_id
    return CustomerAccess(tenant=context.tenant, customer_id=own)


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


def assignment_segment_access(context: Context, read_under: SegmentAccess | None) -> SegmentAccess:
    """ItemAssignment.segment: the access the assignment was read under; for one a mutation
    wrote (None), the caller's own read access."""
    return read_under or read_access(context)


def tree_access(context: Context, legal_entity_id: str | None) -> SegmentAccess:
    """The segments a category tree draws on: the caller's active ones (read or read_own)."""
    return read_access(context, only_active=True, legal_entity_id=legal_entity_id)


def match_access(context: Context) -> SegmentAccess:
    """read or manage see every active segment; read_own alone only the caller's own."""
    principal = context.principal
    if principal.can_read_all or principal.can_manage:
        return SegmentAccess(tenant=context.tenant, now=context.now, only_active=True)
    return segment_access(principal, tenant=context.tenant, now=context.now, only_active=True)


def change_access(principal: Principal, *, tenant: str, occurred_at: datetime) -> SegmentAccess:
    """Whose change events a subscriber sees: every segment's (read), else the segments that
    are the caller's own and active at the time of the event (read_own)."""
    only_active = not principal.can_read_all
    return segment_access(principal, tenant=tenant, now=occurred_at, only_active=only_active)
