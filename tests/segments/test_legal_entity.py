"""B2B membership: the legal entity asked for counts only for a customer with several."""

from __future__ import annotations

from tests.catalog.queries import node_ids
from tests.conftest import READ_OWN
from tests.segments.legal_entities import b2b_customer


async def test_a_customer_with_one_legal_entity_always_uses_it(gql, seed):
    # given
    await b2b_customer(seed, "le1")
    # when: another legal entity is asked for, by argument and by the token
    by_argument = await node_ids(gql, le="other", scopes=READ_OWN, customer="c1")
    by_token = await node_ids(gql, scopes=READ_OWN, customer="c1", legal_entity="other")
    # then: as in the REST API, the choice counts only among several
    assert by_argument == by_token == ["c-b2c", "c-seg-le1"]


async def test_with_several_legal_entities_an_unknown_one_matches_no_b2b_membership(gql, seed):
    # given
    await b2b_customer(seed, "le1", "le2")
    # when / then
    assert await node_ids(gql, le="other", scopes=READ_OWN, customer="c1") == ["c-b2c"]
