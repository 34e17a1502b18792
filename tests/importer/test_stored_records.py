"""A file is checked against what the tenant already holds: its languages, records, categories."""

from __future__ import annotations

import pytest

from gateway.importer.run import CatalogImportError
from tests.conftest import Database
from tests.importer.documents import document, run_import, snapshot


async def test_a_new_tenant_needs_its_languages(db: Database) -> None:
    # given
    doc = document(tenant="shop")
    del doc["languages"], doc["defaultLanguage"]
    # when
    with pytest.raises(CatalogImportError) as refused:
        await run_import(db, doc)
    # then
    assert str(refused.value) == 'languages and defaultLanguage are required: tenant "shop" is new'
    assert all(rows == [] for rows in (await snapshot(db)).values())


async def test_a_known_tenant_keeps_its_languages_when_the_file_leaves_them_out(
    db: Database,
) -> None:
    # given
    await run_import(db, document())
    doc = {"tenant": "demo", "categories": [{"id": "nails", "code": "N", "name": {"fr": "Clous"}}]}
    # when
    with pytest.raises(CatalogImportError) as refused:
        await run_import(db, doc)
    # then
    assert "not one of the tenant's languages (en, de)" in str(refused.value)


async def test_references_may_point_to_records_already_stored(db: Database) -> None:
    # given
    await run_import(db, document())
    more = {
        "tenant": "demo",
        "categories": [{"id": "nails", "parentId": "tools", "code": "N"}],
        "products": [{"id": "nail-box", "code": "NB", "categoryIds": ["nails", "hammers"]}],
        "customerAssignments": [{"segmentId": "pros", "customerId": "ben"}],
        "itemAssignments": [
            {"segmentId": "pros", "type": "CATEGORY", "itemId": "sledges"},
            {"segmentId": "pros", "type": "PRODUCT", "itemId": "nail-box"},
        ],
    }
    # when
    report = await run_import(db, more)
    # then
    assert report.counts["itemAssignments"].created == 2
    assert report.counts["customerAssignments"].created == 1


async def test_a_cycle_through_stored_categories_is_refused(db: Database) -> None:
    # given
    await run_import(db, document())
    before = await snapshot(db)
    moved = {"tenant": "demo", "categories": [{"id": "tools", "parentId": "sledges", "code": "T"}]}
    # when
    with pytest.raises(CatalogImportError) as refused:
        await run_import(db, moved)
    # then
    assert str(refused.value) == (
        'categories[0] (id "tools"): parentId "sledges" makes a cycle: '
        "tools > sledges > hammers > tools"
    )
    assert await snapshot(db) == before


async def test_a_stored_item_of_the_other_type_is_named(db: Database) -> None:
    # given
    await run_import(db, document())
    wrong = {
        "tenant": "demo",
        "itemAssignments": [{"segmentId": "pros", "type": "PRODUCT", "itemId": "hammers"}],
    }
    # when
    with pytest.raises(CatalogImportError) as refused:
        await run_import(db, wrong)
    # then
    assert str(refused.value).endswith(
        "is not a product of this file or the tenant (it is a category)"
    )
