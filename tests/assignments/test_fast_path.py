"""Pages of item assignments skip graphql-core's per-field completion (api/plain_objects.py)
when their selection is plain, and answer exactly as graphql-core's own path does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.auth.policy import POLICY, Decision
from tests import fast_paths
from tests.assignments.helpers import store
from tests.conftest import MANAGE, READ

PAGES = [("ItemAssignmentPage", "items")]
FRAGMENTS = {
    "A": " fragment A on ItemAssignment { id type }",
    "I": " fragment I on Item { id code }",
    "C": " fragment C on Category { position ecn }",
}


def wrapped(selection: str) -> str:
    """An itemAssignments query of `selection` under items, with $l and the fragments used."""
    query = 'query($l: String) { itemAssignments(sort: "item.id") { items { ' + selection + " } } }"
    if "$l" not in selection:
        query = query.replace("query($l: String)", "query", 1)
    return query + "".join(text for name, text in FRAGMENTS.items() if f"...{name}" in selection)


# The fast path: plain fields, aliases, __typename, fragments of every kind, locales.
SELECTIONS = [
    wrapped("type item { id code name }"),
    wrapped(
        "k: id segmentId t: type mixins __typename "
        "metadata { createdAt modifiedAt version mixins __typename }"
    ),
    wrapped(
        'item { __typename ... on Product { id n: name(locale: "fr") } ... on Category { '
        "parentId position published validity { from to __typename } ecn description "
        "slug(locale: $l) } }"
    ),
    wrapped("...A item { ...I ...C name(locale: $l) }"),
    wrapped("item { ... on Item { id name } ... { code } }"),
    '{ segment(id: "s1") { items(sort: "item.id") { items { type item { id name } } } } }',
    "{ segments { items { id items { items { id item { code name } } } } } }",
]
# graphql-core's path: directives, merged keys, fields with resolvers or guards.
GENERAL = [
    wrapped("id @include(if: true) type"),
    wrapped("item { id name @skip(if: false) }"),
    wrapped("id id"),
    wrapped("id item { id } item { code }"),
    wrapped("id segment { id }"),
    wrapped("id item { ... on Product { categoryIds } }"),
    wrapped("id item { nameAllLocales { locale value } }"),
    wrapped("... @include(if: true) { id }"),
]


@pytest.fixture
async def assigned(seed: Any) -> None:
    await seed.tenant_row(default="en", languages=("en", "de", "fr"))
    await store(
        seed,
        seed.segment("s1"),
        seed.segment("s2"),
        seed.product("p1", name={"en": "Hammer", "de": "Hammer DE", "fr": "Marteau"}),
        seed.product("p2", name={"fr": "Clou"}),
        seed.category("c1", name={"en": "Tools", "de": "Werkzeug"}, ecn=["E1", "E2"]),
        seed.category(
            "c2",
            "c1",
            position=3,
            published=False,
            description={"de": "Zangen"},
            slug={"en": "pliers", "de": "zangen"},
            valid_from=datetime(2020, 1, 1),
        ),
        seed.item(
            "s1", "PRODUCT", "p1", mixins={"a": {"b": [1, 2]}}, metadata_mixins={"a": "urn:a"}
        ),
        seed.item("s1", "PRODUCT", "p2"),
        seed.item("s1", "CATEGORY", "c1"),
        seed.item("s1", "CATEGORY", "c2", mixins={"colour": "red"}),
        seed.item("s2", "CATEGORY", "c2"),
    )


async def both_paths(
    gql: Any, monkeypatch: pytest.MonkeyPatch, query: str, **kw: Any
) -> tuple[list[bool], Any, Any]:
    """Whether each page took the fast path, its answer, and graphql-core's own answer."""
    variables = {"l": "de"} if "$l" in query else None
    taken = fast_paths.counting(monkeypatch, PAGES, disabled=False)
    fast = await gql.data(query, variables, **kw)
    monkeypatch.undo()
    fast_paths.counting(monkeypatch, PAGES, disabled=True)
    general = await gql.data(query, variables, **kw)
    monkeypatch.undo()
    return taken, fast, general


@pytest.mark.parametrize("accept_language", [None, "de", "fr;q=0.5, de-CH"])
@pytest.mark.parametrize("query", SELECTIONS)
async def test_the_fast_path_answers_as_graphql_core_does(
    gql, assigned, monkeypatch, query, accept_language
):
    # when
    taken, fast, general = await both_paths(
        gql, monkeypatch, query, scopes=READ, accept_language=accept_language
    )
    # then
    assert taken and all(taken)
    assert fast == general
    assert repr(fast) == repr(general)  # the same keys in the same order
    assert "p1" in repr(fast) or "Hammer" in repr(fast) or "c1" in repr(fast)


