"""The response cache's bounds: bytes in all, bytes per entry, one data version per tenant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gateway.auth.principal import Principal
from gateway.web.response_cache import Horizon, ResponseCache

NOW = datetime(2026, 12, 2, tzinfo=UTC)
FOREVER = Horizon(version=1, since=NOW, until=None)


def key(cache: ResponseCache, query: str, *, tenant: str = "demo", version: int = 1) -> tuple:
    principal = Principal(tenant=tenant, scopes=frozenset({"segment_read"}))
    found = cache.key(
        tenant=tenant,
        version=version,
        principal=principal,
        locales=("en",),
        query=query,
        variables=None,
        operation_name=None,
    )
    assert found is not None
    return found


def test_an_entry_of_a_quarter_of_the_budget_is_kept_and_one_byte_more_is_not():
    # given
    cache = ResponseCache(max_bytes=400)
    # when
    cache.put(key(cache, "a"), b"x" * 100, FOREVER)
    cache.put(key(cache, "b"), b"x" * 101, FOREVER)
    # then
    assert cache.get(key(cache, "a"), NOW) == b"x" * 100
    assert cache.get(key(cache, "b"), NOW) is None
    assert cache.size == 100


def test_the_least_recently_used_entry_goes_when_the_budget_is_full():
    # given: four entries fill the budget exactly; "a" was read last
    cache = ResponseCache(max_bytes=400)
    for name in "abcd":
        cache.put(key(cache, name), b"x" * 100, FOREVER)
    assert cache.get(key(cache, "a"), NOW) is not None
    # when
    cache.put(key(cache, "e"), b"x" * 100, FOREVER)
    # then
    assert cache.size == 400
    assert cache.get(key(cache, "b"), NOW) is None
    assert all(cache.get(key(cache, n), NOW) for n in "acde")


def test_a_newer_data_version_drops_the_tenants_older_entries_only():
    # given
    cache = ResponseCache(max_bytes=4000)
    cache.put(key(cache, "a"), b"old", FOREVER)
    cache.put(key(cache, "a", tenant="other"), b"theirs", FOREVER)
    # when: a request of version 2 looks its answer up
    assert cache.get(key(cache, "a", version=2), NOW) is None
    # then: version 1's entry is gone, the other tenant's stays, and a late version-1 answer
    # is not kept
    assert cache.size == len(b"theirs")
    cache.put(key(cache, "a"), b"late", FOREVER)
    assert cache.get(key(cache, "a"), NOW) is None
    assert cache.get(key(cache, "a", tenant="other"), NOW) == b"theirs"


def test_an_entry_is_served_until_just_before_its_boundary():
    # given
    cache = ResponseCache(max_bytes=4000)
    boundary = NOW + timedelta(seconds=5)
    cache.put(key(cache, "a"), b"body", Horizon(version=1, since=NOW, until=boundary))
    # then
    assert cache.get(key(cache, "a"), boundary - timedelta(milliseconds=1)) == b"body"
    assert cache.get(key(cache, "a"), boundary) is None
    assert cache.size == 0


def test_a_horizon_covers_its_version_from_since_until_before_until():
    horizon = Horizon(version=3, since=NOW, until=NOW + timedelta(seconds=1))
    assert horizon.covers(3, NOW)
    assert not horizon.covers(3, NOW - timedelta(milliseconds=1))
    assert not horizon.covers(3, NOW + timedelta(seconds=1))
    assert not horizon.covers(4, NOW)


def test_variables_past_64_bit_integers_are_not_cached():
    cache = ResponseCache(max_bytes=4000)
    principal = Principal(tenant="demo", scopes=frozenset())
    found = cache.key(
        tenant="demo",
        version=1,
        principal=principal,
        locales=(),
        query="q",
        variables={"n": 2**70},
        operation_name=None,
    )
    assert found is None
