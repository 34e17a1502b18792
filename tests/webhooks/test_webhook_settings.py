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
