"""Webhook signing secrets: made once, stored so deliveries can sign with them again.

A secret cannot be hashed away: every delivery signs with it (HMAC-SHA256). With
GATEWAY_WEBHOOK_SECRET_KEYS set, it is stored sealed with Fernet (AES-128-CBC and an
HMAC), so a copy of the database alone does not give it away; the first key seals, every
key opens (rotation: put the new key first, keep the old ones until every secret is
resealed or deleted). Without keys it is stored as it is, which its `whsec_` prefix tells
apart from a sealed one (Fernet tokens start with `gAAAAA`).
"""

from __future__ import annotations

import base64
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

PREFIX = "whsec_"
# Standard Webhooks asks for 24 to 64 random bytes; svix makes 24, 32 leaves a margin.
SECRET_BYTES = 32


class UnreadableSecret(Exception):
    """A stored secret none of the configured keys opens (a key was removed too early)."""


def new_secret() -> str:
    """`whsec_` and the base64 of fresh random bytes, as Standard Webhooks libraries read it."""
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def seal(secret: str, keys: tuple[str, ...]) -> str:
    """What the database stores for `secret`: sealed with the first key, or as it is."""
    if not keys:
        return secret
    return _fernet(keys).encrypt(secret.encode("ascii")).decode("ascii")


def unseal(stored: str, keys: tuple[str, ...]) -> str:
    """The secret a delivery signs with, from what `seal` stored."""
    if stored.startswith(PREFIX):
        return stored
    if not keys:
        raise UnreadableSecret("the secret is sealed and GATEWAY_WEBHOOK_SECRET_KEYS is unset")
    try:
        return _fernet(keys).decrypt(stored.encode("ascii")).decode("ascii")
    except InvalidToken:
        raise UnreadableSecret("no key of GATEWAY_WEBHOOK_SECRET_KEYS opens the secret") from None


def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])
