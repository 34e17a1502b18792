"""A seeded catalog of issue 8's shape, streamed to a file in the contract's import format.

One tenant: 10,000 categories in 6 levels (about 5% unpublished or expired), 100,000 products in
1-2 categories each, 200 segments (150 active), 20,000 customers in 1-3 segments (20% B2B with a
legal entity), 500,000 item assignments (2,500 per segment, 5% of them categories). `scale`
divides every count, so `--quick` exercises the same code on a tenth of the data.

Next to the file goes `<file>.meta.json`: what the workloads ask for (segments, products), chosen
here because only the generator knows which products are assigned where.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from bench.catalog.choices import choose

TENANT = "catalog"
SITE, OTHER_SITE = "main", "b2b"
# Level sizes of the category forest, roots first: 10,000 in all.
LEVELS = (10, 40, 150, 600, 2200, 7000)
PAST, FUTURE = "2020-01-01T00:00:00.000Z", "2099-01-01T00:00:00.000Z"
SINCE, LONG_AGO = "2024-01-01T00:00:00.000Z", "2019-01-01T00:00:00.000Z"


@dataclass
class Shape:
    """The counts of one generated tenant."""

    scale: int = 1
    products: int = 100_000
    segments: int = 200
    active: int = 150
    customers: int = 20_000
    per_segment: int = 2_500

    def __post_init__(self) -> None:
        s = self.scale
        self.products //= s
        self.customers //= s
        self.per_segment //= s
        self.levels = tuple(max(2, n // s) for n in LEVELS)


@dataclass
class Catalog:
    """What the generator decided, kept for choosing the workloads' arguments."""

    categories: list[str] = field(default_factory=list)  # ids, level by level
    roots: list[str] = field(default_factory=list)
    product_ids: list[str] = field(default_factory=list)
    links: dict[str, list[str]] = field(default_factory=dict)  # product -> categories
    segments: dict[str, dict[str, Any]] = field(default_factory=dict)
    assigned: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)


def _ids(rng: random.Random, count: int) -> list[str]:
    # Categories and products draw from one number space, so sorting assignments by item id
    # interleaves both types, as real catalogs do.
    return [str(n) for n in rng.sample(range(1_000_000, 9_999_999), count)]


def _categories(rng: random.Random, shape: Shape, out: _Writer, catalog: Catalog) -> None:
    ids = _ids(rng, sum(shape.levels))
    above: list[str] = []
    start, number, positions = 0, 0, {}
    for depth, size in enumerate(shape.levels):
        level = ids[start : start + size]
        start += size
        for id in level:
            parent = rng.choice(above) if above else None
            positions[parent] = positions.get(parent, -1) + 1
            out.record(_category(rng, id, parent, positions[parent], number, depth))
            number += 1
        catalog.categories += level
        above = level
    catalog.roots = catalog.categories[: shape.levels[0]]


def _category(
    rng: random.Random, id: str, parent: str | None, position: int, n: int, depth: int
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": id,
        "parentId": parent,
        "code": f"cat-{n:05d}",
        "name": {"en": f"Category {n}", "de": f"Kategorie {n}"},
        "slug": {"en": f"category-{n}"},
        "position": position,
    }
    # About 5% pruned, below the top two levels so the catalog keeps its overall shape.
    roll = rng.random() if depth >= 2 else 1.0
    if roll < 0.025:
        record["published"] = False
    elif roll < 0.05:
        record["validity"] = {"from": None, "to": PAST}
    return record


def _products(rng: random.Random, shape: Shape, out: _Writer, catalog: Catalog) -> None:
    catalog.product_ids = _ids(rng, shape.products)
    for n, id in enumerate(catalog.product_ids):
        links = rng.sample(catalog.categories, rng.choice((1, 2)))
        catalog.links[id] = links
        out.record(
            {
                "id": id,
                "code": f"prod-{n:06d}",
                "name": {"en": f"Product {n}"},
                "categoryIds": links,
            }
        )


