"""Scopes and visibility of item assignment reads, including the B2B legal entity rule."""

from __future__ import annotations

import pytest

from gateway.auth import scopes
from tests.assignments.helpers import error, keys, store
from tests.conftest import MANAGE, READ, READ_OWN
from tests.factories import PAST

ONE = """{ itemAssignment(segmentId: "b2c", type: PRODUCT, itemId: "p1") { segmentId } }"""


def customer(legal_entity=None, extra=()):
    return {"scopes": READ_OWN + extra, "customer": "cust1", "legal_entity": legal_entity}


@pytest.fixture
async def memberships(seed):
    """cust1 is in b2c (B2C), le1 and le2 (B2B for two legal entities), not in other;
    inactive and expired are cust1's too but not in effect."""
    await seed.tenant_row()
    await store(
        seed,
        seed.product("p1"),
        *(seed.segment(s) for s in ("b2c", "le1", "le2", "other")),
        seed.segment("inactive", status="INACTIVE"),
        seed.segment("expired", valid_to=PAST),
        seed.customer("b2c", "cust1"),
        seed.customer("le1", "cust1", "L1"),
        seed.customer("le2", "cust1", "L2"),
        seed.customer("other", "cust2"),
        seed.customer("inactive", "cust1"),
        seed.customer("expired", "cust1"),
        *(
            seed.item(s, "PRODUCT", "p1")
            for s in ("b2c", "le1", "le2", "other", "inactive", "expired")
        ),
    )


def segments(found):
    return [key.split("/")[0] for key in found]


@pytest.mark.parametrize("query", ["{ itemAssignments { items { type } } }", ONE])
async def test_manage_alone_is_forbidden(gql, memberships, query):
    # when
    problem = await gql.error(query, scopes=MANAGE)
    # then
    assert problem["extensions"]["code"] == "FORBIDDEN"


async def test_read_sees_every_segment_and_ignores_legal_entity(gql, memberships):
    # when
    everything = await keys(gql, as_={"scopes": READ + MANAGE})
    with_argument = await keys(gql, legalEntityId="L1")
    # then
    expected = ["b2c", "expired", "inactive", "le1", "le2", "other"]
    assert segments(everything) == expected
    assert segments(with_argument) == expected


async def test_read_own_sees_only_own_active_segments_for_all_legal_entities(gql, memberships):
    # when
    found = await keys(gql, as_=customer())
    forced = await keys(gql, onlyActive=False, as_=customer())
    # then
    assert segments(found) == ["b2c", "le1", "le2"]
    assert forced == found


async def test_read_own_uses_the_tokens_legal_entity(gql, memberships):
    # when / then
    assert segments(await keys(gql, as_=customer("L2"))) == ["b2c", "le2"]


async def test_legal_entity_argument_overrides_the_token(gql, memberships):
    # when / then
    assert segments(await keys(gql, legalEntityId="L1", as_=customer("L2"))) == ["b2c", "le1"]


async def test_a_legal_entity_not_the_customers_leaves_only_b2c(gql, memberships):
    # when / then
    assert segments(await keys(gql, legalEntityId="L9", as_=customer())) == ["b2c"]


async def test_read_own_asking_for_a_foreign_segment_gets_an_empty_page(gql, memberships):
    # when / then
    assert await keys(gql, segmentId="other", as_=customer()) == []
    assert await keys(gql, segmentId="inactive", as_=customer()) == []


async def test_read_and_read_own_together_read_everything(gql, memberships):
    # when
    found = await keys(gql, as_=customer(extra=(scopes.READ,)))
    # then
    assert len(found) == 6


async def test_item_assignment_of_an_invisible_segment_is_null(gql, memberships):
    # when
    own = await gql.data(ONE, **customer())
    foreign = await gql.data(ONE.replace('"b2c"', '"other"'), **customer())
    wrong_entity = await gql.data(ONE.replace('"b2c"', '"le1"'), **customer("L2"))
    chosen_entity = await gql.data(
        ONE.replace('"b2c"', '"le1"').replace(") {", ', legalEntityId: "L1") {'), **customer("L2")
    )
    # then
    assert own["itemAssignment"] == {"segmentId": "b2c"}
    assert foreign["itemAssignment"] is None
    assert wrong_entity["itemAssignment"] is None
    assert chosen_entity["itemAssignment"] == {"segmentId": "le1"}


async def test_segment_of_an_assignment_is_the_one_visible_under_the_same_rule(gql, memberships):
    # given: le1 is visible only through the legalEntityId argument
    query = """{ itemAssignments(legalEntityId: "L1", segmentId: "le1") {
        items { segment { id active } } } }"""
    # when
    data = await gql.data(query, **customer("L2"))
    # then
    assert data["itemAssignments"]["items"] == [{"segment": {"id": "le1", "active": True}}]


async def test_missing_token_scopes_name_the_needed_scope(gql, memberships):
    # when
    problem = await error(gql, as_={"scopes": ()})
    # then
    assert problem["extensions"]["code"] == "FORBIDDEN"
    assert "segment_read" in problem["message"]
