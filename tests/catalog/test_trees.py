"""The pure tree builder: validity bounds, cycles, and what matchItems counts as assigned."""

from datetime import UTC, datetime, timedelta

from gateway.catalog.trees import CategoryRecord, assigned_category_ids, build_forest, is_live

NOW = datetime(2025, 6, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def category(id: str, parent: str | None = None, **fields) -> CategoryRecord:
    fields.setdefault("published", True)
    fields.setdefault("valid_from", None)
    fields.setdefault("valid_to", None)
    return CategoryRecord(id=id, parent_id=parent, code=id, **fields)


def test_validity_start_is_inclusive_and_end_exclusive():
    # given / when / then
    assert is_live(category("a", valid_from=NOW), NOW)
    assert not is_live(category("a", valid_from=NOW + SECOND), NOW)
    assert is_live(category("a", valid_to=NOW + SECOND), NOW)
    assert not is_live(category("a", valid_to=NOW), NOW)
    assert not is_live(category("a", published=False), NOW)


def test_a_parent_cycle_contributes_nothing_and_terminates():
    # given: x > y > x, unreachable from any root; r is a proper root
    categories = [category("x", "y"), category("y", "x"), category("r")]
    # when
    nodes = build_forest(categories, {"x", "r"}, NOW)
    # then
    assert [n.category.id for n in nodes] == ["r"]


def test_children_are_linked_and_depths_counted():
    # given
    categories = [category("c", "b"), category("b", "a"), category("a")]
    # when
    nodes = build_forest(categories, {"b"}, NOW)
    # then
    assert [(n.category.id, n.depth, n.assigned) for n in nodes] == [
        ("a", 0, False),
        ("b", 1, True),
        ("c", 2, True),
    ]
    assert [c.category.id for c in nodes[0].children] == ["b"]
    assert [c.category.id for c in nodes[1].children] == ["c"]


def test_assigned_category_ids_leave_out_ancestors_and_pruned_branches():
    # given: a > b (assigned) > (c, d unpublished > e)
    categories = [
        category("a"),
        category("b", "a"),
        category("c", "b"),
        category("d", "b", published=False),
        category("e", "d"),
    ]
    # when / then
    assert assigned_category_ids(categories, {"b"}, NOW) == {"b", "c"}
