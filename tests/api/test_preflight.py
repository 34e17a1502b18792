"""Before any resolver runs: argument limits anywhere in a document, and the static cost."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from graphql import get_named_type, get_nullable_type, is_composite_type, is_list_type

from gateway.api.rules import rule_of
from gateway.schema import schema
from tests.conftest import MANAGE, READ, GraphQL
from tests.mutations.operations import snapshot

BOTH = (*READ, *MANAGE)
CREATE = (
    'a: createSegment(input: {id: "new", name: [{locale: "en", value: "N"}], siteCode: "main"})'
)
CREATED = f"{CREATE} {{ created }}"


def with_limits(gql: GraphQL, **limits: Any) -> GraphQL:
    settings = gql.settings
    return GraphQL(gql.db, replace(settings, limits=replace(settings.limits, **limits)))


async def refusal(gql: GraphQL, query: str, variables: Any = None, **kw: Any) -> dict[str, Any]:
    """The one error of an operation refused before execution (no `data` at all)."""
    body = await gql(query, variables, **kw)
    assert "data" not in body, body
    assert len(body["errors"]) == 1
    return dict(body["errors"][0])


async def cost_of(gql: GraphQL, query: str, **kw: Any) -> int:
    body = await gql(query, **kw)
    assert "errors" not in body, body["errors"]
    assert body["extensions"]["cost"]["limit"] == gql.settings.limits.max_cost
    return int(body["extensions"]["cost"]["requested"])


def test_every_list_of_objects_in_the_schema_has_a_bound() -> None:
    unbounded = []
    for type_ in schema._schema.type_map.values():
        if type_.name.startswith("__"):  # introspection is not counted
            continue
        for name, field in getattr(type_, "fields", {}).items():
            returned = get_nullable_type(field.type)
            if is_list_type(returned) and is_composite_type(get_named_type(returned)):
                rule = rule_of(field)
                if rule is None or rule.bound is None:
                    unbounded.append(f"{type_.name}.{name}")
    assert unbounded == []


async def test_every_response_with_data_carries_its_cost(gql, seed):
    # given
    await seed.tenant_row()
    # when
    body = await gql("{ segments(pageSize: 10) { items { id } } }")
    # then: the page and its ten segments
    assert body["extensions"] == {"cost": {"requested": 11, "limit": 50_000}}


async def test_page_sizes_multiply_nested_lists(gql, seed):
    # given
    await seed.tenant_row()
    query = "{ segments(pageSize: 20) { items { id items(pageSize: 5) { items { type } } } } }"
    # when / then: 1 page + 20 x (segment + its page + 5 assignments)
    assert await cost_of(gql, query) == 1 + 20 * (1 + 1 + 5)


async def test_the_issues_example_is_refused_before_any_statement_of_its_own(gql, seed, db):
    # given
    await seed.tenant_row()
    query = "{ segments(pageSize: 500) { items { items(pageSize: 500) { items { type } } } } }"
    # when
    with db.count_statements() as seen:
        error = await refusal(gql, query)
    # then: only the context's read of the tenant's languages ran
    assert len(seen) == 1
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["limit"] == 50_000
    assert error["extensions"]["cost"] == 1 + 500 * (1 + 1 + 500)


async def test_a_cost_at_the_limit_runs_and_one_past_it_is_refused(gql, seed):
    # given
    await seed.tenant_row()
    query = "{ segments(pageSize: 7) { items { id nameAllLocales { value } } } }"
    cost = await cost_of(gql, query)
    # when
    at_limit = await with_limits(gql, max_cost=cost)(query)
    past = await refusal(with_limits(gql, max_cost=cost - 1), query)
    # then: 1 page + 7 x (segment + 2 languages)
    assert cost == 1 + 7 * 3
    assert "errors" not in at_limit
    assert past["extensions"] == {"code": "MAX_COST_EXCEEDED", "cost": cost, "limit": cost - 1}


async def test_a_category_tree_counts_each_category_once_at_its_dearest_level(gql, seed):
    # given: five categories, two languages
    await seed.tenant_row()
    await seed.add(*(seed.category(f"c{n}") for n in range(5)))
    deep = """{ categoryTrees { id
      subcategories { id nameAllLocales { value } subcategories { id } } } }"""
    # when / then
    assert await cost_of(gql, "{ categoryTrees { id } }") == 5
    assert await cost_of(gql, deep) == 5 * (1 + 2)


async def test_a_fragment_spread_again_and_again_is_walked_once_per_selection(gql, seed):
    # given: each fragment spreads the next twice; expanded naively that is 2^40 spreads
    await seed.tenant_row()
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
    query = "{ ...F0 } " + chain + " fragment F40 on Query { segments(pageSize: 3) { pageSize } }"
    # when / then
    assert await cost_of(gql, query) == 1


@pytest.mark.parametrize(
    ("later_field", "expected"),
    [
        (
            'b: bulkUpsertItemAssignments(segmentId: "s1", type: PRODUCT, items: [ITEMS]) '
            "{ succeeded }",
            "at most 200",
        ),
        (
            'b: upsertItemAssignment(segmentId: "s1", type: PRODUCT, itemId: "p1", '
            "input: {mixins: {inf: 1e400}}) { created }",
            "is not a finite number",
        ),
        (
            'b: upsertItemAssignment(segmentId: "s1", type: PRODUCT, itemId: "p1", '
            "input: {mixins: 7}) { created }",
            "must be a JSON object",
        ),
        (
            'b: upsertSegment(id: "s1", input: {name: [{locale: "en", value: "S"}], '
            'siteCode: "main"}) { segment { items(pageSize: 501) { pageSize } } }',
            "pageSize must be between 1 and 500",
        ),
        (
            'b: upsertSegment(id: "s1", input: {name: [{locale: "en", value: "S"}], '
            'siteCode: "main"}) { segment { customers(q: "colour:red") { pageSize } } }',
            "unknown field 'colour'",
        ),
    ],
)
async def test_a_limit_broken_later_in_a_mutation_document_writes_nothing(
    gql, seed, db, later_field, expected
):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), seed.product("p1"))
    items = ", ".join(f'{{id: "p{n}"}}' for n in range(201))
    before = await snapshot(db)
    # when
    error = await refusal(
        gql, f"mutation {{ {CREATED} {later_field.replace('ITEMS', items)} }}", scopes=BOTH
    )
    # then
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert expected in error["message"]
    assert await snapshot(db) == before


async def test_limits_in_variables_are_checked_before_execution_too(gql, seed, db):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), *(seed.product(f"p{n}") for n in range(201)))
    before = await snapshot(db)
    query = f"""mutation($items: [BulkItemAssignmentInput!]!) {{ {CREATED}
      b: bulkUpsertItemAssignments(segmentId: "s1", type: PRODUCT, items: $items) {{ failed }} }}"""
    # when
    error = await refusal(gql, query, {"items": [{"id": f"p{n}"} for n in range(201)]}, scopes=BOTH)
    # then
    assert "`items` has 201 entries; at most 200 are allowed." in error["message"]
    assert await snapshot(db) == before


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


async def test_mixins_32_levels_deep_are_stored_and_33_are_refused(gql, seed, db):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), seed.product("p1"))
    query = """mutation($m: JSON) { upsertItemAssignment(segmentId: "s1", type: PRODUCT,
      itemId: "p1", input: {mixins: $m}) { created } }"""
    # when
    stored = await gql(query, {"m": nested(32)}, scopes=MANAGE)
    before = await snapshot(db)
    error = await refusal(gql, query, {"m": nested(33)}, scopes=MANAGE)
    # then
    assert stored["data"]["upsertItemAssignment"]["created"] is True
    assert "is nested deeper than 32 levels" in error["message"]
    assert await snapshot(db) == before


async def test_a_bulk_entry_with_a_non_finite_number_refuses_the_whole_bulk(gql, seed, db):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"), seed.product("p1"), seed.product("p2"))
    before = await snapshot(db)
    query = """mutation { bulkUpsertItemAssignments(segmentId: "s1", type: PRODUCT,
      items: [{id: "p1"}, {id: "p2", mixins: {n: [1, -1e999]}}]) { succeeded } }"""
    # when
    error = await refusal(gql, query, scopes=MANAGE)
    # then
    assert error["message"] == "items[1].mixins.n[1] is not a finite number."
    assert await snapshot(db) == before


def keys(count: int) -> str:
    return ",".join(f"mixins.x{n}:DESC" for n in range(count))


@pytest.mark.parametrize(
    "field",
    [
        "segments(sort: $sort) { pageSize }",
        "itemAssignments(sort: $sort) { pageSize }",
        'segment(id: "s1") { customers(sort: $sort) { pageSize } items(sort: $sort) { pageSize } }',
    ],
)
async def test_ten_sort_keys_run_and_eleven_are_refused_before_any_sql(gql, seed, db, field):
    # given
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    query = f"query($sort: String) {{ {field} }}"
    # when
    ten = await gql(query, {"sort": keys(10)})
    with db.count_statements() as seen:
        error = await refusal(gql, query, {"sort": keys(11)})
    # then
    assert "errors" not in ten, ten
    assert "sort: names 11 keys; at most 10 are allowed" in error["message"]
    assert len(seen) == 1  # the tenant's languages, read by the context


@pytest.mark.parametrize(
    ("argument", "template"),
    [("q", "mixins.{path}:1"), ("sort", "mixins.{path}:ASC")],
)
async def test_paths_of_ten_parts_run_and_eleven_are_refused(gql, seed, argument, template):
    # given
    await seed.tenant_row()
    query = f"query($v: String) {{ itemAssignments({argument}: $v) {{ pageSize }} }}"
    nine = ".".join(f"p{n}" for n in range(9))  # mixins + 9 = 10 parts
    # when
    ten = await gql(query, {"v": template.format(path=nine)})
    error = await refusal(gql, query, {"v": template.format(path=nine + ".p9")})
    # then
    assert "errors" not in ten, ten
    assert "has 11 parts; at most 10 are allowed" in error["message"]


@pytest.mark.parametrize(
    "field",
    [
        "segments(q: $q) { pageSize }",
        "itemAssignments(q: $q) { pageSize }",
        'segment(id: "s1") { customers(q: $q) { pageSize } }',
    ],
)
async def test_the_configured_q_length_holds_for_every_list(gql, seed, field):
    # given: a q longer than the default 2,000 characters, under a raised limit
    await seed.tenant_row()
    await seed.add(seed.segment("s1"))
    query = f"query($q: String) {{ {field} }}"
    long_q = " ".join(["metadata.version:>0"] * 130)  # 2,599 characters
    # when
    raised = await with_limits(gql, max_q_length=3000)(query, {"q": long_q})
    lowered = await refusal(
        with_limits(gql, max_q_length=18), query, {"q": "metadata.version:1" + "0"}
    )
    # then
    assert "errors" not in raised, raised
    assert "longer than 18 characters" in lowered["message"]
