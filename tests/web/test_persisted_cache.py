"""The per-process LRU of persisted documents holds at most its characters, oldest out first."""

from __future__ import annotations

from gateway.web.persisted.cache import DocumentCache


def test_documents_up_to_the_bound_are_all_kept():
    # given
    cache = DocumentCache(max_chars=10)
    # when
    cache.put("demo", "a", "x" * 4)
    cache.put("demo", "b", "y" * 6)
    # then: exactly at the bound
    assert (cache.get("demo", "a"), cache.get("demo", "b")) == ("xxxx", "yyyyyy")


def test_one_character_past_the_bound_drops_the_least_recently_used():
    # given
    cache = DocumentCache(max_chars=10)
    cache.put("demo", "a", "x" * 4)
    cache.put("demo", "b", "y" * 5)
    cache.get("demo", "a")
    # when
    cache.put("demo", "c", "z" * 2)
    # then
    assert cache.get("demo", "b") is None
    assert (cache.get("demo", "a"), cache.get("demo", "c")) == ("xxxx", "zz")


def test_a_document_larger_than_the_bound_is_not_kept_and_evicts_nothing():
    # given
    cache = DocumentCache(max_chars=10)
    cache.put("demo", "a", "x" * 10)
    # when
    cache.put("demo", "b", "y" * 11)
    # then
    assert cache.get("demo", "b") is None
    assert cache.get("demo", "a") == "x" * 10


def test_entries_are_per_tenant():
    # given
    cache = DocumentCache()
    cache.put("demo", "a", "{ hello }")
    # then
    assert cache.get("other", "a") is None
