"""A generated catalog in the import format: 5,000 categories, 2,000 products, 100 segments."""

from __future__ import annotations

import random
from typing import Any

TENANT = "bench"
CUSTOMER = "shopper"


def _categories(count: int, fanout: int) -> list[dict[str, Any]]:
    rows = []
    for n in range(count):
        parent = None if n < fanout else f"c{(n - fanout) // fanout}"
        rows.append(
            {
                "id": f"c{n}",
                "parentId": parent,
                "code": f"cat-{n:05d}",
                "name": {"en": f"Category {n}", "de": f"Kategorie {n}"},
                "slug": {"en": f"category-{n}"},
                "position": n % fanout,
            }
        )
    return rows


def build_document(categories: int = 5000, products: int = 2000, segments: int = 100) -> Any:
    rng = random.Random(7)
    doc: dict[str, Any] = {
        "tenant": TENANT,
        "defaultLanguage": "en",
        "languages": ["en", "de"],
        "categories": _categories(categories, fanout=10),
        "products": [
            {
                "id": f"p{n}",
                "code": f"prod-{n:05d}",
                "name": {"en": f"Product {n}"},
                "categoryIds": sorted({f"c{rng.randrange(categories)}" for _ in range(2)}),
            }
            for n in range(products)
        ],
        "segments": [
            {
                "id": f"s{n:03d}",
                "name": {"en": f"Segment {n}"},
                "status": "ACTIVE",
                "siteCode": "main",
            }
            for n in range(segments)
        ],
        "customerAssignments": [
            {"segmentId": f"s{n:03d}", "customerId": CUSTOMER} for n in range(0, segments, 20)
        ],
        "itemAssignments": [],
    }
    for n in range(segments):
        picked = rng.sample(range(products), 20)
        doc["itemAssignments"] += [
            {"segmentId": f"s{n:03d}", "type": "PRODUCT", "itemId": f"p{p}"} for p in picked
        ]
        doc["itemAssignments"] += [
            {"segmentId": f"s{n:03d}", "type": "CATEGORY", "itemId": f"c{rng.randrange(10, 110)}"}
            for _ in range(3)
        ]
    # The same category may be picked twice for one segment; the import refuses duplicates.
    seen: set[tuple[str, str, str]] = set()
    unique = []
    for entry in doc["itemAssignments"]:
        key = (entry["segmentId"], entry["type"], entry["itemId"])
        if key not in seen:
            seen.add(key)
            unique.append(entry)
    doc["itemAssignments"] = unique
    return doc
