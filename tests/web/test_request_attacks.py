"""Costly or corrupting requests sent to the real server: refused up front, others served."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.web.live import Server, attack, serving_on


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with serving_on(request.param, tmp_path_factory.mktemp(f"attacks-{request.param}")) as running:
        yield running


def refused_code(body: Any) -> str:
    assert isinstance(body, dict) and "data" not in body, body
    return str(body["errors"][0]["extensions"]["code"])


def keys(count: int) -> str:
    return ",".join(f"mixins.k{n}" for n in range(count))


def test_the_costliest_nesting_is_refused_before_it_runs(server: Server) -> None:
    # given: 500 segments x 500 assignments each, the example that took 64 s and 2 GB
    query = (
        "{ segments(pageSize: 500) { items { items(pageSize: 500) { items { item { id } } } } } }"
    )
    # when
    body, problems = attack(server, query, server.manager)
    # then
    assert problems == []
    assert refused_code(body) == "MAX_COST_EXCEEDED"
    assert body["errors"][0]["extensions"]["cost"] > body["errors"][0]["extensions"]["limit"]


@pytest.mark.parametrize("count", [11, 60, 140])
def test_many_sort_keys_with_a_cursor_are_refused_before_any_sql(
    server: Server, count: int
) -> None:
    # given: a cursor of a legitimate sort, reused with more keys
    first = server.post(
        "query($s: String) { segments(pageSize: 2, sort: $s) { endCursor } }",
        server.manager,
        timeout=10,
        variables={"s": keys(10)},
    ).json()
    cursor = first["data"]["segments"]["endCursor"]
    query = f'{{ segments(pageSize: 2, sort: "{keys(count)}", after: "{cursor}") {{ pageSize }} }}'
    # when
    body, problems = attack(server, query, server.customer)
    # then
    assert problems == []
    assert refused_code(body) == "BAD_USER_INPUT"
    assert f"names {count} keys; at most 10" in body["errors"][0]["message"]


def test_ten_sort_keys_page_on_with_their_cursor(server: Server) -> None:
    # given
    query = """query($s: String, $a: String) {
      segments(pageSize: 2, sort: $s, after: $a) { items { id } endCursor } }"""
    first = server.post(query, server.manager, timeout=10, variables={"s": keys(10)}).json()
    cursor = first["data"]["segments"]["endCursor"]
    # when
    second = server.post(query, server.manager, timeout=10, variables={"s": keys(10), "a": cursor})
    # then
    page = second.json()["data"]["segments"]["items"]
    assert page and not {s["id"] for s in page} & {
        s["id"] for s in first["data"]["segments"]["items"]
    }


def test_a_hundred_part_mixins_path_is_bad_user_input(server: Server) -> None:
    # given
    path = ".".join(f"p{n}" for n in range(99))
    # when
    body, problems = attack(
        server, f'{{ segments(q: "mixins.{path}:1") {{ items {{ id }} }} }}', server.customer
    )
    # then
    assert problems == []
    assert refused_code(body) == "BAD_USER_INPUT"
    assert "has 100 parts; at most 10 are allowed" in body["errors"][0]["message"]


UPSERT = """mutation($m: JSON) { upsertItemAssignment(segmentId: "hobby", type: PRODUCT,
  itemId: "drill-bit-set", input: {mixins: $m}) { created } }"""
INFINITE = """mutation { upsertItemAssignment(segmentId: "hobby", type: PRODUCT,
  itemId: "drill-bit-set", input: {mixins: {inf: 1e400}}) { created } }"""


def test_non_finite_numbers_are_refused_and_mixins_filters_keep_working(server: Server) -> None:
    # when
    body, problems = attack(server, INFINITE, server.manager)
    after = server.post(
        '{ itemAssignments(q: "mixins.inf:1", sort: "mixins.inf:ASC") { items { type } } }',
        server.manager,
        timeout=10,
    ).json()
    # then
    assert problems == []
    assert refused_code(body) == "BAD_USER_INPUT"
    assert "is not a finite number" in body["errors"][0]["message"]
    assert "errors" not in after, after


def test_deeply_nested_mixins_are_refused_and_nothing_is_stored(server: Server) -> None:
    # given: 990 levels, written by hand (JSON encoders refuse that depth themselves)
    variables = '{"m": ' + '{"a": ' * 990 + "1" + "}" * 990 + "}"
    body = '{"query": ' + json.dumps(UPSERT) + ', "variables": ' + variables + "}"
    # when
    deep = httpx.post(
        f"{server.base}/demo/graphql",
        content=body,
        headers={"Authorization": f"Bearer {server.manager}", "Content-Type": "application/json"},
        timeout=10,
    ).json()
    read = server.post(
        '{ itemAssignment(segmentId: "hobby", type: PRODUCT, itemId: "drill-bit-set") { mixins } }',
        server.manager,
        timeout=10,
    ).json()
    # then
    assert refused_code(deep) == "BAD_USER_INPUT"
    assert "is nested deeper than 32 levels" in deep["errors"][0]["message"]
    assert read["data"]["itemAssignment"]["mixins"] in (None, {})


def test_a_bulk_over_the_limit_after_a_create_writes_nothing(server: Server) -> None:
    # given
    items = ", ".join(f'{{id: "p{n}"}}' for n in range(201))
    query = f"""mutation {{
      a: createSegment(input: {{id: "half", name: [{{locale: "en", value: "H"}}],
        siteCode: "main"}}) {{ created }}
      b: bulkUpsertItemAssignments(segmentId: "hobby", type: PRODUCT, items: [{items}]) {{
        succeeded }} }}"""
    # when
    body, problems = attack(server, query, server.manager)
    segment = server.post('{ segment(id: "half") { id } }', server.manager, timeout=10).json()
    # then
    assert problems == []
    assert refused_code(body) == "BAD_USER_INPUT"
    assert segment["data"]["segment"] is None
