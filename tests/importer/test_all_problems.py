"""A file with problems in every list and of every rule reports them all in one run (up to
100, each naming its record and field) and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gateway.importer.run import CatalogImportError, import_file
from tests.conftest import Database
from tests.importer.documents import snapshot


def _broken_everywhere() -> dict[str, Any]:
    """Problems of an entry's own in each list, and each rule across entries broken once."""
    fans = "fans"
    return {
        "tenant": "demo",
        "defaultLanguage": "en",
        "languages": ["en", "de"],
        "categories": [
            {"id": "tools", "code": "T", "name": {"en": "Tools", "fr": "Outils"}},
            {"id": "hammers", "parentId": "tools", "code": "H", "position": "1"},
            {"id": "sledges", "parentId": "nowhere", "code": "S"},
            {"id": "loop1", "parentId": "loop2", "code": "L1"},
            {"id": "loop2", "parentId": "loop1", "code": "L2"},
            {"id": "tools", "code": "T2"},
        ],
        "products": [
            {"id": "claw", "code": " "},
            {"id": "mallet", "code": "M", "categoryIds": ["nails"]},
            {"id": "saw", "code": "SAW", "categoryIds": ["hammers"]},
        ],
        "segments": [
            {"id": "pros", "name": {"en": "Pros"}, "siteCode": "main", "status": "active"},
            {"id": fans, "name": {"en": "Fans"}, "siteCode": "main"},
        ],
        "customerAssignments": [
            {"segmentId": "pros", "customerId": "anna"},
            {"segmentId": "nobody", "customerId": "ben"},
            {"segmentId": fans, "customerId": "cara", "assignmentType": "AUTO"},
            {"segmentId": fans, "customerId": "dan"},
            {"segmentId": fans, "customerId": "dan"},
        ],
        "itemAssignments": [
            {"segmentId": fans, "type": "CATEGORY", "itemId": "mallet"},
            {"segmentId": fans, "type": "PRODUCT", "itemId": "saw", "metadata": {"version": 0}},
            {"segmentId": fans, "type": "PRODUCT", "itemId": "saw"},
        ],
    }


async def _refused(db: Database, tmp_path: Path, doc: dict[str, Any]) -> list[str]:
    """The problems `gateway import` reports for `doc` as a file; checks it wrote nothing."""
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    before = await snapshot(db)
    with pytest.raises(CatalogImportError) as caught:
        await import_file(db.url, path)
    assert await snapshot(db) == before
    return list(caught.value.problems)


async def test_every_list_and_every_rule_is_reported_in_one_run(
    db: Database, tmp_path: Path
) -> None:
    # when
    problems = await _refused(db, tmp_path, _broken_everywhere())
    # then: each entry's own problems in file order, then each rule's; what names an entry
    # refused for its own problems (hammers, pros) is not reported again
    assert problems == [
        "categories[1] (id \"hammers\"): position must be a whole number, got '1'",
        'products[0] (id "claw"): code must be a non-blank string',
        "segments[0] (id \"pros\"): status must be one of ACTIVE, INACTIVE, got 'active'",
        'customerAssignments[2] (segment "fans", customer "cara"): assignmentType must be one '
        "of MANUAL, AUTOMATIC, got 'AUTO'",
        'itemAssignments[1] (segment "fans", PRODUCT "saw"): metadata.version must be a whole '
        "number from 1 to 2147483647, got 0",
        'categories[5] (id "tools"): duplicate id, already at categories[0] (id "tools")',
        'customerAssignments[4] (segment "fans", customer "dan"): duplicate customer '
        'assignment, already at customerAssignments[3] (segment "fans", customer "dan")',
        'categories[0] (id "tools"): name has a translation in "fr", which is not one of the '
        "tenant's languages (en, de)",
        'categories[2] (id "sledges"): parentId "nowhere" is not a category of this file or '
        "the tenant",
        'categories[3] (id "loop1"): parentId "loop2" makes a cycle: loop1 > loop2 > loop1',
        'products[1] (id "mallet"): categoryIds has "nails", which is not a category of this '
        "file or the tenant",
        'customerAssignments[1] (segment "nobody", customer "ben"): segmentId "nobody" is not '
        "a segment of this file or the tenant",
        'itemAssignments[0] (segment "fans", CATEGORY "mallet"): itemId "mallet" is not a '
        "category of this file or the tenant (it is a product)",
    ]


def _broken_twice(problems_each: int) -> dict[str, Any]:
    """`problems_each` categories with a bad position, as many products in no category."""
    return {
        "tenant": "demo",
        "defaultLanguage": "en",
        "languages": ["en"],
        "categories": [
            {"id": f"c{n}", "code": "C", "position": "first"} for n in range(problems_each)
        ],
        "products": [
            {"id": f"p{n}", "code": "P", "categoryIds": [f"gone{n}"]} for n in range(problems_each)
        ],
    }


