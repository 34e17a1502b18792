"""Root fields of the webhooks domain: webhookSubscriptions, webhookDeliveries, and the
domain's field rules."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.api.inputs import given
from gateway.api.lists import After, Page, PageSize, page_of
from gateway.api.rules import DEFAULT_PAGE_SIZE, FieldRule, Fixed, PageItems
from gateway.api.types import Info
from gateway.errors import ErrorCode, GatewayError
from gateway.query_language.paging import check_paging
from gateway.webhooks import deliveries, repository
from gateway.webhooks.types import (
    WebhookDelivery,
    WebhookSubscription,
    delivery_from_row,
    subscription_from_row,
)
from gateway.webhooks.validation import MAX_SUBSCRIPTIONS

SubscriptionId = Annotated[
    strawberry.ID, strawberry.argument(description="The webhook subscription's id.")
]


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

    @strawberry.field(
        description="A webhook subscription's deliveries, newest first (by commit); "
        "delivered ones are kept as long as their events (GATEWAY_EVENT_RETENTION_SECONDS)."
    )
    async def webhook_deliveries(
        self,
        info: Info,
        subscription_id: SubscriptionId,
        page_size: PageSize = DEFAULT_PAGE_SIZE,
        after: After = strawberry.UNSET,
    ) -> Page[WebhookDelivery]:
        context = info.context
        size = given(page_size)
        size = DEFAULT_PAGE_SIZE if size is None else size
        check_paging(size, 1, max_page_size=context.settings.limits.max_page_size)
        tenant, subscription = context.tenant, str(subscription_id)
        async with context.read_session() as session:
            if not await repository.exists(session, tenant=tenant, subscription_id=subscription):
                message = f"Webhook subscription {subscription!r} does not exist."
                raise GatewayError(ErrorCode.NOT_FOUND, message, argument="subscriptionId")
            result = await deliveries.page(
                session, tenant=tenant, subscription_id=subscription, page_size=size,
                after=given(after),
            )  # fmt: skip

        async def count() -> int:
            async with context.read_session() as session:
                return await deliveries.count(session, tenant=tenant, subscription_id=subscription)

        return page_of(result, delivery_from_row, count)


# Each field's list bound (api/rules.py), so the static cost stays an upper bound.
RULES: dict[str, FieldRule] = {
    "Query.webhookSubscriptions": FieldRule(bound=Fixed(MAX_SUBSCRIPTIONS)),
    "WebhookDeliveryPage.items": FieldRule(bound=PageItems()),
    # A payload reports at most a handful of problems (one per event type at worst).
    "WebhookSubscriptionPayload.userErrors": FieldRule(bound=Fixed(12)),
}
