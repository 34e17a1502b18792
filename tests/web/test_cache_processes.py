"""Two `gateway serve` processes on one database: a write through one is read through the other."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import gateway_process
from tests.web import live

IDS = '{ segments(sort: "id", pageSize: 100) { items { id } } }'
CREATE = """mutation {
  createSegment(input: {id: "fresh", name: [{locale: "en", value: "Fresh"}], siteCode: "main"}) {
    segment { id }
  }
}"""


def ids(server: live.Server, token: str) -> list[str]:
    response = server.post(IDS, token, timeout=30)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]["segments"]["items"]]


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_write_through_one_process_is_seen_through_the_other(kind: str, tmp_path: Path):
    with live.serving_on(kind, tmp_path) as writer:
        env = gateway_process.environment(GATEWAY_DATABASE_URL=writer.database_url)
        with gateway_process.serving(live.free_port(), env, tmp_path) as other:
            reader = live.Server(other.base, other.process, writer.customer, writer.manager)
            # given: the reader has answered the same query twice (so it keeps the answer)
            before = ids(reader, writer.manager)
            assert ids(reader, writer.manager) == before
            # when
            created = writer.post(CREATE, writer.manager, timeout=30)
            # then
            assert created.json()["data"]["createSegment"]["segment"] == {"id": "fresh"}
            assert ids(reader, writer.manager) == sorted([*before, "fresh"])
