"""U+0000 in any string is refused as bad input: PostgreSQL can neither store nor compare it,
so it must never reach a statement (it did: INTERNAL on every read and write)."""

from __future__ import annotations

import pytest

from gateway.api.execution import RequestError
from gateway.auth.principal import Principal
from gateway.auth.tokens import InvalidToken, principal_from_claims
from tests.conftest import MANAGE, READ, READ_OWN

NUL = "a\u0000b"
BY_VARIABLE = [
    ("query($v: ID!) { segment(id: $v) { id } }", READ),
    ("query($v: String) { segments(siteCode: $v) { totalCount } }", READ),
    ("query($v: ID) { segments(legalEntityId: $v) { totalCount } }", READ_OWN),
    ('query($v: ID!) { matchItems(siteCode: "main", segmentIds: [$v], itemIds: [$v]) }', READ),
    (
        'mutation($v: String!) { createSegment(input: {name: [{locale: "en", value: $v}], '
        'siteCode: "main"}) { created } }',
        MANAGE,
    ),
    (
        'mutation($v: JSON) { upsertCustomerAssignment(segmentId: "s1", customerId: "c1", '
        "input: {mixins: $v}) { created } }",
        MANAGE,
    ),
]


@pytest.mark.parametrize(("document", "scopes"), BY_VARIABLE)
@pytest.mark.parametrize(
    "value", [NUL, [NUL], {"key": NUL}, {NUL: 1}], ids=["text", "list", "value", "key"]
)
async def test_a_variable_holding_nul_is_bad_input(gql, seed, document, scopes, value):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    # when
    with pytest.raises(RequestError) as refused:
        await gql(document, {"v": value}, scopes=scopes, customer="c1")
    # then
    assert refused.value.status == 400
    assert refused.value.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "NUL" in refused.value.errors[0]["message"]


@pytest.mark.parametrize(
    "document",
    [
        '{ segment(id: "a\\u0000") { id } }',
        '{ segments(q: "id:\\"\\u0000\\"") { totalCount } }',
        'mutation { upsertSegment(id: "s1", input: {name: [{locale: "en", value: "x"}], '
        'siteCode: "main", mixins: {a: "\\u0000"}}) { created } }',
    ],
)
async def test_a_literal_holding_nul_is_bad_input(gql, document):
    # when
    with pytest.raises(RequestError) as refused:
        await gql(document, scopes=(*READ, *MANAGE))
    # then
    assert refused.value.status == 400
    assert [e["extensions"]["code"] for e in refused.value.errors] == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("claim", ["sub", "customer_id", "legal_entity_id"])
def test_a_token_naming_a_customer_with_nul_is_invalid(claim):
    # given
    claims = {"tenant": "demo", "scope": "customersegment.segment_read_own", "sub": "c1"}
    # when / then
    assert isinstance(principal_from_claims(claims), Principal)
    with pytest.raises(InvalidToken):
        principal_from_claims({**claims, claim: NUL})
