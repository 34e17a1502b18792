"""The GraphiQL page for browsers, and the pinned assets the gateway serves for it."""

from __future__ import annotations

import logging
import re

import pytest

from gateway.web.assets import ASSETS, GRAPHIQL_CSS, GRAPHIQL_JS, REACT
from tests.web.conftest import Serve, fake_asset_cache

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


async def test_a_browser_gets_the_page_without_a_token(serve: Serve, tmp_path):
    # given
    gateway = await serve(asset_cache_dir=fake_asset_cache(tmp_path / "cache"))
    # when
    response = await gateway.client.get("/demo/graphql", headers={"Accept": BROWSER})
    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "GraphiQL · demo" in response.text
    assert gateway.calls == []


async def test_the_page_loads_its_assets_from_the_gateway(serve: Serve, tmp_path):
    # given
    gateway = await serve(asset_cache_dir=fake_asset_cache(tmp_path / "cache"))
    # when
    page = (await gateway.client.get("/demo/graphql", headers={"Accept": BROWSER})).text
    # then
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources == [f"/_graphiql/assets/{a.key}" for a in (GRAPHIQL_CSS, *ASSETS[:3])]
    assert "unpkg.com" not in page


async def test_the_page_sends_the_users_headers_and_keeps_none(serve: Serve, tmp_path):
    # given
    gateway = await serve(asset_cache_dir=fake_asset_cache(tmp_path / "cache"))
    # when
    page = (await gateway.client.get("/demo/graphql", headers={"Accept": BROWSER})).text
    # then
    assert "isHeadersEditorEnabled: true" in page
    assert "shouldPersistHeaders: false" in page
    assert "Authorization" in page


async def test_the_page_allows_only_its_own_scripts(serve: Serve, tmp_path):
    # given
    gateway = await serve(asset_cache_dir=fake_asset_cache(tmp_path / "cache"))
    # when
    response = await gateway.client.get("/demo/graphql", headers={"Accept": BROWSER})
    # then
    policy = response.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert response.text.count(f'nonce="{nonce}"') == 4  # three asset scripts and the inline one
    assert "script-src 'nonce-" in policy and "connect-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("asset", ASSETS, ids=lambda a: a.key)
async def test_each_asset_is_served_with_its_type_and_a_long_cache(serve: Serve, tmp_path, asset):
    # given
    gateway = await serve(asset_cache_dir=fake_asset_cache(tmp_path / "cache"))
    # when
    response = await gateway.client.get(f"/_graphiql/assets/{asset.key}")
    # then
    assert response.status_code == 200
    assert response.headers["content-type"] == asset.content_type
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.text == f"/* {asset.key} */"


@pytest.mark.parametrize(
    "key",
    ["graphiql@4.1.2/package.json", "graphiql@9.9.9/graphiql.min.js", "../../../etc/passwd", ""],
)
async def test_anything_but_a_pinned_asset_is_404(serve: Serve, tmp_path, key):
    # given
    gateway = await serve(asset_cache_dir=fake_asset_cache(tmp_path / "cache"))
    # when
    response = await gateway.client.get(f"/_graphiql/assets/{key}")
    # then
    assert response.status_code == 404


async def test_without_cached_assets_the_page_uses_the_cdn_and_the_log_says_so(
    serve: Serve, tmp_path, caplog
):
    # given
    caplog.set_level(logging.WARNING, logger="gateway.web.graphiql")
    gateway = await serve(asset_cache_dir=tmp_path / "empty")
    # when
    response = await gateway.client.get("/demo/graphql", headers={"Accept": BROWSER})
    # then
    assert f'src="https://unpkg.com/{GRAPHIQL_JS.key}" integrity="{GRAPHIQL_JS.integrity}"' in (
        response.text
    )
    assert f"https://unpkg.com/{REACT.key}" in response.text
    assert "/_graphiql/assets/" not in response.text
    assert any("loads them from https://unpkg.com" in r.getMessage() for r in caplog.records)
    assert "https://unpkg.com" in response.headers["content-security-policy"]


async def test_with_cached_assets_nothing_about_the_cdn_is_logged(serve: Serve, tmp_path, caplog):
    # given
    caplog.set_level(logging.WARNING, logger="gateway.web.graphiql")
    # when
    await serve(asset_cache_dir=fake_asset_cache(tmp_path / "cache"))
    # then
    assert not [r for r in caplog.records if r.name == "gateway.web.graphiql"]


async def test_a_partial_cache_counts_as_missing(serve: Serve, tmp_path):
    # given
    cache = fake_asset_cache(tmp_path / "cache")
    next(cache.rglob("graphiql.min.css")).unlink()
    gateway = await serve(asset_cache_dir=cache)
    # when
    response = await gateway.client.get("/demo/graphql", headers={"Accept": BROWSER})
    # then
    assert "/_graphiql/assets/" not in response.text


async def test_when_graphiql_is_off_a_browser_gets_graphql_not_a_page(serve: Serve, tmp_path):
    # given
    gateway = await serve(graphiql=False, asset_cache_dir=fake_asset_cache(tmp_path / "cache"))
    # when
    page = await gateway.client.get("/demo/graphql", headers={"Accept": BROWSER})
    asset = await gateway.client.get(f"/_graphiql/assets/{GRAPHIQL_JS.key}")
    html_only = await gateway.client.get("/demo/graphql", headers={"Accept": "text/html"})
    # then
    assert page.status_code == 401
    assert asset.status_code == 404
    assert html_only.status_code == 406


@pytest.mark.parametrize("accept", ["*/*", "application/json"])
async def test_clients_that_do_not_ask_for_html_get_graphql(serve: Serve, accept):
    # given
    gateway = await serve()
    # when
    response = await gateway.client.get(
        "/demo/graphql", params={"query": "{ hello }"}, headers={"Accept": accept}
    )
    # then
    assert response.status_code == 401


async def test_a_post_asking_for_html_is_not_served_the_page(serve: Serve):
    # given
    gateway = await serve()
    # when
    response = await gateway.client.post(
        "/demo/graphql", json={"query": "{ hello }"}, headers={**gateway.auth(), "Accept": BROWSER}
    )
    # then
    assert response.json()["data"] == {"hello": "world"}
