"""The fast path for lists of tree nodes answers exactly as graphql-core's own completion."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests import fast_paths
from tests.catalog.queries import NODE, TREES
from tests.conftest import READ

SELECTIONS = [
    "{ categoryTreeNodes { id parentId name isSegmentAssigned } }",
    TREES,
    "query($l: String) { t: categoryTrees { k: id n: name(locale: $l) __typename "
    'subcategories { id slug(locale: "de") validity { to f: from __typename } '
    "subcategories { ... on CategoryTreeNode { code depth ecn } } } } }",
    "{ categoryTreeNodes { ...Node all: nameAllLocales { value l: locale __typename } } }" + NODE,
    "{ categoryTreeNodes { id } categoryTrees { id subcategories { position published } } }",
]
# graphql-core's path only: a directive, and a response key selected twice.
GENERAL = [
    "{ categoryTreeNodes { id name @include(if: true) } }",
    "{ categoryTreeNodes { id id } }",
]


async def catalog(seed: Any) -> None:
    await seed.tenant_row()
    await seed.add(
        seed.category("a", name={"en": "A", "de": "Ah"}, slug={"de": "a-de"}, ecn=["E1"]),
        seed.category("b", "a", position=2, valid_to=datetime(2099, 1, 1)),
        seed.category("c", "a", position=1, description={"en": "Sea"}),
        seed.category("d", "c", valid_from=datetime(2020, 1, 1)),
        seed.category("e", "c", published=False),
    )
    await seed.add(seed.segment("s1"))
    await seed.add(seed.item("s1", "CATEGORY", "c"), seed.item("s1", "CATEGORY", "b"))


def counting(monkeypatch: pytest.MonkeyPatch, *, disabled: bool) -> list[bool]:
    """Records whether each list took the fast path; `disabled` forces graphql-core's."""
    roots = [("Query", "categoryTrees"), ("Query", "categoryTreeNodes")]
    return fast_paths.counting(monkeypatch, roots, disabled=disabled)


@pytest.mark.parametrize("query", SELECTIONS)
async def test_the_fast_path_answers_as_graphql_core_does(gql, seed, monkeypatch, query):
    # given
    await catalog(seed)
    variables = {"l": "de"} if "$l" in query else None
    # when
    taken = counting(monkeypatch, disabled=False)
    fast = await gql.data(query, variables, scopes=READ, accept_language="de")
    monkeypatch.undo()
    counting(monkeypatch, disabled=True)
    general = await gql.data(query, variables, scopes=READ, accept_language="de")
    # then
    assert taken and all(taken)
    assert fast == general
    assert any(fast.values())


@pytest.mark.parametrize("query", GENERAL)
async def test_directives_and_merged_fields_take_graphql_cores_path(gql, seed, monkeypatch, query):
    # given
    await catalog(seed)
    # when
    taken = counting(monkeypatch, disabled=False)
    data = await gql.data(query, scopes=READ)
    # then
    assert taken == [False]
    assert [n["id"] for n in data["categoryTreeNodes"]] == ["a", "c", "d", "b"]


async def test_kept_outputs_follow_the_locale_the_variables_and_the_assignment(gql, seed):
    # given: c assigned to s1, and a second segment s2 that holds a (so c is assigned there
    # too, but a is assigned only in s2)
    await catalog(seed)
    await seed.add(seed.segment("s2"))
    await seed.add(seed.item("s2", "CATEGORY", "a"))
    query = (
        "query($l: String, $s: [ID!]) { categoryTreeNodes(segmentIds: $s) "
        "{ id n: name(locale: $l) isSegmentAssigned } }"
    )

    async def nodes(segments: list[str], locale: str | None, header: str) -> dict[str, Any]:
        variables = {"s": segments, "l": locale}
        data = await gql.data(query, variables, scopes=READ, accept_language=header)
        return {n["id"]: (n["n"], n["isSegmentAssigned"]) for n in data["categoryTreeNodes"]}

    # when: the same selection, asked in turn with other locales, variables and segments
    english = await nodes(["s1"], None, "en")
    german = await nodes(["s1"], None, "de")
    by_argument = await nodes(["s1"], "de", "en")
    other_segment = await nodes(["s2"], None, "en")
    english_again = await nodes(["s1"], None, "en")
    # then: each answer is its own; nothing kept for one request leaks into another
    assert english["a"] == ("A", False) and german["a"] == ("Ah", False)
    assert by_argument["a"] == ("Ah", False)
    assert other_segment["a"] == ("A", True)
    assert english_again == english
