"""Subscription.changes: the committed changes of the tenant that the caller may see."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry

from gateway.api.inputs import given
from gateway.api.rules import FieldRule
from gateway.api.types import Info
from gateway.changes.repository import segment_visible
from gateway.changes.types import ChangeEvent, change_event_from_notice
from gateway.context import Context
from gateway.errors import bad_input, forbidden
from gateway.segments.visibility import change_access
from gateway.subscriptions.broker import Feed
from gateway.subscriptions.notices import CUSTOMER_ASSIGNMENT_EVENT, EVENT_TYPES, ChangeNotice

EventTypes = Annotated[
    list[str] | None,
    strawberry.argument(
        description="Only events of these types (e.g. customer-segment.segment-updated); "
        "all when omitted."
    ),
]
SegmentId = Annotated[
    strawberry.ID | None, strawberry.argument(description="Only events of this segment.")
]


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Each committed change the caller may see, as it happens: segment_read "
        "sees the tenant's, segment_read_own those of its own active segments (and of "
        "customer assignments only its own)."
    )
    async def changes(
        self,
        info: Info,
        event_types: EventTypes = strawberry.UNSET,
        segment_id: SegmentId = strawberry.UNSET,
    ) -> AsyncGenerator[ChangeEvent, None]:
        context = info.context
        if context.changes is None:  # the field policy has checked the scopes already
            raise forbidden("Subscription.changes runs over WebSocket only.")
        wanted = frozenset(given(event_types) or EVENT_TYPES)
        segment = None if given(segment_id) is None else str(segment_id)
        return _events(context, context.changes, wanted, segment)


async def _events(
    context: Context, feed: Feed, wanted: frozenset[str], segment: str | None
) -> AsyncGenerator[ChangeEvent, None]:
    # Subscribed on the first step, so a stream never iterated leaves no subscriber behind;
    # the endpoint iterates at once, with no wait in between.
    subscriber = feed.subscribe(context.tenant)
    try:
        while True:
            notice = await subscriber.next()
            if _selected(notice, wanted, segment) and await visible(context, notice):
                yield change_event_from_notice(notice)
    finally:
        subscriber.close()


def _selected(notice: ChangeNotice, wanted: frozenset[str], segment: str | None) -> bool:
    return notice.type in wanted and segment in (None, notice.segment_id)


async def visible(context: Context, notice: ChangeNotice) -> bool:
    """The contract's rule, judged on the data as the change left it."""
    principal = context.principal
    if principal.can_read_all:
        return True
    if notice.type.startswith(CUSTOMER_ASSIGNMENT_EVENT) and (
        notice.customer_id != principal.customer_id
    ):
        return False
    access = change_access(principal, tenant=context.tenant, occurred_at=notice.occurred_at)
    return await segment_visible(context.sessions, access, notice.segment_id)


def _check_event_types(arguments: dict[str, Any]) -> None:
    unknown = sorted(set(arguments.get("eventTypes") or ()) - set(EVENT_TYPES))
    if unknown:
        raise bad_input(f"Unknown event types {unknown}; choose from {', '.join(EVENT_TYPES)}.")


RULES: dict[str, FieldRule] = {"Subscription.changes": FieldRule(check=_check_event_types)}
