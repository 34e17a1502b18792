"""GraphQL types of the webhooks domain: WebhookSubscription."""

from __future__ import annotations

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