def _segment_state(index: int, shape: Shape) -> dict[str, Any]:
    """Segments 0..active-1 are active; of the rest, half inactive, then expired, then future."""
    record: dict[str, Any] = {"status": "ACTIVE", "validity": {"from": SINCE, "to": None}}
    rest = index - shape.active
    if rest >= 0 and rest < (shape.segments - shape.active) // 2:
        record["status"] = "INACTIVE"
    elif rest >= 0 and rest % 2 == 0:
        record["validity"] = {"from": LONG_AGO, "to": PAST}
    elif rest >= 0:
        record["validity"] = {"from": FUTURE, "to": None}
    return record


def _segments(shape: Shape, out: _Writer, catalog: Catalog) -> None:
    for n in range(shape.segments):
        id = f"seg{n:03d}"
        site = OTHER_SITE if n % 10 == 9 else SITE
        record = {"id": id, "name": {"en": f"Segment {n}"}, "siteCode": site}
        record |= _segment_state(n, shape)
        catalog.segments[id] = record
        out.record(record)


def _customers(rng: random.Random, shape: Shape, out: _Writer, catalog: Catalog) -> None:
    segments = list(catalog.segments)
    for n in range(shape.customers):
        legal_entity = f"le{n:05d}" if rng.random() < 0.2 else None
        for segment in rng.sample(segments, rng.choice((1, 2, 3))):
            out.record(
                {"segmentId": segment, "customerId": f"cust{n:05d}", "legalEntityId": legal_entity}
            )


def _items(rng: random.Random, shape: Shape, out: _Writer, catalog: Catalog) -> None:
    categories = shape.per_segment // 20  # 5%
    for n, segment in enumerate(catalog.segments):
        picked = rng.sample(catalog.categories, categories)
        if n == 0:
            # One active segment holds every root, so "all active segments" is the whole tree.
            picked = catalog.roots + [c for c in picked if c not in catalog.roots]
            picked = picked[:categories] if len(picked) > categories else picked
        products = rng.sample(catalog.product_ids, shape.per_segment - len(picked))
        catalog.assigned[segment] = (picked, products)
        for type, ids in (("CATEGORY", picked), ("PRODUCT", products)):
            for id in ids:
                out.record({"segmentId": segment, "type": type, "itemId": id})


class _Writer:
    """Writes one JSON document list by list, a record at a time: memory stays flat."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.first, self.lists = stream, True, 0

    def begin(self, key: str) -> None:
        closing = b"],\n" if self.lists else b""
        self.stream.write(closing + b'"' + key.encode() + b'": [\n')
        self.first, self.lists = True, self.lists + 1

    def record(self, value: Any) -> None:
        self.stream.write((b"" if self.first else b",\n") + orjson.dumps(value))
        self.first = False


def generate(path: Path, scale: int = 1, seed: int = 8) -> dict[str, Any]:
    """Writes the catalog to `path` and its workload choices to `<path>.meta.json`."""
    rng, shape, catalog = random.Random(seed), Shape(scale=scale), Catalog()
    steps = (
        ("categories", lambda out: _categories(rng, shape, out, catalog)),
        ("products", lambda out: _products(rng, shape, out, catalog)),
        ("segments", lambda out: _segments(shape, out, catalog)),
        ("customerAssignments", lambda out: _customers(rng, shape, out, catalog)),
        ("itemAssignments", lambda out: _items(rng, shape, out, catalog)),
    )
    with path.open("wb") as stream:
        head = {"tenant": TENANT, "defaultLanguage": "en", "languages": ["en", "de"]}
        stream.write(orjson.dumps(head)[:-1] + b",\n")
        out = _Writer(stream)
        for key, step in steps:
            out.begin(key)
            step(out)
        stream.write(b"]}\n")
    meta = choose(rng, catalog)
    meta_path(path).write_bytes(orjson.dumps(meta, option=orjson.OPT_INDENT_2))
    return meta


def meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.json")
