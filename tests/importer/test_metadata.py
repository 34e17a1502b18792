"""A record's own metadata (as exported from Emporix) is kept; without it, the import's own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from gateway.importer.run import CatalogImportError
from tests.conftest import Database
from tests.importer.documents import document, row, run_import, snapshot

CREATED, MODIFIED = "2023-05-14T12:00:00.000Z", "2024-02-01T08:30:00.250+01:00"
EXPORTED = {"version": 7, "createdAt": CREATED, "modifiedAt": MODIFIED}
SCHEMAS = {"badge": "https://example.com/schemata/badge_v1.json"}


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _exported(**metadata: Any) -> dict[str, Any]:
    """The demo file with `metadata` on its segment and on every assignment."""
    doc = document()
    for kind in ("segments", "customerAssignments", "itemAssignments"):
        for entry in doc[kind]:
            entry["metadata"] = dict(metadata)
    return doc


async def _rows(db: Database) -> list[dict[str, Any]]:
    return [
        await row(db, "segment", id="pros"),
        await row(
            db, "customer_assignment", segment_id="pros", customer_id="anna", legal_entity_id=""
        ),
        await row(db, "item_assignment", segment_id="pros", item_type="PRODUCT", item_id="claw"),
    ]


async def test_a_records_own_metadata_is_kept(db: Database) -> None:
    # when
    await run_import(db, _exported(**EXPORTED, mixins=SCHEMAS))
    # then
    for record in await _rows(db):
        assert record["version"] == 7
        assert record["created_at"] == _instant(CREATED)
        assert record["modified_at"] == _instant(MODIFIED)
        assert record["metadata_mixins"] == SCHEMAS


async def test_importing_an_export_again_changes_nothing(db: Database) -> None:
    # given
    await run_import(db, _exported(**EXPORTED))
    before = await snapshot(db)
    # when
    report = await run_import(db, _exported(**EXPORTED))
    # then
    assert await snapshot(db) == before
    assert all(counts.updated == 0 for counts in report.counts.values())


async def test_a_changed_record_takes_the_files_metadata(db: Database) -> None:
    # given
    await run_import(db, _exported(**EXPORTED))
    doc = _exported(version=8, createdAt=CREATED, modifiedAt="2025-01-01T00:00:00Z")
    doc["segments"][0]["name"]["de"] = "Fachleute"
    # when
    report = await run_import(db, doc)
    # then
    segment = (await _rows(db))[0]
    assert segment["version"] == 8
    assert segment["modified_at"] == _instant("2025-01-01T00:00:00Z")
    assert report.counts["segments"].updated == 1


async def test_a_newer_version_alone_is_a_change(db: Database) -> None:
    # given
    await run_import(db, _exported(**EXPORTED))
    # when
    report = await run_import(db, _exported(**{**EXPORTED, "version": 9}))
    # then
    assert [record["version"] for record in await _rows(db)] == [9, 9, 9]
    assert report.counts["itemAssignments"].updated == 2


CHANGES = [  # (which record, the change, its place in _rows)
    ("segment", ("segments", 0, "name", {"en": "Pros", "de": "Fachleute"}), 0),
    ("customer assignment", ("customerAssignments", 0, "assignmentType", "AUTOMATIC"), 1),
    ("item assignment", ("itemAssignments", 1, "mixins", {"badge": "new"}), 2),
]


@pytest.mark.parametrize(
    ("change", "changed"), [c[1:] for c in CHANGES], ids=[c[0] for c in CHANGES]
)
async def test_a_change_without_metadata_counts_on_from_the_kept_version(
    db: Database, change: tuple[str, int, str, Any], changed: int
) -> None:
    # given
    await run_import(db, _exported(**EXPORTED))
    doc = document()
    kind, index, field, value = change
    doc[kind][index][field] = value
    # when
    await run_import(db, doc)
    # then
    records = await _rows(db)
    assert records[changed]["version"] == 8
    assert records[changed]["created_at"] == _instant(CREATED)
    assert abs(records[changed]["modified_at"] - datetime.now(UTC)).total_seconds() < 60
    # and the records left without metadata, unchanged, keep what they had
    others = [record for place, record in enumerate(records) if place != changed]
    assert [(r["version"], r["modified_at"]) for r in others] == [(7, _instant(MODIFIED))] * 2


async def test_records_without_metadata_start_at_1_and_count_on_when_changed(
    db: Database,
) -> None:
    # given
    await run_import(db, document())
    doc = document()
    for kind, index, field, value in (change for _, change, _ in CHANGES):
        doc[kind][index][field] = value
    # when
    first = [record["version"] for record in await _rows(db)]
    await run_import(db, doc)
    # then
    assert first == [1, 1, 1]
    assert [record["version"] for record in await _rows(db)] == [2, 2, 2]


async def test_what_the_metadata_leaves_out_is_the_imports_own(db: Database) -> None:
    # when
    await run_import(db, _exported(version=3))
    # then
    for record in await _rows(db):
        assert record["version"] == 3
        assert abs(record["created_at"] - datetime.now(UTC)).total_seconds() < 60
        assert record["metadata_mixins"] == {}


BROKEN = [
    ({"version": 0}, "metadata.version must be a whole number from 1 to 2147483647, got 0"),
    ({"version": -2}, "metadata.version must be a whole number from 1 to 2147483647, got -2"),
    ({"version": 2**31}, "metadata.version must be a whole number from 1 to 2147483647"),
    ({"version": "7"}, 'metadata.version must be a whole number from 1 to 2147483647, got "7"'),
    ({"version": 7.5}, "metadata.version must be a whole number from 1 to 2147483647, got 7.5"),
    ({"version": True}, "metadata.version must be a whole number from 1 to 2147483647"),
    (
        {"createdAt": "2024-01-01T00:00:00"},
        "metadata.createdAt needs a time zone: an offset or Z",
    ),
    ({"modifiedAt": "yesterday"}, "metadata.modifiedAt must be an ISO 8601 date-time"),
    (
        {"createdAt": "2024-01-02T00:00:00Z", "modifiedAt": "2024-01-01T00:00:00Z"},
        "metadata.modifiedAt must not be before metadata.createdAt",
    ),
    ({"etag": "x"}, "metadata must be an object with version, createdAt, modifiedAt, mixins"),
    ({"mixins": {"badge": 1}}, "metadata.mixins must map mixin names to schema URL strings"),
]


@pytest.mark.parametrize(("metadata", "message"), BROKEN)
async def test_broken_metadata_is_refused_naming_the_record_and_field(
    db: Database, metadata: dict[str, Any], message: str
) -> None:
    # given
    doc = document()
    doc["itemAssignments"][1]["metadata"] = metadata
    # when
    with pytest.raises(CatalogImportError) as caught:
        await run_import(db, doc)
    # then
    assert str(caught.value).startswith(
        f'itemAssignments[1] (segment "pros", PRODUCT "claw"): {message}'
    )
    assert (await snapshot(db))["item_assignment"] == []


async def test_metadata_that_is_not_an_object_is_refused(db: Database) -> None:
    doc = document()
    doc["segments"][0]["metadata"] = 7
    with pytest.raises(CatalogImportError, match=r'segments\[0\] \(id "pros"\): metadata must'):
        await run_import(db, doc)
