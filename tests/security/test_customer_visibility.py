"""A customer (segment_read_own) never sees a segment they do not belong to or one not active.

Hypothesis draws segments (status, validity) and the customer's memberships (none, B2C, B2B
with one of two legal entities); the customer then reaches segments every way the schema
allows: by list, by id, through assignments, nested fields, aliases, fragments, category
trees and matchItems (which takes no legalEntityId: the token's, else all of the
customer's, count). Segment i owns product p{i} and category c{i}, so any of s{i}, p{i}
or c{i} in a response means segment i was seen.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.store.columns import utcnow
from gateway.store.tables import metadata
from tests.conftest import MANAGE, READ_OWN, Database, GraphQL
from tests.factories import PAST, Seed

ME, SOMEONE_ELSE = "me", "zed"
LEGAL_ENTITIES = ("le1", "le2")
VALIDITY = {
    "always": (None, None),
    "now": (PAST, timedelta(days=1)),
    "expired": (PAST, timedelta(days=-1)),
    "future": (timedelta(days=1), None),
}
SEEN = re.compile(r'"[spc](\d)"')

FRAGMENT = "fragment Seen on Segment { id active status }"
LISTS = (
    FRAGMENT
    + """
query($le: ID, $all: [ID!]!) {
  plain: segments(pageSize: 500, legalEntityId: $le) { totalCount items { ...Seen } }
  forced: segments(onlyActive: false, siteCode: "main", legalEntityId: $le) { items { id } }
  searched: segments(q: "status:INACTIVE", legalEntityId: $le) { items { id } }
  assignments: itemAssignments(pageSize: 500, legalEntityId: $le) {
    totalCount items { segmentId item { id } segment { ...Seen } } }
  inactive: itemAssignments(onlyActive: false, type: CATEGORY, legalEntityId: $le) {
    items { segmentId } }
  nested: segments(legalEntityId: $le) { items { ... on Segment {
    items { totalCount items { segmentId segment { id } } }
    customers { totalCount items { segmentId customerId legalEntityId } } } } }
  trees: categoryTrees(segmentIds: $all, legalEntityId: $le) { id subcategories { id } }
  nodes: categoryTreeNodes(legalEntityId: $le) { id }
}"""
)

MATCH = """query($all: [ID!]!, $products: [ID!]!) {
  matchItems(siteCode: "main", segmentIds: $all, itemIds: $products)
}"""


def by_id(count: int) -> str:
    """Every segment asked for by id, its item and both customers' memberships, aliased."""
    parts = []
    for i in range(count):
        parts += [
            f'seg{i}: segment(id: "s{i}", legalEntityId: $le) {{ ...Seen items {{ totalCount }} }}',
            f'item{i}: itemAssignment(segmentId: "s{i}", type: PRODUCT, itemId: "p{i}", '
            f"legalEntityId: $le) {{ segmentId segment {{ id }} }}",
            f'mine{i}: customerAssignment(segmentId: "s{i}", customerId: "{ME}", '
            f"legalEntityId: $le) {{ segmentId }}",
            f'theirs{i}: customerAssignment(segmentId: "s{i}", customerId: "{SOMEONE_ELSE}") '
            "{ segmentId customerId }",
        ]
    return FRAGMENT + "\nquery($le: ID) {\n" + "\n".join(parts) + "\n}"


@dataclass(frozen=True)
class Drawn:
    status: str
    validity: str
    # The customer's memberships: "" for B2C, else a legal entity.
    memberships: frozenset[str]

    def active(self) -> bool:
        return self.status == "ACTIVE" and self.validity in ("always", "now")


SEGMENTS = st.lists(
    st.builds(
        Drawn,
        st.sampled_from(["ACTIVE", "INACTIVE"]),
        st.sampled_from(sorted(VALIDITY)),
        st.frozensets(st.sampled_from(["", *LEGAL_ENTITIES]), max_size=3),
    ),
    min_size=1,
    max_size=5,
)
LEGAL_ENTITY = st.sampled_from([None, *LEGAL_ENTITIES, "le-not-mine"])


def in_use(segments: list[Drawn], argument: str | None, token: str | None) -> str | None:
    """The contract's legal entity in use; None means all of the customer's.

    The one asked for (argument, else token) counts only for a customer with several; any
    other value than theirs then matches no B2B membership."""
    mine = {m for s in segments for m in s.memberships if m}
    if len(mine) <= 1:
        return None
    return argument if argument is not None else token


