"""Segment category trees built in memory: pruning, assignment flags, order. No SQL here."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class CategoryRecord:
    """The columns of a category that pruning, nesting and sibling order need."""

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


@dataclass(frozen=True, slots=True)
class _Visit:
    category: CategoryRecord
    depth: int
    assigned: bool
    parent: int  # index of the parent's visit; -1 for roots


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


def _live_preorder(
    categories: Iterable[CategoryRecord], assigned_ids: Collection[str], now: datetime
) -> list[_Visit]:
    """Every live category reachable from a root through live ones, in pre-order.

    A pruned category is never entered, so everything below it is skipped too; a cycle is
    never reached from a root, so it contributes nothing instead of looping.
    """
    roots, children = _children_by_parent(categories)
    visits: list[_Visit] = []
    stack = [_Visit(c, 0, c.id in assigned_ids, -1) for c in reversed(roots) if is_live(c, now)]
    while stack:
        visit = stack.pop()
        index = len(visits)
        visits.append(visit)
        for child in reversed(children.get(visit.category.id, ())):
            if is_live(child, now):
                flag = visit.assigned or child.id in assigned_ids
                stack.append(_Visit(child, visit.depth + 1, flag, index))
    return visits


def _kept(visits: list[_Visit]) -> list[bool]:
    """A visit is kept when it is assigned (itself or above) or a kept one lies below it."""
    kept = [v.assigned for v in visits]
    # Children come after their parent in pre-order, so walking back settles them first.
    for index in range(len(visits) - 1, -1, -1):
        parent = visits[index].parent
        if kept[index] and parent >= 0:
            kept[parent] = True
    return kept


def build_forest(
    categories: Iterable[CategoryRecord], assigned_ids: Collection[str], now: datetime
) -> list[TreeNode]:
    """The kept nodes in pre-order, each linked to its kept subcategories."""
    visits = _live_preorder(categories, assigned_ids, now)
    kept = _kept(visits)
    nodes: list[TreeNode | None] = []
    ordered: list[TreeNode] = []
    for visit, keep in zip(visits, kept, strict=True):
        node = TreeNode(visit.category, visit.depth, visit.assigned) if keep else None
        nodes.append(node)
        if node is None:
            continue
        ordered.append(node)
        parent = nodes[visit.parent] if visit.parent >= 0 else None
        if parent is not None:
            parent.children.append(node)
    return ordered


def assigned_category_ids(
    categories: Iterable[CategoryRecord], assigned_ids: Collection[str], now: datetime
) -> set[str]:
    """The categories a tree keeps as assigned: surviving assigned ones and their descendants."""
    return {v.category.id for v in _live_preorder(categories, assigned_ids, now) if v.assigned}
