"""createSegment's date-times: a time zone is required, and the value is read in UTC."""

import pytest

from gateway.api.execution import RequestError
from tests.conftest import MANAGE
from tests.mutations.operations import CREATE_SEGMENT, segment_input, snapshot


def create_with_validity_from(literal: str) -> str:
    name = '[{locale: "en", value: "A"}]'
    return (
        f'mutation {{ createSegment(input: {{siteCode: "main", name: {name}, '
        f"validity: {{from: {literal}}}}}) {{ segment {{ id }} }} }}"
    )


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2024-01-01T00:00:00", "needs a time zone: an offset or Z"),
        ("2024-01-01T00:00:00.000", "needs a time zone: an offset or Z"),
        ("2024-01-01", "needs a time zone: an offset or Z"),
        ("0001-01-01T00:00:00+14:00", "is outside the years 1 to 9999 once in UTC"),
        ("yesterday", "must be an ISO 8601 date-time such as 2024-10-12T12:00:00.000Z"),
    ],
)
async def test_a_datetime_without_a_time_zone_is_refused(gql, seed, db, value, says):
    # given
    await seed.tenant_row()
    variables = {"input": segment_input(validity={"from": value})}
    literal = create_with_validity_from(f'"{value}"')
    for query, given in ((CREATE_SEGMENT, variables), (literal, None)):
        # when: as a variable and as a literal (refused while validating or before execution)
        try:
            body = await gql(query, given, scopes=MANAGE)
        except RequestError as refused:
            assert refused.status == 400
            body = {"errors": refused.errors}
        # then: the same rule as the import, and nothing written
        assert "data" not in body
        error = body["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert f"DateTime {says}" in error["message"]
    assert (await snapshot(db))["segment"] == []


@pytest.mark.parametrize(
    "value", ["2024-01-01T02:00:00+02:00", "2024-01-01T00:00:00Z", "2024-01-01t00:00:00z"]
)
async def test_a_datetime_with_an_offset_or_z_is_read_in_utc(gql, seed, value):
    await seed.tenant_row()
    data = await gql.data(
        CREATE_SEGMENT,
        {"input": segment_input(validity={"from": value})},
        scopes=MANAGE,
    )
    assert data["createSegment"]["segment"]["validity"]["from"] == "2024-01-01T00:00:00.000Z"
