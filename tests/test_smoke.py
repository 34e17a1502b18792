async def test_schema_answers_a_query_on_each_database(gql, seed):
    # given
    await seed.tenant_row()
    # when
    data = await gql.data("{ categoryTrees { id } }")
    # then
    assert data == {"categoryTrees": []}
