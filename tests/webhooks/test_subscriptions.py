"""Webhook subscriptions: created with a secret shown once, listed without it, deleted."""

from cryptography.fernet import Fernet

from gateway.settings import Settings
from gateway.webhooks import repository
from gateway.webhooks.sealing import unseal
from tests.conftest import MANAGE, GraphQL
from tests.webhooks.operations import (
    LIST,
    PUBLIC_URL,
    SEGMENT_CREATED,
    create,
    delete,
    errors,
    listed,
)

ITEM_DELETED = "customer-segment.item-assignment-deleted"


async def secret_in_database(db, subscription_id, keys=()):
    async with db.sessions() as session:
        found = await repository.stored_secret(
            session, tenant="demo", subscription_id=subscription_id
        )
    return found, unseal(found, keys) if found else None


async def test_create_returns_the_subscription_and_its_secret(gql):
    # when
    payload = await create(gql, event_types=[SEGMENT_CREATED, ITEM_DELETED], description="ERP sync")
    # then
    assert payload["userErrors"] == []
    assert payload["secret"].startswith("whsec_")
    subscription = payload["subscription"]
    assert len(subscription["id"]) == 24
    assert subscription["url"] == PUBLIC_URL
    assert subscription["eventTypes"] == [SEGMENT_CREATED, ITEM_DELETED]
    assert subscription["description"] == "ERP sync"
    assert subscription["createdAt"].endswith("Z")


async def test_the_list_shows_every_subscription_and_never_a_secret(gql):
    # given
    first = await create(gql, description="first")
    second = await create(gql)
    # when
    body = await gql(LIST, scopes=MANAGE)
    # then
    subscriptions = body["data"]["webhookSubscriptions"]
    assert subscriptions == [first["subscription"], second["subscription"]]
    assert first["secret"] not in str(body)
    assert second["secret"] not in str(body)


async def test_without_keys_the_stored_secret_is_the_one_shown(gql, db):
    # given
    payload = await create(gql)
    # when
    stored, opened = await secret_in_database(db, payload["subscription"]["id"])
    # then
    assert stored == opened == payload["secret"]


async def test_with_a_key_the_database_holds_the_secret_sealed(db):
    # given
    key = Fernet.generate_key().decode()
    gql = GraphQL(db, Settings(database_url=db.url, webhook_secret_keys=(key,)))
    payload = await create(gql)
    # when
    stored, opened = await secret_in_database(db, payload["subscription"]["id"], (key,))
    # then
    assert payload["secret"] not in stored
    assert opened == payload["secret"]


async def test_each_subscription_gets_its_own_secret(gql):
    # when
    first, second = await create(gql), await create(gql)
    # then
    assert first["secret"] != second["secret"]


async def test_delete_removes_the_subscription_and_its_secret(gql, db):
    # given
    kept = await create(gql, description="kept")
    gone = await create(gql, description="gone")
    # when
    payload = await delete(gql, gone["subscription"]["id"])
    # then
    assert payload == {"deleted": True, "userErrors": []}
    assert await listed(gql) == [kept["subscription"]]
    assert await secret_in_database(db, gone["subscription"]["id"]) == (None, None)


async def test_deleting_an_absent_subscription_is_not_found(gql):
    # when
    payload = await delete(gql, "nope")
    # then
    assert payload["deleted"] is False
    assert errors(payload) == [("NOT_FOUND", ["id"])]
    assert "'nope' does not exist" in payload["userErrors"][0]["message"]


async def test_another_tenants_subscriptions_are_invisible_and_undeletable(gql):
    # given
    theirs = await create(gql, tenant="other")
    mine = await create(gql)
    # when
    listed_here = await listed(gql)
    refused = await delete(gql, theirs["subscription"]["id"])
    # then
    assert listed_here == [mine["subscription"]]
    assert errors(refused) == [("NOT_FOUND", ["id"])]
    assert await listed(gql, tenant="other") == [theirs["subscription"]]
