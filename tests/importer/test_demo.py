"""The demo data set imports cleanly and holds the reference category tree."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from gateway.demo import DEMO_FILE
from gateway.importer.run import import_file
from gateway.store.tables import metadata
from tests.conftest import READ_OWN, Database
from tests.importer.documents import row, snapshot

REFERENCE_FILE = Path(__file__).with_name("reference_tree.json")
HAMMER_DESCRIPTION = (
    "Basic and professional-grade hammers for construction and home improvement tasks."
)


def _demo() -> dict[str, Any]:
    return dict(json.loads(DEMO_FILE.read_text(encoding="utf-8")))


def _depth(categories: list[dict[str, Any]], id: str) -> int:
    parents = {category["id"]: category.get("parentId") for category in categories}
    depth, node = 1, parents[id]
    while node is not None:
        depth, node = depth + 1, parents[node]
    return depth


async def test_the_demo_imports_cleanly_and_a_second_time_changes_nothing(db: Database) -> None:
    # given
    first = await import_file(db.url, DEMO_FILE)
    before = await snapshot(db)
    # when
    again = await import_file(db.url, DEMO_FILE)
    # then
    assert first.counts["categories"].created == len(_demo()["categories"])
    assert all(c.created == c.updated == 0 for c in again.counts.values())
    assert await snapshot(db) == before


async def test_the_demo_holds_the_reference_tree(db: Database) -> None:
    # when
    await import_file(db.url, DEMO_FILE)
    # then
    tools = await row(db, "category", id="12468504")
    hammer = await row(db, "category", id="12468505")
    sledgehammers = await row(db, "category", id="12468506")
    assert (tools["code"], tools["parent_id"], tools["name"], tools["position"]) == (
        "123",
        None,
        {"en": "Tools"},
        0,
    )
    assert (hammer["code"], hammer["parent_id"], hammer["name"], hammer["position"]) == (
        "234",
        "12468504",
        {"en": "Hammer"},
        1,
    )
    assert hammer["description"] == {"en": HAMMER_DESCRIPTION}
    assert hammer["valid_from"] == datetime(2024, 4, 17, 8, tzinfo=UTC)
    assert (sledgehammers["code"], sledgehammers["parent_id"], sledgehammers["position"]) == (
        "345",
        "12468505",
        2,
    )
    assert all(c["published"] for c in (tools, hammer, sledgehammers))


def test_the_demo_tree_is_at_least_four_levels_deep_in_several_branches() -> None:
    # given
    categories = _demo()["categories"]
    # when
    deep = {c["id"] for c in categories if _depth(categories, c["id"]) >= 4}
    # then
    assert {"cordless-drills", "hose-reels", "nym-cables"} <= deep


def test_the_demo_has_segments_of_every_kind_on_two_sites() -> None:
    # given
    segments = _demo()["segments"]
    # when
    kinds = {(s["siteCode"], s["status"], s["validity"]["to"] is not None) for s in segments}
    # then
    assert {("main", "ACTIVE", False), ("main", "INACTIVE", False)} <= kinds
    assert {("b2b", "ACTIVE", False), ("b2b", "INACTIVE", True)} <= kinds
    assert any(s["id"] == "christmas-2025" and s["status"] == "ACTIVE" for s in segments)


def test_the_demo_has_b2c_customers_and_one_customer_in_two_legal_entities() -> None:
    # given
    assignments = _demo()["customerAssignments"]
    # when
    b2c = {a["customerId"] for a in assignments if a["legalEntityId"] is None}
    entities: dict[str, set[str]] = {}
    for a in assignments:
        if a["legalEntityId"]:
            entities.setdefault(a["customerId"], set()).add(a["legalEntityId"])
    # then
    assert {"anna", "ben", "clara"} <= b2c
    assert entities["dave"] == {"mueller-bau", "elektro-schmidt"}


async def test_the_demo_assigns_items_of_both_types(db: Database) -> None:
    # when
    await import_file(db.url, DEMO_FILE)
    # then
    table = metadata.tables["item_assignment"]
    async with db.sessions() as session:
        types = await session.execute(sa.select(table.c.item_type).distinct())
        assert set(types.scalars()) == {"PRODUCT", "CATEGORY"}


async def test_the_reference_fixture_keeps_the_reference_validity(db: Database) -> None:
    # when
    await import_file(db.url, REFERENCE_FILE)
    # then
    hammer = await row(db, "category", id="12468505")
    assert (hammer["valid_from"], hammer["valid_to"]) == (
        datetime(2024, 4, 17, 8, tzinfo=UTC),
        datetime(2026, 4, 17, 8, tzinfo=UTC),
    )
    assert hammer["description"] == {"en": HAMMER_DESCRIPTION}


REFERENCE_TREE = """{
  categoryTrees {
    id parentId code name position published isSegmentAssigned
    subcategories {
      id parentId code name description validity { from to } position published isSegmentAssigned
      subcategories {
        id parentId code name position published isSegmentAssigned subcategories { id }
      }
    }
  }
}"""


def _node(id: str, parent: str | None, code: str, name: str, position: int) -> dict[str, Any]:
    return {
        "id": id,
        "parentId": parent,
        "code": code,
        "name": name,
        "position": position,
        "published": True,
    }


async def test_ben_sees_the_reference_category_tree(db: Database, gql: Any) -> None:
    # given
    await import_file(db.url, DEMO_FILE)
    # when
    data = await gql.data(REFERENCE_TREE, scopes=READ_OWN, customer="ben")
    # then
    hammer = _node("12468505", "12468504", "234", "Hammer", 1) | {
        "description": HAMMER_DESCRIPTION,
        "validity": {"from": "2024-04-17T08:00:00.000Z", "to": "2030-04-17T08:00:00.000Z"},
        "isSegmentAssigned": True,
    }
    sledgehammers = _node("12468506", "12468505", "345", "Sledgehammers", 2)
    hammer["subcategories"] = [sledgehammers | {"isSegmentAssigned": True, "subcategories": []}]
    tools = _node("12468504", None, "123", "Tools", 0) | {"isSegmentAssigned": False}
    assert data["categoryTrees"] == [tools | {"subcategories": [hammer]}]


async def test_the_reference_hammer_has_expired_so_its_tree_is_empty(
    db: Database, gql: Any
) -> None:
    # given
    await import_file(db.url, REFERENCE_FILE)
    # when
    data = await gql.data(REFERENCE_TREE, scopes=READ_OWN, customer="reference-customer")
    # then
    assert data["categoryTrees"] == []