def visible(segments: list[Drawn], argument: str | None, token: str | None) -> set[int]:
    entity = in_use(segments, argument, token)

    def member(s: Drawn) -> bool:
        return "" in s.memberships or any(entity in (None, m) for m in s.memberships if m)

    return {i for i, s in enumerate(segments) if s.active() and member(s)}


def _window(name: str) -> dict[str, Any]:
    now = utcnow()
    start, end = VALIDITY[name]
    return {
        "valid_from": now + start if isinstance(start, timedelta) else start,
        "valid_to": now + end if isinstance(end, timedelta) else end,
    }


async def _store(db: Database, segments: list[Drawn]) -> None:
    async with db.sessions() as session, session.begin():
        for table in reversed(metadata.sorted_tables):
            await session.execute(sa.delete(table))
    seed = Seed(db)
    await seed.tenant_row()
    rows: list[Any] = []
    links: list[Any] = []
    for i, drawn in enumerate(segments):
        rows += [
            seed.segment(f"s{i}", status=drawn.status, **_window(drawn.validity)),
            seed.product(f"p{i}"),
            seed.category(f"c{i}"),
        ]
        links += [seed.item(f"s{i}", "PRODUCT", f"p{i}"), seed.item(f"s{i}", "CATEGORY", f"c{i}")]
        links += [seed.customer(f"s{i}", ME, m or None) for m in drawn.memberships]
        links += [seed.customer(f"s{i}", SOMEONE_ELSE, "le1"), seed.customer(f"s{i}", SOMEONE_ELSE)]
    await seed.add(*rows)
    await seed.add(*links)


def _seen(body: Any) -> set[int]:
    return {int(i) for i in SEEN.findall(json.dumps(body))}


def _segments_shown(body: Any) -> list[dict[str, Any]]:
    """Every object of `body` that carries `active`, i.e. every Segment selected with ...Seen."""
    found, pending = [], [body]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            if "active" in value:
                found.append(value)
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return found


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(segments=SEGMENTS, argument=LEGAL_ENTITY, token=LEGAL_ENTITY)
async def test_a_customer_sees_only_active_segments_they_belong_to(
    db: Database, gql: GraphQL, segments: list[Drawn], argument: str | None, token: str | None
):
    # given
    await _store(db, segments)
    ids = [f"s{i}" for i in range(len(segments))]
    products = [f"p{i}" for i in range(len(segments))]
    as_customer = {"scopes": READ_OWN, "customer": ME, "legal_entity": token}
    # when
    lists = await gql.data(LISTS, {"le": argument, "all": ids, "products": products}, **as_customer)
    singles = await gql.data(by_id(len(segments)), {"le": argument}, **as_customer)
    # then
    allowed = visible(segments, argument, token)
    assert _seen(lists) | _seen(singles) <= allowed
    assert {int(s["id"][1:]) for s in lists["plain"]["items"]} == allowed
    shown = _segments_shown(lists) + _segments_shown(singles)
    assert all(s["active"] and s["status"] == "ACTIVE" for s in shown)
    assert SOMEONE_ELSE not in json.dumps(lists) + json.dumps(singles)
    customers = [s["customers"] for s in lists["nested"]["items"]]
    assert all(c["totalCount"] == len(c["items"]) for c in customers)


WRITE_AND_READ_ITEMS = """mutation($id: ID!) {
  upsertSegment(id: $id, input: {name: [{locale: "en", value: "X"}], siteCode: "main"}) {
    segment { id items { totalCount items { item { id } } } customers { items { customerId } } }
  }
}"""


async def test_a_customer_who_may_write_reads_no_items_of_a_segment_not_theirs(
    db: Database, gql: GraphQL
):
    # given
    await _store(db, [Drawn("ACTIVE", "always", frozenset())])
    as_writing_customer = {"scopes": (*READ_OWN, *MANAGE), "customer": ME}
    # when
    written = await gql.data(WRITE_AND_READ_ITEMS, {"id": "s0"}, **as_writing_customer)
    # then
    segment = written["upsertSegment"]["segment"]
    assert segment["items"] == {"totalCount": 0, "items": []}
    assert segment["customers"] == {"items": []}
