"""Customer assignment mutations, B2C (no legal entity) and B2B, single and bulk."""

from tests.conftest import MANAGE, READ
from tests.mutations.operations import (
    BULK_DELETE_CUSTOMERS,
    BULK_UPSERT_CUSTOMERS,
    CUSTOMER_ASSIGNMENT,
    DELETE_CUSTOMER,
    UPSERT_CUSTOMER,
    snapshot,
)


async def upsert(gql, customer, legal_entity=None, segment="s1", **input):
    variables = {"s": segment, "c": customer, "le": legal_entity, "input": input or None}
    return (await gql.data(UPSERT_CUSTOMER, variables, scopes=MANAGE))["upsertCustomerAssignment"]


async def read(gql, customer, legal_entity=None):
    variables = {"s": "s1", "c": customer, "le": legal_entity}
    return (await gql.data(CUSTOMER_ASSIGNMENT, variables, scopes=READ))["customerAssignment"]


async def bulk(gql, document, assignments, segment="s1"):
    data = await gql.data(document, {"s": segment, "a": assignments}, scopes=MANAGE)
    return next(iter(data.values()))


def codes(payload):
    return [(r["index"], r["id"], r["code"], r["errorCode"]) for r in payload["results"]]


async def segment(seed):
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))


async def test_b2c_upsert_creates_an_assignment_without_legal_entity(gql, seed):
    # given
    await segment(seed)
    # when
    payload = await upsert(gql, "c1", mixins={"source": "crm"})
    # then
    assert payload["created"] is True
    assignment = payload["assignment"]
    assert assignment["legalEntityId"] is None
    assert assignment["assignmentType"] == "MANUAL"
    assert assignment["mixins"] == {"source": "crm"}
    assert assignment["metadata"]["version"] == 1
    assert (await read(gql, "c1"))["customerId"] == "c1"


async def test_b2b_and_b2c_assignments_of_one_customer_are_separate(gql, seed):
    # given
    await segment(seed)
    await upsert(gql, "c1")
    # when
    payload = await upsert(gql, "c1", "le1", assignmentType="AUTOMATIC")
    # then
    assert payload["created"] is True
    assert payload["assignment"]["legalEntityId"] == "le1"
    assert payload["assignment"]["assignmentType"] == "AUTOMATIC"
    assert (await read(gql, "c1"))["metadata"]["version"] == 1


async def test_upsert_replaces_type_and_mixins_and_checks_the_version(gql, seed, db):
    # given
    await segment(seed)
    await upsert(gql, "c1", "le1", assignmentType="AUTOMATIC", mixins={"a": 1})
    # when
    updated = await upsert(gql, "c1", "le1", metadata={"version": 1})
    before = await snapshot(db)
    stale = await upsert(gql, "c1", "le1", metadata={"version": 1})
    # then
    assert updated["created"] is False
    assert updated["assignment"]["assignmentType"] == "MANUAL"
    assert updated["assignment"]["mixins"] is None
    assert updated["assignment"]["metadata"]["version"] == 2
    assert [(e["code"], e["currentVersion"]) for e in stale["userErrors"]] == [
        ("VERSION_CONFLICT", 2)
    ]
    assert stale["assignment"] is None
    assert await snapshot(db) == before


async def test_unknown_segment_and_bad_ids_are_user_errors(gql, seed, db):
    # given
    await segment(seed)
    # when
    unknown = await upsert(gql, "c1", segment="nope")
    empty_legal_entity = await upsert(gql, "c1", "")
    blank_customer = await upsert(gql, " ")
    # then
    assert [(e["code"], e["field"]) for e in unknown["userErrors"]] == [
        ("NOT_FOUND", ["segmentId"])
    ]
    assert [(e["code"], e["field"]) for e in empty_legal_entity["userErrors"]] == [
        ("BAD_USER_INPUT", ["legalEntityId"])
    ]
    assert [(e["code"], e["field"]) for e in blank_customer["userErrors"]] == [
        ("BAD_USER_INPUT", ["customerId"])
    ]
    assert (await snapshot(db))["customer_assignment"] == []


