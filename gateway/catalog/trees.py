"""Segment category trees built in memory: pruning, assignment flags, order. No SQL here."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple


class CategoryRecord(NamedTuple):
    """The columns of a category that pruning, nesting and sibling order need."""

    # A tuple, not a dataclass: 10,000 of these are made per rebuild, several times faster.
    id: str
    parent_id: str | None
    published: bool
    valid_from: datetime | None
    valid_to: datetime | None
    code: str = ""
    position: int = 0
    # What the caller shows of a kept node; carried along untouched, never looked at here.
    display: Any = None


@dataclass(slots=True)
class TreeNode:
    """A category kept in a tree, with its depth (0 for roots) and assignment flag."""

    category: CategoryRecord
    depth: int
    assigned: bool
    children: list[TreeNode] = field(default_factory=list)


def is_live(category: CategoryRecord, now: datetime) -> bool:
    """Published and inside its validity: `from <= now < to`, open ends unbounded."""
    if not category.published:
        return False
    if category.valid_from is not None and category.valid_from > now:
        return False
    return category.valid_to is None or now < category.valid_to


def _sibling_key(category: CategoryRecord) -> tuple[int, str, str]:
    # Python compares str by code point, as the contract orders codes.
    return (category.position, category.code, category.id)


def _children_by_parent(
    categories: Iterable[CategoryRecord],
) -> tuple[list[CategoryRecord], dict[str, list[CategoryRecord]]]:
    """Roots and each parent's children, siblings in order. A missing parent makes a root."""
    listed = list(categories)
    ids = {c.id for c in listed}
    roots: list[CategoryRecord] = []
    children: dict[str, list[CategoryRecord]] = {}
    for category in listed:
        if category.parent_id is None or category.parent_id not in ids:
            roots.append(category)
        else:
            children.setdefault(category.parent_id, []).append(category)
    roots.sort(key=_sibling_key)
    for siblings in children.values():
        siblings.sort(key=_sibling_key)
    return roots, children


# Compared by identity (eq=False): hashing would walk every tuple; weakly referenced by the
# caches of what is derived from it.
@dataclass(frozen=True, slots=True, eq=False, weakref_slot=True)
class CatalogIndex:
    """A tenant's categories in tree pre-order, with what pruning needs; independent of `now`.

    Only categories reachable from a root are placed (a cycle never is). Position `i` holds
    `categories[i]`; its subtree is the positions `i` to `end[i] - 1`. A category survives at
    `now` when it and everything above it are published and valid: when `live[i]` and
    `live_from[i] <= now < live_to[i]` (None: unbounded), the intersection of their validities.
    """

    categories: tuple[CategoryRecord, ...]
    position: dict[str, int]
    parent: tuple[int, ...]  # -1 for roots
    depth: tuple[int, ...]
    end: tuple[int, ...]
    live: tuple[bool, ...]  # False: it or a category above it is unpublished
    live_from: tuple[datetime | None, ...]
    live_to: tuple[datetime | None, ...]
    size: int  # every category of the tenant, placed or not

    def survives(self, index: int, now: datetime) -> bool:
        if not self.live[index]:
            return False
        start, end = self.live_from[index], self.live_to[index]
        return (start is None or start <= now) and (end is None or now < end)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def build_index(categories: Iterable[CategoryRecord]) -> CatalogIndex:
    """The index of a tenant's categories: one walk from the roots, no clock involved."""
    listed = list(categories)
    roots, children = _children_by_parent(listed)
    order: list[CategoryRecord] = []
    parent: list[int] = []
    depth: list[int] = []
    stack = [(c, -1) for c in reversed(roots)]
    while stack:
        category, above = stack.pop()
        parent.append(above)
        depth.append(depth[above] + 1 if above >= 0 else 0)
        here = len(order)
        order.append(category)
        below = children.get(category.id)
        if below:
            stack.extend([(child, here) for child in reversed(below)])
    end = list(range(1, len(order) + 1))
    # Children follow their parent in pre-order, so walking back settles each subtree's end.
    for index in range(len(order) - 1, -1, -1):
        if parent[index] >= 0:
            end[parent[index]] = max(end[parent[index]], end[index])
    live, live_from, live_to = _live_bounds(order, parent)
    return CatalogIndex(
        categories=tuple(order),
        position={c.id: i for i, c in enumerate(order)},
        parent=tuple(parent),
        depth=tuple(depth),
        end=tuple(end),
        live=tuple(live),
        live_from=tuple(live_from),
        live_to=tuple(live_to),
        size=len(listed),
    )


