"""The webhook settings: both target rules off by default, keys checked at start."""

import pytest
from cryptography.fernet import Fernet

from gateway.settings import load_settings


def test_targets_are_https_and_public_unless_the_variables_say_otherwise():
    # when
    default = load_settings({})
    opened = load_settings(
        {"GATEWAY_WEBHOOK_ALLOW_HTTP": "1", "GATEWAY_WEBHOOK_ALLOW_PRIVATE": "true"}
    )
    # then
    assert (default.webhook_allow_http, default.webhook_allow_private) == (False, False)
    assert (opened.webhook_allow_http, opened.webhook_allow_private) == (True, True)


def test_secret_keys_are_read_newest_first():
    # given
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    # when
    settings = load_settings({"GATEWAY_WEBHOOK_SECRET_KEYS": f"{new}, {old}"})
    # then
    assert settings.webhook_secret_keys == (new, old)
    assert load_settings({}).webhook_secret_keys == ()


@pytest.mark.parametrize("bad", ["not-a-key", "c2hvcnQ=", Fernet.generate_key().decode()[:-4]])
def test_a_value_that_is_no_fernet_key_is_refused_at_start(bad):
    # given
    good = Fernet.generate_key().decode()
    # when / then
    with pytest.raises(ValueError, match="GATEWAY_WEBHOOK_SECRET_KEYS: key 2 is not a Fernet key"):
        load_settings({"GATEWAY_WEBHOOK_SECRET_KEYS": f"{good},{bad}"})


def test_delivery_defaults_follow_the_contract():
    # when
    delivery = load_settings({}).delivery
    # then
    assert delivery.in_serve is True
    assert delivery.retry_schedule == (5, 300, 1800, 7200, 18000, 36000, 36000)
    assert delivery.retention_seconds == 7 * 86400


def test_delivery_variables_are_read():
    # when
    delivery = load_settings(
        {
            "GATEWAY_WEBHOOK_DELIVERY": "0",
            "GATEWAY_WEBHOOK_RETRY_SCHEDULE": "1, 2.5,0",
            "GATEWAY_WEBHOOK_LEASE_SECONDS": "4",
            "GATEWAY_EVENT_RETENTION_SECONDS": "86400",
        }
    ).delivery
    # then
    assert delivery.in_serve is False
    assert delivery.retry_schedule == (1, 2.5, 0)
    assert (delivery.lease_seconds, delivery.retention_seconds) == (4, 86400)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("5,soon", "seconds separated by commas"),
        ("5,,6", "seconds separated by commas"),
        ("-1", "from 0 to 10,000,000"),
        ("10000000", "from 0 to 10,000,000"),
    ],
)
def test_a_schedule_that_is_no_list_of_seconds_is_refused_at_start(value, problem):
    with pytest.raises(ValueError, match=f"GATEWAY_WEBHOOK_RETRY_SCHEDULE must .*{problem}"):
        load_settings({"GATEWAY_WEBHOOK_RETRY_SCHEDULE": value})


def test_the_longest_step_is_accepted():
    settings = load_settings({"GATEWAY_WEBHOOK_RETRY_SCHEDULE": "9999999.5"})
    assert settings.delivery.retry_schedule == (9999999.5,)


@pytest.mark.parametrize(
    "name", ["GATEWAY_WEBHOOK_LEASE_SECONDS", "GATEWAY_EVENT_RETENTION_SECONDS"]
)
def test_durations_must_be_positive(name):
    with pytest.raises(ValueError, match=f"{name} must be more than 0"):
        load_settings({name: "0"})
