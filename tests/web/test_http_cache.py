"""HTTP caching of GET: clean answers carry an ETag and are revalidated; the rest, no-store."""

from __future__ import annotations

import pytest

from tests.web.conftest import Gateway, Serve

HELLO = {"query": "{ hello }"}
REVALIDATE = "private, no-cache"
VARY = "Authorization, Accept, Accept-Language, legalEntityId"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def assert_not_stored(response) -> None:
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


async def tag_of(gateway: Gateway, params: dict[str, str] = HELLO, **token) -> str:
    response = await gateway.get(params, **token)
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    return response.headers["etag"]


async def test_a_clean_get_answer_may_be_kept_and_must_be_revalidated(gateway: Gateway):
    # when
    response = await gateway.get(HELLO)
    # then
    assert response.status_code == 200
    assert response.json()["data"] == {"hello": "world"}
    assert response.headers["cache-control"] == REVALIDATE
    assert response.headers["vary"] == VARY
    etag = response.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10  # strong, opaque


async def test_the_tag_follows_the_body(gateway: Gateway):
    # when
    first = await tag_of(gateway, {"query": "{ echo(value: 1) }"})
    again = await tag_of(gateway, {"query": "query { echo(value: 1) }"})  # same body
    other = await tag_of(gateway, {"query": "{ echo(value: 2) }"})
    # then
    assert first == again != other


async def test_two_gateway_processes_give_one_answer_the_same_tag(serve: Serve):
    # given: a revalidation may reach another worker than the first request did
    one, two = await serve(), await serve()
    # when / then
    assert await tag_of(one) == await tag_of(two)


async def test_a_get_answer_with_errors_is_not_stored(gateway: Gateway):
    # when
    response = await gateway.get({"query": "{ hello boom }"})
    # then: 200 with data and an error, which may name the request
    assert response.status_code == 200 and response.json()["errors"]
    assert_not_stored(response)


@pytest.mark.parametrize(
    ("params", "token", "status"),
    [
        ({"query": "{ nope }"}, {}, 400),
        ({"query": "{ hello"}, {}, 400),
        ({"query": "{ echo(value: $v) }"}, {}, 400),
        (HELLO, {"tenant": "other"}, 403),
        (HELLO, {"ttl": -120}, 401),
    ],
    ids=["invalid", "unparsable", "undefined variable", "other tenant", "expired token"],
)
async def test_a_refused_get_is_not_stored(gateway: Gateway, params, token, status):
    # when
    response = await gateway.get(params, **token)
    # then
    assert response.status_code == status
    assert_not_stored(response)


async def test_a_get_the_client_cannot_accept_is_not_stored(gateway: Gateway):
    # when
    response = await gateway.get(HELLO, headers={"Accept": "text/plain"})
    # then
    assert response.status_code == 406
    assert_not_stored(response)


async def test_the_graphiql_page_is_not_stored(gateway: Gateway):
    # when: it may hold a token
    response = await gateway.client.get("/demo/graphql", headers={"Accept": BROWSER})
    # then
    assert response.headers["content-type"].startswith("text/html")
    assert_not_stored(response)


@pytest.mark.parametrize("query", ["{ hello }", "{ boom }", "mutation { touch }"])
async def test_no_post_answer_is_stored(gateway: Gateway, query: str):
    # when
    response = await gateway.post(query)
    # then
    assert response.status_code == 200
    assert_not_stored(response)


async def test_the_current_tag_gets_304_without_a_body(gateway: Gateway):
    # given
    tag = await tag_of(gateway)
    # when
    response = await gateway.get(HELLO, headers={"If-None-Match": tag})
    # then: what a cache needs to refresh its copy, and nothing else
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == tag
    assert response.headers["cache-control"] == REVALIDATE
    assert response.headers["vary"] == VARY
    assert "content-type" not in response.headers
    assert "content-length" not in response.headers


async def test_a_stale_tag_gets_the_whole_answer(gateway: Gateway):
    # given
    stale = await tag_of(gateway, {"query": "{ echo(value: 1) }"})
    # when
    response = await gateway.get({"query": "{ echo(value: 2) }"}, headers={"If-None-Match": stale})
    # then
    assert response.status_code == 200
    assert response.json()["data"] == {"echo": 2}
    assert response.headers["etag"] != stale


@pytest.mark.parametrize(
    "if_none_match",
    [
        "{tag}",
        "W/{tag}",
        '"other", {tag}',
        '"a,b",{tag} , W/"c"',
        '  W/"x",W/{tag}',
        "*",
        " * ",
    ],
    ids=["exact", "weak", "in a list", "comma in a tag", "weak in a list", "star", "spaced star"],
)
async def test_if_none_match_forms_naming_the_answer_get_304(gateway: Gateway, if_none_match):
    # given
    tag = await tag_of(gateway)
    # when
    headers = {"If-None-Match": if_none_match.format(tag=tag)}
    response = await gateway.get(HELLO, headers=headers)
    # then
    assert response.status_code == 304
    assert response.content == b""


@pytest.mark.parametrize(
    "if_none_match",
    ['"other"', 'W/"other", "another"', "{bare}", '"{bare}x"', '"a,b"', ""],
    ids=["other", "other list", "unquoted", "longer", "comma tag", "empty"],
)
async def test_if_none_match_forms_not_naming_the_answer_get_200(gateway: Gateway, if_none_match):
    # given
    tag = await tag_of(gateway)
    # when
    headers = {"If-None-Match": if_none_match.format(bare=tag.strip('"'))}
    response = await gateway.get(HELLO, headers=headers)
    # then
    assert response.status_code == 200
    assert response.json()["data"] == {"hello": "world"}


async def test_several_if_none_match_lines_are_one_list(gateway: Gateway):
    # given
    tag = await tag_of(gateway)
    # when
    headers = [("If-None-Match", '"other"'), ("If-None-Match", tag), *gateway.auth().items()]
    response = await gateway.client.get("/demo/graphql", params=HELLO, headers=headers)
    # then
    assert response.status_code == 304


async def test_if_none_match_is_ignored_when_the_answer_has_errors(gateway: Gateway):
    # when: RFC 9110 13.2.1, preconditions hold only for what would be a 2xx without them
    response = await gateway.get({"query": "{ hello boom }"}, headers={"If-None-Match": "*"})
    # then
    assert response.status_code == 200 and response.json()["errors"]
    assert_not_stored(response)


async def test_if_none_match_is_ignored_for_a_refused_get(gateway: Gateway):
    # when
    response = await gateway.get({"query": "{ nope }"}, headers={"If-None-Match": "*"})
    # then
    assert response.status_code == 400
    assert_not_stored(response)


async def test_if_none_match_is_ignored_on_post(gateway: Gateway):
    # when
    response = await gateway.post("{ hello }", headers={"If-None-Match": "*"})
    # then
    assert response.status_code == 200 and response.json()["data"] == {"hello": "world"}
    assert_not_stored(response)


async def test_a_304_still_runs_the_query_and_is_counted(gateway: Gateway):
    # given
    tag = await tag_of(gateway)
    gateway.calls.clear()
    # when
    response = await gateway.get(HELLO, headers={"If-None-Match": tag})
    # then: the tag comes from the answer, so the answer was computed
    assert response.status_code == 304
    assert gateway.calls == ["hello"]
    metrics = (await gateway.client.get("/metrics")).text
    assert 'gateway_graphql_requests_total{operation_type="query",status="304"} 1.0' in metrics
    assert 'gateway_graphql_requests_total{operation_type="query",status="200"} 1.0' in metrics
