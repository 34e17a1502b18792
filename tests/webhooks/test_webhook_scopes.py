"""Every webhook field needs customersegment.segment_manage, reads included."""

import pytest

from tests.conftest import MANAGE, READ, READ_OWN
from tests.webhooks.operations import CREATE, DELETE, LIST, create, listed, subscription_input

CALLS = {
    "webhookSubscriptions": (LIST, None),
    "createWebhookSubscription": (CREATE, {"input": subscription_input()}),
    "deleteWebhookSubscription": (DELETE, {"id": "x"}),
}
TOKENS = {
    "read-only": {"scopes": READ},
    "customer": {"scopes": READ_OWN, "customer": "c1"},
    "read and read_own": {"scopes": READ + READ_OWN},
}


@pytest.mark.parametrize("field", CALLS)
@pytest.mark.parametrize("token", TOKENS)
async def test_without_segment_manage_every_webhook_field_is_forbidden(gql, field, token):
    # given
    existing = await create(gql)
    query, variables = CALLS[field]
    if field == "deleteWebhookSubscription":
        variables = {"id": existing["subscription"]["id"]}
    # when
    body = await gql(query, variables, **TOKENS[token])
    # then
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert f"{field} needs the customersegment.segment_manage scope" in body["errors"][0]["message"]
    assert await listed(gql) == [existing["subscription"]]


async def test_segment_manage_alone_reads_and_writes_them(gql):
    # when
    payload = await gql.data(CREATE, {"input": subscription_input()}, scopes=MANAGE)
    # then
    assert payload["createWebhookSubscription"]["userErrors"] == []
    assert len(await listed(gql)) == 1
