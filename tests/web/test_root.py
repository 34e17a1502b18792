"""`/`: where the GraphQL endpoint is, for a browser and for a script."""

from __future__ import annotations

import pytest

from tests.web.conftest import Gateway, Serve

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


async def test_a_browser_gets_a_page_that_links_the_endpoint(gateway: Gateway):
    # when
    response = await gateway.client.get("/", headers={"Accept": BROWSER_ACCEPT})
    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<code>/{tenant}/graphql</code>" in response.text
    assert '<a href="/demo/graphql">' in response.text
    assert "GraphiQL" in response.text
    assert "accept" in response.headers["vary"].lower()


@pytest.mark.parametrize("accept", [None, "application/json", "*/*", "text/html;q=0.1, */*"])
async def test_a_script_gets_json_that_points_to_the_endpoint(gateway: Gateway, accept):
    # when
    headers = {"Accept": accept} if accept else {}
    response = await gateway.client.get("/", headers=headers)
    # then
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["graphql"] == "/{tenant}/graphql"
    assert body["example"] == "/demo/graphql"
    assert (body["health"], body["ready"], body["metrics"]) == ("/healthz", "/readyz", "/metrics")
    assert body["graphiql"] is True


async def test_without_graphiql_the_root_does_not_offer_it(serve: Serve):
    # given
    gateway = await serve(graphiql=False)
    # when
    page = await gateway.client.get("/", headers={"Accept": BROWSER_ACCEPT})
    answer = await gateway.client.get("/")
    # then
    assert "GraphiQL" not in page.text
    assert answer.json()["graphiql"] is False


async def test_the_root_answers_get_only(gateway: Gateway):
    # when
    response = await gateway.client.post("/", json={"query": "{ __typename }"})
    # then
    assert response.status_code == 405


async def test_a_path_next_to_the_root_is_404(gateway: Gateway):
    # when
    response = await gateway.client.get("/graphql")
    # then
    assert response.status_code == 404
