"""webhookDeliveries: a subscription's deliveries, newest first, paged by cursor."""

from tests.conftest import MANAGE
from tests.events.helpers import recorded
from tests.mutations.test_segments import create as create_segment
from tests.webhooks.operations import create
from tests.webhooks.test_delivery import DELIVERIES, deliveries_of

SEGMENT_CREATED = "customer-segment.segment-created"


async def five_pending(gql, seed, tenant="demo"):
    payload = await create(gql, tenant=tenant, event_types=[SEGMENT_CREATED])
    await seed.tenant_row()
    for number in range(5):
        await create_segment(gql, id=f"s{number}")
    return payload["subscription"]["id"]


async def test_pages_run_newest_first_and_end_with_no_cursor(gql, db, seed):
    # given
    subscription = await five_pending(gql, seed)
    ids = [event["id"] for event in await recorded(db)]
    # when
    first = await deliveries_of(gql, subscription, size=2)
    second = await deliveries_of(gql, subscription, size=2, after=first["endCursor"])
    third = await deliveries_of(gql, subscription, size=2, after=second["endCursor"])
    # then
    pages = [first, second, third]
    assert [[i["eventId"] for i in page["items"]] for page in pages] == [
        ids[4:2:-1],
        ids[2:0:-1],
        ids[:1],
    ]
    assert [page["hasNextPage"] for page in pages] == [True, True, False]
    assert [page["pageNumber"] for page in pages] == [1, 0, 0]
    assert [page["totalCount"] for page in pages] == [5, 5, 5]
    assert first["items"][0] == {
        "eventId": ids[4],
        "eventType": SEGMENT_CREATED,
        "attempts": 0,
        "status": "pending",
        "lastStatusCode": None,
        "nextAttemptAt": first["items"][0]["nextAttemptAt"],
    }


async def test_page_size_is_bounded_like_every_list(gql, seed):
    # given
    subscription = await five_pending(gql, seed)
    # when
    smallest = await deliveries_of(gql, subscription, size=1)
    largest = await deliveries_of(gql, subscription, size=500)
    past = await gql.error(DELIVERIES, {"id": subscription, "size": 501}, scopes=MANAGE)
    zero = await gql.error(DELIVERIES, {"id": subscription, "size": 0}, scopes=MANAGE)
    # then
    assert len(smallest["items"]) == 1
    assert len(largest["items"]) == 5
    assert past["extensions"]["code"] == zero["extensions"]["code"] == "BAD_USER_INPUT"
    assert "pageSize must be between 1 and 500, not 501" in past["message"]


async def test_a_cursor_that_is_not_one_is_refused(gql, seed):
    # given
    subscription = await five_pending(gql, seed)
    # when
    error = await gql.error(
        DELIVERIES, {"id": subscription, "after": "not-a-cursor"}, scopes=MANAGE
    )
    # then
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}


async def test_another_tenants_subscription_is_not_found(gql, seed):
    # given
    theirs = await five_pending(gql, seed, tenant="other")
    # when
    error = await gql.error(DELIVERIES, {"id": theirs}, scopes=MANAGE, tenant="demo")
    missing = await gql.error(DELIVERIES, {"id": "nope"}, scopes=MANAGE)
    # then
    assert error["extensions"] == {"code": "NOT_FOUND", "argument": "subscriptionId"}
    assert missing["message"] == "Webhook subscription 'nope' does not exist."


async def test_a_cursor_continues_only_its_own_subscription(gql, seed):
    # given
    first = await five_pending(gql, seed)
    second = (await create(gql, event_types=[SEGMENT_CREATED]))["subscription"]["id"]
    cursor = (await deliveries_of(gql, first, size=2))["endCursor"]
    # when
    error = await gql.error(DELIVERIES, {"id": second, "after": cursor}, scopes=MANAGE)
    # then
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}
    assert "belongs to another query" in error["message"]
