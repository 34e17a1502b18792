"""A file that breaks any rule is refused as a whole, its first problem naming the entry."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from gateway.importer.run import CatalogImportError
from tests.conftest import Database
from tests.importer.changes import ID_RULE, Doc, _append, _set
from tests.importer.documents import document, run_import, snapshot

BROKEN: list[tuple[str, Callable[[Doc], Doc], str]] = [
    ("not an object", lambda doc: [doc], "the file must hold one JSON object with a tenant"),
    (
        "unknown top-level key",
        _set("segment", []),
        'unknown top-level key "segment" (allowed: tenant, defaultLanguage, languages, '
        "categories, products, segments, customerAssignments, itemAssignments)",
    ),
    ("tenant with capitals", _set("tenant", "Demo"), "tenant must match ^[a-z][a-z0-9]{2,15}$"),
    ("tenant too long", _set("tenant", "a" * 17), "tenant must match ^[a-z][a-z0-9]{2,15}$"),
    ("tenant missing", _set("tenant", None), "tenant must match ^[a-z][a-z0-9]{2,15}$"),
    ("languages not a list", _set("languages", "en"), "languages must be a non-empty list"),
    ("languages twice", _set("languages", ["en", "en"]), "languages lists a language twice"),
    ("default language missing", _set("defaultLanguage", None), "defaultLanguage is missing"),
    (
        "default language not a language",
        _set("defaultLanguage", "fr"),
        "defaultLanguage must be one of the languages (en, de), got 'fr'",
    ),
    (
        "translation in another language",
        _set("categories.1.name", {"en": "Hammers", "fr": "Marteaux"}),
        'categories[1] (id "hammers"): name has a translation in "fr", '
        "which is not one of the tenant's languages (en, de)",
    ),
    ("empty id", _set("categories.0.id", ""), f'categories[0]: id {ID_RULE}, got ""'),
    ("id not a string", _set("products.0.id", 7), "products[0]: id must be a string, got 7"),
    (
        "duplicate category id",
        _set("categories.2.id", "tools"),
        'categories[2] (id "tools"): duplicate id, already at categories[0] (id "tools")',
    ),
    (
        "duplicate segment id",
        lambda doc: _append("segments", copy.deepcopy(doc["segments"][0]))(doc),
        'segments[1] (id "pros"): duplicate id, already at segments[0] (id "pros")',
    ),
    (
        "unknown parent",
        _set("categories.2.parentId", "zz"),
        'categories[2] (id "sledges"): parentId "zz" is not a category of this file or the tenant',
    ),
    (
        "cycle",
        _set("categories.0.parentId", "sledges"),
        'categories[0] (id "tools"): parentId "sledges" makes a cycle: '
        "tools > sledges > hammers > tools",
    ),
    (
        "own parent",
        _set("categories.1.parentId", "hammers"),
        'categories[1] (id "hammers"): parentId "hammers" makes a cycle: hammers > hammers',
    ),
    (
        "product in an unknown category",
        _set("products.0.categoryIds", ["hammers", "nails"]),
        'products[0] (id "claw"): categoryIds has "nails", which is not a category '
        "of this file or the tenant",
    ),
    (
        "product in a category twice",
        _set("products.0.categoryIds", ["hammers", "hammers"]),
        'products[0] (id "claw"): categoryIds lists "hammers" twice',
    ),
    (
        "segment status",
        _set("segments.0.status", "active"),
        "segments[0] (id \"pros\"): status must be one of ACTIVE, INACTIVE, got 'active'",
    ),
    (
        "segment without site",
        _set("segments.0.siteCode", None),
        'segments[0] (id "pros"): siteCode must be a non-blank string',
    ),
    (
        "segment without name",
        _set("segments.0.name", None),
        'segments[0] (id "pros"): name needs at least one translation',
    ),
    (
        "segment with an empty name",
        _set("segments.0.name", {}),
        'segments[0] (id "pros"): name needs at least one translation',
    ),
    (
        "segment validity ends before it starts",
        _set("segments.0.validity.to", "2023-01-01T00:00:00.000Z"),
        'segments[0] (id "pros"): validity.from must be before validity.to',
    ),
    (
        "segment validity of no length",
        _set("segments.0.validity.to", "2024-01-01T00:00:00.000Z"),
        'segments[0] (id "pros"): validity.from must be before validity.to',
    ),
    (
        "category validity ends before it starts",
        _set(
            "categories.0.validity", {"from": "2025-01-01T00:00:00Z", "to": "2024-01-01T00:00:00Z"}
        ),
        'categories[0] (id "tools"): validity.from must be before validity.to',
    ),
    (
        "impossible date",
        _set("segments.0.validity.from", "2024-13-01T00:00:00.000Z"),
        'segments[0] (id "pros"): validity.from must be an ISO 8601 date-time such as '
        "2024-10-12T12:00:00.000Z, got '2024-13-01T00:00:00.000Z'",
    ),
    (
        "date without a time zone",
        _set("segments.0.validity.from", "2024-01-01T00:00:00"),
        'segments[0] (id "pros"): validity.from needs a time zone: an offset or Z, as in '
        "2024-10-12T12:00:00.000Z, got '2024-01-01T00:00:00'",
    ),
    (
        "date without a time",
        _set("segments.0.validity.from", "2024-01-01"),
        'segments[0] (id "pros"): validity.from needs a time zone: an offset or Z',
    ),
    (
        "date that leaves the calendar in UTC",
        _set("segments.0.validity.from", "0001-01-01T00:00:00+14:00"),
        'segments[0] (id "pros"): validity.from is outside the years 1 to 9999 once in UTC',
    ),
    (
        "date that is a number",
        _set("segments.0.validity.to", 1e20),
        'segments[0] (id "pros"): validity.to must be an ISO 8601 date-time string',
    ),
    (
        "validity with other keys",
        _set("segments.0.validity", {"start": "2024-01-01T00:00:00Z"}),
        'segments[0] (id "pros"): validity must be an object with "from" and "to"',
    ),
    (
        "customer in an unknown segment",
        _set("customerAssignments.0.segmentId", "nobody"),
        'customerAssignments[0] (segment "nobody", customer "anna"): segmentId "nobody" '
        "is not a segment of this file or the tenant",
    ),
    (
        "item in an unknown segment",
        _set("itemAssignments.0.segmentId", "nobody"),
        'itemAssignments[0] (segment "nobody", CATEGORY "hammers"): segmentId "nobody" '
        "is not a segment of this file or the tenant",
    ),
    (
        "unknown category item",
        _set("itemAssignments.0.itemId", "nails"),
        'itemAssignments[0] (segment "pros", CATEGORY "nails"): itemId "nails" '
        "is not a category of this file or the tenant",
    ),
    (
        "product assigned as a category",
        _set("itemAssignments.0.itemId", "claw"),
        'itemAssignments[0] (segment "pros", CATEGORY "claw"): itemId "claw" '
        "is not a category of this file or the tenant (it is a product)",
    ),
    (
        "category assigned as a product",
        _set("itemAssignments.1.itemId", "tools"),
        'itemAssignments[1] (segment "pros", PRODUCT "tools"): itemId "tools" '
        "is not a product of this file or the tenant (it is a category)",
    ),
    (
        "item type in lower case",
        _set("itemAssignments.0.type", "category"),
        "itemAssignments[0]: type must be one of PRODUCT, CATEGORY, got 'category'",
    ),
    (
        "duplicate customer assignment",
        _append("customerAssignments", {"segmentId": "pros", "customerId": "anna"}),
        'customerAssignments[1] (segment "pros", customer "anna"): duplicate customer '
        'assignment, already at customerAssignments[0] (segment "pros", customer "anna")',
    ),
    (
        "duplicate item assignment",
        _append("itemAssignments", {"segmentId": "pros", "type": "PRODUCT", "itemId": "claw"}),
        'itemAssignments[2] (segment "pros", PRODUCT "claw"): duplicate item assignment, '
        'already at itemAssignments[1] (segment "pros", PRODUCT "claw")',
    ),
    (
        "empty legal entity",
        _set("customerAssignments.0.legalEntityId", ""),
        f'customerAssignments[0]: legalEntityId {ID_RULE}, got ""',
    ),
    (
        "assignment type",
        _set("customerAssignments.0.assignmentType", "AUTO"),
        'customerAssignments[0] (segment "pros", customer "anna"): assignmentType must be one '
        "of MANUAL, AUTOMATIC, got 'AUTO'",
    ),
    (
        "mixins not an object",
        _set("itemAssignments.0.mixins", ["badge"]),
        'itemAssignments[0] (segment "pros", CATEGORY "hammers"): mixins must be a JSON object',
    ),
    (
        "misspelt field",
        _set("categories.2.parentID", "hammers"),
        'categories[2]: unknown field "parentID" (allowed: id, parentId, code, name, '
        "description, slug, ecn, position, published, validity)",
    ),
    (
        "position not a number",
        _set("categories.0.position", "1"),
        "categories[0] (id \"tools\"): position must be a whole number, got '1'",
    ),
    (
        "published not a boolean",
        _set("categories.0.published", "yes"),
        "categories[0] (id \"tools\"): published must be true or false, got 'yes'",
    ),
    (
        "ecn not a list",
        _set("categories.0.ecn", "T-1"),
        'categories[0] (id "tools"): ecn must be a list of non-empty strings',
    ),
    (
        "name not translations",
        _set("products.0.name", "Claw"),
        'products[0] (id "claw"): name must be an object of translations, e.g. {"en": "..."}',
    ),
    ("list not a list", _set("categories", {}), "categories must be a list"),
    ("entry not an object", _set("categories.0", "tools"), "categories[0]: must be a JSON object"),
]


@pytest.fixture
async def stored(db: Database) -> dict[str, Any]:
    """Tenant demo already holds a category and a segment the broken files do not mention."""
    await run_import(
        db,
        {
            "tenant": "demo",
            "defaultLanguage": "en",
            "languages": ["en", "de"],
            "categories": [{"id": "garden", "code": "G"}],
            "segments": [{"id": "old", "name": {"en": "Old"}, "siteCode": "main"}],
            "customerAssignments": [{"segmentId": "old", "customerId": "ben"}],
        },
    )
    return await snapshot(db)


@pytest.mark.parametrize(
    ("change", "message"), [case[1:] for case in BROKEN], ids=[c[0] for c in BROKEN]
)
async def test_a_broken_file_is_refused_with_a_message_and_writes_nothing(
    db: Database, stored: dict[str, Any], change: Callable[[Doc], Doc], message: str
) -> None:
    # given
    broken = change(document())
    # when
    with pytest.raises(CatalogImportError) as refused:
        await run_import(db, broken)
    # then
    assert str(refused.value).startswith(message)
    assert await snapshot(db) == stored
