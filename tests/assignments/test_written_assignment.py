"""The segment of an assignment a mutation hands back follows the caller's read scopes."""

from __future__ import annotations

from tests.assignments.helpers import store
from tests.conftest import MANAGE, READ

UPSERT = """mutation { upsertItemAssignment(segmentId: "s1", type: PRODUCT, itemId: "p1") {
  created assignment { type item { id } segment { id } } } }"""


async def test_a_reader_gets_the_segment_of_the_written_assignment(gql, seed):
    # given
    await seed.tenant_row()
    await store(seed, seed.segment("s1"), seed.product("p1"))
    # when
    data = await gql.data(UPSERT, scopes=MANAGE + READ)
    # then
    assert data["upsertItemAssignment"]["assignment"] == {
        "type": "PRODUCT",
        "item": {"id": "p1"},
        "segment": {"id": "s1"},
    }


async def test_manage_alone_may_not_read_the_segment(gql, seed):
    # given
    await seed.tenant_row()
    await store(seed, seed.segment("s1"), seed.product("p1"))
    # when
    problem = await gql.error(UPSERT, scopes=MANAGE)
    # then
    assert problem["extensions"]["code"] == "FORBIDDEN"
    assert problem["path"][-1] == "segment"


async def test_manage_alone_may_not_read_a_written_segments_items(gql, seed):
    # given
    await seed.tenant_row()
    await store(seed, seed.segment("s1"), seed.product("p1"), seed.item("s1", "PRODUCT", "p1"))
    mutation = """mutation { upsertSegment(id: "s1", input: {
        name: [{locale: "en", value: "S1"}], siteCode: "main"}) {
        segment { items { totalCount items { type } } } } }"""
    # when
    problem = await gql.error(mutation, scopes=MANAGE)
    # then
    assert problem["extensions"]["code"] == "FORBIDDEN"
