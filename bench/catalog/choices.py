"""The workloads' arguments, picked from what the generator assigned where.

Q4's products mix the three answers matchItems can give: assigned directly, assigned through a
category (which pruning may still drop), and not assigned at all. W1 re-upserts products a
segment already has, so repeating it never changes what the read workloads answer.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.catalog.generate import Catalog

Q1_SEGMENT = "seg001"
Q4_SEGMENTS = ("seg002", "seg003")
W1_FIRST = 100  # W1 writes to seg100.. so its locks never touch the read workloads' segments
W1_SETS = 20
W1_SIZE = 200
Q4_SIZE = 50


def _through_categories(catalog: Catalog, segments: tuple[str, ...]) -> list[str]:
    wanted = {c for s in segments for c in catalog.assigned[s][0]}
    return [p for p, links in catalog.links.items() if not wanted.isdisjoint(links)]


def _q4_items(rng: random.Random, catalog: Catalog) -> list[str]:
    a, b = (catalog.assigned[s][1] for s in Q4_SEGMENTS)
    through = _through_categories(catalog, Q4_SEGMENTS)
    picked = [
        *rng.sample(a, 10),
        *rng.sample(b, 10),
        *rng.sample(through, min(15, len(through))),
        *rng.sample(catalog.product_ids, 15),
    ]
    unique = list(dict.fromkeys(picked))
    rng.shuffle(unique)
    return unique[:Q4_SIZE]


def _w1_sets(catalog: Catalog) -> list[dict[str, Any]]:
    segments = list(catalog.segments)[W1_FIRST : W1_FIRST + W1_SETS]
    return [{"segment": s, "items": catalog.assigned[s][1][:W1_SIZE]} for s in segments]


def choose(rng: random.Random, catalog: Catalog) -> dict[str, Any]:
    """The meta document: every argument the workloads need, plus what a cold write touches."""
    return {
        "tenant": "catalog",
        "site": "main",
        "q1_segment": Q1_SEGMENT,
        "q4_segments": list(Q4_SEGMENTS),
        "q4_items": _q4_items(rng, catalog),
        "w1": _w1_sets(catalog),
        # A category each segment already has: re-upserting it is a write that changes no answer.
        "touch": {s: picked[0] for s, (picked, _) in catalog.assigned.items() if picked},
        "categories": len(catalog.categories),
        "products": len(catalog.product_ids),
    }
