"""Statements holding a code-point comparison are cached like any other."""

from gateway.query_language.json_sql import localized_text
from gateway.store.columns import code_point
from gateway.store.tables import segment_table


def test_a_code_point_expression_has_a_cache_key():
    # given
    ordered = segment_table.select().order_by(code_point(segment_table.c.id))
    # when / then: equal statements share a key, so the compiled form is reused
    again = segment_table.select().order_by(code_point(segment_table.c.id))
    assert ordered._generate_cache_key() == again._generate_cache_key()


def test_different_code_point_expressions_have_different_keys():
    # given
    by_id = segment_table.select().order_by(code_point(segment_table.c.id))
    by_name = segment_table.select().order_by(
        code_point(localized_text(segment_table.c.name, "en", "postgresql"))
    )
    # then
    assert by_id._generate_cache_key() != by_name._generate_cache_key()
