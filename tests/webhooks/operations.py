"""The webhook operations the tests run, and one-line helpers around them."""

from datetime import UTC, datetime

from gateway.webhooks.models import WebhookSubscription
from gateway.webhooks.sealing import new_secret
from gateway.webhooks.validation import EVENT_TYPES
from tests.conftest import MANAGE

PUBLIC_URL = "https://93.184.215.14/hooks"
SEGMENT_CREATED = "customer-segment.segment-created"

CREATE = """
mutation($input: WebhookSubscriptionInput!) {
  createWebhookSubscription(input: $input) {
    subscription { id url eventTypes description createdAt }
    secret
    userErrors { code message field }
  }
}"""
DELETE = """
mutation($id: ID!) {
  deleteWebhookSubscription(id: $id) { deleted userErrors { code message field } }
}"""
LIST = "{ webhookSubscriptions { id url eventTypes description createdAt } }"


def subscription_input(url=PUBLIC_URL, event_types=(SEGMENT_CREATED,), description=None):
    fields = {"url": url, "eventTypes": list(event_types)}
    if description is not None:
        fields["description"] = description
    return fields


async def create(gql, tenant="demo", **fields):
    variables = {"input": subscription_input(**fields)}
    data = await gql.data(CREATE, variables, scopes=MANAGE, tenant=tenant)
    return data["createWebhookSubscription"]


async def listed(gql, tenant="demo"):
    return (await gql.data(LIST, scopes=MANAGE, tenant=tenant))["webhookSubscriptions"]


async def delete(gql, subscription_id, tenant="demo"):
    data = await gql.data(DELETE, {"id": subscription_id}, scopes=MANAGE, tenant=tenant)
    return data["deleteWebhookSubscription"]


def errors(payload):
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


def stored(number, tenant="demo"):
    """A subscription row written straight to the database."""
    return WebhookSubscription(
        tenant=tenant,
        id=f"seeded{number:03}",
        url=PUBLIC_URL,
        event_types=list(EVENT_TYPES),
        secret=new_secret(),
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