async def test_exactly_100_problems_are_all_reported(db: Database, tmp_path: Path) -> None:
    # when: 50 of an entry's own (categories) and 50 of a rule across entries (products)
    problems = await _refused(db, tmp_path, _broken_twice(50))
    # then
    assert len(problems) == 100
    assert problems[0] == "categories[0] (id \"c0\"): position must be a whole number, got 'first'"
    assert problems[-1] == (
        'products[49] (id "p49"): categoryIds has "gone49", which is not a category '
        "of this file or the tenant"
    )


async def test_a_run_stops_after_100_problems_and_says_so(db: Database, tmp_path: Path) -> None:
    # when: 51 + 51 problems, then a list that is not a list
    problems = await _refused(db, tmp_path, _broken_twice(51) | {"segments": "none"})
    # then: the first 100 in the order they are reported
    assert len(problems) == 101
    assert problems[51].startswith('products[0] (id "p0"): categoryIds has "gone0"')
    assert problems[-2].startswith('products[48] (id "p48"): categoryIds has "gone48"')
    assert problems[-1] == "(stopped after 100 problems; there are more)"


async def test_a_list_that_is_not_a_list_is_reported_with_the_rest(
    db: Database, tmp_path: Path
) -> None:
    # when
    problems = await _refused(db, tmp_path, _broken_twice(1) | {"segments": {"id": "s"}})
    # then
    assert problems == [
        "categories[0] (id \"c0\"): position must be a whole number, got 'first'",
        "segments must be a list",
        'products[0] (id "p0"): categoryIds has "gone0", which is not a category '
        "of this file or the tenant",
    ]


async def test_every_broken_field_of_one_record_is_named(db: Database, tmp_path: Path) -> None:
    # given
    segment = {
        "id": "pros",
        "name": {},
        "status": "on",
        "siteCode": " ",
        "validity": {"from": "soon"},
        "metadata": {"version": 0, "modifiedAt": "later"},
        "colour": "red",
    }
    doc = _broken_twice(0) | {"segments": [segment]}
    # when
    problems = await _refused(db, tmp_path, doc)
    # then
    assert problems == [
        'segments[0]: unknown field "colour" (allowed: id, name, description, status, '
        "siteCode, validity, mixins, metadata)",
        'segments[0] (id "pros"): name needs at least one translation',
        "segments[0] (id \"pros\"): status must be one of ACTIVE, INACTIVE, got 'on'",
        'segments[0] (id "pros"): siteCode must be a non-blank string',
        'segments[0] (id "pros"): validity.from must be an ISO 8601 date-time such as '
        "2024-10-12T12:00:00.000Z, got 'soon'",
        'segments[0] (id "pros"): metadata.version must be a whole number from 1 to '
        "2147483647, got 0",
        'segments[0] (id "pros"): metadata.modifiedAt must be an ISO 8601 date-time such as '
        "2024-10-12T12:00:00.000Z, got 'later'",
    ]


async def test_a_record_whose_id_is_refused_is_named_by_its_index(
    db: Database, tmp_path: Path
) -> None:
    # given
    doc = _broken_twice(0) | {
        "segments": [{"id": 7, "name": {"en": "S"}}],
        "customerAssignments": [{"segmentId": 7, "customerId": "anna", "assignmentType": "X"}],
    }
    # when
    problems = await _refused(db, tmp_path, doc)
    # then
    assert problems == [
        "segments[0]: id must be a string, got 7",
        "segments[0]: siteCode must be a non-blank string",
        "customerAssignments[0]: segmentId must be a string, got 7",
        "customerAssignments[0]: assignmentType must be one of MANUAL, AUTOMATIC, got 'X'",
    ]


async def test_the_top_levels_problems_are_reported_together(db: Database, tmp_path: Path) -> None:
    # given
    doc = {"tenant": "Demo", "languages": ["en", "en"], "segment": [], "items": [], "products": []}
    # when
    problems = await _refused(db, tmp_path, doc)
    # then
    allowed = (
        "allowed: tenant, defaultLanguage, languages, categories, products, segments, "
        "customerAssignments, itemAssignments"
    )
    assert problems == [
        f'unknown top-level key "segment" ({allowed})',
        f'unknown top-level key "items" ({allowed})',
        "tenant must match ^[a-z][a-z0-9]{2,15}$ (3 to 16 lowercase letters and digits, "
        "starting with a letter), got 'Demo'",
        "languages lists a language twice",
    ]
