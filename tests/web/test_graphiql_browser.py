"""The served GraphiQL in a real browser: its first screen works without pasting anything."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.settings import Settings
from gateway.web.assets import fetch_assets
from tests.web.browser import Page, browser_page, chromium, listening

LOADED = "!!document.querySelector('.graphiql-container')"
SCHEMA_ERROR = "Error fetching schema"


def click(label: str) -> str:
    """JavaScript that clicks the button whose aria-label starts with `label`, if it is there."""
    selector = json.dumps(f'[aria-label^="{label}"]')
    return (
        f"(() => {{ const b = document.querySelector({selector}); b && b.click(); return !!b }})()"
    )


def text_of(selector: str) -> str:
    return f"(document.querySelector({json.dumps(selector)}) || {{}}).innerText || ''"


@pytest.fixture(scope="module")
def assets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chromium()  # skips first when there is no browser, before fetching anything
    cache = tmp_path_factory.mktemp("graphiql-assets")
    if not fetch_assets(cache, shutil.which("npm")):
        pytest.skip("the pinned GraphiQL assets could not be fetched with npm")
    return cache


@pytest.fixture
def open_page(assets: Path, tmp_path: Path) -> Iterator[Page]:
    """A browser tab and a development gateway on a real port, at `page.base`."""
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/g.db", asset_cache_dir=assets)
    with listening(create_app(settings)) as base, browser_page(tmp_path / "profile") as page:
        page.base = base
        yield page


def show(page: Page, tenant: str) -> None:
    page.call("Page.navigate", url=f"{page.base}/{tenant}/graphql")
    page.wait_for(LOADED, "GraphiQL")


def test_the_docs_pane_lists_query_without_a_token(open_page: Page) -> None:
    # given a tenant whose page starts without a token
    show(open_page, "shop")
    # when
    open_page.wait_for(click("Show Documentation Explorer"), "the docs button")
    docs = open_page.wait_for(
        f"(t => t.includes('Query') && t)({text_of('.graphiql-doc-explorer')})", "Query in Docs"
    )
    # then
    assert "query" in docs and "Query" in docs
    assert not open_page.evaluate(f"document.body.innerText.includes({SCHEMA_ERROR!r})")


def test_the_demo_page_runs_its_query_with_no_paste(open_page: Page) -> None:
    # given
    show(open_page, "demo")
    # when
    open_page.wait_for(click("Execute query"), "the run button")
    answer = open_page.wait_for(
        f"(t => t.includes('totalCount') && t)({text_of('.graphiql-response')})", "an answer"
    )
    # then
    assert '"totalCount": 0' in answer  # the demo tenant holds no data in this test
    assert '"errors"' not in answer
    assert not open_page.evaluate(f"document.body.innerText.includes({SCHEMA_ERROR!r})")
