"""Apollo Client's normalized cache merges a segment's items by their ids, without warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import npm
from tests.api.client_caches import BOTH, items_query, merged_items, two_selections

SCRIPT = Path(__file__).with_name("apollo_cache.cjs")
PACKAGES = ["@apollo/client@3.14.1", "graphql@16.11.0"]


@pytest.fixture(scope="module")
def apollo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with Apollo Client installed from the npm registry."""
    return npm.install(tmp_path_factory.mktemp("apollo"), PACKAGES)


async def test_two_selections_of_a_segments_items_merge_in_apollos_cache(gql, seed, apollo):
    # given
    writes = await two_selections(gql, seed)
    # when
    cached = npm.run_script(apollo, SCRIPT, {"writes": writes, "read": items_query(BOTH)})
    # then: one cache entry per assignment, holding the fields of both answers
    assert cached["warnings"] == []
    assert sorted(k for k in cached["keys"] if k.startswith("ItemAssignment:")) == [
        "ItemAssignment:s1:CATEGORY:c1",
        "ItemAssignment:s1:PRODUCT:p1",
    ]
    assert merged_items(cached["read"]) == {("PRODUCT", "p1", 1), ("CATEGORY", "c1", 1)}
