"""The `customerAssignment(segmentId, customerId, legalEntityId)` root field."""

from tests.conftest import MANAGE, READ, READ_OWN
from tests.factories import PAST

ONE = """
query($segment: ID!, $customer: ID!, $le: ID) {
  customerAssignment(segmentId: $segment, customerId: $customer, legalEntityId: $le) {
    segmentId customerId legalEntityId assignmentType
  }
}
"""


async def find(gql, segment="s1", customer_id="cust1", le=None, **kw):
    variables = {"segment": segment, "customer": customer_id, "le": le}
    return (await gql.data(ONE, variables, **kw))["customerAssignment"]


async def given_assignments(seed):
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), seed.segment("old", valid_to=PAST))
    await seed.add(
        seed.customer("s1", "cust1"),
        seed.customer("s1", "cust1", "le1"),
        seed.customer("s1", "cust2"),
        seed.customer("old", "cust1"),
    )


async def test_b2c_assignment_by_key(gql, seed):
    # given
    await given_assignments(seed)
    # when
    found = await find(gql)
    # then
    assert found == {
        "segmentId": "s1",
        "customerId": "cust1",
        "legalEntityId": None,
        "assignmentType": "MANUAL",
    }


async def test_b2b_assignment_by_key(gql, seed):
    # given
    await given_assignments(seed)
    # when
    found = await find(gql, le="le1")
    # then
    assert found["legalEntityId"] == "le1"


async def test_unknown_keys_are_null(gql, seed):
    # given
    await given_assignments(seed)
    # when / then
    assert await find(gql, segment="nope") is None
    assert await find(gql, customer_id="nobody") is None
    assert await find(gql, le="le9") is None
    assert await find(gql, customer_id="cust2", le="le1") is None


async def test_other_tenant_sees_nothing(gql, seed):
    # given
    await given_assignments(seed)
    # when / then
    assert await find(gql, tenant="other") is None


async def test_customer_reads_own_assignment_of_an_active_segment(gql, seed):
    # given
    await given_assignments(seed)
    own = {"scopes": READ_OWN, "customer": "cust1"}
    # when / then
    assert (await find(gql, **own))["customerId"] == "cust1"
    assert (await find(gql, le="le1", **own))["legalEntityId"] == "le1"


async def test_customer_cannot_read_others_or_inactive_segments(gql, seed):
    # given
    await given_assignments(seed)
    own = {"scopes": READ_OWN, "customer": "cust1"}
    # when / then
    assert await find(gql, customer_id="cust2", **own) is None
    assert await find(gql, segment="old", **own) is None


async def test_reader_sees_assignments_of_inactive_segments(gql, seed):
    # given
    await given_assignments(seed)
    # when / then
    assert (await find(gql, segment="old", scopes=READ))["segmentId"] == "old"


async def test_manage_scope_alone_is_forbidden(gql, seed):
    # given
    await given_assignments(seed)
    # when
    error = await gql.error(ONE, {"segment": "s1", "customer": "cust1"}, scopes=MANAGE)
    # then
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_aliased_lookups_are_one_statement(gql, seed, db):
    # given
    await given_assignments(seed)
    one = '{ a: customerAssignment(segmentId: "s1", customerId: "cust1") { customerId } }'
    many = """{
      a: customerAssignment(segmentId: "s1", customerId: "cust1") { customerId }
      b: customerAssignment(segmentId: "s1", customerId: "cust2") { customerId }
      c: customerAssignment(segmentId: "s1", customerId: "cust1", legalEntityId: "le1") {
        customerId
      }
      d: customerAssignment(segmentId: "x", customerId: "y") { customerId }
    }"""
    # when
    with db.count_statements() as single:
        await gql.data(one)
    with db.count_statements() as batched:
        data = await gql.data(many)
    # then
    assert len(batched) == len(single)
    assert [data[k] and data[k]["customerId"] for k in "abcd"] == ["cust1", "cust2", "cust1", None]
