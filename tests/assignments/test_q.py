"""itemAssignments(q): each operator on each item assignment field, end to end."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.assignments.helpers import error, keys, stamped, store

P1, P2, C1, S2P1 = "s1/PRODUCT/p1", "s1/PRODUCT/p2", "s1/CATEGORY/c1", "s2/PRODUCT/p1"


@pytest.fixture
async def catalog(seed):
    await seed.tenant_row()
    await store(
        seed,
        seed.segment("s1"),
        seed.segment("s2"),
        seed.product("p1", code="hammer-1", name={"en": "Claw hammer", "de": "Klauenhammer"}),
        seed.product("p2", code="saw-2", name={"en": "Saw"}),
        seed.category("c1", code="tools", name={"en": "Tools"}),
        stamped(
            seed.item("s1", "PRODUCT", "p1", mixins={"attrs": {"max": 20, "tier": "gold"}}),
            datetime(2024, 1, 1),
        ),
        stamped(
            seed.item("s1", "PRODUCT", "p2", mixins={"attrs": {"max": 5}}, version=3),
            datetime(2024, 6, 1),
            datetime(2025, 2, 1),
        ),
        stamped(seed.item("s1", "CATEGORY", "c1", version=2), datetime(2024, 12, 31)),
        stamped(seed.item("s2", "PRODUCT", "p1", mixins={"flag": True}), datetime(2025, 1, 1)),
    )


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("segmentId:s2", [S2P1]),
        ("segmentId:(s1,s2) type:CATEGORY", [C1]),
        ("type:PRODUCT segmentId:s1", [P1, P2]),
        ("item.id:p1", [P1, S2P1]),
        ('item.id:("p2",c1)', [C1, P2]),
        ("item.id:null", []),
        ("item.code:~ham", [P1, S2P1]),
        ("item.code:~^s.w-[0-9]$", [P2]),
        ('item.code:"saw-2"', [P2]),
        ("item.code:>s", [C1, P2]),
        ("item.name.en:Saw", [P2]),
        ("item.name.en:(~Claw ham)", [P1, S2P1]),
        ("item.name.de:null", [C1, P2]),
        ("item.name.de:exists", [P1, S2P1]),
        ("item.name.de:Klauenhammer segmentId:s1", [P1]),
        (
            'metadata.createdAt:(>="2024-03-01T00:00:00.000Z" AND <"2025-01-01T00:00:00.000Z")',
            [C1, P2],
        ),
        ('metadata.createdAt:"2025-01-01T00:00:00.000Z"', [S2P1]),
        ('metadata.modifiedAt:>"2025-01-01T00:00:00.000Z"', [P2]),
        ('metadata.modifiedAt:<="2024-01-01T00:00:00.000Z"', [P1]),
        ("metadata.version:>=2", [C1, P2]),
        ("metadata.version:<2", [P1, S2P1]),
        ("metadata.version:3", [P2]),
        ("mixins.attrs.max:20", [P1]),
        ("mixins.attrs.max:>10", [P1]),
        ("mixins.attrs.max:(>=1 AND <=10)", [P2]),
        ("mixins.attrs.tier:exists", [P1]),
        ("mixins.attrs.tier:~^go", [P1]),
        ("mixins.attrs:missing", [C1, S2P1]),
        ("mixins.flag:true", [S2P1]),
        ("mixins.attrs.tier:(gold,silver)", [P1]),
    ],
)
async def test_q_filters(gql, catalog, q, expected):
    # when
    found = await keys(gql, q=q)
    # then
    assert found == expected


@pytest.mark.parametrize(
    ("q", "names"),
    [
        ("colour:red", "colour"),
        ("item.name:Saw", "item.name"),
        ("type:product", "type"),
        ("metadata.version:two", "metadata.version"),
        ("item.code:(a", "q"),
        ("item.code:~(", "q"),
        ('metadata.createdAt:>"yesterday"', "metadata.createdAt"),
    ],
)
async def test_a_bad_q_is_bad_user_input_naming_the_problem(gql, catalog, q, names):
    # when
    problem = await error(gql, q=q)
    # then
    assert problem["extensions"]["code"] == "BAD_USER_INPUT"
    assert names in problem["message"] and "position" in problem["message"]


async def test_q_over_the_length_limit_is_refused(gql, catalog):
    # when
    problem = await error(gql, q="item.id:" + "x" * 2000)
    # then
    assert problem["extensions"]["code"] == "BAD_USER_INPUT"