def _live_bounds(
    order: list[CategoryRecord], parent: list[int]
) -> tuple[list[bool], list[datetime | None], list[datetime | None]]:
    live: list[bool] = []
    start: list[datetime | None] = []
    end: list[datetime | None] = []
    for category, above in zip(order, parent, strict=True):
        alive, lower, upper = (
            (live[above], start[above], end[above])
            if above >= 0
            else (
                True,
                None,
                None,
            )
        )
        live.append(alive and category.published)
        start.append(_latest(lower, category.valid_from))
        end.append(_earliest(upper, category.valid_to))
    return live, start, end


def kept_positions(
    index: CatalogIndex, assigned_ids: Collection[str], now: datetime
) -> list[tuple[int, bool]]:
    """The kept nodes as (position, assigned) in pre-order; work in the answer's size.

    A surviving assigned category brings its surviving subtree (assigned) and its ancestors
    (which survive with it); a pruned category's subtree is skipped in one step.
    """
    starts = sorted(index.position[i] for i in assigned_ids if i in index.position)
    kept: dict[int, bool] = {}
    covered = -1  # one past the last position of the subtree walked last
    for start in starts:
        if start < covered or not index.survives(start, now):
            continue
        position, covered = start, index.end[start]
        while position < covered:
            if index.survives(position, now):
                kept[position] = True
                position += 1
            else:
                position = index.end[position]
        above = index.parent[start]
        while above >= 0 and above not in kept:
            kept[above] = False
            above = index.parent[above]
    # Sorting the positions alone: ints sort several times faster than (int, bool) pairs.
    return [(position, kept[position]) for position in sorted(kept)]


def forest(index: CatalogIndex, assigned_ids: Collection[str], now: datetime) -> list[TreeNode]:
    """The kept nodes in pre-order, each linked to its kept subcategories."""
    made: dict[int, TreeNode] = {}
    ordered: list[TreeNode] = []
    for position, assigned in kept_positions(index, assigned_ids, now):
        node = TreeNode(index.categories[position], index.depth[position], assigned)
        made[position] = node
        ordered.append(node)
        parent = made.get(index.parent[position])
        if parent is not None:
            parent.children.append(node)
    return ordered


def covered_by_assigned(
    index: CatalogIndex, assigned_ids: Collection[str], category_id: str, now: datetime
) -> bool:
    """Whether a tree of `assigned_ids` keeps `category_id` as assigned (it or one above)."""
    position = index.position.get(category_id)
    if position is None or not index.survives(position, now):
        return False
    while position >= 0:
        if index.categories[position].id in assigned_ids:
            return True
        position = index.parent[position]
    return False


def build_forest(
    categories: Iterable[CategoryRecord], assigned_ids: Collection[str], now: datetime
) -> list[TreeNode]:
    """The kept nodes in pre-order, each linked to its kept subcategories."""
    return forest(build_index(categories), assigned_ids, now)


def assigned_category_ids(
    categories: Iterable[CategoryRecord], assigned_ids: Collection[str], now: datetime
) -> set[str]:
    """The categories a tree keeps as assigned: surviving assigned ones and their descendants."""
    index = build_index(categories)
    return {index.categories[p].id for p, flag in kept_positions(index, assigned_ids, now) if flag}
