"""GraphQL types of the webhooks domain: WebhookSubscription, WebhookDelivery."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.api.types import DateTime
from gateway.webhooks.models import SubscriptionRow


@strawberry.type(
    description="Where the tenant's change events are sent, signed with the subscription's "
    "secret (Standard Webhooks); the secret is shown once, by createWebhookSubscription."
)
class WebhookSubscription:
    id: strawberry.ID = strawberry.field(description="Generated: 24 lowercase hex digits.")
    url: str = strawberry.field(description="The https URL each event is POSTed to.")
    event_types: list[str] = strawberry.field(
        description="The event types sent, e.g. `customer-segment.segment-created`."
    )
    description: str | None = strawberry.field(description="A note for people; null when none.")
    created_at: DateTime = strawberry.field(description="When the subscription was created.")


def subscription_from_row(row: SubscriptionRow) -> WebhookSubscription:
    """A WebhookSubscription from a row (which never holds the secret)."""
    return WebhookSubscription(
        id=strawberry.ID(row.id),
        url=row.url,
        event_types=list(row.event_types),
        description=row.description,
        created_at=DateTime(row.created_at),
    )


@strawberry.type(description="One event sent (or to be sent) to one webhook subscription.")
class WebhookDelivery:
    event_id: strawberry.ID = strawberry.field(
        description="The event's id, sent as the `webhook-id` header on every attempt."
    )
    event_type: str = strawberry.field(description="e.g. `customer-segment.segment-created`.")
    attempts: int = strawberry.field(description="Attempts made so far (0: not sent yet).")
    status: str = strawberry.field(
        description="`pending` (to be sent, or retried at nextAttemptAt), `delivered` (a 2xx "
        "answer) or `failed` (no 2xx answer within the retry schedule)."
    )
    last_status_code: int | None = strawberry.field(
        description="The HTTP status of the last attempt; null before one, or when it got no "
        "answer (refused target, no connection, timeout)."
    )
    next_attempt_at: DateTime | None = strawberry.field(
        description="When a pending delivery is tried again; null when it is not waiting."
    )


def delivery_from_row(row: Any) -> WebhookDelivery:
    return WebhookDelivery(
        event_id=strawberry.ID(row.event_id),
        event_type=row.event_type,
        attempts=row.attempts,
        status=row.status,
        last_status_code=row.last_status_code,
        next_attempt_at=None if row.next_attempt_at is None else DateTime(row.next_attempt_at),
    )
