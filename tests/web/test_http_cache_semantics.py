"""A real HTTP cache's reading of our headers: http-cache-semantics (RFC 9111), from npm."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.auth import scopes
from tests import npm
from tests.web.conftest import Gateway, Serve

SCRIPT = Path(__file__).with_name("http_cache_semantics.cjs")
PACKAGES = ["http-cache-semantics@4.3.0"]
HELLO = {"query": "{ hello }"}
SEGMENTS = {"query": '{ segments(sort: "id") { items { id name } } }'}
RENAME = """mutation { upsertSegment(id: "gold", input: {name: [{locale: "en", value: "Platinum"}],
  siteCode: "main", status: ACTIVE}) { created } }"""


@pytest.fixture(scope="module")
def semantics(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with http-cache-semantics installed from the npm registry."""
    return npm.install(tmp_path_factory.mktemp("http-cache-semantics"), PACKAGES)


def ask(folder: Path, **question: Any) -> dict[str, Any]:
    return npm.run_script(folder, SCRIPT, question)  # type: ignore[no-any-return]


def request_of(response: httpx.Response) -> dict[str, Any]:
    sent = response.request
    return {"method": sent.method, "url": sent.url.raw_path.decode(), "headers": dict(sent.headers)}


def response_of(response: httpx.Response) -> dict[str, Any]:
    return {"status": response.status_code, "headers": dict(response.headers)}


def store(script: Path, response: httpx.Response, *, shared: bool = False) -> dict[str, Any]:
    """What a cache makes of a first answer, asked again by the same request."""
    request = request_of(response)
    policy = ask(
        script,
        op="store",
        shared=shared,
        request=request,
        response=response_of(response),
        next=request,
    )
    return {**policy, "request": request}


async def revalidate(
    gateway: Gateway, script: Path, stored: dict[str, Any]
) -> tuple[httpx.Response, dict[str, Any]]:
    """Sends the cache's revalidation request; what the gateway and then the cache said."""
    headers = {k: v for k, v in stored["revalidation"].items() if k != "host"}
    response = await gateway.client.get(stored["request"]["url"], headers=headers)
    assert response.request.url.raw_path.decode() == stored["request"]["url"]
    verdict = ask(
        script,
        op="revalidate",
        policy=stored["policy"],
        request=request_of(response),
        response=response_of(response),
        next=stored["request"],
    )
    return response, verdict


async def test_a_private_cache_keeps_a_get_answer_and_revalidates_it(gateway, semantics):
    # given
    first = await gateway.get(HELLO)
    # when
    stored = store(semantics, first)
    response, verdict = await revalidate(gateway, semantics, stored)
    # then: kept, never used unasked, asked with our tag, confirmed unchanged
    assert stored["storable"] is True
    assert stored["fresh"] is False
    assert stored["revalidation"]["if-none-match"] == first.headers["etag"]
    assert response.status_code == 304
    assert (verdict["modified"], verdict["matches"]) == (False, True)
    assert verdict["storable"] is True
    assert verdict["revalidation"]["if-none-match"] == first.headers["etag"]


async def test_a_shared_cache_does_not_keep_a_get_answer(gateway, semantics):
    # when: it is the caller's own
    stored = store(semantics, await gateway.get(HELLO), shared=True)
    # then
    assert stored["storable"] is False
    assert "if-none-match" not in stored["revalidation"]


@pytest.mark.parametrize(
    ("other", "revalidates"),
    [
        ({"customer": "c-1"}, True),
        ({"customer": "c-2"}, False),
        ({"customer": "c-1", "headers": {"Accept-Language": "de"}}, False),
        ({"customer": "c-1", "headers": {"Accept": "application/json"}}, False),
    ],
    ids=["same caller", "another token", "another locale", "another media type"],
)
async def test_a_kept_answer_is_offered_only_to_the_same_caller(
    gateway, semantics, other, revalidates
):
    # given
    first = await gateway.get(HELLO, customer="c-1")
    later = request_of(await gateway.get(HELLO, **other))
    # when: Vary names the token, the media type and the locales
    verdict = ask(
        semantics,
        op="store",
        shared=False,
        request=request_of(first),
        response=response_of(first),
        next=later,
    )
    # then: kept, but a request it does not fit is sent on without our tag
    assert verdict["storable"] is True
    assert ("if-none-match" in verdict["revalidation"]) is revalidates


async def test_after_a_write_the_revalidation_gets_the_new_answer(serve: Serve, seed, semantics):
    # given
    gateway = await serve(schema=None)
    await seed.tenant_row()
    await seed.add(seed.segment("gold"))
    first = await gateway.get(SEGMENTS)
    stored = store(semantics, first)
    # when
    await gateway.post(RENAME, scope=(scopes.MANAGE,))
    response, verdict = await revalidate(gateway, semantics, stored)
    # then
    assert response.status_code == 200
    assert "Platinum" in response.text
    assert response.headers["etag"] != first.headers["etag"]
    assert verdict["modified"] is True and verdict["storable"] is True
    assert verdict["revalidation"]["if-none-match"] == response.headers["etag"]


@pytest.mark.parametrize(
    "answer",
    [
        lambda g: g.post("{ hello }"),
        lambda g: g.get({"query": "{ hello boom }"}),
        lambda g: g.get({"query": "{ nope }"}),
        lambda g: g.get(HELLO, tenant="other"),
    ],
    ids=["post", "get with errors", "invalid get", "forbidden get"],
)
async def test_a_post_or_an_error_answer_is_not_storable(gateway, semantics, answer):
    # when
    stored = store(semantics, await answer(gateway))
    # then
    assert stored["storable"] is False