async def test_delete_removes_only_the_named_assignment(gql, seed):
    # given
    await segment(seed)
    await upsert(gql, "c1")
    await upsert(gql, "c1", "le1")
    # when
    data = await gql.data(DELETE_CUSTOMER, {"s": "s1", "c": "c1", "le": "le1"}, scopes=MANAGE)
    again = await gql.data(DELETE_CUSTOMER, {"s": "s1", "c": "c1", "le": "le1"}, scopes=MANAGE)
    # then
    assert data["deleteCustomerAssignment"] == {"deleted": True, "userErrors": []}
    assert again["deleteCustomerAssignment"]["deleted"] is False
    assert again["deleteCustomerAssignment"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert await read(gql, "c1", "le1") is None
    assert await read(gql, "c1") is not None


async def test_bulk_upsert_reports_each_entry(gql, seed):
    # given
    await segment(seed)
    await upsert(gql, "c2")
    # when
    payload = await bulk(
        gql,
        BULK_UPSERT_CUSTOMERS,
        [
            {"customerId": "c1"},
            {"customerId": "c1", "legalEntityId": "le1"},
            {"customerId": "c2", "metadata": {"version": 1}},
            {"customerId": "c1"},
            {"customerId": "c3", "metadata": {"version": 4}},
            {"customerId": "c4", "legalEntityId": ""},
            {"customerId": "c5", "mixins": "x"},
        ],
    )
    # then
    assert codes(payload) == [
        (1, "c1", 201, None),
        (2, "c1", 201, None),
        (3, "c2", 204, None),
        (4, "c1", 400, "BAD_USER_INPUT"),
        (5, "c3", 409, "VERSION_CONFLICT"),
        (6, "c4", 400, "BAD_USER_INPUT"),
        (7, "c5", 400, "BAD_USER_INPUT"),
    ]
    assert (payload["succeeded"], payload["failed"]) == (3, 4)
    assert (await read(gql, "c2"))["metadata"]["version"] == 2


async def test_bulk_delete_reports_each_entry(gql, seed):
    # given
    await segment(seed)
    await upsert(gql, "c1")
    await upsert(gql, "c1", "le1")
    # when
    payload = await bulk(
        gql,
        BULK_DELETE_CUSTOMERS,
        [
            {"customerId": "c1", "legalEntityId": "le1"},
            {"customerId": "c1", "legalEntityId": "le2"},
            {"customerId": "c1", "legalEntityId": "le1"},
            {"customerId": "c1"},
        ],
    )
    # then
    assert codes(payload) == [
        (1, "c1", 204, None),
        (2, "c1", 404, "NOT_FOUND"),
        (3, "c1", 400, "BAD_USER_INPUT"),
        (4, "c1", 204, None),
    ]
    assert await read(gql, "c1") is None


async def test_bulks_over_200_or_on_an_unknown_segment_are_top_level_errors(gql, seed, db):
    # given
    await segment(seed)
    before = await snapshot(db)
    many = [{"customerId": f"c{n}"} for n in range(201)]
    # when
    over = [
        await gql.error(document, {"s": "s1", "a": many}, scopes=MANAGE)
        for document in (BULK_UPSERT_CUSTOMERS, BULK_DELETE_CUSTOMERS)
    ]
    unknown = [
        await gql.error(document, {"s": "nope", "a": many[:1]}, scopes=MANAGE)
        for document in (BULK_UPSERT_CUSTOMERS, BULK_DELETE_CUSTOMERS)
    ]
    # then
    assert [e["extensions"]["code"] for e in over] == ["BAD_USER_INPUT"] * 2
    assert [e["extensions"]["code"] for e in unknown] == ["NOT_FOUND"] * 2
    assert await snapshot(db) == before


async def test_bulk_of_200_customers_takes_a_bounded_number_of_statements(gql, seed, db):
    # given
    await segment(seed)
    assignments = [{"customerId": f"c{n}", "legalEntityId": f"le{n % 3}"} for n in range(200)]
    # when
    with db.count_statements() as statements:
        payload = await bulk(gql, BULK_UPSERT_CUSTOMERS, assignments)
    # then
    assert payload["succeeded"] == 200
    assert len(statements) <= 8


async def test_customer_mixins_that_are_not_an_object_are_a_top_level_error(gql, seed, db):
    # given
    await segment(seed)
    variables = {"s": "s1", "c": "c1", "le": None, "input": {"metadata": {"mixins": [1]}}}
    # when
    error = await gql.error(UPSERT_CUSTOMER, variables, scopes=MANAGE)
    # then
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == ["input", "metadata", "mixins"]
    assert (await snapshot(db))["customer_assignment"] == []
