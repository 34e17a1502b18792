"""urql's Graphcache keys a segment's items by their ids and merges them, without warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import npm
from tests.api.client_caches import (
    BOTH,
    NOT_AN_ENTITY,
    ROOT,
    items_query,
    keyless_types,
    merged_items,
    two_selections,
)

SCRIPT = Path(__file__).with_name("urql_cache.cjs")
PACKAGES = ["@urql/core@5.2.0", "@urql/exchange-graphcache@7.2.4", "graphql@16.11.0"]


@pytest.fixture(scope="module")
def urql(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with urql and its Graphcache installed from the npm registry."""
    return npm.install(tmp_path_factory.mktemp("urql"), PACKAGES)


async def test_two_selections_of_a_segments_items_merge_in_graphcache(gql, seed, urql):
    # given
    writes = await two_selections(gql, seed)
    # when: the third query is answered from the cache alone
    request = {"writes": writes, "read": items_query(BOTH), "keyless": keyless_types()}
    cached = npm.run_script(urql, SCRIPT, request)
    # then: Graphcache warns about any object it cannot key (its warning 15)
    assert cached["warnings"] == []
    assert merged_items(cached["read"]) == {("PRODUCT", "p1", 1), ("CATEGORY", "c1", 1)}


def test_the_readme_gives_both_clients_every_keyless_type():
    # given
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Client caches") :].split("\n## ", 1)[0]
    # then: the config a client copies names each type the cache must embed
    for name in keyless_types():
        assert f"{name}: () => null" in section  # urql warns about each it cannot key
    for name in NOT_AN_ENTITY:
        assert f"{name}: {{ keyFields: false }}" in section  # Apollo would merge them by id
