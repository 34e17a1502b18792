"""Every request limit is configurable from the environment, and a nonsense value is refused."""

from __future__ import annotations

from dataclasses import fields

import pytest

from gateway.environment import ENVIRONMENT
from gateway.settings import Limits, load_settings

LIMITS = [limit.name for limit in fields(Limits)]


@pytest.mark.parametrize("limit", LIMITS)
def test_each_limit_is_read_from_its_variable(limit):
    # given
    name = f"GATEWAY_{limit.upper()}"
    # when
    settings = load_settings({name: "7"})
    # then
    assert getattr(settings.limits, limit) == 7
    assert ENVIRONMENT[name][0] == str(getattr(Limits(), limit))  # --help shows the default


@pytest.mark.parametrize("value", ["0", "-3"])
def test_a_limit_under_one_is_refused_with_its_name(value):
    # when / then
    with pytest.raises(
        ValueError, match=f"GATEWAY_MAX_MATCH_ITEMS must be at least 1, got {value}"
    ):
        load_settings({"GATEWAY_MAX_MATCH_ITEMS": value})


def test_a_limit_of_one_is_taken():
    # when / then
    assert load_settings({"GATEWAY_MAX_BULK": "1"}).limits.max_bulk == 1


def test_a_limit_that_is_not_a_number_is_refused():
    # when / then
    with pytest.raises(ValueError, match="GATEWAY_MAX_COST must be a whole number, got 'lots'"):
        load_settings({"GATEWAY_MAX_COST": "lots"})
