"""In development, the demo tenant's GraphiQL page starts with a demo manager's token."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import pytest

from gateway.auth import scopes
from gateway.web.graphiql import DEMO_TENANT
from tests.web.conftest import Serve, fake_asset_cache

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PLACEHOLDER = "Bearer "


async def page_of(serve: Serve, tmp_path: Path, tenant: str = "demo", **settings: object) -> str:
    gateway = await serve(asset_cache_dir=fake_asset_cache(tmp_path / "cache"), **settings)
    response = await gateway.client.get(f"/{tenant}/graphql", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"  # it may hold a token
    return response.text


def authorization_of(page: str) -> str:
    """The Authorization header the page's Headers tab starts with."""
    literal = re.search(r"defaultHeaders: (\"(?:[^\"\\]|\\.)*\"),", page)
    assert literal is not None
    return str(json.loads(json.loads(literal.group(1)))["Authorization"])


async def test_the_demo_page_in_development_holds_a_manager_token(serve: Serve, tmp_path):
    # when
    page = await page_of(serve, tmp_path)
    # then
    authorization = authorization_of(page)
    assert authorization.startswith("Bearer ey")
    assert "development token of the demo manager" in page
    assert "Paste a token" not in page


async def test_the_pages_token_reads_and_manages_the_demo_tenant(serve: Serve, tmp_path):
    # given
    gateway = await serve(asset_cache_dir=fake_asset_cache(tmp_path / "cache"))
    page = await gateway.client.get("/demo/graphql", headers={"Accept": BROWSER})
    authorization = authorization_of(page.text)
    # when
    principal = gateway.app.state.runtime.verifier.verify(authorization.split()[1])
    answer = await gateway.client.post(
        "/demo/graphql", json={"query": "{ tenant }"}, headers={"Authorization": authorization}
    )
    # then
    assert principal.tenant == "demo"
    assert principal.scopes == {scopes.READ, scopes.MANAGE}
    assert answer.json()["data"] == {"tenant": "demo"}


async def test_another_tenants_page_asks_for_a_token(serve: Serve, tmp_path):
    # when
    page = await page_of(serve, tmp_path, tenant="shop")
    # then
    assert authorization_of(page) == PLACEHOLDER
    assert "Paste a token after Bearer in Headers below" in page


async def test_a_gateway_with_its_own_secret_offers_no_token(serve: Serve, tmp_path):
    # when
    page = await page_of(serve, tmp_path, jwt_secret="an-operators-own-secret-of-40-characters")
    # then
    assert authorization_of(page) == PLACEHOLDER


async def test_production_never_offers_a_token(serve: Serve, tmp_path):
    # given GraphiQL switched on in production
    settings = {"profile": "production", "graphiql": True, "jwt_secret": "s" * 40}
    # when
    page = await page_of(serve, tmp_path, **settings)
    # then
    assert authorization_of(page) == PLACEHOLDER
    assert not re.search(r"Bearer ey", page)


def test_the_demo_tenant_is_the_one_the_demo_data_set_imports() -> None:
    # when
    demo = json.loads((resources.files("gateway.demo") / "demo.json").read_text("utf-8"))
    # then
    assert demo["tenant"] == DEMO_TENANT


@pytest.mark.parametrize("tenant", ["demo", "shop"])
async def test_the_pages_inline_script_is_valid_javascript(serve: Serve, tmp_path, tenant):
    # given
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the inline script cannot be checked")
    page = await page_of(serve, tmp_path, tenant=tenant)
    script = re.findall(r"<script nonce=\"[^\"]+\">(.*?)</script>", page, re.DOTALL)[-1]
    source = tmp_path / "inline.js"
    source.write_text(script)
    # when
    checked = subprocess.run([node, "--check", str(source)], capture_output=True, text=True)
    # then
    assert checked.returncode == 0, checked.stderr
