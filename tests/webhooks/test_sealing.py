"""Signing secrets: Standard Webhooks' format, stored so a delivery can sign with them."""

import base64
import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet

from gateway.webhooks.sealing import UnreadableSecret, new_secret, seal, unseal

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_a_secret_is_whsec_and_the_base64_of_at_least_24_random_bytes():
    # when
    first, second = new_secret(), new_secret()
    # then
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"), validate=True)) >= 24
    assert first != second


def test_without_keys_the_secret_is_stored_as_it_is():
    # given
    secret = new_secret()
    # when
    stored = seal(secret, ())
    # then
    assert stored == secret
    assert unseal(stored, ()) == secret


def test_with_a_key_the_stored_form_hides_the_secret_and_opens_to_it():
    # given
    secret = new_secret()
    # when
    stored = seal(secret, (NEW,))
    # then
    assert secret not in stored
    assert secret.removeprefix("whsec_") not in stored
    assert unseal(stored, (NEW,)) == secret


def test_an_opened_secret_signs_as_standard_webhooks_verifies():
    # given: the signature over "id.timestamp.body" with the decoded key
    secret = new_secret()
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = b"msg_1.1700000000.{}"
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest())
    # when
    opened = base64.b64decode(unseal(seal(secret, (NEW,)), (NEW,)).removeprefix("whsec_"))
    # then
    assert base64.b64encode(hmac.new(opened, content, hashlib.sha256).digest()) == expected


def test_rotation_keeps_secrets_sealed_with_an_older_key_readable():
    # given
    stored = seal(new_secret(), (OLD,))
    # when / then
    assert unseal(stored, (NEW, OLD)) == unseal(stored, (OLD,))


def test_a_secret_sealed_with_a_removed_key_is_unreadable_not_garbage():
    # given
    stored = seal(new_secret(), (OLD,))
    # when / then
    with pytest.raises(UnreadableSecret, match="no key"):
        unseal(stored, (NEW,))
    with pytest.raises(UnreadableSecret, match="unset"):
        unseal(stored, ())


def test_secrets_stored_before_a_key_was_set_stay_readable():
    # given
    secret = new_secret()
    stored = seal(secret, ())
    # when / then
    assert unseal(stored, (NEW,)) == secret
