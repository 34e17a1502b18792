"""Imports are idempotent: new records are created, changed ones updated, the rest untouched."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from gateway.store.tables import metadata
from tests.conftest import Database
from tests.importer.documents import backdate, document, row, run_import, snapshot

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def _counts(report: Any) -> dict[str, tuple[int, int, int]]:
    return {
        kind: (counts.created, counts.updated, counts.unchanged)
        for kind, counts in report.counts.items()
    }


async def test_imported_records_start_at_version_one_stamped_with_the_import_time(
    db: Database,
) -> None:
    # when
    await run_import(db, document())
    # then
    segment = await row(db, "segment", id="pros")
    item = await row(db, "item_assignment", segment_id="pros", item_type="PRODUCT", item_id="claw")
    category = await row(db, "category", id="tools")
    assert (segment["version"], item["version"]) == (1, 1)
    for record in (segment, item, category):
        assert record["created_at"] == record["modified_at"]
        assert abs(record["created_at"] - datetime.now(UTC)).total_seconds() < 60


async def test_the_first_import_reports_everything_created(db: Database) -> None:
    # when
    report = await run_import(db, document())
    # then
    assert _counts(report) == {
        "categories": (3, 0, 0),
        "products": (1, 0, 0),
        "segments": (1, 0, 0),
        "customerAssignments": (1, 0, 0),
        "itemAssignments": (2, 0, 0),
    }


async def test_importing_the_same_file_twice_changes_nothing(db: Database) -> None:
    # given
    await run_import(db, document())
    before = await snapshot(db)
    # when
    report = await run_import(db, document())
    # then
    assert await snapshot(db) == before
    assert {counts.unchanged for counts in report.counts.values()} >= {1, 2, 3}
    assert all(c.created == c.updated == 0 for c in report.counts.values())


async def test_a_changed_segment_gets_the_next_version_and_keeps_created_at(
    db: Database,
) -> None:
    # given
    await run_import(db, document())
    await backdate(db, LONG_AGO)
    doc = document()
    doc["segments"][0]["name"]["de"] = "Fachleute"
    # when
    report = await run_import(db, doc)
    # then
    segment = await row(db, "segment", id="pros")
    assert segment["name"] == {"en": "Pros", "de": "Fachleute"}
    assert segment["version"] == 2
    assert segment["created_at"] == LONG_AGO
    assert segment["modified_at"] > LONG_AGO
    assert _counts(report)["segments"] == (0, 1, 0)


async def test_unchanged_records_keep_their_stamps_when_others_change(db: Database) -> None:
    # given
    await run_import(db, document())
    await backdate(db, LONG_AGO)
    doc = document()
    doc["categories"][2]["name"] = {"en": "Sledgehammers"}
    # when
    await run_import(db, doc)
    # then
    assert (await row(db, "category", id="sledges"))["modified_at"] > LONG_AGO
    assert (await row(db, "category", id="tools"))["modified_at"] == LONG_AGO
    assert (await row(db, "segment", id="pros"))["modified_at"] == LONG_AGO


async def test_a_changed_assignment_gets_the_next_version(db: Database) -> None:
    # given
    await run_import(db, document())
    doc = document()
    doc["itemAssignments"][1]["mixins"] = {"badge": "new"}
    doc["customerAssignments"][0]["assignmentType"] = "AUTOMATIC"
    # when
    report = await run_import(db, doc)
    # then
    item = await row(db, "item_assignment", segment_id="pros", item_type="PRODUCT", item_id="claw")
    customer = await row(
        db, "customer_assignment", segment_id="pros", customer_id="anna", legal_entity_id=""
    )
    assert (item["mixins"], item["version"]) == ({"badge": "new"}, 2)
    assert (customer["assignment_type"], customer["version"]) == ("AUTOMATIC", 2)
    assert _counts(report)["itemAssignments"] == (0, 1, 1)


async def test_a_moved_category_gets_its_new_parent(db: Database) -> None:
    # given
    await run_import(db, document())
    doc = document()
    doc["categories"][2]["parentId"] = "tools"
    # when
    report = await run_import(db, doc)
    # then
    assert (await row(db, "category", id="sledges"))["parent_id"] == "tools"
    assert _counts(report)["categories"] == (0, 1, 2)


async def _links(db: Database) -> list[tuple[str, str, int]]:
    table = metadata.tables["product_category"]
    query = sa.select(table.c.product_id, table.c.category_id, table.c.position).order_by(
        table.c.product_id, table.c.position
    )
    async with db.sessions() as session:
        return [tuple(found) for found in await session.execute(query)]


async def test_new_category_ids_replace_a_products_links_in_the_files_order(
    db: Database,
) -> None:
    # given
    await run_import(db, document())
    await backdate(db, LONG_AGO)
    doc = document()
    doc["products"][0]["categoryIds"] = ["sledges", "hammers"]
    # when
    report = await run_import(db, doc)
    # then
    assert await _links(db) == [("claw", "sledges", 0), ("claw", "hammers", 1)]
    assert (await row(db, "product", id="claw"))["modified_at"] > LONG_AGO
    assert _counts(report)["products"] == (0, 1, 0)


async def test_reordered_category_ids_are_a_change(db: Database) -> None:
    # given
    await run_import(db, document())
    doc = document()
    doc["products"][0]["categoryIds"] = ["tools", "hammers"]
    # when
    report = await run_import(db, doc)
    # then
    assert await _links(db) == [("claw", "tools", 0), ("claw", "hammers", 1)]
    assert _counts(report)["products"] == (0, 1, 0)


async def test_records_missing_from_the_file_are_kept(db: Database) -> None:
    # given
    await run_import(db, document())
    before = await snapshot(db)
    smaller = {"tenant": "demo", "categories": [document()["categories"][0]]}
    # when
    report = await run_import(db, smaller)
    # then
    assert await snapshot(db) == before
    assert _counts(report)["categories"] == (0, 0, 1)


async def test_a_customer_can_be_assigned_alone_and_through_two_legal_entities(
    db: Database,
) -> None:
    # given
    doc = document()
    doc["customerAssignments"] += [
        {"segmentId": "pros", "customerId": "anna", "legalEntityId": "acme"},
        {"segmentId": "pros", "customerId": "anna", "legalEntityId": "globex"},
    ]
    # when
    report = await run_import(db, doc)
    # then
    table = metadata.tables["customer_assignment"]
    async with db.sessions() as session:
        found = await session.execute(
            sa.select(table.c.legal_entity_id).order_by(table.c.legal_entity_id)
        )
        assert list(found.scalars()) == ["", "acme", "globex"]
    assert _counts(report)["customerAssignments"] == (3, 0, 0)


async def test_the_files_languages_replace_the_tenants(db: Database) -> None:
    # given
    await run_import(db, document())
    doc = {"tenant": "demo", "defaultLanguage": "de", "languages": ["de", "en", "fr"]}
    # when
    await run_import(db, doc)
    # then
    tenant = await row(db, "tenant")
    assert (tenant["default_language"], tenant["languages"]) == ("de", ["de", "en", "fr"])


async def test_tenants_do_not_see_each_others_records(db: Database) -> None:
    # given
    await run_import(db, document("demo"))
    other = document("shop")
    other["segments"][0]["name"] = {"en": "Shop pros"}
    # when
    report = await run_import(db, other)
    # then
    assert _counts(report)["segments"] == (1, 0, 0)
    assert (await row(db, "segment", id="pros"))["name"] == {"en": "Pros", "de": "Profis"}


def _many_categories(count: int) -> dict[str, Any]:
    categories = [
        {"id": f"c{i}", "parentId": f"c{(i - 1) // 2}" if i else None, "code": f"C{i}"}
        for i in range(count)
    ]
    return {
        "tenant": "demo",
        "defaultLanguage": "en",
        "languages": ["en"],
        "categories": categories,
    }


async def test_importing_5000_categories_takes_a_bounded_number_of_statements(
    db: Database,
) -> None:
    # given
    doc = _many_categories(5000)
    # when
    with db.count_statements() as first:
        await run_import(db, doc)
    with db.count_statements() as again:
        report = await run_import(db, doc)
    # then
    assert len(first) < 50
    assert len(again) < 50
    assert _counts(report)["categories"] == (0, 0, 5000)
