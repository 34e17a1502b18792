"""What createWebhookSubscription refuses: bad targets, event types, and every bound."""

import asyncio

import pytest

from gateway.settings import Settings
from gateway.webhooks.validation import (
    EVENT_TYPES,
    MAX_DESCRIPTION_LENGTH,
    MAX_SUBSCRIPTIONS,
    MAX_URL_LENGTH,
)
from tests.conftest import GraphQL
from tests.webhooks.operations import PUBLIC_URL, create, errors, listed, stored

URL_FIELD = [("BAD_USER_INPUT", ["input", "url"])]


def url_of_length(length):
    return PUBLIC_URL + "/" + "a" * (length - len(PUBLIC_URL) - 1)


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("https://127.0.0.1/hook", "is a loopback address"),
        ("https://10.20.30.40/hook", "is a private address"),
        ("https://169.254.169.254/latest/meta-data/", "is a cloud metadata address"),
        ("https://[::1]/hook", "is a loopback address"),
        ("https://localhost:8170/hook", "localhost resolves to"),
    ],
)
async def test_a_url_that_reaches_a_non_public_address_is_refused(gql, url, named):
    # when
    payload = await create(gql, url=url)
    # then
    assert (payload["subscription"], payload["secret"]) == (None, None)
    assert errors(payload) == URL_FIELD
    assert named in payload["userErrors"][0]["message"]
    assert await listed(gql) == []


async def test_an_http_url_is_refused_unless_allowed(gql, db):
    # given
    allowed = GraphQL(db, Settings(database_url=db.url, webhook_allow_http=True))
    # when
    refused = await create(gql, url="http://93.184.215.14/hooks")
    created = await create(allowed, url="http://93.184.215.14/hooks")
    # then
    assert refused["userErrors"][0]["message"] == "url must be an https URL, not http."
    assert created["userErrors"] == []


async def test_private_targets_are_taken_when_allowed(db):
    # given
    gql = GraphQL(
        db, Settings(database_url=db.url, webhook_allow_http=True, webhook_allow_private=True)
    )
    # when
    payload = await create(gql, url="http://127.0.0.1:8170/hook")
    # then
    assert payload["userErrors"] == []
    assert payload["subscription"]["url"] == "http://127.0.0.1:8170/hook"


async def test_a_url_of_the_longest_length_is_taken_and_one_more_is_refused(gql):
    # when
    longest = await create(gql, url=url_of_length(MAX_URL_LENGTH))
    longer = await create(gql, url=url_of_length(MAX_URL_LENGTH + 1))
    # then
    assert longest["userErrors"] == []
    assert errors(longer) == URL_FIELD
    assert f"at most {MAX_URL_LENGTH}" in longer["userErrors"][0]["message"]


async def test_the_longest_description_is_taken_and_one_more_character_is_refused(gql):
    # when
    longest = await create(gql, description="d" * MAX_DESCRIPTION_LENGTH)
    longer = await create(gql, description="d" * (MAX_DESCRIPTION_LENGTH + 1))
    # then
    assert longest["subscription"]["description"] == "d" * MAX_DESCRIPTION_LENGTH
    assert errors(longer) == [("BAD_USER_INPUT", ["input", "description"])]


async def test_all_nine_event_types_are_taken_and_a_tenth_entry_is_refused(gql):
    # when
    every = await create(gql, event_types=EVENT_TYPES)
    more = await create(gql, event_types=[*EVENT_TYPES, EVENT_TYPES[0]])
    # then
    assert every["subscription"]["eventTypes"] == list(EVENT_TYPES)
    assert errors(more) == [("BAD_USER_INPUT", ["input", "eventTypes"])]
    assert "10 entries; at most 9" in more["userErrors"][0]["message"]


async def test_an_unknown_event_type_is_named_with_the_known_ones(gql):
    # when
    payload = await create(gql, event_types=[EVENT_TYPES[0], "customer-segment.segment-renamed"])
    # then
    assert errors(payload) == [("BAD_USER_INPUT", ["input", "eventTypes", "1"])]
    message = payload["userErrors"][0]["message"]
    assert "'customer-segment.segment-renamed' is not an event type" in message
    assert all(name in message for name in EVENT_TYPES)


async def test_an_event_type_listed_twice_is_refused(gql):
    # when
    payload = await create(gql, event_types=[EVENT_TYPES[3], EVENT_TYPES[3]])
    # then
    assert errors(payload) == [("BAD_USER_INPUT", ["input", "eventTypes", "1"])]
    assert "listed twice" in payload["userErrors"][0]["message"]


async def test_no_event_types_is_refused_rather_than_meaning_all(gql):
    # when
    payload = await create(gql, event_types=[])
    # then
    assert errors(payload) == [("BAD_USER_INPUT", ["input", "eventTypes"])]
    assert "at least one" in payload["userErrors"][0]["message"]


async def test_every_problem_of_an_input_is_reported_at_once(gql):
    # when
    payload = await create(
        gql, url="https://10.0.0.1/", event_types=["nope"], description="d" * 1001
    )
    # then
    assert [e[1] for e in errors(payload)] == [
        ["input", "url"],
        ["input", "description"],
        ["input", "eventTypes", "0"],
    ]


async def test_a_tenant_may_hold_the_most_subscriptions_and_not_one_more(gql, seed):
    # given
    await seed.add(*(stored(n) for n in range(MAX_SUBSCRIPTIONS - 1)))
    # when
    last = await create(gql)
    over = await create(gql)
    # then
    assert last["userErrors"] == []
    assert over["subscription"] is None
    assert (
        f"already has {MAX_SUBSCRIPTIONS} webhook subscriptions" in over["userErrors"][0]["message"]
    )
    assert len(await listed(gql)) == MAX_SUBSCRIPTIONS


async def test_the_cap_is_per_tenant(gql, seed):
    # given
    await seed.add(*(stored(n, tenant="other") for n in range(MAX_SUBSCRIPTIONS)))
    # when
    payload = await create(gql)
    # then
    assert payload["userErrors"] == []


async def test_concurrent_creates_never_pass_the_cap_together(gql, seed):
    # given: room for one more
    await seed.add(*(stored(n) for n in range(MAX_SUBSCRIPTIONS - 1)))
    # when
    payloads = await asyncio.gather(*(create(gql) for _ in range(4)))
    # then
    assert sorted(len(p["userErrors"]) for p in payloads) == [0, 1, 1, 1]
    assert len(await listed(gql)) == MAX_SUBSCRIPTIONS
