"""Root fields of the webhooks domain: webhookSubscriptions, and the domain's field rules."""

from __future__ import annotations

import strawberry

from gateway.api.rules import FieldRule, Fixed
from gateway.api.types import Info
from gateway.webhooks import repository
from gateway.webhooks.types import WebhookSubscription, subscription_from_row
from gateway.webhooks.validation import MAX_SUBSCRIPTIONS


@strawberry.type
class Query:
    @strawberry.field(
        description="The tenant's webhook subscriptions, oldest first; secrets are never shown."
    )
    async def webhook_subscriptions(self, info: Info) -> list[WebhookSubscription]:
        context = info.context
        async with context.read_session() as session:
            rows = await repository.subscriptions(session, tenant=context.tenant)
        return [subscription_from_row(row) for row in rows]


# Each field's list bound (api/rules.py), so the static cost stays an upper bound.
RULES: dict[str, FieldRule] = {
    "Query.webhookSubscriptions": FieldRule(bound=Fixed(MAX_SUBSCRIPTIONS)),
    # A payload reports at most a handful of problems (one per event type at worst).
    "WebhookSubscriptionPayload.userErrors": FieldRule(bound=Fixed(12)),
}
