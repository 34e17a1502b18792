async def test_every_database_answers_a_query_through_the_pipeline(gql, seed):
    # given a tenant with one segment
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    # when
    data = await gql.data("{ segments { items { id metadata { createdAt } } } }")
    # then the DateTime scalar serializes in the contract's format
    [segment] = data["segments"]["items"]
    assert segment["id"] == "s1"
    assert segment["metadata"]["createdAt"].endswith("Z")
    assert len(segment["metadata"]["createdAt"]) == len("2024-10-12T12:00:00.000Z")
