"""An unchanged re-import compares its file with the stored rows in time linear in the file:
no compare statement looks rows up by scanning a table once per key (the plans, on SQLite
and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from bench.catalog.plans import explained
from tests.conftest import Database
from tests.importer.documents import run_import


def _catalog(size: int) -> dict[str, Any]:
    """Every table of `size` rows or more, so a per-key scan would be the planner's choice
    only by mistake (a table of a few rows may rightly be scanned)."""
    return {
        "tenant": "demo",
        "defaultLanguage": "en",
        "languages": ["en"],
        "categories": [{"id": "c0", "code": "C"}]
        + [{"id": f"c{n}", "parentId": "c0", "code": "C"} for n in range(1, size)],
        "products": [
            {"id": f"p{n}", "code": "P", "categoryIds": [f"c{n}", f"c{(n + 1) % size}"]}
            for n in range(size)
        ],
        "segments": [{"id": f"s{n}", "name": {"en": "S"}, "siteCode": "m"} for n in range(size)],
        "customerAssignments": [
            {"segmentId": f"s{n % size}", "customerId": f"u{n}"} for n in range(2 * size)
        ],
        "itemAssignments": [
            {"segmentId": f"s{n % size}", "type": "PRODUCT", "itemId": f"p{n // 2}"}
            for n in range(2 * size)
        ],
    }


async def test_no_compare_statement_scans_a_table_per_key(db: Database) -> None:
    # given
    await run_import(db, _catalog(1_500))
    # when: the same file again, each compare statement explained just before it runs
    with explained(db.engine) as plans:
        report = await run_import(db, _catalog(1_500))
    # then: every table's compare was seen, and none scans a stored table per key
    assert report.counts["itemAssignments"].unchanged == 3_000
    assert {plan.writes for plan in plans} >= {
        "category", "product", "import_touched", "product_category", "segment",
        "customer_assignment", "item_assignment",
    }  # fmt: skip
    assert [(plan.statement, plan.per_key) for plan in plans if plan.per_key] == []
