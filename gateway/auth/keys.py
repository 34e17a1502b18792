"""Public keys for RS*/ES*/PS*/EdDSA tokens: a PEM file or a JWKS file, reloaded on change."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from jwt import PyJWK, PyJWTError

log = logging.getLogger("gateway.auth.keys")

PublicKeyType = (
    rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | ed448.Ed448PublicKey
)
_PRIVATE_KEY_TYPES = (
    rsa.RSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
)
# Which key class each family of public-key algorithm verifies with.
_FAMILIES: dict[str, tuple[type[Any], ...]] = {
    "RS": (rsa.RSAPublicKey,),
    "PS": (rsa.RSAPublicKey,),
    "ES": (ec.EllipticCurvePublicKey,),
    "Ed": (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey),
}


def is_public_key_algorithm(algorithm: str) -> bool:
    return algorithm[:2] in _FAMILIES


@dataclass(frozen=True)
class PublicKey:
    key: PublicKeyType
    kid: str | None = None
    # The JWK's own `alg`, when it names one: then only that algorithm may use the key.
    algorithm: str | None = None

    def fits(self, algorithm: str) -> bool:
        if self.algorithm is not None and self.algorithm != algorithm:
            return False
        return isinstance(self.key, _FAMILIES.get(algorithm[:2], ()))


@dataclass(frozen=True)
class KeySet:
    keys: tuple[PublicKey, ...]
    # A bare PEM key has no id: it verifies tokens whatever `kid` they carry.
    any_kid: bool = False

    def select(self, kid: str | None, algorithm: str) -> PublicKey | None:
        """The key for a token's `kid` and `alg`, or None when none fits."""
        if self.any_kid or (kid is None and len(self.keys) == 1):
            candidates = self.keys
        else:
            candidates = tuple(k for k in self.keys if kid is not None and k.kid == kid)
        return next((k for k in candidates if k.fits(algorithm)), None)


def parse_pem(data: bytes) -> KeySet:
    """One public key, or a certificate whose key is used."""
    if b"-----BEGIN CERTIFICATE-----" in data:
        key: Any = x509.load_pem_x509_certificate(data).public_key()
    else:
        key = load_pem_public_key(data)
    if not isinstance(key, PublicKeyType):
        raise ValueError(f"unsupported public key type {type(key).__name__}")
    return KeySet((PublicKey(key),), any_kid=True)


def parse_jwks(data: bytes) -> KeySet:
    """The signing keys of a JWKS document; symmetric and unusable keys are left out."""
    document = json.loads(data)
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ValueError("a JWKS file is a JSON object with a 'keys' list")
    keys = tuple(k for k in (_jwk(entry) for entry in entries) if k is not None)
    if not keys:
        raise ValueError("the JWKS file holds no usable public signing key")
    return KeySet(keys)


def _jwk(entry: Any) -> PublicKey | None:
    # Shared secrets never come from a key file: HS* only ever uses GATEWAY_JWT_SECRET.
    if not isinstance(entry, dict) or entry.get("kty") == "oct":
        return None
    if entry.get("use", "sig") != "sig":
        return None
    kid, alg = entry.get("kid"), entry.get("alg")
    if not isinstance(kid, str | None) or not isinstance(alg, str | None):
        return None
    try:
        key: Any = PyJWK(entry).key
    except (PyJWTError, ValueError, TypeError, KeyError) as error:
        log.warning("JWKS key %r left out: %s", kid, error)
        return None
    if isinstance(key, _PRIVATE_KEY_TYPES):
        key = key.public_key()  # a private JWK by mistake: verify with its public half
    if not isinstance(key, PublicKeyType):
        return None
    return PublicKey(key, kid=kid, algorithm=alg)


class KeyFile:
    """A key file parsed once, and again only when its mtime, size or inode changes."""

    def __init__(self, path: str, parse: Callable[[bytes], KeySet]) -> None:
        self._path = path
        self._parse = parse
        try:
            self._stamp: tuple[int, int, int] | None = self._stat()
            self._keys = self._read()
        except Exception as error:
            raise ValueError(f"cannot load the JWT key file {path}: {error}") from None

    def current(self) -> KeySet:
        """The keys, re-read first when the file changed since the last look (one stat)."""
        try:
            stamp: tuple[int, int, int] | None = self._stat()
        except OSError:
            stamp = None  # gone for now (e.g. mid-rename): keep the keys we have
        if stamp is not None and stamp != self._stamp:
            self._reload(stamp)
        return self._keys

    def _stat(self) -> tuple[int, int, int]:
        st = os.stat(self._path)
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _read(self) -> KeySet:
        with open(self._path, "rb") as file:
            return self._parse(file.read())

    def _reload(self, stamp: tuple[int, int, int]) -> None:
        # The stamp is taken before reading: a file still being written changes again
        # and is read again; a broken one is not retried (nor logged) on every request.
        self._stamp = stamp
        try:
            self._keys = self._read()
        except Exception as error:
            log.error("JWT key file %s not reloaded, keeping the old keys: %s", self._path, error)
        else:
            log.info("JWT key file %s reloaded", self._path)
