"""The catalog index answers as the contract's rules, spelled out naively, do, at any instant."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from gateway.catalog.trees import (
    CategoryRecord,
    build_index,
    covered_by_assigned,
    is_live,
    kept_positions,
)

NOW = datetime(2025, 6, 1, tzinfo=UTC)
INSTANTS = [NOW + timedelta(seconds=s) for s in range(-3, 4)]


def random_catalog(rng: random.Random, size: int) -> list[CategoryRecord]:
    """Parents among earlier ids (a forest), now and then a missing parent or a cycle."""
    found = []
    for n in range(size):
        parent = f"c{rng.randrange(n)}" if n and rng.random() < 0.85 else None
        if rng.random() < 0.05:
            parent = f"c{rng.randrange(n, size)}"  # forward: missing or part of a cycle
        start = rng.choice([None, None, None, *INSTANTS])
        end = rng.choice([None, None, None, *INSTANTS])
        found.append(
            CategoryRecord(
                id=f"c{n}",
                parent_id=parent,
                published=rng.random() > 0.1,
                valid_from=start,
                valid_to=end,
                code=rng.choice("abc"),
                position=rng.randrange(3),
            )
        )
    return found


def naive_tree(
    categories: list[CategoryRecord], assigned: set[str], now: datetime
) -> list[tuple[str, int, bool]]:
    """(id, depth, assigned) in pre-order, straight from the contract's words."""
    ids = {c.id for c in categories}

    def children(parent: str | None) -> list[CategoryRecord]:
        found = [
            c
            for c in categories
            if (c.parent_id == parent if parent else c.parent_id is None or c.parent_id not in ids)
        ]
        return sorted(found, key=lambda c: (c.position, c.code, c.id))

    def walk(category: CategoryRecord, depth: int, above: bool) -> list[tuple[str, int, bool]]:
        if not is_live(category, now):
            return []
        flag = above or category.id in assigned
        below = [n for child in children(category.id) for n in walk(child, depth + 1, flag)]
        return [(category.id, depth, flag), *below] if flag or below else []

    return [node for root in children(None) for node in walk(root, 0, False)]


def test_the_index_keeps_what_the_naive_rules_keep_on_random_catalogs():
    rng = random.Random(8)
    for _ in range(60):
        # given
        categories = random_catalog(rng, rng.randrange(1, 40))
        index = build_index(categories)
        assigned = {c.id for c in categories if rng.random() < 0.15}
        for now in INSTANTS:
            # when
            kept = [
                (index.categories[p].id, index.depth[p], flag)
                for p, flag in kept_positions(index, assigned, now)
            ]
            # then
            expected = naive_tree(categories, assigned, now)
            assert kept == expected
            covered = {c.id for c in categories if covered_by_assigned(index, assigned, c.id, now)}
            assert covered == {id for id, _, flag in expected if flag}
