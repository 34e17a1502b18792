"""Apollo Client's normalized cache merges a segment's items by their ids, without warnings."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.assignments.helpers import store

SCRIPT = Path(__file__).with_name("apollo_cache.cjs")
PACKAGES = ["@apollo/client@3.14.1", "graphql@16.11.0"]
FIRST = "{ __typename id segmentId type item { __typename id } }"
SECOND = "{ __typename id mixins metadata { __typename version } }"
BOTH = (
    "{ __typename id segmentId type item { __typename id } mixins metadata { __typename version } }"
)


def _query(selection: str) -> str:
    return '{ segment(id: "s1") { __typename id items { __typename items ' + selection + " } } }"


@pytest.fixture(scope="module")
def apollo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with Apollo Client installed from the npm registry."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.skip("Apollo Client's cache test needs node and npm on PATH")
    folder = tmp_path_factory.mktemp("apollo")
    done = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", *PACKAGES],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.skip(f"npm could not install Apollo Client: {done.stderr.strip()[-300:]}")
    return folder


def _through_apollo(folder: Path, writes: list[dict[str, Any]], read: str) -> dict[str, Any]:
    script = folder / SCRIPT.name
    shutil.copy(SCRIPT, script)
    payload = json.dumps({"writes": writes, "read": read})
    done = subprocess.run(
        ["node", str(script)], input=payload, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


async def test_two_selections_of_a_segments_items_merge_in_apollos_cache(gql, seed, apollo):
    # given
    await seed.tenant_row()
    await store(
        seed,
        seed.segment("s1"),
        seed.product("p1"),
        seed.category("c1"),
        seed.item("s1", "PRODUCT", "p1", mixins={"k": "v"}),
        seed.item("s1", "CATEGORY", "c1"),
    )
    writes = [
        {"query": _query(selection), "data": await gql.data(_query(selection))}
        for selection in (FIRST, SECOND)
    ]
    # when
    cached = _through_apollo(apollo, writes, _query(BOTH))
    # then: one cache entry per assignment, holding the fields of both answers
    assert cached["warnings"] == []
    assert sorted(k for k in cached["keys"] if k.startswith("ItemAssignment:")) == [
        "ItemAssignment:s1:CATEGORY:c1",
        "ItemAssignment:s1:PRODUCT:p1",
    ]
    items = cached["read"]["segment"]["items"]["items"]
    assert {(i["type"], i["item"]["id"], i["metadata"]["version"]) for i in items} == {
        ("PRODUCT", "p1", 1),
        ("CATEGORY", "c1", 1),
    }
