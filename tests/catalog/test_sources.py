"""Turning a tree's or a match's arguments into the segments it draws on."""

from __future__ import annotations

import pytest

from gateway.catalog.sources import check_count, id_set
from gateway.errors import GatewayError


def test_listed_ids_lose_duplicates_and_are_sorted_into_one_key():
    assert id_set(["b", "a", "b"]) == ("a", "b")


def test_absent_ids_stay_absent_and_an_empty_list_stays_empty():
    assert (id_set(None), id_set([])) == (None, ())


def test_a_list_over_its_limit_is_bad_input_naming_the_argument():
    with pytest.raises(GatewayError, match="`segmentIds` takes at most 2 ids; 3 were given."):
        check_count("segmentIds", ["a", "b", "c"], 2)


def test_a_list_at_its_limit_passes():
    check_count("itemIds", ["a", "b"], 2)
