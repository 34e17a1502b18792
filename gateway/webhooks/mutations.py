"""Webhook mutations: createWebhookSubscription and deleteWebhookSubscription."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.api.inputs import given
from gateway.api.mutations import DeletePayload, delete_payload, refused, run_write
from gateway.api.types import Info, UserError
from gateway.errors import ErrorCode
from gateway.outcomes import Done, Failure
from gateway.webhooks import commands, sealing
from gateway.webhooks.targets import Refused, check_target
from gateway.webhooks.types import WebhookSubscription, subscription_from_row
from gateway.webhooks.validation import (
    EVENT_TYPES,
    MAX_DESCRIPTION_LENGTH,
    MAX_EVENT_TYPES,
    MAX_URL_LENGTH,
    subscription_problems,
)


@strawberry.input(description="A new webhook subscription.")
class WebhookSubscriptionInput:
    url: str = strawberry.field(
        description=f"Where events are POSTed: an https URL of a public host, at most "
        f"{MAX_URL_LENGTH} characters. Checked now and before every delivery; redirects "
        "are not followed."
    )
    event_types: list[str] = strawberry.field(
        description=f"The event types to send, 1 to {MAX_EVENT_TYPES}, each once: "
        + ", ".join(f"`{name}`" for name in EVENT_TYPES)
        + "."
    )
    description: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"A note for people, at most {MAX_DESCRIPTION_LENGTH} characters.",
    )


@strawberry.type(description="The result of createWebhookSubscription.")
class WebhookSubscriptionPayload:
    subscription: WebhookSubscription | None = strawberry.field(
        default=None, description="The new subscription; null when there are userErrors."
    )
    secret: str | None = strawberry.field(
        default=None,
        description="The signing secret (`whsec_...`), shown this once and never again: "
        "keep it to verify `webhook-signature`. Null when there are userErrors.",
    )
    user_errors: list[UserError] = strawberry.field(
        description="Why nothing was created; empty on success."
    )


async def _problems(info: Info, data: WebhookSubscriptionInput) -> list[Failure]:
    """Every userError of the input; the target is checked only when its length is fine."""
    problems = subscription_problems(data.url, data.event_types, given(data.description))
    if any(p.field == ("input", "url") for p in problems):
        return problems
    target = await check_target(data.url, info.context.settings)
    if isinstance(target, Refused):
        problems.insert(0, Failure(ErrorCode.BAD_USER_INPUT, target.reason, ("input", "url")))
    return problems


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Subscribes a URL to the tenant's change events; the payload holds the "
        "signing secret, which no later read shows."
    )
    async def create_webhook_subscription(
        self,
        info: Info,
        input: Annotated[
            WebhookSubscriptionInput, strawberry.argument(description="The new subscription.")
        ],
    ) -> WebhookSubscriptionPayload:
        problems = await _problems(info, input)
        if problems:
            return refused(WebhookSubscriptionPayload, *problems)
        secret = sealing.new_secret()
        written = await run_write(
            info,
            commands.create_subscription,
            tenant=info.context.tenant,
            subscription_id=commands.new_subscription_id(),
            url=input.url,
            event_types=input.event_types,
            description=given(input.description),
            sealed_secret=sealing.seal(secret, info.context.settings.webhook_secret_keys),
            now=info.context.now,
        )
        if isinstance(written, Failure):
            return refused(WebhookSubscriptionPayload, written)
        subscription = subscription_from_row(written)
        return WebhookSubscriptionPayload(subscription=subscription, secret=secret, user_errors=[])

    @strawberry.mutation(
        description="Deletes one of the tenant's webhook subscriptions; NOT_FOUND when absent."
    )
    async def delete_webhook_subscription(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The subscription's id.")],
    ) -> DeletePayload:
        failure = await run_write(
            info,
            commands.delete_subscription,
            tenant=info.context.tenant,
            subscription_id=str(id),
        )
        return delete_payload(failure if failure is not None else Done())
