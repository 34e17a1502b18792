"""`Segment.customers(...)`: a segment's customer assignments, filtered, sorted and paged."""

import pytest

from tests.conftest import READ, READ_OWN

CUSTOMERS = """
query($id: ID!, $q: String, $sort: String, $size: Int, $page: Int, $after: String) {
  segment(id: $id) {
    customers(q: $q, sort: $sort, pageSize: $size, pageNumber: $page, after: $after) {
      items {
        segmentId customerId legalEntityId assignmentType mixins
        metadata { version mixins }
      }
      pageNumber pageSize hasNextPage endCursor
    }
  }
}
"""
COUNTED = """
query($q: String) { segment(id: "s1") { customers(q: $q, pageSize: 1) { totalCount } } }
"""


async def customers(gql, segment="s1", **kw):
    names = ("q", "sort", "size", "page", "after")
    variables = {"id": segment, **{k: kw.pop(k) for k in names if k in kw}}
    return (await gql.data(CUSTOMERS, variables, **kw))["segment"]["customers"]


def keys(page):
    return [(i["customerId"], i["legalEntityId"]) for i in page["items"]]


async def test_customer_assignment_fields(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    await seed.add(
        seed.customer(
            "s1",
            "cust1",
            "le1",
            assignment_type="AUTOMATIC",
            mixins={"note": "vip"},
            metadata_mixins={"note": "https://example.com/note.json"},
        ),
        seed.customer("s1", "cust2"),
    )
    # when
    page = await customers(gql)
    # then
    assert page["items"] == [
        {
            "segmentId": "s1",
            "customerId": "cust1",
            "legalEntityId": "le1",
            "assignmentType": "AUTOMATIC",
            "mixins": {"note": "vip"},
            "metadata": {"version": 1, "mixins": {"note": "https://example.com/note.json"}},
        },
        {
            "segmentId": "s1",
            "customerId": "cust2",
            "legalEntityId": None,
            "assignmentType": "MANUAL",
            "mixins": None,
            "metadata": {"version": 1, "mixins": None},
        },
    ]


async def test_default_order_is_customer_then_legal_entity_b2c_first(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    await seed.add(
        seed.customer("s1", "b", "le2"),
        seed.customer("s1", "b"),
        seed.customer("s1", "a", "le1"),
        seed.customer("s1", "b", "le1"),
    )
    # when / then
    assert keys(await customers(gql)) == [("a", "le1"), ("b", None), ("b", "le1"), ("b", "le2")]


async def test_only_the_segments_own_customers_are_listed(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), seed.segment("s2"))
    await seed.add(seed.customer("s1", "a"), seed.customer("s2", "b"))
    # when / then
    assert keys(await customers(gql, "s2")) == [("b", None)]


async def test_segment_without_customers_has_an_empty_page(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    # when
    page = await customers(gql)
    # then
    assert page == {
        "items": [],
        "pageNumber": 1,
        "pageSize": 60,
        "hasNextPage": False,
        "endCursor": None,
    }


async def test_q_filters_customer_assignments(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    await seed.add(
        seed.customer("s1", "a", assignment_type="AUTOMATIC", mixins={"score": 5}),
        seed.customer("s1", "b", "le1", mixins={"score": 9}),
        seed.customer("s1", "c", "le2"),
    )
    # when / then
    assert keys(await customers(gql, q="customerId:b")) == [("b", "le1")]
    assert keys(await customers(gql, q="legalEntityId:null")) == [("a", None)]
    assert keys(await customers(gql, q="legalEntityId:(le1,le2)")) == [("b", "le1"), ("c", "le2")]
    assert keys(await customers(gql, q="assignmentType:AUTOMATIC")) == [("a", None)]
    assert keys(await customers(gql, q="mixins.score:>6")) == [("b", "le1")]
    assert keys(await customers(gql, q="mixins.score:missing")) == [("c", "le2")]
    assert len(keys(await customers(gql, q="metadata.version:1"))) == 3


async def test_sort_customer_assignments(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    await seed.add(
        seed.customer("s1", "a", assignment_type="MANUAL"),
        seed.customer("s1", "b", assignment_type="AUTOMATIC"),
        seed.customer("s1", "c", assignment_type="MANUAL"),
    )
    # when / then
    assert keys(await customers(gql, sort="customerId:DESC")) == [
        ("c", None),
        ("b", None),
        ("a", None),
    ]
    assert keys(await customers(gql, sort="assignmentType,customerId:DESC")) == [
        ("b", None),
        ("c", None),
        ("a", None),
    ]


@pytest.mark.parametrize(
    "variables",
    [{"q": "email:x"}, {"sort": "email"}, {"size": 0}, {"size": 501}, {"page": 0}, {"after": "x"}],
)
async def test_bad_arguments_are_bad_user_input(gql, seed, variables):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    # when
    error = await gql.error(CUSTOMERS, {"id": "s1", **variables})
    # then
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_paging_by_number_and_by_cursor_agree(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    await seed.add(
        *(seed.customer("s1", f"c{i % 4}", f"le{i}" if i % 3 else None) for i in range(11))
    )
    # when
    by_number = []
    for number in range(1, 5):
        by_number += keys(await customers(gql, size=3, page=number))
    by_cursor, after = [], None
    while True:
        page = await customers(gql, size=3, after=after)
        by_cursor += keys(page)
        if not page["hasNextPage"]:
            assert page["endCursor"] is not None
            break
        after = page["endCursor"]
    # then
    assert len(by_number) == 11
    assert by_cursor == by_number


async def test_page_past_the_end_is_empty(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    await seed.add(seed.customer("s1", "a"))
    # when
    page = await customers(gql, size=1, page=2)
    # then
    assert page["items"] == []
    assert page["hasNextPage"] is False
    assert page["endCursor"] is None


async def test_total_count_per_segment(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), seed.segment("s2"))
    await seed.add(
        seed.customer("s1", "a"),
        seed.customer("s1", "b", "le1"),
        seed.customer("s1", "c", "le1"),
        seed.customer("s2", "a"),
    )
    query = '{ segments { items { id customers(q: "legalEntityId:le1") { totalCount } } } }'
    # when
    data = await gql.data(query)
    # then
    counts = {s["id"]: s["customers"]["totalCount"] for s in data["segments"]["items"]}
    assert counts == {"s1": 2, "s2": 0}


async def test_reader_sees_every_customer(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    await seed.add(seed.customer("s1", "cust1"), seed.customer("s1", "cust2"))
    # when
    page = await customers(gql, scopes=READ + READ_OWN, customer="cust1")
    # then
    assert keys(page) == [("cust1", None), ("cust2", None)]


async def test_customer_sees_only_their_own_assignments(gql, seed):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    await seed.add(
        seed.customer("s1", "cust1"),
        seed.customer("s1", "cust1", "le1"),
        seed.customer("s1", "cust2"),
        seed.customer("s1", "cust3", "le1"),
    )
    # when
    page = await customers(gql, scopes=READ_OWN, customer="cust1")
    counted = await gql.data(COUNTED, scopes=READ_OWN, customer="cust1")
    # then
    assert keys(page) == [("cust1", None), ("cust1", "le1")]
    assert counted["segment"]["customers"]["totalCount"] == 2


async def test_a_cursor_of_another_segment_is_foreign(gql, seed):
    # given: the same customers in two segments
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), seed.segment("s2"))
    await seed.add(*(seed.customer(s, c) for s in ("s1", "s2") for c in ("a", "b")))
    cursor = (await customers(gql, "s1", size=1))["endCursor"]
    # when
    error = await gql.error(CUSTOMERS, {"id": "s2", "size": 1, "after": cursor})
    # then
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "after"}
    assert "another query" in error["message"]
    # and the segment the cursor came from still continues from it
    assert keys(await customers(gql, "s1", size=1, after=cursor)) == [("b", None)]