@pytest.mark.parametrize("query", GENERAL)
async def test_directives_merges_and_resolvers_take_graphql_cores_path(
    gql, assigned, monkeypatch, query
):
    # when
    taken, fast, general = await both_paths(gql, monkeypatch, query, scopes=READ)
    # then
    assert taken == [False]
    assert repr(fast) == repr(general)
    assert len(fast["itemAssignments"]["items"]) == 5


async def test_a_field_decided_other_than_parent_is_never_read_by_the_fast_path(
    gql, assigned, monkeypatch
):
    # given: ItemAssignment.type as if it asked for a scope (the guard itself is installed
    # once, when the schema is built; the fast path must look at the decision every time)
    assert POLICY["ItemAssignment.type"] is Decision.PARENT
    monkeypatch.setitem(POLICY, "ItemAssignment.type", Decision.READ)  # type: ignore[index]
    taken = fast_paths.counting(monkeypatch, PAGES, disabled=False)
    # when
    await gql.data(wrapped("id type"), scopes=READ)
    await gql.data(wrapped("id item { id }"), scopes=READ)
    # then
    assert taken == [False, True]


async def test_a_guarded_field_below_the_page_still_refuses(gql, assigned, monkeypatch):
    # given: a manage-only token reaching assignments through a payload, asking a READ field
    query = (
        'mutation { upsertItemAssignment(segmentId: "s2", type: PRODUCT, itemId: "p1") '
        "{ assignment { id segment { id } } } }"
    )
    # when
    error = await gql.error(query, scopes=MANAGE)
    # then
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_the_fast_path_runs_the_same_statements(gql, assigned, db, monkeypatch):
    # given
    query = SELECTIONS[-1]
    taken = fast_paths.counting(monkeypatch, PAGES, disabled=False)
    # when
    with db.count_statements() as fast:
        await gql.data(query, scopes=READ)
    monkeypatch.undo()
    fast_paths.counting(monkeypatch, PAGES, disabled=True)
    with db.count_statements() as general:
        await gql.data(query, scopes=READ)
    # then
    assert taken == [True, True]
    assert len(fast) == len(general)


LEAVES = ["id", "segmentId", "type", "mixins", "__typename"]
ITEM_LEAVES = ["id", "code", "name", 'name(locale: "fr")', "name(locale: $l)", "__typename"]
CATEGORY_LEAVES = [
    "parentId",
    "position",
    "published",
    "ecn",
    "description",
    'slug(locale: "de")',
    "validity { to from }",
]
METADATA = ["createdAt", "modifiedAt", "version", "mixins", "__typename"]


def aliased(prefix: str, fields: list[str]) -> str:
    """Each field under its own alias, so no two share a response key."""
    return " ".join(f"{prefix}{i}: {field}" for i, field in enumerate(fields))


def on(type_name: str, prefix: str, fields: list[str]) -> str:
    return f"... on {type_name} {{ {aliased(prefix, fields)} }}" if fields else ""


ITEM_SELECTIONS = st.builds(
    lambda common, category, product, spread: (
        "item { __typename "
        + " ".join(
            [
                on("Item", "i", common),
                on("Category", "c", category),
                on("Product", "p", product),
                spread,
            ]
        )
        + " }"
    ),
    st.lists(st.sampled_from(ITEM_LEAVES), max_size=4),
    st.lists(st.sampled_from(CATEGORY_LEAVES), max_size=3),
    st.lists(st.sampled_from(ITEM_LEAVES), max_size=2),
    st.sampled_from(["", "...I", "... on Item { code: code }"]),
)
ASSIGNMENT_SELECTIONS = st.builds(
    lambda leaves, item, metadata, spread: " ".join(
        [
            aliased("a", leaves),
            item,
            f"m: metadata {{ {aliased('m', metadata)} }}" if metadata else "",
            spread,
        ]
    ),
    st.lists(st.sampled_from(LEAVES), min_size=1, max_size=4),
    st.one_of(st.just(""), ITEM_SELECTIONS),
    st.lists(st.sampled_from(METADATA), max_size=3),
    st.sampled_from(["", "...A"]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(selection=ASSIGNMENT_SELECTIONS, accept_language=st.sampled_from([None, "de", "fr, de"]))
async def test_any_plain_selection_answers_as_graphql_core_does(
    gql, assigned, selection, accept_language
):
    # given
    query = wrapped(selection)
    with pytest.MonkeyPatch.context() as monkeypatch:
        # when
        taken, fast, general = await both_paths(
            gql, monkeypatch, query, scopes=READ, accept_language=accept_language
        )
    # then
    assert taken == [True]
    assert repr(fast) == repr(general)
