"""Import documents and database snapshots for the importer's tests."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from gateway.importer.run import ImportReport, import_document
from gateway.store.tables import data_version_table, metadata
from tests.conftest import Database


def document(tenant: str = "demo") -> dict[str, Any]:
    """A small valid file: a three-level tree, a product, a segment and its assignments."""
    return {
        "tenant": tenant,
        "defaultLanguage": "en",
        "languages": ["en", "de"],
        "categories": [
            {"id": "tools", "code": "T", "name": {"en": "Tools"}},
            {"id": "hammers", "parentId": "tools", "code": "H", "name": {"en": "Hammers"}},
            {"id": "sledges", "parentId": "hammers", "code": "S"},
        ],
        "products": [
            {
                "id": "claw",
                "code": "CLAW",
                "name": {"en": "Claw"},
                "categoryIds": ["hammers", "tools"],
            }
        ],
        "segments": [
            {
                "id": "pros",
                "name": {"en": "Pros", "de": "Profis"},
                "status": "ACTIVE",
                "siteCode": "main",
                "validity": {"from": "2024-01-01T00:00:00.000Z", "to": None},
            }
        ],
        "customerAssignments": [{"segmentId": "pros", "customerId": "anna", "legalEntityId": None}],
        "itemAssignments": [
            {"segmentId": "pros", "type": "CATEGORY", "itemId": "hammers"},
            {"segmentId": "pros", "type": "PRODUCT", "itemId": "claw"},
        ],
    }


async def run_import(db: Database, doc: Any, **options: Any) -> ImportReport:
    return await import_document(db.sessions, doc, **options)


async def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in key order: equal snapshots mean nothing was written."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with db.sessions() as session:
        for table in metadata.sorted_tables:
            if table is data_version_table:  # bookkeeping, raised by every write
                continue
            keys = list(table.primary_key.columns)
            rows = await session.execute(sa.select(table).order_by(*keys))
            found[table.name] = [tuple(row) for row in rows]
    return found


async def row(db: Database, table: str, **key: Any) -> dict[str, Any]:
    """The one row of `table` in tenant demo with the given key columns."""
    found = metadata.tables[table]
    conditions = [found.c[name] == value for name, value in {"tenant": "demo", **key}.items()]
    async with db.sessions() as session:
        result = await session.execute(sa.select(found).where(*conditions))
        return dict(result.mappings().one())


async def backdate(db: Database, when: Any) -> None:
    """Moves every stamp into the past, so a later write shows in modifiedAt."""
    async with db.sessions() as session, session.begin():
        for table in metadata.sorted_tables:
            if "modified_at" in table.c:
                await session.execute(sa.update(table).values(created_at=when, modified_at=when))
